"""The audit export: the chain, its head, and each poll with its ballots, for offline checks."""

from typing import Any

from assembly.models import Assembly, Role
from voting.audit import link_pending_now
from voting.models import AuditEntry, AuditHead, Poll, PollKind, PollState
from voting.selectors import can_see_results
from voting.services import ballot_rows, poll_facts


def audit_export(assembly: Assembly, *, roles: frozenset[Role] | None = None) -> dict[str, Any]:
    """Everything verify.py needs; secret ballots carry no voter, as in the database.

    An open poll's ballots are never in it: read again and again, the new ballots would line
    up with the log's new ballot.cast entries, which name the member. A closed poll's
    ballots, counts and result are in it once the caller may see its result (`roles`; None
    for the server's own command): withheld, verify.py leaves the poll for later.
    """
    link_pending_now(assembly)
    head = AuditHead.objects.filter(assembly=assembly).first()
    polls = []
    for poll in Poll.objects.filter(assembly=assembly).select_related("motion").order_by("pk"):
        shown = poll.state != PollState.OPEN and (
            roles is None or can_see_results(poll=poll, roles=roles)
        )
        polls.append(
            {
                "id": poll.pk,
                "title": poll.motion.title,
                "round": poll.round,
                "state": poll.state,
                **poll_facts(poll),
                **_ballots_and_result(poll, shown=shown),
            }
        )
    return {
        "assembly": assembly.slug,
        "head": {"seq": head.seq, "hash": head.hash} if head else None,
        "audit": [
            {
                "seq": e.seq,
                "event": e.event,
                "body": e.body,
                "prev_hash": e.prev_hash,
                "hash": e.hash,
            }
            for e in AuditEntry.objects.filter(assembly=assembly).order_by("seq")
        ],
        "polls": polls,
    }


def _ballots_and_result(poll: Poll, *, shown: bool) -> dict[str, Any]:
    if not shown:
        return {"withheld": True, "hand_counts": None, "result": None, "ballots": []}
    ballots = [] if poll.kind == PollKind.HAND else ballot_rows(poll)
    return {"withheld": False, "result": poll.result, "ballots": ballots}
