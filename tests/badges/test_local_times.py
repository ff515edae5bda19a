"""Badge pages in an assembly far from UTC: every time shown or read is the assembly's own."""

import html
import re
from datetime import date, datetime, time, timedelta

import pytest
from django.urls import reverse

from badges.models import Scan
from badges.services import record_scan, revoke_badge
from tests.badges.conftest import new_key

AUCKLAND = "Pacific/Auckland"


@pytest.fixture
def auckland(assembly):
    assembly.time_zone = AUCKLAND
    assembly.save()
    return assembly


def local(assembly, day, hour, minute):
    return datetime.combine(day, time(hour, minute), tzinfo=assembly.zone)


@pytest.fixture
def afternoon_stay(auckland, hall, token):
    """In at 18:27 and out at 18:50 yesterday afternoon, Auckland time."""
    day = auckland.local_today() - timedelta(days=1)
    for direction, at in (
        ("in", local(auckland, day, 18, 27)),
        ("out", local(auckland, day, 18, 50)),
    ):
        result = record_scan(
            assembly=auckland,
            checkpoint=hall,
            token=token,
            direction=direction,
            idempotency_key=new_key(),
        )
        Scan.objects.filter(pk=result.scan_id).update(effective_at=at)
    return day


def attendance_page(client, day):
    query = f"?checkpoint=plenary&start={day:%Y-%m-%d}T13:30&end={day:%Y-%m-%d}T19:00"
    return client.get(reverse("badges-attendance", args=["ga"]) + query).content.decode()


def test_attendance_page_shows_the_window_and_stays_in_the_assembly_zone(
    secretariat_client, afternoon_stay
):
    page = attendance_page(secretariat_client, afternoon_stay)
    assert "1:30 p.m." in page
    assert "7 p.m. (Pacific/Auckland)" in page
    assert "<td>18:27</td><td>18:50</td>" in page
    assert f'value="{afternoon_stay:%Y-%m-%d}T13:30"' in page


def test_attendance_csv_link_of_the_page_gives_the_rows_of_the_page(
    secretariat_client, afternoon_stay
):
    page = attendance_page(secretariat_client, afternoon_stay)
    link = html.unescape(re.search(r'href="(\?[^"]*format=csv)"', page).group(1))
    rows = secretariat_client.get(reverse("badges-attendance", args=["ga"]) + link)
    lines = rows.content.decode().splitlines()
    assert len(lines) == 2
    assert lines[1].startswith(
        f"Kim Seo-yeon,Seoul,Voting delegate,{afternoon_stay:%Y-%m-%d} 18:27,"
        f"{afternoon_stay:%Y-%m-%d} 18:50,23,"
    )


def test_attendance_default_window_is_8_to_20_in_the_assembly_zone(secretariat_client, auckland):
    page = secretariat_client.get(reverse("badges-attendance", args=["ga"])).content.decode()
    assert re.search(r'name="start" value="\d{4}-\d\d-\d\dT08:00"', page)
    assert re.search(r'name="end" value="\d{4}-\d\d-\d\dT20:00"', page)


def test_dashboard_shows_when_a_badge_was_revoked_in_the_assembly_zone(
    secretariat_client, secretariat_user, auckland, badge, delegate
):
    revoke_badge(assembly=auckland, delegate_id=delegate.pk, by=secretariat_user, reason="Lost")
    badge.events.filter(kind="revoked").update(at=local(auckland, date(2026, 11, 28), 18, 27))
    page = secretariat_client.get(reverse("badges-dashboard", args=["ga"])).content.decode()
    assert "Times in Pacific/Auckland." in page
    assert "<td>11/28/2026 6:27 p.m.</td>" in page
