"""Presence ends with the day: whoever did not scan out is not counted present the next morning."""

import time
from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from assembly.errors import Conflict
from badges.models import CheckpointPresence, Scan
from badges.selectors import NIGHT_CUT
from badges.services import end_days_due, end_the_day
from registration.services import accredit
from tests.badges.test_scans import scan
from tests.voting.factories import draft_poll, ga_body, resolution
from voting.closer import start_poll_closer, stop_poll_closer
from voting.models import AuditEntry, BodyQuorum, DelegatePresence
from voting.services import open_poll

pytestmark = pytest.mark.django_db


@pytest.fixture
def body(assembly, delegate):
    accredit(assembly=assembly, member=delegate.member, delegate=delegate, kind="voting", by=None)
    return ga_body(assembly)


@pytest.fixture
def in_the_hall(assembly, hall, entrance, token, body):
    scan(assembly, entrance, token)
    scan(assembly, hall, token)
    assert BodyQuorum.objects.get(body=body).present == 1


def inside() -> int:
    return CheckpointPresence.objects.filter(inside=True).count()


def test_ending_the_day_empties_every_checkpoint_and_the_quorum(
    assembly, delegate, body, in_the_hall, secretariat_user, django_capture_on_commit_callbacks
):
    assert inside() == 2

    with django_capture_on_commit_callbacks(execute=True):  # audit entries link after commit
        assert end_the_day(assembly=assembly, by=secretariat_user) == 1

    assert inside() == 0
    assert not DelegatePresence.objects.get(delegate=delegate).in_hall
    assert BodyQuorum.objects.get(body=body).present == 0
    assembly.refresh_from_db()
    assert assembly.presence_ended_at is not None
    assert AuditEntry.objects.filter(event="presence.day_ended").count() == 1


def test_the_next_morning_a_scan_counts_again(assembly, hall, token, body, in_the_hall):
    end_the_day(assembly=assembly, by=None)
    result = scan(assembly, hall, token)
    assert result.reason == "ok"
    assert BodyQuorum.objects.get(body=body).present == 1


def test_the_dashboard_will_not_end_the_day_during_a_vote(assembly, body, in_the_hall, chair_user):
    open_poll(poll=draft_poll(resolution(body)), by=chair_user)
    with pytest.raises(Conflict):
        end_the_day(assembly=assembly, by=None)
    assert inside() == 2
    assert BodyQuorum.objects.get(body=body).present == 1


def local(assembly, day, hour, minute=0):
    return datetime.combine(day, datetime.min.time(), tzinfo=assembly.zone).replace(
        hour=hour, minute=minute
    )


def test_the_night_ends_presence_by_itself_once_at_the_cut(
    assembly, hall, token, body, in_the_hall
):
    second_day = assembly.start_date + timedelta(days=1)
    before_cut = local(assembly, second_day, NIGHT_CUT.hour - 1)
    assert end_days_due(now=before_cut) == 0
    assert inside() == 2

    after_cut = local(assembly, second_day, NIGHT_CUT.hour, 30)
    assert end_days_due(now=after_cut) == 1
    assert inside() == 0
    assembly.refresh_from_db()
    assert assembly.presence_ended_at == local(assembly, second_day, NIGHT_CUT.hour)

    scan(assembly, hall, token)  # the morning's first arrival
    assert end_days_due(now=after_cut + timedelta(hours=2)) == 0
    assert BodyQuorum.objects.get(body=body).present == 1


def test_no_cut_before_the_assembly_begins(assembly, body, in_the_hall):
    eve = local(assembly, assembly.start_date, NIGHT_CUT.hour, 30)  # its first morning
    assert end_days_due(now=eve) == 0
    assert inside() == 2


def test_the_secretariat_ends_the_day_from_the_dashboard(
    secretariat_client, desk_client, assembly, body, in_the_hall
):
    url = reverse("badges-end-day", args=[assembly.slug])
    assert desk_client.post(url).status_code == 403
    assert inside() == 2

    response = secretariat_client.post(url, follow=True)
    assert "Day ended: 1 people were still counted present" in response.content.decode()
    assert inside() == 0


@pytest.mark.django_db(transaction=True)
def test_the_running_server_ends_a_night_nobody_ended(assembly, hall, entrance, token, body):
    scan(assembly, hall, token)
    today = timezone.now().astimezone(assembly.zone).date()
    assembly.start_date = today - timedelta(days=2)
    assembly.end_date = today + timedelta(days=1)
    assembly.save()
    start_poll_closer()
    try:
        deadline = time.monotonic() + 10
        while inside() and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        stop_poll_closer()
    assert inside() == 0
    assert BodyQuorum.objects.get(body=body).present == 0


def test_a_late_offline_entry_from_before_the_end_of_the_day_moves_nothing(
    assembly, hall, token, delegate, body
):
    # Found by a tester: an entry queued offline before "End the day", uploaded after it,
    # put the delegate back in the hall and the quorum.
    ended = timezone.now()
    end_the_day(assembly=assembly, by=None, at=ended)
    result = scan(
        assembly,
        hall,
        token,
        offline_answer="ok",
        client_time=ended - timedelta(minutes=20),
    )
    assert result.conflict
    assert not Scan.objects.get(pk=result.scan_id).changed_presence
    assert inside() == 0
    assert BodyQuorum.objects.get(body=body).present == 0


def test_the_attendance_report_ends_a_stay_at_the_end_of_the_day(
    assembly, hall, delegate, in_the_hall
):
    from badges.selectors import attendance

    ended_at = timezone.now()
    end_the_day(assembly=assembly, by=None, at=ended_at)
    later = ended_at + timedelta(hours=2)
    [stay] = attendance(
        assembly=assembly, checkpoint=hall, start=ended_at - timedelta(hours=1), end=later
    )
    assert (stay.last_out, stay.present_at_end) == (ended_at, False)
    assert stay.minutes <= 60


def test_the_dashboard_says_what_a_late_scan_was_recorded_as(
    secretariat_client, assembly, hall, token, body
):
    ended = timezone.now()
    end_the_day(assembly=assembly, by=None, at=ended)
    scan(assembly, hall, token, offline_answer="ok", client_time=ended - timedelta(minutes=5))
    page = secretariat_client.get(reverse("badges-dashboard", args=[assembly.slug]))
    assert "Entry, moved nothing: a later scan decides" in page.content.decode()
