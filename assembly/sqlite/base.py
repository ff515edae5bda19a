"""Django's SQLite backend, with write transactions queued on one lock and connections kept.

SQLite lets one writer in at a time. Under ASGI every request has its own thread, so
eight desks mean eight threads asking for the write lock; SQLite's busy handler makes
the losers sleep in steps of up to 100 ms, which was the long tail of a desk's queue
(p99 up to 750 ms). A lock in the process hands the turn over as soon as the writer
commits. Other processes still meet SQLite's busy timeout, as before.

Every request (a thread of its own) also used to open a connection of its own, and a new
connection parses the whole schema on its first statement: 4.2 ms of CPU, forty times the
insert a desk's scan makes. Closed connections are kept for the next request instead, as
the PostgreSQL layout keeps them in psycopg's pool.
"""

import os
import sqlite3
import threading

from django.db import OperationalError
from django.db.backends.sqlite3 import base

_write_locks: dict[str, threading.Lock] = {}
_write_locks_guard = threading.Lock()


def _write_lock(name: str) -> threading.Lock:
    with _write_locks_guard:
        return _write_locks.setdefault(name, threading.Lock())


# Idle connections by database file and options, at most IDLE_KEPT each: more than the requests a
# process serves at once would only hold file handles.
IDLE_KEPT = 32
_idle: dict[str, list[sqlite3.Connection]] = {}
_idle_guard = threading.Lock()
# SQLite must not use a connection opened before a fork, nor close one: closing it in the child
# could release the parent's file locks or checkpoint its WAL. A forked child starts with none
# kept and holds its parent's, unused and open, until it exits.
_inherited: list[sqlite3.Connection] = []


def _forget_after_fork() -> None:
    _inherited.extend(connection for kept in _idle.values() for connection in kept)
    _idle.clear()


os.register_at_fork(after_in_child=_forget_after_fork)


def _take_idle(key: str) -> sqlite3.Connection | None:
    with _idle_guard:
        idle = _idle.get(key)
        return idle.pop() if idle else None


def _keep_idle(key: str, connection: sqlite3.Connection) -> bool:
    with _idle_guard:
        idle = _idle.setdefault(key, [])
        if len(idle) >= IDLE_KEPT:
            return False
        idle.append(connection)
        return True


class DatabaseWrapper(base.DatabaseWrapper):
    _holds_write_lock = False

    def _queue_writers(self) -> bool:
        # In-memory test databases share one connection between threads: keep SQLite's own.
        return not self.is_in_memory_db()

    def _idle_key(self) -> str:
        # Connections are kept per file and per options (busy timeout, pragmas).
        options = sorted(self.settings_dict["OPTIONS"].items())
        return f"{self.settings_dict['NAME']}|{options!r}"

    def get_new_connection(self, conn_params: dict) -> sqlite3.Connection:
        if self._queue_writers():
            kept = _take_idle(self._idle_key())
            if kept is not None:
                return kept  # functions, pragmas and busy timeout were set when it opened
        return super().get_new_connection(conn_params)

    def _start_transaction_under_autocommit(self) -> None:
        if self._queue_writers() and not self._holds_write_lock:
            lock = _write_lock(str(self.settings_dict["NAME"]))
            timeout = float(self.settings_dict["OPTIONS"].get("timeout", 5))
            if not lock.acquire(timeout=timeout):
                raise OperationalError("database is locked")
            self._holds_write_lock = True
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._release_write_lock()
            raise

    def _release_write_lock(self) -> None:
        if self._holds_write_lock:
            self._holds_write_lock = False
            _write_lock(str(self.settings_dict["NAME"])).release()

    def _commit(self) -> None:
        try:
            super()._commit()
        finally:
            self._release_write_lock()

    def _rollback(self) -> None:
        try:
            super()._rollback()
        finally:
            self._release_write_lock()

    def _close(self) -> None:
        try:
            connection = self.connection
            # A connection closed inside a transaction (a request that failed half-way) is
            # really closed: SQLite then rolls the transaction back.
            keep = (
                connection is not None
                and self._queue_writers()
                and not self.in_atomic_block
                and not connection.in_transaction
                and _keep_idle(self._idle_key(), connection)
            )
            if not keep:
                super()._close()
        finally:
            self._release_write_lock()
