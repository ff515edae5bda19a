"""The hash-chained audit log: appended under the head's lock or linked after commit; exported."""

# Rare writers (poll states, proxies, projector links) append in their own transaction, under
# the head row's lock. Busy writers (ballots, hall scans) on PostgreSQL write a pending entry
# instead, which takes no lock, and a background thread links the pending entries into the
# chain a moment after they commit, many in one statement: holding the head's lock until
# commit made every ballot of the assembly wait for the one before it. SQLite's write
# transactions are serial anyway, so there every writer appends at once.

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from assembly.models import Assembly
from assembly.rows import fetch
from voting.models import AuditEntry, AuditHead, AuditPending
from voting.verify import GENESIS, canonical_json, entry_hash

HEAD, ENTRY, PENDING = (
    AuditHead._meta.db_table,
    AuditEntry._meta.db_table,
    AuditPending._meta.db_table,
)
logger = logging.getLogger(__name__)
# Entries linked by one statement: its recursive hashing rescans the batch at each step.
LINK_BATCH = 500
# For writers that fold their pending entry into their own statement (then link_after_commit).
INSERT_PENDING = f"INSERT INTO {PENDING} (assembly_id, event, prefix)"


def body_prefix(event: str, data: dict[str, Any]) -> str:
    """The entry's canonical body up to its sequence number: keys sort as at, data, event, seq."""
    prefix = canonical_json({"at": timezone.now().isoformat(), "data": data, "event": event})
    return prefix[:-1] + ',"seq":'


def append_audit(*, assembly_id: int, event: str, data: dict[str, Any]) -> AuditEntry:
    """Append one row after the head; the head's row lock orders concurrent writers.

    The lock is held until the caller commits. Entries still pending are linked first, so
    the chain (and a head recorded later in this transaction) covers every committed one.
    On PostgreSQL the head moves and the row is written in one statement that hashes in SQL.
    """
    prefix = body_prefix(event, data)
    # Inside a caller's transaction no savepoint is needed: any failure aborts the caller too.
    with transaction.atomic(savepoint=False):
        if connection.vendor == "postgresql":
            _link_all_pending(assembly_id)
            # Entries committed while this one held the head are linked once it commits.
            link_after_commit(assembly_id)
            return _append_in_one_statement(assembly_id, event, prefix)
        entry = _append(assembly_id, event, prefix)
        if entry is None:
            AuditHead.objects.get_or_create(assembly_id=assembly_id, defaults={"hash": GENESIS})
            entry = _append(assembly_id, event, prefix)
        return entry


def append_audit_after_commit(*, assembly_id: int, event: str, data: dict[str, Any]) -> None:
    """Record an entry in the caller's transaction; it joins the chain once that commits.

    On PostgreSQL: a pending row (no lock), linked after commit by link_pending; if this
    process dies in between, the next append or read of the assembly's log links it.
    """
    if connection.vendor != "postgresql":
        append_audit(assembly_id=assembly_id, event=event, data=data)
        return
    fetch(
        f"{INSERT_PENDING} VALUES (%s, %s, %s) RETURNING id",
        [assembly_id, event, body_prefix(event, data)],
    )
    link_after_commit(assembly_id)


def link_after_commit(assembly_id: int) -> None:
    """Link the assembly's pending entries once the current transaction commits."""
    if settings.AUDIT_LINK_IN_BACKGROUND:
        transaction.on_commit(lambda: _linker.schedule(assembly_id), robust=True)
    else:
        transaction.on_commit(lambda: _link_until_done(assembly_id), robust=True)


