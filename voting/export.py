"""The audit export: the chain, its head, and each poll with its ballots, for offline checks."""

import json
from typing import Any

from assembly.models import Assembly, Role
from voting.audit import link_pending_now
from voting.models import AuditEntry, AuditHead, Poll, PollKind, PollState
from voting.selectors import ballots_by_poll, can_see_results, with_candidates
from voting.services import poll_facts
from voting.verify import REDACTABLE


def audit_export(assembly: Assembly, *, roles: frozenset[Role] | None = None) -> dict[str, Any]:
    """Everything verify.py needs; secret ballots carry no voter, as in the database.

    An open poll's ballots are never in it: read again and again, the new ballots would line
    up with the log's new ballot.cast entries, which name the member. A closed poll's
    ballots, counts and result are in it once the caller may see its result (`roles`; None
    for the server's own command): withheld, verify.py leaves the poll for later. The log's
    entries that hold what is withheld (a roll-call ballot's choice, a poll's seal, counts
    and result) are redacted to their place in the chain, so the chain still checks.
    """
    link_pending_now(assembly)
    head = AuditHead.objects.filter(assembly=assembly).first()
    polls = list(
        with_candidates(Poll.objects.filter(assembly=assembly))
        .select_related("motion")
        .order_by("pk")
    )
    shown = {
        poll.pk: poll.state != PollState.OPEN
        and (roles is None or can_see_results(poll=poll, roles=roles))
        for poll in polls
    }
    ballots = ballots_by_poll(
        [poll.pk for poll in polls if shown[poll.pk] and poll.kind != PollKind.HAND]
    )
    # Why each poll's secret entries are withheld from this caller, None where they are not;
    # the server's own command reads every entry.
    withheld = (
        None
        if roles is None
        else {poll.pk: None if shown[poll.pk] else _why_withheld(poll) for poll in polls}
    )
    return {
        "assembly": assembly.slug,
        "head": {"seq": head.seq, "hash": head.hash} if head else None,
        "audit": [
            _exported_entry(entry, withheld=withheld)
            for entry in AuditEntry.objects.filter(assembly=assembly).order_by("seq")
        ],
        "polls": [
            {
                "id": poll.pk,
                "title": poll.motion.title,
                "round": poll.round,
                "state": poll.state,
                **poll_facts(poll),
                # As shown on the projector and the result sheet: the verifier finds each in
                # the chain, so a chain rewritten after it no longer passes.
                "audit_heads": {
                    "open": (poll.at_open or {}).get("audit_head"),
                    "close": (poll.at_close or {}).get("audit_head"),
                },
                **_ballots_and_result(poll, shown=shown[poll.pk], ballots=ballots),
            }
            for poll in polls
        ],
    }


def _why_withheld(poll: Poll) -> str:
    if poll.state == PollState.OPEN:
        return f"poll {poll.pk} is open"
    return f"poll {poll.pk} is {poll.state}, its result not published"


def _exported_entry(entry: AuditEntry, *, withheld: dict[int, str | None] | None) -> dict[str, Any]:
    row = {
        "seq": entry.seq,
        "event": entry.event,
        "body": entry.body,
        "prev_hash": entry.prev_hash,
        "hash": entry.hash,
    }
    if withheld is None or entry.event not in REDACTABLE:
        return row
    try:
        data = json.loads(entry.body).get("data")
    except (ValueError, AttributeError):
        return row  # not an entry the server wrote: the verifier reports it
    if not isinstance(data, dict) or not isinstance(data.get("poll"), int):
        return row
    if entry.event == "ballot.cast" and "choices" not in data:
        return row  # a secret ballot's entry: who voted, not what
    poll_id = data["poll"]
    reason = withheld.get(poll_id, f"poll {poll_id} is not in the database")
    if reason is None:
        return row
    return {
        "seq": entry.seq,
        "event": entry.event,
        "poll": poll_id,
        "redacted": reason,
        "prev_hash": entry.prev_hash,
        "hash": entry.hash,
    }


def _ballots_and_result(
    poll: Poll, *, shown: bool, ballots: dict[int, list[dict[str, Any]]]
) -> dict[str, Any]:
    if not shown:
        return {"withheld": True, "hand_counts": None, "result": None, "ballots": []}
    return {"withheld": False, "result": poll.result, "ballots": ballots.get(poll.pk, [])}
