"""The demo: badges for approved delegates and real scans behind the hall presence."""

from assembly.demo import load_demo
from badges.models import Badge, Scan
from registration.models import Delegate
from voting.models import DelegatePresence


def test_demo_gives_every_approved_delegate_a_rendered_badge(db):
    assembly = load_demo()
    approved = Delegate.objects.filter(assembly=assembly, state="approved")
    assert approved.exists()
    assert Badge.objects.filter(delegate__in=approved).exclude(pdf="").count() == approved.count()


def test_demo_hall_presence_comes_from_accepted_scans_and_a_rerun_adds_none(db):
    assembly = load_demo()
    in_hall = DelegatePresence.objects.filter(assembly=assembly, in_hall=True).count()
    hall_entries = Scan.objects.filter(checkpoint__is_voting=True, changed_presence=True).count()
    assert in_hall == hall_entries > 0
    scans = Scan.objects.count()
    load_demo()
    assert Scan.objects.count() == scans
