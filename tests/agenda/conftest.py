"""Fixtures of the agenda tests: rooms, a small programme, a European assembly across DST."""

from datetime import date

import pytest

from sessions.models import SessionKind, Visibility
from tests.agenda.factories import RoomFactory, SessionFactory, SpeakerFactory, local
from tests.factories import AssemblyFactory


@pytest.fixture
def hall(assembly):
    return RoomFactory(assembly=assembly, code="hall", name="Plenary hall", order=0)


@pytest.fixture
def room_327(assembly):
    return RoomFactory(assembly=assembly, code="room-327", name="Room 327", order=1)


@pytest.fixture
def mayor(assembly):
    return SpeakerFactory(assembly=assembly, code="mayor", name="Oh Se-hoon")


@pytest.fixture
def ga_session(assembly, hall, mayor):
    session = SessionFactory(
        assembly=assembly,
        room=hall,
        code="ga-session",
        title="General Assembly Session",
        kind=SessionKind.GA_SESSION,
        starts_at=local(assembly, 1, "09:30"),
        ends_at=local(assembly, 1, "12:30"),
    )
    session.speakers.add(mayor)
    return session


@pytest.fixture
def workshop(assembly, room_327):
    return SessionFactory(
        assembly=assembly,
        room=room_327,
        code="workshop",
        title="Solutions Meets Cities",
        starts_at=local(assembly, 0, "14:00"),
        ends_at=local(assembly, 0, "16:30"),
    )


@pytest.fixture
def tour(assembly, room_327):
    return SessionFactory(
        assembly=assembly,
        room=room_327,
        code="market-tour",
        title="Gwangjang Market tour",
        kind=SessionKind.TOUR,
        starts_at=local(assembly, 1, "18:00"),
        ends_at=local(assembly, 1, "20:30"),
    )


@pytest.fixture
def excom(assembly, room_327):
    return SessionFactory(
        assembly=assembly,
        room=room_327,
        code="excom",
        title="Executive Committee meeting",
        kind=SessionKind.EXCOM,
        visibility=Visibility.MEMBERS,
        starts_at=local(assembly, 0, "09:30"),
        ends_at=local(assembly, 0, "11:30"),
    )


@pytest.fixture
def paris(db):
    """An assembly in Paris spanning the last Sunday of October 2026 (CEST -> CET on the 25th)."""
    assembly = AssemblyFactory(
        slug="paris",
        name="Paris Assembly",
        city="Paris",
        venue="Palais des Congrès",
        time_zone="Europe/Paris",
        start_date=date(2026, 10, 24),
        end_date=date(2026, 10, 26),
    )
    room = RoomFactory(assembly=assembly, code="amphi", name="Amphithéâtre")
    before = SessionFactory(
        assembly=assembly,
        room=room,
        code="saturday",
        title="Saturday plenary",
        starts_at=local(assembly, 0, "10:00"),
        ends_at=local(assembly, 0, "12:00"),
    )
    after = SessionFactory(
        assembly=assembly,
        room=room,
        code="monday",
        title="Monday plenary",
        starts_at=local(assembly, 2, "10:00"),
        ends_at=local(assembly, 2, "12:00"),
    )
    return assembly, before, after
