"""Agenda times across a change of offset: each end of a session carries its own."""

import re
from datetime import date

import pytest
from django.urls import reverse

from tests.agenda.factories import RoomFactory, SessionFactory, local
from tests.factories import AssemblyFactory


@pytest.fixture
def auckland(db):
    """An assembly in Auckland spanning the first Sunday of April 2027 (NZDT -> NZST at 03:00)."""
    return AssemblyFactory(
        slug="auckland",
        time_zone="Pacific/Auckland",
        start_date=date(2027, 4, 3),
        end_date=date(2027, 4, 5),
    )


@pytest.fixture
def night_session(auckland):
    room = RoomFactory(assembly=auckland, code="hall", name="Hall")
    return SessionFactory(
        assembly=auckland,
        room=room,
        code="night",
        title="Night count",
        starts_at=local(auckland, 1, "01:30"),
        ends_at=local(auckland, 1, "04:00"),
    )


def shown(client, path) -> str:
    page = client.get(path).content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", page))


def test_session_across_the_end_of_dst_shows_each_end_with_its_own_offset(
    client, auckland, night_session
):
    for path in (
        reverse("agenda:programme", args=["auckland"]),
        reverse("agenda:session", args=["auckland", "night"]),
    ):
        assert "01:30 UTC+13:00\u201304:00 UTC+12:00" in shown(client, path)


def test_session_within_one_offset_shows_it_once(client, auckland, night_session):
    night_session.starts_at = local(auckland, 1, "09:30")
    night_session.ends_at = local(auckland, 1, "12:30")
    night_session.save()
    assert "09:30\u201312:30 UTC+12:00" in shown(
        client, reverse("agenda:programme", args=["auckland"])
    )
