"""broadcast_on_commit() and publish_state_on_commit(): the only ways anything reaches a socket."""

import asyncio
import contextlib
import contextvars
import json
import logging
import os
import threading
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
# per window. A commit marks its group's state due; one reader thread per process reads each
# due state, numbered before the read, at once after a quiet spell and then at most once per
# read_gap() (a fifth of the window): a burst's commits share one read, where reading in every
# committing request had cost a ballot a sixth of its time (bench/ballots.py). The reader keeps
# its connection while reads follow each other: taking one from the pool for every read queued
# it behind the requests holding the pool (hundreds of ms under a ballot burst,
# bench/fanout.py). A window sends the newest state numbered so far.
#
# Windows are slots of the wall clock (multiples of LIVE_COALESCE_SECONDS), the same for every
# group and worker: a group sends at most once per slot, the first change after a quiet spell at
# once and later ones at the start of the next free slot. So the turnout and the quorum a phone
# follows arrive together and leave its socket as one frame, not as two a slot apart.
#
# The last change is never lost: a state stays due until the reader takes it, and the reader
# reads after taking it, so the state numbered last was read after every commit. With
# Redis the workers share the slots and the newest state: each worker shares its newest as
# soon as it has it, and the worker that takes a slot sends the newest of all; a worker drops
# its own only once a state numbered at least as late has gone out (read later, so it holds
# every commit its own held). Without sharing, a commit on the worker that lost a slot waited
# for the next one.

# Seqs are 19-digit strings (Lua numbers are doubles): compared as strings of equal length.
_NEWER = """
local function newer(a, b)
  return not b or #a > #b or (#a == #b and a > b)
end
local function share(key, seq, payload)
  if newer(seq, redis.call('HGET', key, 'seq')) then
    redis.call('HSET', key, 'seq', seq, 'payload', payload)
    redis.call('PEXPIRE', key, 3600000)
  end
end
"""
# KEYS: newest state. ARGV: seq, payload.
SHARE_STATE = _NEWER + "share(KEYS[1], ARGV[1], ARGV[2]) return 1"
# KEYS: newest state, this slot, last sent seq. ARGV: seq, payload, ms the slot key lives.
CLAIM_SLOT = (
    _NEWER
    + """
share(KEYS[1], ARGV[1], ARGV[2])
if not newer(ARGV[1], redis.call('GET', KEYS[3])) then
  return {0}
end
if not redis.call('SET', KEYS[2], '1', 'NX', 'PX', ARGV[3]) then
  return {1}
end
local newest = redis.call('HMGET', KEYS[1], 'seq', 'payload')
redis.call('SET', KEYS[3], newest[1], 'PX', 3600000)
return {2, newest[1], newest[2]}
"""
)
COVERED, BUSY, SEND = 0, 1, 2


@dataclass
class _Pending:
    loop: asyncio.AbstractEventLoop
    newest: tuple[int, dict[str, Any]] | None = None
    shared: int = 0  # the newest seq this process has shared with the others
    not_before: float = float("-inf")  # wall clock: the start of the next slot it may take
    task: asyncio.Task | None = None
    sharer: asyncio.Task | None = None


# One entry per loop too: each server process runs one loop; tests run several side by side.
_pending: dict[tuple[int, str, str], _Pending] = {}
_scripts: dict[int, tuple[Any, Any]] = {}


def coalesce_interval() -> float:
    return settings.LIVE_COALESCE_SECONDS


def _redis_scripts() -> tuple[Any, Any] | None:
    """This loop's (share, claim) scripts, or None without Redis (one process: nothing shared)."""
    url = settings.REDIS_URL
    if not url:
        return None
    import redis.asyncio as aioredis

    loop_key = id(asyncio.get_running_loop())
    scripts = _scripts.get(loop_key)
    if scripts is None:
        client = aioredis.Redis.from_url(url)
        scripts = client.register_script(SHARE_STATE), client.register_script(CLAIM_SLOT)
        _scripts[loop_key] = scripts
    return scripts


def _keys(group: str, event: str, slot: int = 0) -> list[str]:
    name = f"plenary-{settings.INSTANCE}"
    return [
        f"{name}:live-newest:{group}:{event}",
        f"{name}:live-slot:{group}:{event}:{slot}",
        f"{name}:live-sent:{group}:{event}",
    ]


