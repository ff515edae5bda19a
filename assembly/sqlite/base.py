"""Django's SQLite backend, with the process's write transactions queued on one lock.

SQLite lets one writer in at a time. Under ASGI every request has its own thread, so
eight desks mean eight threads asking for the write lock; SQLite's busy handler makes
the losers sleep in steps of up to 100 ms, which was the long tail of a desk's queue
(p99 up to 750 ms). A lock in the process hands the turn over as soon as the writer
commits. Other processes still meet SQLite's busy timeout, as before.
"""

import threading

from django.db import OperationalError
from django.db.backends.sqlite3 import base

_write_locks: dict[str, threading.Lock] = {}
_write_locks_guard = threading.Lock()


def _write_lock(name: str) -> threading.Lock:
    with _write_locks_guard:
        return _write_locks.setdefault(name, threading.Lock())


class DatabaseWrapper(base.DatabaseWrapper):
    _holds_write_lock = False

    def _queue_writers(self) -> bool:
        # In-memory test databases share one connection between threads: keep SQLite's own.
        return not self.is_in_memory_db()

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
            super()._close()
        finally:
            self._release_write_lock()
