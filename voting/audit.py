"""The hash-chained audit log: append under the head row's lock; export for offline checks."""

from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from assembly.models import Assembly
from assembly.rows import fetch
from voting.models import AuditEntry, AuditHead
from voting.verify import GENESIS, canonical_json, entry_hash


def append_audit(*, assembly_id: int, event: str, data: dict[str, Any]) -> AuditEntry:
    """Append one row after the head; the head's row lock orders concurrent writers.

    The lock is held until the caller commits, so every writer of the assembly waits for
    it: on PostgreSQL the head moves and the row is written in one statement that hashes
    in SQL, with no round trip of ours while the lock is held. SQLite's write transactions
    are serial anyway.
    """
    # Keys sort as at, data, event, seq: the body is this prefix, the seq and a brace.
    prefix = canonical_json({"at": timezone.now().isoformat(), "data": data, "event": event})
    prefix = prefix[:-1] + ',"seq":'
    # Inside a caller's transaction no savepoint is needed: any failure aborts the caller too.
    with transaction.atomic(savepoint=False):
        append = _append_in_one_statement if connection.vendor == "postgresql" else _append
        entry = append(assembly_id, event, prefix)
        if entry is None:
            AuditHead.objects.get_or_create(assembly_id=assembly_id, defaults={"hash": GENESIS})
            entry = append(assembly_id, event, prefix)
    return entry


def _append_in_one_statement(assembly_id: int, event: str, prefix: str) -> AuditEntry | None:
    table, head_table = AuditEntry._meta.db_table, AuditHead._meta.db_table
    # The subquery locks the head and reads it as last committed; the update hashes from it.
    sql = (
        f"WITH head AS (UPDATE {head_table} h SET seq = old.seq + 1,"  # noqa: S608
        " hash = encode(sha256(convert_to(old.hash || %s || (old.seq + 1) || '}', 'UTF8')), 'hex')"
        f" FROM (SELECT id, seq, hash FROM {head_table} WHERE assembly_id = %s FOR UPDATE) old"
        " WHERE h.id = old.id RETURNING h.seq, h.hash, old.hash AS prev_hash)"
        f" INSERT INTO {table} (assembly_id, seq, event, body, prev_hash, hash)"
        " SELECT %s, seq, %s, %s || seq || '}', prev_hash, hash FROM head"
        " RETURNING seq, body, prev_hash, hash"
    )
    row = fetch(sql, [prefix, assembly_id, assembly_id, event, prefix])
    if row is None:
        return None
    seq, body, prev_hash, digest = row
    return AuditEntry(
        assembly_id=assembly_id, seq=seq, event=event, body=body, prev_hash=prev_hash, hash=digest
    )


def _append(assembly_id: int, event: str, prefix: str) -> AuditEntry | None:
    table, head_table = AuditEntry._meta.db_table, AuditHead._meta.db_table
    advance = (
        f"UPDATE {head_table} SET seq = seq + 1 WHERE assembly_id = %s RETURNING id, seq, hash"  # noqa: S608
    )
    row = fetch(advance, [assembly_id])
    if row is None:
        return None
    head_id, seq, prev_hash = row
    body = f"{prefix}{seq}}}"
    digest = entry_hash(prev_hash, body)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (assembly_id, seq, event, body, prev_hash, hash)"  # noqa: S608
            " VALUES (%s, %s, %s, %s, %s, %s)",
            [assembly_id, seq, event, body, prev_hash, digest],
        )
        cursor.execute(f"UPDATE {head_table} SET hash = %s WHERE id = %s", [digest, head_id])  # noqa: S608
    return AuditEntry(
        assembly_id=assembly_id, seq=seq, event=event, body=body, prev_hash=prev_hash, hash=digest
    )


def audit_head(assembly: Assembly) -> dict[str, Any]:
    head = AuditHead.objects.filter(assembly=assembly).first()
    if head is None:
        return {"seq": 0, "hash": GENESIS}
    return {"seq": head.seq, "hash": head.hash}
