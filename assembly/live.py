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
# Turnout and quorum change on every ballot and scan; sockets get the latest state at most
# once per window. The state is read when it is sent, never when it changed, so the last
# change is never lost: a commit during a window is covered by the trailing send at its end.


@dataclass
class _Pending:
    build: Callable[[], dict[str, Any]]
    loop: asyncio.AbstractEventLoop
    last_sent: float = float("-inf")
    timer: asyncio.TimerHandle | None = None
    lost_window_at: float | None = None


_pending: dict[tuple[str, str], _Pending] = {}
_window_clients: dict[int, Any] = {}


def coalesce_interval() -> float:
    return settings.LIVE_COALESCE_SECONDS


async def _acquire_shared_window(group: str, event: str, interval: float) -> bool:
    """With Redis, one process at a time owns a window: several workers stay under the rate."""
    url = settings.REDIS_URL
    if not url:
        return True
    import redis.asyncio as aioredis

    loop_key = id(asyncio.get_running_loop())
    client = _window_clients.get(loop_key)
    if client is None:
        client = _window_clients[loop_key] = aioredis.Redis.from_url(url)
    key = f"plenary:live-window:{group}:{event}"
    return bool(await client.set(key, 1, nx=True, px=max(1, int(interval * 1000))))


async def _send_latest(group: str, event: str) -> None:
    from channels.db import database_sync_to_async

    entry = _pending[(group, event)]
    entry.timer = None
    loop = asyncio.get_running_loop()
    interval = coalesce_interval()
    if not await _acquire_shared_window(group, event, interval):
        if entry.lost_window_at is None:
            # The owner may have read the state before our commit: try once more after it.
            entry.lost_window_at = loop.time()
            _schedule(group, event, interval)
        else:
            # A window taken after we first lost one was read after our commit: covered.
            entry.lost_window_at = None
        return
    entry.lost_window_at = None
    entry.last_sent = loop.time()
    # Numbered before the read: a snapshot numbered later has read a state at least as new.
    seq = next_sequence()
    # Not thread-sensitive: a trailing send runs long after the request that scheduled it.
    payload = await database_sync_to_async(entry.build, thread_sensitive=False)()
    layer = get_channel_layer()
    await layer.group_send(group, group_message(event=event, payload=payload, seq=seq))


def _schedule(group: str, event: str, delay: float) -> None:
    loop = asyncio.get_running_loop()
    entry = _pending[(group, event)]
    # A fresh context: the request's context (and its sync executor) is gone by then.
    entry.timer = loop.call_later(
        delay,
        lambda: loop.create_task(_send_latest(group, event)),
        context=contextvars.Context(),
    )


async def _submit(group: str, event: str, build: Callable[[], dict[str, Any]]) -> None:
    loop = asyncio.get_running_loop()
    entry = _pending.get((group, event))
    if entry is None or entry.loop is not loop:
        entry = _pending[(group, event)] = _Pending(build=build, loop=loop)
    entry.build = build
    if entry.timer is not None:
        return  # the trailing send will read the newest state
    wait = entry.last_sent + coalesce_interval() - loop.time()
    if wait <= 0:
        await _send_latest(group, event)
    else:
        _schedule(group, event, wait)


def _start_submit(group: str, event: str, build: Callable[[], dict[str, Any]]) -> None:
    asyncio.get_running_loop().create_task(
        _submit(group, event, build), context=contextvars.Context()
    )


def _inside_server_loop() -> bool:
    """True in a sync view run by the ASGI server, whose event loop outlives this call."""
    loop = getattr(SyncToAsync.threadlocal, "main_event_loop", None)
    if loop is None or loop.is_closed() or not loop.is_running():
        return False
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return True  # a worker thread of the server's running loop
    return False  # this thread runs a loop itself (a browser driver): send at once


def publish_state_on_commit(*, group: str, event: str, build: Callable[[], dict[str, Any]]) -> None:
    """After commit, send `build()`'s fresh state to the group, coalesced per window.

    Inside the server, at most one message per LIVE_COALESCE_SECONDS per group and event
    (across processes when Redis is configured), and always a last one after the final
    change. Outside it (commands, scripts) there is no loop to wait in: sent at once.
    """

    def submit() -> None:
        if _inside_server_loop():
            # Hand over to the server's loop without waiting: the request answers at once,
            # and the window's read and send happen on the loop's time, not the desk's.
            loop = SyncToAsync.threadlocal.main_event_loop
            loop.call_soon_threadsafe(_start_submit, group, event, build)
        else:
            seq = next_sequence()
            send_now(group=group, event=event, payload=build(), seq=seq)

    transaction.on_commit(submit, robust=True)


def staff_group(assembly_id: int) -> str:
    """Desks, the secretariat and the chair: check-in counts and badge changes, never delegates."""
    return f"assembly.{assembly_id}.staff"
