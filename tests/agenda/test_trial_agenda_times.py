"""Times at the edges: DST's repeated hour in feeds, sessions across midnight, far-off dates."""

from datetime import UTC, datetime

from icalendar import Calendar, Event

from sessions.calendar import CalendarEntry, event_for


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
