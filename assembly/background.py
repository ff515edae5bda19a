"""A thread per server process that does a round of work, then sleeps until woken or due."""

import logging
import threading
from collections.abc import Callable

from django.db import connection

logger = logging.getLogger(__name__)


class RoundThread:
    """Runs `work(stop)` in rounds; each round returns the seconds to sleep before the next,
    unless `wake()` comes first. A round that fails is logged and tried again after `retry`
    seconds: the database may be away a moment, and the thread must never die of it."""

    def __init__(self, name: str, work: Callable[[threading.Event], float], *, retry: float):
        self.name = name
        self._work = work
        self._retry = retry
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                return
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        with self._lock:
            thread, self._thread = self._thread, None
        self._stop.set()
        self._wake.set()
        if thread is not None:
            thread.join(timeout)

    def wake(self) -> None:
        self._wake.set()

    def woken(self) -> bool:
        """Whether wake() came since this round began (there is new work)."""
        return self._wake.is_set()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            try:
                wait = self._work(self._stop)
            except Exception:
                logger.exception("%s: a round failed", self.name)
                wait = self._retry
            finally:
                connection.close()  # this thread's connection, back to the pool
            self._wake.wait(wait)
