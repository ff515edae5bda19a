"""iCalendar feeds: one VEVENT per entry, a VTIMEZONE for the assembly, cached by revision."""

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.cache import BaseCache, caches
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, Timezone

from assembly.models import Assembly
from registration.models import Delegate
from sessions.models import PersonalFeed, Session, SessionStatus

PRODID = "-//Plenary//Agenda//EN"
FEED_SALT = "agenda.personal-feed"
# A personal feed token works until this long after the assembly's last day.
FEED_TOKEN_LIFETIME = timedelta(days=90)


@dataclass(frozen=True)
class CalendarEntry:
    """What a feed and "my agenda" need of anything with a time and a place."""

    uid: str
    title: str
    starts_at: datetime
    ends_at: datetime
    location: str
    description: str
    url: str
    category: str
    cancelled: bool
    sequence: int
    created_at: datetime
    changed_at: datetime
    session: Session | None = None

    @property
    def cache_key(self) -> str:
        revision = f"{self.uid}|{self.sequence}|{self.changed_at.timestamp()}|{self.location}"
        return "agenda:vevent:" + hashlib.sha1(revision.encode()).hexdigest()  # noqa: S324


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def session_url(session: Session) -> str:
    return absolute(reverse("agenda:session", args=[session.assembly.slug, session.code]))


def session_location(session: Session) -> str:
    assembly = session.assembly
    parts = [session.room.name, assembly.venue, assembly.venue_address or assembly.city]
    return ", ".join(part for part in parts if part)


def entry_from_session(session: Session) -> CalendarEntry:
    description = session.description
    speakers = [speaker.name for speaker in session.speakers.all()]
    if speakers:
        description += "\n\n" + _("Speakers: %(names)s") % {"names": ", ".join(speakers)}
    url = session_url(session)
    description += f"\n\n{url}"
    return CalendarEntry(
        uid=f"{session.uid}@plenary",
        title=session.title,
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        location=session_location(session),
        description=description.strip(),
        url=url,
        category=session.get_kind_display(),
        cancelled=session.status == SessionStatus.CANCELLED,
        sequence=session.sequence,
        created_at=session.created_at,
        changed_at=session.changed_at,
        session=session,
    )


def event_for(entry: CalendarEntry, zone_name: str) -> Event:
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(zone_name)
    event = Event()
    event.add("uid", entry.uid)
    # DTSTAMP and LAST-MODIFIED say when the entry changed, not when the feed was fetched,
    # so a calendar polling an unchanged feed sees nothing new.
    event.add("dtstamp", entry.changed_at.astimezone(UTC))
    event.add("created", entry.created_at.astimezone(UTC))
    event.add("last-modified", entry.changed_at.astimezone(UTC))
    event.add("sequence", entry.sequence)
    event.add("summary", entry.title)
    event.add("dtstart", entry.starts_at.astimezone(zone))
    event.add("dtend", entry.ends_at.astimezone(zone))
    event.add("location", entry.location)
    event.add("description", entry.description)
    event.add("url", entry.url)
    event.add("categories", [entry.category])
    event.add("status", "CANCELLED" if entry.cancelled else "CONFIRMED")
    event.add("transp", "TRANSPARENT" if entry.cancelled else "OPAQUE")
    return event


def feed_cache() -> BaseCache:
    return caches["agenda-feeds"]


def cache_seconds() -> int:
    return int(getattr(settings, "AGENDA_FEED_CACHE_SECONDS", 0))


def event_bytes(entry: CalendarEntry, zone_name: str) -> bytes:
    """One VEVENT's text; cached by the entry's revision, so every feed shares it."""
    seconds = cache_seconds()
    if not seconds:
        return event_for(entry, zone_name).to_ical()
    key = f"{entry.cache_key}:{zone_name}"
    cached = feed_cache().get(key)
    if cached is None:
        cached = event_for(entry, zone_name).to_ical()
        feed_cache().set(key, cached, seconds)
    return cached


def timezone_bytes(assembly: Assembly) -> bytes:
    """The assembly zone's VTIMEZONE, a year either side of the assembly (cached)."""
    first = assembly.start_date - timedelta(days=366)
    last = assembly.end_date + timedelta(days=366)
    key = f"agenda:vtimezone:{assembly.time_zone}:{first}:{last}"
    seconds = cache_seconds()
    cached = feed_cache().get(key) if seconds else None
    if cached is None:
        cached = Timezone.from_tzid(assembly.time_zone, first_date=first, last_date=last).to_ical()
        if seconds:
            feed_cache().set(key, cached, seconds)
    return cached


def calendar_header(assembly: Assembly, name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", assembly.time_zone)
    calendar.add("name", name)
    # Calendar apps poll subscriptions; ask for a quarter of an hour, 304s keep it cheap.
    calendar.add("refresh-interval", timedelta(minutes=15), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT15M")
    return calendar


def render_calendar(*, assembly: Assembly, name: str, entries: Iterable[CalendarEntry]) -> bytes:
    """The whole VCALENDAR: header, the zone, then each entry's cached VEVENT."""
    head = calendar_header(assembly, name).to_ical()
    # to_ical() of an empty calendar ends with END:VCALENDAR; splice the parts in before it.
    end = b"END:VCALENDAR\r\n"
    zone_name = assembly.time_zone
    parts = [head[: -len(end)], timezone_bytes(assembly)]
    parts.extend(event_bytes(entry, zone_name) for entry in entries)
    parts.append(end)
    return b"".join(parts)


def feed_etag(*parts: object) -> str:
    return '"' + hashlib.sha1("|".join(str(p) for p in parts).encode()).hexdigest() + '"'  # noqa: S324


# Personal feed tokens: signed, single purpose (their salt), versioned (a reset kills the old
# URL), and expiring some time after the assembly.


def personal_feed_token(feed: PersonalFeed) -> str:
    return signing.dumps({"d": feed.delegate_id, "v": feed.version}, salt=FEED_SALT)


def delegate_for_feed_token(token: str) -> Delegate | None:
    try:
        data = signing.loads(token, salt=FEED_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    try:
        feed = PersonalFeed.objects.select_related("delegate__assembly").get(
            delegate_id=data.get("d"), version=data.get("v")
        )
    except (PersonalFeed.DoesNotExist, ValueError, TypeError):
        return None
    delegate = feed.delegate
    if delegate.state == "cancelled":
        return None
    last_day: date = delegate.assembly.end_date
    if timezone.localdate() > last_day + FEED_TOKEN_LIFETIME:
        return None
    delegate._feed = feed
    return delegate