class _Linker:
    """Links pending entries on one background thread per process, a moment after commit.

    The moment gathers a burst's entries into one statement, and the request that wrote one
    does not wait for it. An assembly is due once: an entry committed while its link is due
    is covered by that link; one committed after the link started schedules the next. A
    link that finds the head held while entries wait, or fails, tries again later.
    """

    DELAY_SECONDS = 0.05
    RETRY_SECONDS = (0.1, 0.2, 0.5, 1, 2, 5)

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._due: set[int] = set()
        self._executor: ThreadPoolExecutor | None = None

    def schedule(self, assembly_id: int, *, attempt: int = 0) -> None:
        with self._lock:
            if assembly_id in self._due:
                return
            self._due.add(assembly_id)
            if self._executor is None:  # made in the process that uses it (after any fork)
                self._executor = ThreadPoolExecutor(1, thread_name_prefix="audit-link")
            executor = self._executor
        executor.submit(self._link, assembly_id, attempt)

    def wait(self) -> None:
        """Until no link is due, retries included (tests, scripts)."""
        with self._lock:
            executor = self._executor
        if executor is None:
            return
        while True:
            # Runs after every link queued so far; a link that retries is due again.
            executor.submit(time.sleep, 0).result()
            with self._lock:
                if not self._due:
                    return

    def _link(self, assembly_id: int, attempt: int) -> None:
        time.sleep(self.DELAY_SECONDS if attempt == 0 else self.RETRY_SECONDS[attempt - 1])
        with self._lock:
            self._due.discard(assembly_id)
        try:
            done = link_pending(assembly_id)
        except Exception:  # the entries stay pending: a retry, the next append or read links them
            logger.exception("linking the audit entries of assembly %s failed", assembly_id)
            done = False
        finally:
            connection.close()  # this thread's connection, back to the pool
        if not done and attempt < len(self.RETRY_SECONDS):
            self.schedule(assembly_id, attempt=attempt + 1)


_linker = _Linker()


def wait_for_links() -> None:
    _linker.wait()


def link_pending(assembly_id: int) -> bool:
    """Link the assembly's committed pending entries into the chain, in batches.

    Whoever finds the head locked leaves (False when entries still wait): a holder that
    commits looks again, and the background linker retries, so none is left behind.
    """
    if connection.vendor != "postgresql":
        return True
    while True:
        # Autocommit: the statement is its own transaction, the head's lock ends with it.
        got_head, head_exists = _link_pending_statement(assembly_id, wait=False)
        if not head_exists:
            _ensure_head(assembly_id)
            continue
        if not _has_pending(assembly_id):
            return True
        if not got_head:
            return False


def _link_until_done(assembly_id: int) -> None:
    """In the committing thread (AUDIT_LINK_IN_BACKGROUND off): link, waiting for the head."""
    if connection.vendor == "postgresql":
        with transaction.atomic():
            _link_all_pending(assembly_id)


def link_pending_now(assembly: Assembly) -> None:
    """Link what is pending, waiting for the head's lock, held until the caller commits."""
    if connection.vendor == "postgresql":
        with transaction.atomic(savepoint=False):
            _link_all_pending(assembly.pk)
            # Entries committed while the head was held here are linked once this commits.
            link_after_commit(assembly.pk)


def _link_all_pending(assembly_id: int) -> None:
    """Link every committed pending entry, waiting for the head (made if missing).

    The first statement may have waited for the head with an old view of the pending rows;
    once the head is held here, each further statement sees the rows committed meanwhile.
    """
    _got_head, head_exists = _link_pending_statement(assembly_id, wait=True)
    if not head_exists:
        _ensure_head(assembly_id)
    while _has_pending(assembly_id):
        _link_pending_statement(assembly_id, wait=True)


def _has_pending(assembly_id: int) -> bool:
    sql = f"SELECT 1 FROM {PENDING} WHERE assembly_id = %s LIMIT 1"  # noqa: S608
    return fetch(sql, [assembly_id]) is not None


def _ensure_head(assembly_id: int) -> None:
    fetch(
        f"INSERT INTO {HEAD} (assembly_id, seq, hash) VALUES (%s, 0, %s) "  # noqa: S608
        "ON CONFLICT (assembly_id) DO NOTHING RETURNING id",
        [assembly_id, GENESIS],
    )


