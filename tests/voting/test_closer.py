"""Scheduled closes happen in the server on time, with nobody's page open."""

import asyncio
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from assembly.lifespan import Lifespan
from tests.voting.factories import draft_poll, resolution
from voting.closer import IDLE_SECONDS, close_due_and_wait, start_poll_closer, stop_poll_closer
from voting.models import AuditEntry, Poll, PollState
from voting.services import open_poll


def wait_for_state(poll: Poll, state: str, timeout: float = 15) -> Poll:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        poll.refresh_from_db()
        if poll.state == state:
            return poll
        time.sleep(0.05)
    return poll


@pytest.mark.django_db
def test_one_round_closes_the_due_poll_and_sleeps_until_the_next(
    body, motion, present_voters, chair_user
):
    due = open_poll(poll=draft_poll(motion, close_after_seconds=30), by=chair_user)
    Poll.objects.filter(pk=due.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
    other_motion = resolution(body, code="budget")
    later = open_poll(poll=draft_poll(other_motion, close_after_seconds=30), by=chair_user)
    Poll.objects.filter(pk=later.pk).update(closes_at=timezone.now() + timedelta(seconds=2))

    wait = close_due_and_wait()

    due.refresh_from_db()
    later.refresh_from_db()
    assert due.state == PollState.CLOSED
    assert later.state == PollState.OPEN
    assert 1 < wait <= 2.1
    closed = AuditEntry.objects.get(event="poll.closed")
    assert '"scheduled":true' in closed.body


@pytest.mark.django_db
def test_with_no_countdown_running_the_closer_looks_again_after_a_while(motion, chair_user):
    assert close_due_and_wait() == IDLE_SECONDS


@pytest.mark.django_db(transaction=True)
def test_the_running_closer_closes_a_poll_when_its_countdown_ends(
    motion, present_voters, chair_user
):
    start_poll_closer()
    try:
        poll = open_poll(poll=draft_poll(motion, close_after_seconds=10), by=chair_user)
        assert poll.state == PollState.OPEN
        # Ten seconds is the shortest countdown the chair may set; bring its end near.
        Poll.objects.filter(pk=poll.pk).update(closes_at=timezone.now() + timedelta(seconds=0.5))
        closed = wait_for_state(poll, PollState.CLOSED)
    finally:
        stop_poll_closer()
    assert closed.state == PollState.CLOSED
    assert closed.closed_at >= closed.closes_at
    assert closed.result["cast"] == 0


def test_lifespan_runs_the_hooks_at_startup_and_shutdown_and_passes_the_rest_on():
    ran = []
    seen_scopes = []

    async def app(scope, receive, send):
        seen_scopes.append(scope["type"])

    wrapped = Lifespan(
        app, startup=[lambda: ran.append("up")], shutdown=[lambda: ran.append("down")]
    )

    async def serve_lifespan():
        inbox = asyncio.Queue()
        sent = []
        for kind in ("lifespan.startup", "lifespan.shutdown"):
            inbox.put_nowait({"type": kind})

        async def send(message):
            sent.append(message["type"])

        await wrapped({"type": "lifespan"}, inbox.get, send)
        await wrapped({"type": "http"}, inbox.get, send)
        return sent

    sent = asyncio.run(serve_lifespan())
    assert ran == ["up", "down"]
    assert sent == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
    assert seen_scopes == ["http"]


def test_a_failing_hook_is_reported_to_the_server_and_the_next_still_runs():
    def broken():
        raise RuntimeError("no database")

    ran = []
    wrapped = Lifespan(None, startup=[broken, lambda: ran.append("next")], shutdown=[])

    async def serve_lifespan():
        inbox = asyncio.Queue()
        inbox.put_nowait({"type": "lifespan.startup"})
        inbox.put_nowait({"type": "lifespan.shutdown"})
        sent = []

        async def send(message):
            sent.append(message)

        await wrapped({"type": "lifespan"}, inbox.get, send)
        return sent

    sent = asyncio.run(serve_lifespan())
    assert sent[0] == {"type": "lifespan.startup.failed", "message": "no database"}
    assert ran == ["next"]


@pytest.mark.django_db
def test_a_poll_that_cannot_close_keeps_no_other_open_and_is_tried_again_later(
    body, motion, present_voters, chair_user, monkeypatch
):
    from voting import services
    from voting.closer import RETRY_SECONDS

    stuck = open_poll(poll=draft_poll(motion, close_after_seconds=30), by=chair_user)
    other = open_poll(
        poll=draft_poll(resolution(body, code="other"), close_after_seconds=30), by=chair_user
    )
    Poll.objects.filter(pk__in=[stuck.pk, other.pk]).update(
        closes_at=timezone.now() - timedelta(seconds=1)
    )
    close_poll = services.close_poll

    def failing_for_stuck(*, poll, **kwargs):
        if poll.pk == stuck.pk:
            raise RuntimeError("disk full")
        return close_poll(poll=poll, **kwargs)

    monkeypatch.setattr(services, "close_poll", failing_for_stuck)

    wait = close_due_and_wait()

    stuck.refresh_from_db()
    other.refresh_from_db()
    assert (stuck.state, other.state) == (PollState.OPEN, PollState.CLOSED)
    assert wait == RETRY_SECONDS
