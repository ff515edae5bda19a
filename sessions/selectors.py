"""Reads of the agenda shared by pages, feeds, the API and the consumer (visibility rules here)."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, Max, Prefetch, QuerySet
from django.urls import reverse
from django.utils import timezone

from assembly.models import Assembly
from assembly.selectors import roles_for
from registration.models import Delegate, SignupStatus, Tour
from registration.selectors import SignupView, tour_signups_for
from sessions.calendar import CalendarEntry, absolute, session_entries
from sessions.models import (
    AgendaChoice,
    AgendaItem,
    PersonalFeed,
    Room,
    Session,
    SessionKind,
    SessionStatus,
    Speaker,
    Visibility,
)


def is_member(*, user: AbstractBaseUser | AnonymousUser, assembly: Assembly) -> bool:
    """Members-only sessions are for anyone logged in with a role at the assembly."""
    return bool(roles_for(user=user, assembly=assembly))


@dataclass(frozen=True)
class ProgrammeFilter:
    """The programme page's filters; the same filter builds the subscribable feed."""

    day: date | None = None
    room: str | None = None
    kind: str | None = None

    def query(self) -> dict[str, str]:
        params = {}
        if self.day:
            params["day"] = self.day.isoformat()
        if self.room:
            params["room"] = self.room
        if self.kind:
            params["kind"] = self.kind
        return params

    @property
    def is_empty(self) -> bool:
        return not self.query()


def parse_filter(*, assembly: Assembly, params: dict[str, str]) -> ProgrammeFilter:
    """Keep only values the assembly knows; anything else is ignored, never an error page."""
    day = None
    raw_day = (params.get("day") or "").strip()
    if raw_day:
        try:
            day = date.fromisoformat(raw_day)
        except ValueError:
            day = None
        if day and not (assembly.start_date <= day <= assembly.end_date):
            day = None
    room = (params.get("room") or "").strip() or None
    if room and not Room.objects.filter(assembly=assembly, code=room).exists():
        room = None
    kind = (params.get("kind") or "").strip() or None
    if kind not in SessionKind.values:
        kind = None
    return ProgrammeFilter(day=day, room=room, kind=kind)


def day_bounds(assembly: Assembly, day: date) -> tuple[datetime, datetime]:
    """A local day of the assembly as aware datetimes (23 or 25 hours long on a DST change)."""
    zone = assembly.zone
    start = datetime.combine(day, time.min, tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)
    return start, end


def visible_sessions(
    *, assembly: Assembly, members: bool, flt: ProgrammeFilter | None = None
) -> QuerySet[Session]:
    """Sessions a visitor may see (cancelled ones included: pages and feeds mark them)."""
    sessions = Session.objects.filter(assembly=assembly)
    if not members:
        sessions = sessions.filter(visibility=Visibility.PUBLIC)
    if flt is not None:
        if flt.day:
            start, end = day_bounds(assembly, flt.day)
            sessions = sessions.filter(starts_at__gte=start, starts_at__lt=end)
        if flt.room:
            sessions = sessions.filter(room__code=flt.room)
        if flt.kind:
            sessions = sessions.filter(kind=flt.kind)
    return sessions.select_related("room", "assembly").order_by("starts_at", "room__order")


def with_details(sessions: QuerySet[Session]) -> QuerySet[Session]:
    return sessions.prefetch_related(
        Prefetch("speakers", queryset=Speaker.objects.order_by("name")),
        Prefetch(
            "agenda_items",
            queryset=AgendaItem.objects.order_by("order").prefetch_related("motions"),
        ),
    )


def sessions_with_checkpoints(assembly: Assembly) -> list[Session]:
    """Sessions held where badges are scanned: the attendance report's presets for the minutes."""
    return list(
        Session.objects.filter(assembly=assembly, room__checkpoint__isnull=False)
        .exclude(status=SessionStatus.CANCELLED)
        .select_related("room__checkpoint")
        .order_by("starts_at")
    )


def session_for(*, assembly: Assembly, code: str, members: bool) -> Session | None:
    return (
        with_details(visible_sessions(assembly=assembly, members=members)).filter(code=code).first()
    )


def programme_days(assembly: Assembly) -> list[date]:
    days = (assembly.end_date - assembly.start_date).days + 1
    return [assembly.start_date + timedelta(days=n) for n in range(days)]


def programme_stamp(sessions: QuerySet[Session]) -> tuple[datetime | None, int]:
    """Latest change and count of a set of sessions, their rooms and speakers (the feeds name
    them): one cheap query behind ETag and 304."""
    row = sessions.order_by().aggregate(
        latest=Max("changed_at"),
        room=Max("room__changed_at"),
        speakers=Max("speakers__changed_at"),
        count=Count("id", distinct=True),
    )
    changes = [row["latest"], row["room"], row["speakers"]]
    return max(filter(None, changes), default=None), row["count"]


def current_session_ids(sessions: list[Session], now: datetime | None = None) -> set[int]:
    moment = now or timezone.now()
    return {
        s.pk
        for s in sessions
        if s.starts_at <= moment < s.ends_at and s.status != SessionStatus.CANCELLED
    }


def rooms_of(assembly: Assembly) -> QuerySet[Room]:
    return Room.objects.filter(assembly=assembly).order_by("order", "name")


