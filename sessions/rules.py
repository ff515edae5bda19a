"""Checks shared by the model's clean() and the services: times and room clashes."""

from datetime import datetime

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from sessions.errors import EndsBeforeStart, RoomClash
from sessions.models import Room, Session, SessionStatus


def check_times(*, starts_at: datetime | None, ends_at: datetime | None) -> None:
    if starts_at is None or ends_at is None:
        raise EndsBeforeStart(_("Give both a start and an end time."))
    if timezone.is_naive(starts_at) or timezone.is_naive(ends_at):
        raise EndsBeforeStart(_("Times must carry their time zone."))
    if ends_at <= starts_at:
        raise EndsBeforeStart()


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