def _link_pending_statement(assembly_id: int, *, wait: bool) -> tuple[bool, bool]:
    """Lock the head, take up to LINK_BATCH pending entries and chain them in order, in one
    statement that hashes in SQL. Says whether it got the head (not if locked and
    wait=False) and whether there is one (read without waiting: an insert checking the
    unique key would wait for the linker's commit)."""
    skip = "" if wait else " SKIP LOCKED"
    sql = (
        f"WITH RECURSIVE head AS (SELECT id, seq, hash FROM {HEAD} "  # noqa: S608
        f"WHERE assembly_id = %s FOR UPDATE{skip}), "
        f"taken AS (DELETE FROM {PENDING} WHERE id IN (SELECT id FROM {PENDING} "
        f"WHERE assembly_id = %s ORDER BY id LIMIT {LINK_BATCH}) "
        "AND EXISTS (SELECT 1 FROM head) RETURNING id, event, prefix), "
        "numbered AS (SELECT row_number() OVER (ORDER BY id) AS n, event, prefix FROM taken), "
        "chain (n, seq, hash, prev_hash) AS ("
        " SELECT 0::bigint, seq, hash::text, ''::text FROM head"
        " UNION ALL"
        " SELECT c.n + 1, c.seq + 1,"
        " encode(sha256(convert_to(c.hash || p.prefix || (c.seq + 1) || '}', 'UTF8')), 'hex'),"
        " c.hash FROM chain c JOIN numbered p ON p.n = c.n + 1), "
        f"written AS (INSERT INTO {ENTRY} (assembly_id, seq, event, body, prev_hash, hash)"
        " SELECT %s, c.seq, p.event, p.prefix || c.seq || '}', c.prev_hash, c.hash"
        " FROM chain c JOIN numbered p ON p.n = c.n RETURNING 1), "
        "last AS (SELECT seq, hash FROM chain ORDER BY n DESC LIMIT 1), "
        f"moved AS (UPDATE {HEAD} h SET seq = last.seq, hash = last.hash FROM last, head"
        " WHERE h.id = head.id AND last.seq <> head.seq RETURNING 1) "
        # written and moved run though nothing reads them (data-modifying WITH clauses do).
        "SELECT (SELECT count(*) FROM head),"
        f" (SELECT count(*) FROM {HEAD} WHERE assembly_id = %s)"
    )
    got_head, head_exists = fetch(sql, [assembly_id] * 4)
    return bool(got_head), bool(head_exists)


def _append_in_one_statement(assembly_id: int, event: str, prefix: str) -> AuditEntry:
    # The subquery locks the head and reads it as last committed; the update hashes from it.
    sql = (
        f"WITH head AS (UPDATE {HEAD} h SET seq = old.seq + 1,"  # noqa: S608
        " hash = encode(sha256(convert_to(old.hash || %s || (old.seq + 1) || '}', 'UTF8')), 'hex')"
        f" FROM (SELECT id, seq, hash FROM {HEAD} WHERE assembly_id = %s FOR UPDATE) old"
        " WHERE h.id = old.id RETURNING h.seq, h.hash, old.hash AS prev_hash)"
        f" INSERT INTO {ENTRY} (assembly_id, seq, event, body, prev_hash, hash)"
        " SELECT %s, seq, %s, %s || seq || '}', prev_hash, hash FROM head"
        " RETURNING seq, body, prev_hash, hash"
    )
    seq, body, prev_hash, digest = fetch(sql, [prefix, assembly_id, assembly_id, event, prefix])
    return AuditEntry(
        assembly_id=assembly_id, seq=seq, event=event, body=body, prev_hash=prev_hash, hash=digest
    )


def _append(assembly_id: int, event: str, prefix: str) -> AuditEntry | None:
    advance = f"UPDATE {HEAD} SET seq = seq + 1 WHERE assembly_id = %s RETURNING id, seq, hash"  # noqa: S608
    row = fetch(advance, [assembly_id])
    if row is None:
        return None
    head_id, seq, prev_hash = row
    body = f"{prefix}{seq}}}"
    digest = entry_hash(prev_hash, body)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {ENTRY} (assembly_id, seq, event, body, prev_hash, hash)"  # noqa: S608
            " VALUES (%s, %s, %s, %s, %s, %s)",
            [assembly_id, seq, event, body, prev_hash, digest],
        )
        cursor.execute(f"UPDATE {HEAD} SET hash = %s WHERE id = %s", [digest, head_id])  # noqa: S608
    return AuditEntry(
        assembly_id=assembly_id, seq=seq, event=event, body=body, prev_hash=prev_hash, hash=digest
    )


def audit_head(assembly: Assembly) -> dict[str, Any]:
    """The head once every committed entry is linked (as recorded when a poll opens or closes)."""
    link_pending_now(assembly)
    head = AuditHead.objects.filter(assembly=assembly).first()
    if head is None:
        return {"seq": 0, "hash": GENESIS}
    return {"seq": head.seq, "hash": head.hash}
