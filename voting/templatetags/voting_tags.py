"""Inclusion tags for the voting panels on the core role pages."""

from typing import Any

from django import template
from django.conf import settings

from assembly.models import Assembly
from registration.models import Attendance, Delegate
from voting.models import Poll
from voting.selectors import (
    assembly_quorum,
    delegate_is_present,
    majority_words,
    open_polls,
    voting_routes,
    with_live_turnout,
)

register = template.Library()


@register.inclusion_tag("voting/_delegate_panel.html")
def voting_delegate_panel(assembly: Assembly, delegate: Delegate | None) -> dict[str, Any]:
    """Open polls this delegate votes in, and their presence (with online check-in)."""
    if delegate is None:
        return {"assembly": assembly, "delegate": None}
    polls = [p for p in open_polls(assembly) if voting_routes(delegate=delegate, poll=p)]
    presence = getattr(delegate, "presence", None)
    return {
        "assembly": assembly,
        "delegate": delegate,
        "polls": polls,
        "present": delegate_is_present(assembly=assembly, delegate_id=delegate.pk),
        "online": bool(presence and presence.online),
        "can_check_in_online": settings.VOTING_SELF_ONLINE_CHECKIN
        and assembly.online_presence_counts
        and delegate.attendance == Attendance.ONLINE,
    }


@register.inclusion_tag("voting/_chair_panel.html")
def voting_chair_panel(assembly: Assembly) -> dict[str, Any]:
    return {
        "assembly": assembly,
        "quorum": assembly_quorum(assembly),
        "polls": [with_live_turnout(poll) for poll in open_polls(assembly)],
    }


@register.filter(name="majority_words")
def majority_words_filter(poll: Poll) -> str:
    """The poll's majority rule in words, with what abstentions count for."""
    return majority_words(poll)
