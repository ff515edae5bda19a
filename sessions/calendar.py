"""iCalendar feeds: one VEVENT per entry, a VTIMEZONE for the assembly, cached by revision."""

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo

from django.conf import settings
from django.core import signing
from django.core.cache import BaseCache, caches
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, Timezone

from assembly.models import Assembly
from registration.models import Delegate, RegistrationState
from sessions.models import PersonalFeed, Session, SessionKind, SessionStatus

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
    status: str = SessionStatus.SCHEDULED
    session_code: str | None = None

    @property
    def cache_key(self) -> str:
        # What the event shows is in the key too: an edit that skipped the revision (a tour
        # saved outside its service) must not serve the old text.
        shown = (
            f"{self.location}|{self.title}|{self.starts_at.timestamp()}|{self.ends_at.timestamp()}"
        )
        revision = f"{self.uid}|{self.sequence}|{self.changed_at.timestamp()}|{shown}"
        return "agenda:vevent:" + hashlib.sha1(revision.encode()).hexdigest()  # noqa: S324


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def session_url(session: Session) -> str:
    return absolute(reverse("agenda:session", args=[session.assembly.slug, session.code]))


ENTRY_FIELDS = (
    "pk",
    "uid",
    "code",
    "title",
    "kind",
    "status",
    "starts_at",
    "ends_at",
    "description",
    "sequence",
    "created_at",
    "changed_at",
    "room__name",
    "room__changed_at",
    "assembly__slug",
    "assembly__venue",
    "assembly__venue_address",
    "assembly__city",
)


def session_entries(sessions: QuerySet[Session]) -> list[CalendarEntry]:
    """Calendar entries of sessions from plain rows (two queries, no model instances):
    feeds of thousands of delegates build these on every changed poll."""
    rows = list(sessions.values(*ENTRY_FIELDS))
    speakers: dict[int, list[str]] = defaultdict(list)
    # An entry changes when its session, its room or one of its speakers does (a rename).
    changed: dict[int, datetime] = {row["pk"]: row["changed_at"] for row in rows}
    names = (
        Session.speakers.through.objects.filter(session_id__in=[row["pk"] for row in rows])
        .order_by("speaker__name")
        .values_list("session_id", "speaker__name", "speaker__changed_at")
    )
    for session_id, name, speaker_changed in names:
        speakers[session_id].append(name)
        changed[session_id] = max(changed[session_id], speaker_changed)
    kinds = dict(SessionKind.choices)
    prefixes: dict[str, str] = {}
    entries = []
    for row in rows:
        slug = row["assembly__slug"]
        if slug not in prefixes:
            prefixes[slug] = absolute(reverse("agenda:programme", args=[slug]))
        url = f"{prefixes[slug]}{row['code']}/"
        description = row["description"]
        if speakers[row["pk"]]:
            description += "\n\n" + _("Speakers: %(names)s") % {
                "names": ", ".join(speakers[row["pk"]])
            }
        place = [
            row["room__name"],
            row["assembly__venue"],
            row["assembly__venue_address"] or row["assembly__city"],
        ]
        entries.append(
            CalendarEntry(
                uid=f"{row['uid']}@plenary",
                title=row["title"],
                starts_at=row["starts_at"],
                ends_at=row["ends_at"],
                location=", ".join(part for part in place if part),
                description=f"{description}\n\n{url}".strip(),
                url=url,
                category=str(kinds.get(row["kind"], row["kind"])),
                cancelled=row["status"] == SessionStatus.CANCELLED,
                sequence=row["sequence"],
                created_at=row["created_at"],
                changed_at=max(filter(None, [changed[row["pk"]], row["room__changed_at"]])),
                status=row["status"],
                session_code=row["code"],
            )
        )
    return entries


def calendar_time(moment: datetime, zone: tzinfo) -> datetime:
    """The moment in the assembly's zone, or in UTC when its wall time is ambiguous (the
    repeated hour of a DST change): RFC 5545 reads such a TZID time as its first occurrence."""
    local = moment.astimezone(zone)
    if local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset():
        return moment.astimezone(UTC)
    return local


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
    event.add("dtstart", calendar_time(entry.starts_at, zone))
    event.add("dtend", calendar_time(entry.ends_at, zone))
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


def events_bytes(entries: list[CalendarEntry], zone_name: str) -> list[bytes]:
    """Each entry's VEVENT text, cached by the entry's revision so every feed shares it
    (one get_many and one set_many per feed: a single round trip each on Redis)."""
    seconds = cache_seconds()
    if not seconds:
        return [event_for(entry, zone_name).to_ical() for entry in entries]
    keys = [f"{entry.cache_key}:{zone_name}" for entry in entries]
    found = feed_cache().get_many(keys)
    missing = {}
    for key, entry in zip(keys, entries, strict=True):
        if key not in found:
            missing[key] = found[key] = event_for(entry, zone_name).to_ical()
    if missing:
        feed_cache().set_many(missing, seconds)
    return [found[key] for key in keys]


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
    parts.extend(events_bytes(list(entries), zone_name))
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
    # The members' programme and the personal agenda are a delegate's: approved registrations
    # only (a submitted or rejected registrant's address answers as an unknown one).
    if delegate.state != RegistrationState.APPROVED:
        return None
    last_day: date = delegate.assembly.end_date
    if delegate.assembly.local_today() > last_day + FEED_TOKEN_LIFETIME:
        return None
    delegate._feed = feed
    return delegate
