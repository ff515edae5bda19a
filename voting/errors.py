"""Refusals of the voting app, each with a stable code."""

from django.utils.translation import gettext_lazy as _

from assembly.errors import Conflict, DomainError, Forbidden, InvalidInput


class AlreadyVoted(Conflict):
    code = "already_voted"
    default_detail = _("A ballot has already been counted for this member in this poll.")


class PollNotOpen(Conflict):
    code = "poll_not_open"
    default_detail = _("This poll is not open for voting.")


class WrongPollState(Conflict):
    code = "wrong_state"
    default_detail = _("This poll cannot do that in its current state.")


class DraftExists(Conflict):
    code = "draft_exists"
    default_detail = _("This motion already has a draft poll: open that one.")


class NoQuorum(Conflict):
    code = "no_quorum"
    default_detail = _("There is no quorum. The chair may override with a written reason.")


class EmptyElectorate(Conflict):
    code = "empty_electorate"
    default_detail = _(
        "This body has no voting members, so nobody could vote in this poll: give the body its"
        " members (seats) first."
    )


class NotRepresented(Forbidden):
    code = "not_represented"
    default_detail = _("You do not cast the vote of this member in this poll.")


class NotPresent(Forbidden):
    code = "not_present"
    default_detail = _("Your member does not count as present, so it cannot vote in this poll.")


class InvalidChoice(InvalidInput):
    code = "invalid_choice"
    default_detail = _("This is not one of the poll's choices.")


class TooManyChoices(InvalidInput):
    code = "too_many_choices"
    default_detail = _("You chose more candidates than there are seats.")


class TooEarly(Conflict):
    code = "too_early"
    default_detail = _("The poll must stay open a little longer.")


class ProxyRefused(Conflict):
    code = "proxy_refused"
    default_detail = _("This proxy cannot be recorded.")


class ProxyLimit(Conflict):
    code = "proxy_limit"
    default_detail = _("This holder already carries as many proxies as the assembly allows.")


class ProxiesLocked(Conflict):
    code = "proxies_locked"
    default_detail = _("Proxies cannot change while a poll is open.")


class CountsNotConfirmed(Conflict):
    code = "counts_not_confirmed"
    default_detail = _("The chair must confirm the entered counts first.")


class SameCounter(Conflict):
    code = "same_person"
    default_detail = _("Counts are confirmed by someone other than the person who entered them.")


__all__ = [
    "AlreadyVoted",
    "CountsNotConfirmed",
    "DomainError",
    "EmptyElectorate",
    "InvalidChoice",
    "NoQuorum",
    "NotPresent",
    "NotRepresented",
    "PollNotOpen",
    "ProxiesLocked",
    "ProxyLimit",
    "ProxyRefused",
    "SameCounter",
    "TooEarly",
    "TooManyChoices",
    "WrongPollState",
]
