"""Times at the edges: DST's repeated hour in feeds, sessions across midnight, far-off dates."""

from datetime import UTC, datetime

import pytest
from django.core import mail
from django.urls import reverse
from icalendar import Calendar, Event

from assembly.models import Role
from sessions import services
from sessions.calendar import CalendarEntry, event_for
from sessions.errors import OutsideAssembly
from sessions.models import Session
from tests.agenda.factories import SessionFactory, local
from tests.agenda.test_pages import admin_form
from tests.conftest import client_for, staff_user


def entry(starts_at: datetime, ends_at: datetime) -> CalendarEntry:
    return CalendarEntry(
        uid="x@plenary",
        title="Night session",
        starts_at=starts_at,
        ends_at=ends_at,
        location="Hall",
        description="",
        url="https://example.org/",
        category="Workshop",
        cancelled=False,
        sequence=0,
        created_at=starts_at,
        changed_at=starts_at,
    )


def read_back(event: Event) -> Event:
    calendar = Calendar()
    calendar.add_component(event)
    return Calendar.from_ical(calendar.to_ical()).walk("VEVENT")[0]


def test_a_time_in_the_repeated_hour_of_a_dst_change_is_written_in_utc():
    # 14:30Z on 3 April 2027 is the second 02:30 of 4 April in Auckland (NZDT ends at 03:00).
    second = datetime(2027, 4, 3, 14, 30, tzinfo=UTC)
    event = read_back(
        event_for(entry(second, datetime(2027, 4, 3, 16, 0, tzinfo=UTC)), "Pacific/Auckland")
    )
    assert event["DTSTART"].dt == second
    assert event["DTSTART"].to_ical() == b"20270403T143000Z"
    # A plain time stays in the assembly's zone.
    assert event["DTEND"].dt.utcoffset().total_seconds() == 12 * 3600
    assert "TZID" in event["DTEND"].params


def test_an_ordinary_time_keeps_the_assemblys_zone():
    starts = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)
    event = read_back(
        event_for(entry(starts, datetime(2026, 11, 29, 10, 0, tzinfo=UTC)), "Pacific/Auckland")
    )
    assert event["DTSTART"].params["TZID"] == "Pacific/Auckland"
    assert event["DTSTART"].to_ical() == b"20261129T220000"


@pytest.mark.django_db
def test_the_timeline_moves_a_session_across_midnight(assembly, secretariat_client, workshop):
    response = secretariat_client.post(
        reverse("agenda:session-edit", args=[assembly.slug, "workshop"]),
        {
            "room": workshop.room.pk,
            "day": assembly.start_date.isoformat(),
            "starts": "22:30",
            "ends": "02:30",
        },
    )
    assert response.status_code == 302
    workshop.refresh_from_db()
    assert workshop.starts_at == local(assembly, 0, "22:30")
    assert workshop.ends_at == local(assembly, 1, "02:30")


def new_session(assembly, room, starts_at, ends_at):
    return Session(
        assembly=assembly,
        code="far",
        title="Far away",
        kind="workshop",
        room=room,
        starts_at=starts_at,
        ends_at=ends_at,
        status="scheduled",
        visibility="public",
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("day", "starts", "ends", "error"),
    [
        ("0001-01-01", "00:10:00", "01:00:00", "This date is out of range."),
        ("9999-12-31", "22:00:00", "23:30:00", "must start on one of the assembly"),
        ("2031-06-01", "10:00:00", "11:00:00", "must start on one of the assembly"),
    ],
)
def test_admin_refuses_a_session_outside_the_assemblys_days_with_a_form_error(
    assembly, office_client, room_327, day, starts, ends, error
):
    template = new_session(
        assembly, room_327, local(assembly, 0, "10:00"), local(assembly, 0, "11:00")
    )
    data = admin_form(template, starts_at_0=day, starts_at_1=starts, ends_at_0=day, ends_at_1=ends)
    response = office_client.post(reverse("admin:agenda_session_add"), data)
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not Session.objects.filter(code="far").exists()


@pytest.mark.django_db
def test_a_gala_may_end_the_morning_after_the_last_day_but_not_the_day_after(assembly, room_327):
    last = (assembly.end_date - assembly.start_date).days
    gala = services.create_session(
        assembly=assembly,
        code="gala",
        title="Gala",
        kind="social",
        room=room_327,
        starts_at=local(assembly, last, "21:00"),
        ends_at=local(assembly, last + 1, "01:30"),
    )
    assert gala.pk is not None
    with pytest.raises(OutsideAssembly) as refused:
        services.move_session(
            session=gala,
            starts_at=local(assembly, last + 1, "10:00"),
            ends_at=local(assembly, last + 1, "11:00"),
        )
    assert refused.value.code == "outside_assembly"


@pytest.mark.django_db
def test_the_timeline_of_the_dst_change_day_shows_the_repeated_hour(paris):
    assembly, _before, _after = paris
    secretariat_client = client_for(staff_user(assembly, Role.SECRETARIAT, "paris-office"))
    room = _before.room
    # 01:00 CEST to 04:00 CET on 25 October 2026 is four hours: 02:00-03:00 happens twice.
    SessionFactory(
        assembly=assembly,
        room=room,
        code="night",
        title="Night watch",
        starts_at=local(assembly, 1, "01:00"),
        ends_at=datetime(2026, 10, 25, 3, 0, tzinfo=UTC),  # 04:00 CET
    )
    response = secretariat_client.get(
        reverse("agenda:timeline", args=[assembly.slug]) + "?day=2026-10-25"
    )
    slots = response.context["slots"]
    assert len(slots) == 16
    labels = [slot.astimezone(assembly.zone).strftime("%H:%M") for _row, slot in slots]
    assert labels.count("02:30") == 2


@pytest.mark.django_db
def test_the_moved_email_and_the_programme_mark_an_end_on_the_next_day(
    client, assembly, delegate, workshop, django_capture_on_commit_callbacks
):
    services.choose_session(delegate=delegate, session=workshop)
    with django_capture_on_commit_callbacks(execute=True):
        services.move_session(
            session=workshop,
            starts_at=local(assembly, 0, "22:30"),
            ends_at=local(assembly, 1, "02:30"),
        )
    [notice] = mail.outbox
    assert "22:30\u201302:30 (+1 day)" in notice.body
    page = client.get(reverse("agenda:programme", args=[assembly.slug])).content.decode()
    assert "02:30 (+1 day)</time>" in page