def speakers_of(assembly: Assembly) -> QuerySet[Speaker]:
    return Speaker.objects.filter(assembly=assembly).order_by("name")


def speaker_for(*, assembly: Assembly, code: str) -> Speaker | None:
    return Speaker.objects.filter(assembly=assembly, code=code).first()


def chosen_sessions(delegate: Delegate) -> QuerySet[Session]:
    """The sessions the delegate put in their agenda (delegates see members-only sessions)."""
    return (
        Session.objects.filter(choices__delegate=delegate)
        .select_related("room", "assembly")
        .order_by("starts_at", "room__order")
    )


def chosen_session_ids(delegate: Delegate | None) -> set[int]:
    if delegate is None:
        return set()
    return set(AgendaChoice.objects.filter(delegate=delegate).values_list("session_id", flat=True))


def delegates_who_chose(session: Session) -> QuerySet[Delegate]:
    return Delegate.objects.filter(agenda_choices__session=session).exclude(email="")


def personal_feed_of(delegate: Delegate) -> PersonalFeed:
    feed, _created = PersonalFeed.objects.get_or_create(delegate=delegate)
    return feed


def confirmed_tours(delegate: Delegate) -> list[SignupView]:
    return [s for s in tour_signups_for(delegate) if s.status == SignupStatus.CONFIRMED]


def tour_revisions(tours: list[SignupView]) -> dict[int, tuple[int, datetime | None]]:
    """Each tour's calendar revision (SEQUENCE, last change): a moved or renamed tour's
    event must move on in the delegate's calendar, as a moved session's does."""
    rows = Tour.objects.filter(pk__in=[tour.tour_id for tour in tours])
    return {
        pk: (sequence, changed)
        for pk, sequence, changed in rows.values_list("pk", "sequence", "changed_at")
    }


def tour_entries(delegate: Delegate, tours: list[SignupView]) -> list[CalendarEntry]:
    """The delegate's confirmed tours as calendar entries (registration owns the sign-ups).

    The UID stays; SEQUENCE is the tour's revision and DTSTAMP its last change or the
    delegate's confirmation, whichever is later (personal_stamp reads the same).
    """
    assembly = delegate.assembly
    url = absolute(reverse("registration:tours", args=[assembly.slug]))
    category = str(SessionKind.TOUR.label)
    revisions = tour_revisions(tours)
    entries = []
    for tour in tours:
        sequence, changed_at = revisions.get(tour.tour_id, (0, None))
        entries.append(
            CalendarEntry(
                uid=f"tour-{assembly.slug}-{tour.code}@plenary",
                title=tour.title,
                starts_at=tour.starts_at,
                ends_at=tour.ends_at,
                location=tour.meeting_point,
                description=f"{tour.title}\n\n{url}",
                url=url,
                category=category,
                cancelled=False,
                sequence=sequence,
                created_at=tour.confirmed_at or tour.starts_at,
                changed_at=max(
                    filter(None, [tour.confirmed_at, changed_at]), default=tour.starts_at
                ),
            )
        )
    return entries


def personal_entries(delegate: Delegate) -> list[CalendarEntry]:
    """Everything in the delegate's own agenda, in time order: chosen sessions and tours.

    "My agenda", the personal feed and the API all read this function; a new source also
    goes into sessions.feeds.personal_stamp. A tour the delegate both chose as a programme
    session and signed up for appears once, as the tour.
    """
    tours = confirmed_tours(delegate)
    tour_codes = {tour.code for tour in tours}
    sessions = [
        entry
        for entry in session_entries(chosen_sessions(delegate))
        if entry.session_code not in tour_codes
    ]
    entries = sessions + tour_entries(delegate, tours)
    return sorted(entries, key=lambda entry: entry.starts_at)


def speaker_clashes(sessions: list[Session]) -> dict[int, list[str]]:
    """Per session, the speakers also booked in another live session at an overlapping time."""
    clashes: dict[int, list[str]] = {}
    live = [s for s in sessions if s.status != SessionStatus.CANCELLED]
    for i, first in enumerate(live):
        for second in live[i + 1 :]:
            if first.starts_at < second.ends_at and second.starts_at < first.ends_at:
                shared = {sp.name for sp in first.speakers.all()} & {
                    sp.name for sp in second.speakers.all()
                }
                for name in sorted(shared):
                    clashes.setdefault(first.pk, []).append(f"{name} ({second.title})")
                    clashes.setdefault(second.pk, []).append(f"{name} ({first.title})")
    return clashes


def room_clashes(sessions: list[Session]) -> dict[int, list[str]]:
    """Per session, the other live sessions overlapping it in the same room (the DB or the
    service refuses these; shown so the timeline tells the truth about imported data)."""
    clashes: dict[int, list[str]] = {}
    live = [s for s in sessions if s.status != SessionStatus.CANCELLED]
    for i, first in enumerate(live):
        for second in live[i + 1 :]:
            if first.room_id == second.room_id and (
                first.starts_at < second.ends_at and second.starts_at < first.ends_at
            ):
                clashes.setdefault(first.pk, []).append(second.title)
                clashes.setdefault(second.pk, []).append(first.title)
    return clashes
