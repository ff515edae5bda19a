"""The hash-chained audit log: append under the head row's lock; export for offline checks."""

from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from assembly.models import Assembly
from voting.models import AuditEntry, AuditHead
from voting.verify import GENESIS, canonical_json, entry_hash


def append_audit(*, assembly_id: int, event: str, data: dict[str, Any]) -> AuditEntry:
    """Append one row after the head; the head's row lock orders concurrent writers.

    Two round trips: advance the head (which locks it), then write the row and the new hash.
    """
    table, head_table = AuditEntry._meta.db_table, AuditHead._meta.db_table
    # Inside a caller's transaction no savepoint is needed: any failure aborts the caller too.
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        advance = (
            f"UPDATE {head_table} SET seq = seq + 1 WHERE assembly_id = %s RETURNING id, seq, hash"  # noqa: S608
        )
        cursor.execute(advance, [assembly_id])
        row = cursor.fetchone()
        if row is None:
            AuditHead.objects.get_or_create(assembly_id=assembly_id, defaults={"hash": GENESIS})
            cursor.execute(advance, [assembly_id])
            row = cursor.fetchone()
        head_id, seq, prev_hash = row
        body = canonical_json(
            {"seq": seq, "event": event, "at": timezone.now().isoformat(), "data": data}
        )
        digest = entry_hash(prev_hash, body)
        values = [assembly_id, seq, event, body, prev_hash, digest]
        insert = (
            f"INSERT INTO {table} (assembly_id, seq, event, body, prev_hash, hash) "  # noqa: S608
            "VALUES (%s, %s, %s, %s, %s, %s)"
        )
        set_hash = f"UPDATE {head_table} SET hash = %s WHERE id = %s"  # noqa: S608
        if connection.vendor == "postgresql":
            cursor.execute(f"WITH entry AS ({insert}) {set_hash}", [*values, digest, head_id])
        else:
            cursor.execute(insert, values)
            cursor.execute(set_hash, [digest, head_id])
    return AuditEntry(
        assembly_id=assembly_id, seq=seq, event=event, body=body, prev_hash=prev_hash, hash=digest
    )


def audit_head(assembly: Assembly) -> dict[str, Any]:
    head = AuditHead.objects.filter(assembly=assembly).first()
    if head is None:
        return {"seq": 0, "hash": GENESIS}
    return {"seq": head.seq, "hash": head.hash}
