"""Attendance per session of the programme: the session's room checkpoint and its hours."""

import html
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from badges.models import Scan
from badges.services import record_scan
from tests.agenda.factories import RoomFactory, SessionFactory
from tests.badges.conftest import new_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def plenary_session(assembly, hall):
    now = timezone.now()
    room = RoomFactory(assembly=assembly, checkpoint=hall, name="Grand Ballroom")
    return SessionFactory(
        assembly=assembly,
        room=room,
        code="ga-session",
        title="General Assembly Session",
        starts_at=now - timedelta(hours=2),
        ends_at=now - timedelta(hours=1),
    )


def scan_at(assembly, checkpoint, token, direction, when):
    result = record_scan(
        assembly=assembly,
        checkpoint=checkpoint,
        token=token,
        direction=direction,
        idempotency_key=new_key(),
    )
    Scan.objects.filter(pk=result.scan_id).update(effective_at=when)


def test_attendance_for_a_session_uses_its_room_and_hours(
    secretariat_client, assembly, hall, token, plenary_session
):
    scan_at(assembly, hall, token, "in", plenary_session.starts_at - timedelta(minutes=5))
    scan_at(assembly, hall, token, "out", plenary_session.starts_at + timedelta(minutes=30))
    url = reverse("badges-attendance", args=[assembly.slug]) + "?session=ga-session&format=csv"
    response = secretariat_client.get(url)
    assert "attendance-ga-ga-session.csv" in response["Content-Disposition"]
    rows = response.content.decode().splitlines()
    name, _org, _role, _first, _last, minutes, at_start, at_end = rows[1].split(",")
    assert name == "Kim Seo-yeon"
    assert 29 <= int(minutes) <= 31
    assert (at_start, at_end) == ("yes", "no")


def test_session_page_links_the_chair_to_its_attendance(chair_client, assembly, plenary_session):
    page = chair_client.get(reverse("agenda:session", args=[assembly.slug, "ga-session"]))
    assert "?session=ga-session" in page.content.decode()


@pytest.mark.parametrize(
    ("query", "said"),
    [
        ("?start=2026-11-28T18:00&end=2026-11-28T09:00", "The end must be after the start."),
        ("?start=2026-13-45T99:99", "is not a date and time"),
        ("?start=99999-01-01T00:00", "is not a date and time"),
        ("?checkpoint=nope", "No checkpoint is called “nope”."),
    ],
)
def test_a_window_the_report_cannot_use_is_said_not_silently_replaced(
    secretariat_client, assembly, query, said
):
    # Found by a tester: each of these answered 200 with another window than the one asked.
    url = reverse("badges-attendance", args=[assembly.slug])
    page = secretariat_client.get(url + query)
    assert page.status_code == 400
    assert said in html.unescape(page.content.decode())
    csv = secretariat_client.get(url + query + "&format=csv")
    assert csv.status_code == 400
