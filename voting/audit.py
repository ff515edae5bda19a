"""The hash-chained audit log: append under the head row's lock; export for offline checks."""

from typing import Any

from django.db import transaction
from django.utils import timezone

from assembly.models import Assembly
from voting.models import AuditEntry, AuditHead
from voting.verify import GENESIS, canonical_json, entry_hash


def append_audit(*, assembly_id: int, event: str, data: dict[str, Any]) -> AuditEntry:
    """Append one row after the head; the head's row lock orders concurrent writers."""
    # Inside a caller's transaction no savepoint is needed: any failure aborts the caller too.
    with transaction.atomic(savepoint=False):
        head = AuditHead.objects.select_for_update().filter(assembly_id=assembly_id).first()
        if head is None:
            AuditHead.objects.get_or_create(assembly_id=assembly_id, defaults={"hash": GENESIS})
            head = AuditHead.objects.select_for_update().get(assembly_id=assembly_id)
        seq = head.seq + 1
        body = canonical_json(
            {"seq": seq, "event": event, "at": timezone.now().isoformat(), "data": data}
        )
        digest = entry_hash(head.hash, body)
        entry = AuditEntry.objects.create(
            assembly_id=assembly_id,
            seq=seq,
            event=event,
            body=body,
            prev_hash=head.hash,
            hash=digest,
        )
        AuditHead.objects.filter(pk=head.pk).update(seq=seq, hash=digest)
    return entry


def audit_head(assembly: Assembly) -> dict[str, Any]:
    head = AuditHead.objects.filter(assembly=assembly).first()
    if head is None:
        return {"seq": 0, "hash": GENESIS}
    return {"seq": head.seq, "hash": head.hash}
