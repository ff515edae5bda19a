"""Closes polls at their scheduled time, in the server, whether or not anyone has a page open;
ends the night's leftover presence (badges.services.end_days_due) in the same rounds."""

# One thread per server process sleeps until the next open poll's close is due, then closes
# every due poll (close_poll takes the row lock, so two processes never close one twice). A
# poll opened in this process wakes the thread at once; one opened in another process is
# seen within IDLE_SECONDS, which also bounds how late a close is after a restart.

import logging
import threading
from datetime import datetime

from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from assembly.background import RoundThread
from voting.models import Poll, PollState

logger = logging.getLogger(__name__)
IDLE_SECONDS = 5.0
RETRY_SECONDS = 5.0


def closer_round(stop: threading.Event) -> float:
    """Close the due polls, end a night that is due; the seconds until the next round."""
    wait = close_due_and_wait()
    try:
        end_nights_due()
    except Exception:  # its own trouble: the polls' next round keeps its time
        logger.exception("ending the night's presence failed")
    return wait


_closer = RoundThread("poll-closer", closer_round, retry=RETRY_SECONDS)
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
