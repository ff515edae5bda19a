"""The live room: groups, coalesced turnout and quorum, room snapshots and projector links."""

from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core import signing
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from assembly.live import assembly_group, broadcast_on_commit, publish_state_on_commit
from assembly.models import Assembly, Role
from voting.audit import append_audit
from voting.models import AuditEntry, Poll, PollState
from voting.selectors import (
    assembly_quorum,
    can_see_results,
    poll_snapshot,
    poll_turnout,
    polls_for,
    result_lines,
)

PROJECTOR_SALT = "plenary.voting.projector"
PROJECTOR_ROTATED = "projector.links_rotated"
SEES_CLOSED_COUNTS = frozenset({Role.CHAIR, Role.SECRETARIAT})
# A room socket sends a heartbeat this often; a page that hears nothing for a few of these
# takes its socket for dead (a dropped network closes nothing) and reconnects.
HEARTBEAT_SECONDS = 15


def poll_group(poll_id: int) -> str:
    return f"poll.{poll_id}"


# --- coalesced state ---------------------------------------------------------------------------


def turnout_state(poll_id: int) -> dict[str, Any]:
    """A poll's turnout as it stands now: never a count of choices."""
    poll = poll_turnout(poll_id) or Poll(state="", turnout=0, turnout_weight=0, at_open={})
    return {
        "poll": poll_id,
        "state": poll.state,
        "turnout": poll.turnout,
        "turnout_weight": poll.turnout_weight,
        "eligible": (poll.at_open or {}).get("electorate", {}).get("count"),
    }


def quorum_state(assembly_id: int) -> dict[str, Any]:
    """Every body's quorum (the General Assembly's also at the top level, as before)."""
    bodies = assembly_quorum(Assembly.objects.get(pk=assembly_id))
    return {**(bodies[0] if bodies else {}), "bodies": bodies}


def publish_turnout(*, poll_id: int) -> None:
    """After commit, the poll's current turnout to its group, a few times a second at most."""
    publish_state_on_commit(
        group=poll_group(poll_id), event="poll.turnout", build=lambda: turnout_state(poll_id)
    )


def publish_quorum(*, assembly_id: int) -> None:
    """After commit, every body's current quorum to the assembly, coalesced."""
    publish_state_on_commit(
        group=assembly_group(assembly_id),
        event="quorum.changed",
        build=lambda: quorum_state(assembly_id),
    )


# --- snapshots ---------------------------------------------------------------------------------


def poll_payload(poll: Poll, *, with_results: bool) -> dict[str, Any]:
    """A poll's live state; with results, also the bars and the outcome in words."""
    payload = poll_snapshot(poll, with_results=with_results)
    payload["lines"] = result_lines(poll) if payload["result"] else None
    return payload


def room_polls(assembly: Assembly) -> list[Poll]:
    """The polls a room shows: every open one, then the one that ended last (its publication,
    else its closing: a result published after another poll closed is the newer news)."""
    polls = list(polls_for(assembly).filter(state=PollState.OPEN))
    last = (
        polls_for(assembly)
        .filter(Q(state=PollState.CLOSED) | Q(state=PollState.PUBLISHED))
        .order_by(Coalesce("published_at", "closed_at").desc(), "-pk")
        .first()
    )
    return [*polls, last] if last else polls


def room_snapshot(assembly: Assembly, roles: frozenset) -> dict[str, Any]:
    """The full state of the room as this audience may see it (no secret counts before close)."""
    return {
        "assembly": assembly.slug,
        "name": assembly.name,
        "now": timezone.now().isoformat(),  # the server's clock, for countdowns
        "quorum": quorum_state(assembly.pk),
        "polls": [
            poll_payload(poll, with_results=can_see_results(poll=poll, roles=roles))
            for poll in room_polls(assembly)
        ],
    }


def snapshot_audience(roles: frozenset) -> frozenset:
    """The part of the roles a room snapshot depends on (can_see_results): sockets whose roles
    share it may share one snapshot."""
    return roles & SEES_CLOSED_COUNTS


def as_of_now(snapshot: dict[str, Any]) -> dict[str, Any]:
    """A room snapshot read a moment ago, with the server's clock and the seconds left now."""
    now = timezone.now()
    return {
        **snapshot,
        "now": now.isoformat(),
        "polls": [_seconds_left_at(poll, now) for poll in snapshot["polls"]],
    }


