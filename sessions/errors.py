"""Refusals of the agenda, each with a stable code."""

from django.utils.translation import gettext_lazy as _

from assembly.errors import Conflict, InvalidInput, NotFound


class EndsBeforeStart(InvalidInput):
    code = "ends_before_start"
    default_detail = _("A session must end after it starts.")


class RoomClash(Conflict):
    code = "room_clash"
    default_detail = _("The room is already taken at that time.")


class SessionCancelled(Conflict):
    code = "session_cancelled"
    default_detail = _("This session is cancelled.")


class SessionNotFound(NotFound):
    code = "session_not_found"
    default_detail = _("No such session.")


class FeedNotFound(NotFound):
    code = "feed_not_found"
    default_detail = _("No such calendar feed. It may have been reset.")


class OutsideAssembly(InvalidInput):
    """A time outside the assembly's days (or outside the calendar); `field` says which."""

    code = "outside_assembly"
    default_detail = _("A session must fall within the assembly's days.")

    def __init__(self, detail: str | None = None, *, field: str = "starts_at") -> None:
        super().__init__(detail)
        self.field = field
