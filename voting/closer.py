"""Closes polls at their scheduled time, in the server, whether or not anyone has a page open;
ends the night's leftover presence (badges.services.end_days_due) in the same rounds."""

# One thread per server process sleeps until the next open poll's close is due, then closes
# every due poll (close_poll takes the row lock, so two processes never close one twice). A
# poll opened in this process wakes the thread at once; one opened in another process is
# seen within IDLE_SECONDS, which also bounds how late a close is after a restart.

import logging
import threading
from datetime import datetime

from django.db import connection, transaction
from django.db.models import Min
from django.utils import timezone

from voting.models import Poll, PollState

logger = logging.getLogger(__name__)
IDLE_SECONDS = 5.0
RETRY_SECONDS = 5.0


class _Closer:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                return
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="poll-closer", daemon=True)
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

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            try:
                wait = close_due_and_wait()
            except Exception:  # the database may be away a moment: try again, never die
                logger.exception("closing the polls that are due failed")
                wait = RETRY_SECONDS
            try:
                end_nights_due()
            except Exception:
                logger.exception("ending the night's presence failed")
            finally:
                connection.close()  # this thread's connection, back to the pool
            self._wake.wait(wait)


_closer = _Closer()
start_poll_closer = _closer.start
stop_poll_closer = _closer.stop


def wake_poll_closer_on_commit() -> None:
    """A poll with a countdown opens: let the closer see its time once the opening commits."""
    transaction.on_commit(_closer.wake)


def end_nights_due() -> None:
    from badges.services import end_days_due

    end_days_due()


def close_due_and_wait() -> float:
    """Close every poll whose time has come; the seconds until the next one is due (at most
    IDLE_SECONDS, so polls opened by other processes are seen)."""
    from voting.services import close_due_polls

    started = timezone.now()
    close_due_polls()
    next_close = Poll.objects.filter(state=PollState.OPEN, closes_at__isnull=False).aggregate(
        at=Min("closes_at")
    )["at"]
    if next_close is not None and next_close <= started:
        return RETRY_SECONDS  # due before this round and still open: it failed (logged)
    return seconds_until(next_close)


def seconds_until(moment: datetime | None) -> float:
    if moment is None:
        return IDLE_SECONDS
    # A moment past: the poll's close came during this round, so go round at once.
    return min(IDLE_SECONDS, max(0.0, (moment - timezone.now()).total_seconds()) + 0.01)