def _seconds_left_at(poll: dict[str, Any], now: datetime) -> dict[str, Any]:
    if poll["seconds_left"] is None:
        return poll
    closes_at = datetime.fromisoformat(poll["closes_at"])
    return {**poll, "seconds_left": max(0, int((closes_at - now).total_seconds()))}


def poll_state_for(poll_id: int, roles: frozenset) -> dict[str, Any] | None:
    poll = Poll.objects.select_related("motion", "motion__body").filter(pk=poll_id).first()
    if poll is None:
        return None
    return poll_payload(poll, with_results=can_see_results(poll=poll, roles=roles))


# --- projector links ---------------------------------------------------------------------------


def _link_version(assembly_id: int) -> int:
    last = (
        AuditEntry.objects.filter(assembly_id=assembly_id, event=PROJECTOR_ROTATED)
        .order_by("-seq")
        .values_list("seq", flat=True)
        .first()
    )
    return last or 0


def projector_token(assembly: Assembly) -> str:
    """A display-only link token for this assembly; expires, and dies when links are rotated."""
    return signing.dumps(
        {"a": assembly.pk, "v": _link_version(assembly.pk), "p": "projector"}, salt=PROJECTOR_SALT
    )


def projector_link_version(*, assembly: Assembly, token: str) -> int | None:
    """The link version a genuine, unexpired projector token of this assembly carries."""
    if not token:
        return None
    try:
        data = signing.loads(
            token, salt=PROJECTOR_SALT, max_age=settings.VOTING_PROJECTOR_LINK_HOURS * 3600
        )
    except signing.BadSignature:
        return None
    if data.get("p") != "projector" or data.get("a") != assembly.pk:
        return None
    return data.get("v")


def projector_link_valid(*, assembly: Assembly, token: str) -> bool:
    version = projector_link_version(assembly=assembly, token=token)
    return version is not None and version == _link_version(assembly.pk)


def rotate_projector_links(*, assembly: Assembly, by: AbstractBaseUser) -> str:
    """Revoke every projector link given so far and return a fresh one (logged); after commit,
    the room sockets opened by an earlier link close."""
    with transaction.atomic():
        append_audit(assembly_id=assembly.pk, event=PROJECTOR_ROTATED, data={"by": by.pk})
        broadcast_on_commit(
            group=assembly_group(assembly.pk),
            event=PROJECTOR_ROTATED,
            payload={"version": _link_version(assembly.pk)},
        )
        return projector_token(assembly)


def live_labels() -> dict[str, str]:
    """The words the live pages write themselves ({n}-style placeholders filled in by the page)."""
    from django.utils.translation import gettext as _

    return {
        "quorum_line": _(
            "{present} of {eligible} voting members present, {needed} needed{needed_note}"
        ),
        "reached": _("Quorum"),
        "lost": _("Quorum lost"),
        "not_reached": _("No quorum yet"),
        "turnout": _("{turnout} of {eligible} voting members have voted"),
        "turnout_short": _("{turnout} of {eligible} have voted"),
        "closes_in": _("Closes in {s} seconds."),
        "by_hand": _("Vote by show of hands in the room."),
        "by_hand_counting": _(
            "Voting was by show of hands. The result will be shown when the chair publishes it."
        ),
        "time_over": _("Voting time is over."),
        "closed": _("Voting is closed."),
        "closed_ballot": _("This poll is closed: the ballot can no longer be cast."),
        "awaiting": _("Voting is closed. The result will be shown when the chair publishes it."),
        "no_poll": _("No poll is open."),
        "electorate": _("Electorate: {count} members, fingerprint {fingerprint}"),
        "audit_head": _("Audit log head #{seq}: {hash}"),
        "at_open": _("At opening"),
        "at_close": _("At closing"),
        "state_changed": _("A poll changed state. Reload to act on it."),
        "reload": _("Reload"),
        "base": _(
            "{cast_words}. Base: {base} ({base_words}). Abstentions: {abstentions}. "
            "Needed: {threshold}."
        ),
        "round": _("Round {n}"),
        "by_region": _("Present by region"),
    }
