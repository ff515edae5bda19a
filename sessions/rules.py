"""Checks shared by the model's clean() and the services: times and room clashes."""

from datetime import UTC, datetime, time, timedelta

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from assembly.models import Assembly
from sessions.errors import EndsBeforeStart, OutsideAssembly, RoomClash
from sessions.models import Room, Session, SessionStatus

# A session of the last evening (a gala) may run past midnight, until this hour next morning.
LAST_NIGHT_ENDS = time(6, 0)


def check_times(
    *, starts_at: datetime | None, ends_at: datetime | None, assembly: Assembly | None = None
) -> None:
    """Both times given, with a zone, in the calendar's range, the end after the start, and
    (given the assembly) within its days."""
    if starts_at is None or ends_at is None:
        raise EndsBeforeStart(_("Give both a start and an end time."))
    if timezone.is_naive(starts_at) or timezone.is_naive(ends_at):
        raise EndsBeforeStart(_("Times must carry their time zone."))
    check_in_calendar(starts_at, field="starts_at")
    check_in_calendar(ends_at, field="ends_at")
    if ends_at <= starts_at:
        raise EndsBeforeStart()
    if assembly is not None:
        check_within_assembly(assembly=assembly, starts_at=starts_at, ends_at=ends_at)


def check_in_calendar(moment: datetime, *, field: str) -> None:
    # Year 1 east of Greenwich or year 9999 west of it has no UTC instant to store.
    try:
        moment.astimezone(UTC)
    except OverflowError:
        raise OutsideAssembly(_("This date is out of range."), field=field) from None


def check_within_assembly(*, assembly: Assembly, starts_at: datetime, ends_at: datetime) -> None:
    zone = assembly.zone
    first = datetime.combine(assembly.start_date, time.min, tzinfo=zone)
    last_day = assembly.end_date + timedelta(days=1)
    last = datetime.combine(last_day, LAST_NIGHT_ENDS, tzinfo=zone)
    days = {
        "first": formats.date_format(assembly.start_date, "DATE_FORMAT"),
        "last": formats.date_format(assembly.end_date, "DATE_FORMAT"),
    }
    if not first <= starts_at < datetime.combine(last_day, time.min, tzinfo=zone):
        raise OutsideAssembly(
            _("A session must start on one of the assembly's days (%(first)s to %(last)s).") % days,
            field="starts_at",
        )
    if ends_at > last:
        raise OutsideAssembly(
            _("A session must end by %(time)s the morning after the assembly's last day.")
            % {"time": LAST_NIGHT_ENDS.strftime("%H:%M")},
            field="ends_at",
        )


def clash_in_room(
    *, room: Room, starts_at: datetime, ends_at: datetime, exclude: int | None = None
) -> Session | None:
    """The first live session in the room overlapping [starts_at, ends_at), if any."""
    clashes = Session.objects.filter(
        room=room, starts_at__lt=ends_at, ends_at__gt=starts_at
    ).exclude(status=SessionStatus.CANCELLED)
    if exclude is not None:
        clashes = clashes.exclude(pk=exclude)
    return clashes.order_by("starts_at").first()


def describe_clash(clash: Session) -> str:
    zone = clash.assembly.zone
    starts = timezone.localtime(clash.starts_at, zone)
    ends = timezone.localtime(clash.ends_at, zone)
    return _("%(room)s is already taken by “%(title)s” on %(day)s from %(start)s to %(end)s.") % {
        "room": clash.room.name,
        "title": clash.title,
        "day": formats.date_format(starts, "DATE_FORMAT"),
        "start": starts.strftime("%H:%M"),
        "end": ends.strftime("%H:%M"),
    }


def check_room_free(
    *, room: Room, starts_at: datetime, ends_at: datetime, exclude: int | None = None
) -> None:
    clash = clash_in_room(room=room, starts_at=starts_at, ends_at=ends_at, exclude=exclude)
    if clash is not None:
        raise RoomClash(describe_clash(clash))
