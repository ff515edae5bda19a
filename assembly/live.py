"""broadcast_on_commit() and publish_state_on_commit(): the only ways anything reaches a socket."""

import asyncio
import contextvars
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from asgiref.sync import SyncToAsync, async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import transaction

logger = logging.getLogger(__name__)


def next_sequence() -> int:
    """A per-message sequence number, increasing across processes on one host.

    Nanoseconds since the epoch: a snapshot taken after a message was built
    carries a higher number, so clients drop messages older than their snapshot.
    """
    return time.time_ns()


def group_message(*, event: str, payload: dict[str, Any], seq: int | None = None) -> dict[str, Any]:
    # One handler name for every event: consumers forward, they do not interpret.
    return {
        "type": "live.event",
        "event": event,
        "seq": next_sequence() if seq is None else seq,
        "payload": payload,
    }


def send_now(*, group: str, event: str, payload: dict[str, Any], seq: int | None = None) -> None:
    """Send to a group at once; for callers already outside any transaction."""
    layer = get_channel_layer()
    if layer is None:
        return
    message = group_message(event=event, payload=payload, seq=seq)
    async_to_sync(layer.group_send)(group, message)


def broadcast_on_commit(*, group: str, event: str, payload: dict[str, Any]) -> None:
    """Send payload to group after the current transaction commits (nothing if it rolls back)."""

    def send() -> None:
        send_now(group=group, event=event, payload=payload)

    transaction.on_commit(send, robust=True)


def assembly_group(assembly_id: int) -> str:
    return f"assembly.{assembly_id}"


# --- coalesced state ------------------------------------------------------------------------
#
# Turnout and quorum change on every ballot and scan; sockets get the newest state at most once
# per window. Each commit reads the state right after it commits, in its own thread on the
# connection it already holds, numbered before the read; a window sends the newest state
# numbered so far. Reading when sending instead queued every read behind the requests holding
# the database pool (hundreds of ms under a ballot burst, bench/fanout.py).
#
# The last change is never lost: the state numbered last was read after every commit. With
# Redis the windows are shared by all workers, and a worker skips its newest state only when
# a state numbered later has gone out (read later, so it holds every commit this one held).

# KEYS: window, last sent seq. ARGV: seq, window ms. Seqs are 19-digit strings (Lua numbers
# are doubles), compared as strings of equal length.
CLAIM_WINDOW = """
local sent = redis.call('GET', KEYS[2])
if sent and (#sent > #ARGV[1] or (#sent == #ARGV[1] and sent >= ARGV[1])) then
  return {0, 0}
end
if not redis.call('SET', KEYS[1], '1', 'NX', 'PX', ARGV[2]) then
  return {1, redis.call('PTTL', KEYS[1])}
end
redis.call('SET', KEYS[2], ARGV[1], 'PX', 3600000)
return {2, 0}
"""
COVERED, BUSY, SEND = 0, 1, 2


@dataclass
class _Pending:
    loop: asyncio.AbstractEventLoop
    newest: tuple[int, dict[str, Any]] | None = None
    not_before: float = float("-inf")
    task: asyncio.Task | None = None


# One entry per loop too: each server process runs one loop; tests run several side by side.
_pending: dict[tuple[int, str, str], _Pending] = {}
_claim_scripts: dict[int, Any] = {}


def coalesce_interval() -> float:
    return settings.LIVE_COALESCE_SECONDS


async def _claim_window(group: str, event: str, seq: int, interval: float) -> tuple[int, float]:
    """May this process send state `seq` now? (verdict, seconds until the window is free)."""
    url = settings.REDIS_URL
    if not url:
        return SEND, 0.0
    import redis.asyncio as aioredis

    loop_key = id(asyncio.get_running_loop())
    script = _claim_scripts.get(loop_key)
    if script is None:
        script = aioredis.Redis.from_url(url).register_script(CLAIM_WINDOW)
        _claim_scripts[loop_key] = script
    keys = [f"plenary:live-window:{group}:{event}", f"plenary:live-sent:{group}:{event}"]
    verdict, wait_ms = await script(keys=keys, args=[str(seq), max(1, int(interval * 1000))])
    return int(verdict), max(int(wait_ms), 1) / 1000


async def _send_newest(entry: _Pending, group: str, event: str) -> None:
    """Send the newest state of one group and event, one window at a time, until none is left."""
    loop = asyncio.get_running_loop()
    try:
        while entry.newest is not None:
            wait = entry.not_before - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            seq, payload = entry.newest
            interval = coalesce_interval()
            try:
                verdict, busy_for = await _claim_window(group, event, seq, interval)
            except Exception:  # Redis away: a message too many beats a lost one
                logger.exception("live window claim failed; sending anyway")
                verdict, busy_for = SEND, 0.0
            if verdict == BUSY:
                entry.not_before = loop.time() + busy_for
                continue
            if entry.newest[0] == seq:
                entry.newest = None
            if verdict == SEND:
                entry.not_before = loop.time() + interval
                await get_channel_layer().group_send(
                    group, group_message(event=event, payload=payload, seq=seq)
                )
    except Exception:
        logger.exception("live state for %s lost its sender; the next change sends again", group)
    finally:
        entry.task = None


def _offer(group: str, event: str, seq: int, payload: dict[str, Any]) -> None:
    """In the server's loop: keep the newest state and make sure a sender will send it."""
    loop = asyncio.get_running_loop()
    key = (id(loop), group, event)
    entry = _pending.get(key)
    if entry is None or entry.loop is not loop:
        entry = _pending[key] = _Pending(loop=loop)
    if entry.newest is None or seq > entry.newest[0]:
        entry.newest = (seq, payload)
    if entry.task is None:
        entry.task = loop.create_task(_send_newest(entry, group, event))


def _server_loop() -> asyncio.AbstractEventLoop | None:
    """The ASGI server's loop when this is one of its worker threads (a sync view), else None."""
    loop = getattr(SyncToAsync.threadlocal, "main_event_loop", None)
    if loop is None or loop.is_closed() or not loop.is_running():
        return None
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return loop  # a worker thread of the server's running loop
    return None  # this thread runs a loop itself (a browser driver): send at once


def publish_state_on_commit(*, group: str, event: str, build: Callable[[], dict[str, Any]]) -> None:
    """After commit, send `build()`'s fresh state to the group, coalesced per window.

    Inside the server, at most one message per LIVE_COALESCE_SECONDS per group and event
    (across processes when Redis is configured), and always a last one after the final
    change. Outside it (commands, scripts) there is no loop to wait in: sent at once.
    """

    def submit() -> None:
        # Numbered before the read: a state numbered later was read later.
        seq = next_sequence()
        payload = build()
        loop = _server_loop()
        if loop is None:
            send_now(group=group, event=event, payload=payload, seq=seq)
        else:
            # The request does not wait for the send; a fresh context, as the request's ends.
            loop.call_soon_threadsafe(
                _offer, group, event, seq, payload, context=contextvars.Context()
            )

    transaction.on_commit(submit, robust=True)
