"""The audit export: the chain, its head, and each poll with its ballots, for offline checks."""

from typing import Any

from assembly.models import Assembly
from voting.audit import link_pending_now
from voting.models import AuditEntry, AuditHead, Poll, PollKind
from voting.services import ballot_rows, poll_facts


def audit_export(assembly: Assembly) -> dict[str, Any]:
    """Everything verify.py needs; secret ballots carry no voter, as in the database."""
    link_pending_now(assembly)
    head = AuditHead.objects.filter(assembly=assembly).first()
    polls = []
    for poll in Poll.objects.filter(assembly=assembly).select_related("motion").order_by("pk"):
        motion = poll.motion
        polls.append(
            {
                "id": poll.pk,
                "title": motion.title,
                "round": poll.round,
                "state": poll.state,
                **poll_facts(poll),
                "result": poll.result,
                "ballots": [] if poll.kind == PollKind.HAND else ballot_rows(poll),
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
