"""The demo: badges for approved delegates and real scans behind the hall presence."""

import pytest

from assembly.demo import load_demo
from badges.models import Badge, Scan
from registration.models import Delegate
from voting.models import DelegatePresence


@pytest.mark.django_db
class TestTheLoadedDemo:
    """Read from one load of the demo (a rerun inside a test is rolled back after it)."""

    def test_demo_gives_every_approved_delegate_a_rendered_badge(self, loaded_demo):
        approved = Delegate.objects.filter(assembly=loaded_demo, state="approved")
        assert approved.exists()
        assert (
            Badge.objects.filter(delegate__in=approved).exclude(pdf="").count() == approved.count()
        )

    def test_demo_hall_presence_comes_from_accepted_scans_and_a_rerun_adds_none(self, loaded_demo):
        in_hall = DelegatePresence.objects.filter(assembly=loaded_demo, in_hall=True).count()
        hall_entries = Scan.objects.filter(
            checkpoint__is_voting=True, changed_presence=True
        ).count()
        assert in_hall == hall_entries > 0
        scans = Scan.objects.count()
        load_demo()
        assert Scan.objects.count() == scans