async def _share_newest(entry: _Pending, group: str, event: str) -> None:
    """Put this process's newest state where whichever worker takes the next slot finds it."""
    try:
        while entry.newest is not None and entry.newest[0] > entry.shared:
            seq, payload = entry.newest
            share, _claim = _redis_scripts()
            await share(keys=_keys(group, event)[:1], args=[str(seq), json.dumps(payload)])
            entry.shared = max(entry.shared, seq)
    except Exception:
        logger.exception("sharing live state for %s failed; its own slot sends it", group)
    finally:
        entry.sharer = None


async def _claim_slot(
    group: str, event: str, seq: int, payload: dict[str, Any], slot: int, interval: float
) -> tuple[int, int, dict[str, Any]]:
    """May this process send in this slot, and what? (verdict, seq and state to send)."""
    scripts = _redis_scripts()
    if scripts is None:
        return SEND, seq, payload
    _share, claim = scripts
    args = [str(seq), json.dumps(payload), max(1, int(2000 * interval))]
    verdict, *newest = await claim(keys=_keys(group, event, slot), args=args)
    if int(verdict) != SEND:
        return int(verdict), seq, payload
    return SEND, int(newest[0]), json.loads(newest[1])


async def _send_newest(entry: _Pending, group: str, event: str) -> None:
    """Send the newest state of one group and event, one slot at a time, until none is left."""
    try:
        while entry.newest is not None:
            wait = entry.not_before - time.time()
            if wait > 0:
                await asyncio.sleep(wait)
            seq, payload = entry.newest
            interval = coalesce_interval()
            slot = int(time.time() // interval)
            entry.not_before = (slot + 1) * interval
            try:
                verdict, seq_out, payload_out = await _claim_slot(
                    group, event, seq, payload, slot, interval
                )
            except Exception:  # Redis away: a message too many beats a lost one
                logger.exception("live slot claim failed; sending anyway")
                verdict, seq_out, payload_out = SEND, seq, payload
            if verdict == BUSY:
                continue  # another worker sends in this slot; ours is shared for the next
            if entry.newest[0] <= seq_out:
                entry.newest = None
            if verdict == SEND:
                await get_channel_layer().group_send(
                    group, group_message(event=event, payload=payload_out, seq=seq_out)
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
    elif entry.sharer is None and settings.REDIS_URL:
        # A slot is awaited here: share now, the other worker may take the next slot.
        entry.sharer = loop.create_task(_share_newest(entry, group, event))


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
    """After commit, read `build()` at once and send the newest state to the group, coalesced.

    Inside the server, at most one message per LIVE_COALESCE_SECONDS slot per group and
    event (across processes when Redis is configured), and always a last one after the final
    change; the request does not wait for it. Outside the server (commands, scripts) there
    is no loop to wait in: sent at once.
    """

    def submit() -> None:
        loop = _server_loop()
        if loop is None:
            # Numbered before the read: a state numbered later was read later.
            seq = next_sequence()
            send_now(group=group, event=event, payload=build(), seq=seq)
        else:
            _reader.mark_due(loop, group, event, build)

    transaction.on_commit(submit, robust=True)


class _StateReader:
    """Reads due states on one thread per process and offers them to their server loop.

    A state is due from a commit until the reader takes it; the reader reads each state it
    takes after taking it (a read that fails is due again, RETRIES times at most). Reads of
    a burst come at most every read_gap(), on a connection the thread keeps until no state
    has been due for LINGER_SECONDS.
    """

    LINGER_SECONDS = 1.0
    RETRIES = 10  # a failed read (a connection lost while idle) is tried again, a gap apart

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._due: dict[tuple[int, str, str], tuple[asyncio.AbstractEventLoop, Callable, int]] = {}
        self._reading = False
        self._thread: threading.Thread | None = None
        self._exiting = False  # the thread has found nothing due and is ending
        self._stopping = False

    @staticmethod
    def read_gap() -> float:
        return coalesce_interval() / 5

    def mark_due(
        self, loop: asyncio.AbstractEventLoop, group: str, event: str, build: Callable
    ) -> None:
        with self._changed:
            # A state already due is read after this commit: it covers it.
            self._due.setdefault((id(loop), group, event), (loop, build, 0))
            if self._thread is None or self._exiting or not self._thread.is_alive():
                self._stopping = self._exiting = False
                self._thread = threading.Thread(
                    target=self._run, name="live-state-reader", daemon=True
                )
                self._thread.start()
            self._changed.notify_all()

    def wait(self) -> None:
        """Until every due state has been read and offered (tests, scripts)."""
        with self._changed:
            self._changed.wait_for(lambda: not self._due and not self._reading)

    def stop(self) -> None:
        """Read what is due, give the thread's connection back and end the thread."""
        with self._changed:
            thread = self._thread
            self._stopping = True
            self._changed.notify_all()
        if thread is not None:
            thread.join()

    def _run(self, breaks: int = 0) -> None:
        from django.db import connection

        try:
            self._read_until_idle()
        except Exception:
            # Not a failed read (those are retried): the thread itself broke. Another takes
            # over what is due, so the last state still goes out and wait() still returns.
            logger.exception("the live state reader broke; another thread takes over")
            time.sleep(self.read_gap())
            self._hand_over(breaks + 1)
        finally:
            with contextlib.suppress(Exception):
                connection.close()  # this thread's connection, back to the pool

    def _hand_over(self, breaks: int) -> None:
        with self._changed:
            self._reading = False
            if self._due and breaks > self.RETRIES:
                logger.error("the live state reader broke %s times; dropping %s", breaks, self._due)
                self._due.clear()
            if self._due:
                self._thread = threading.Thread(
                    target=self._run, args=(breaks,), name="live-state-reader", daemon=True
                )
                self._thread.start()
            else:
                self._exiting = True  # a later mark_due starts another thread
            self._changed.notify_all()

    def _read_until_idle(self) -> None:
        last_read = float("-inf")
        while self._wait_for_due():
            time.sleep(max(0.0, last_read + self.read_gap() - time.monotonic()))
            with self._changed:
                taken, self._due = self._due, {}
                self._reading = True
            last_read = time.monotonic()
            unread = dict(taken)  # due again if this thread breaks before reading them
            try:
                for key, (loop, build, failures) in taken.items():
                    read = self._read_and_offer(loop, key[1], key[2], build)
                    del unread[key]
                    if not read and failures < self.RETRIES:
                        with self._changed:
                            self._due.setdefault(key, (loop, build, failures + 1))
            finally:
                with self._changed:
                    for key, due in unread.items():
                        self._due.setdefault(key, due)
                    self._reading = False
                    self._changed.notify_all()

    def _wait_for_due(self) -> bool:
        """Until a state is due (True) or the reader stops with none due (False); a reader
        idle for LINGER_SECONDS gives its connection back meanwhile."""
        from django.db import connection

        with self._changed:
            if self._changed.wait_for(lambda: self._due or self._stopping, self.LINGER_SECONDS):
                return self._keep_reading()
        connection.close()
        with self._changed:
            self._changed.wait_for(lambda: self._due or self._stopping)
            return self._keep_reading()

    def _keep_reading(self) -> bool:
        """Under the lock: go on while a state is due; else end, and a later mark_due starts
        another thread (this one may still be alive for a moment)."""
        self._exiting = not self._due
        return not self._exiting

    @staticmethod
    def _read_and_offer(
        loop: asyncio.AbstractEventLoop, group: str, event: str, build: Callable
    ) -> bool:
        from django.db import connection

        # Numbered before the read: a state numbered later was read later.
        seq = next_sequence()
        try:
            payload = build()
        except Exception:
            logger.exception("reading live state for %s failed; reading it again", group)
            connection.close()  # a broken connection is not kept
            return False
        with contextlib.suppress(RuntimeError):  # that loop has closed: nobody to send to
            loop.call_soon_threadsafe(
                _offer, group, event, seq, payload, context=contextvars.Context()
            )
        return True


_reader = _StateReader()
# A forked child has no reader thread, and the lock may have been held by one at the fork.
os.register_at_fork(after_in_child=_reader.__init__)


def stop_state_reader() -> None:
    _reader.stop()


def staff_group(assembly_id: int) -> str:
    """Desks, the secretariat and the chair: check-in counts and badge changes, never delegates."""
    return f"assembly.{assembly_id}.staff"
