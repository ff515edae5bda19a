"""The live layer: sent after commit only, coalesced under a burst, the last state never lost."""

import asyncio
import threading
import time

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import transaction

from assembly.live import broadcast_on_commit, publish_state_on_commit

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


async def listen(group: str) -> str:
    layer = get_channel_layer()
    channel = await layer.new_channel("test.")
    await layer.group_add(group, channel)
    return channel


async def drain(channel: str, quiet: float = 0.6) -> list[dict]:
    layer = get_channel_layer()
    received = []
    while True:
        try:
            received.append(await asyncio.wait_for(layer.receive(channel), timeout=quiet))
        except TimeoutError:
            return received


def close_after(fn):
    """Run fn as a command would, then give the thread's connection back."""
    from django.db import close_old_connections, connection

    def wrapper() -> None:
        try:
            fn()
        finally:
            connection.close()
            close_old_connections()

    return wrapper


async def test_a_rolled_back_change_sends_nothing():
    channel = await listen("g.rollback")

    def change_then_fail() -> None:
        with transaction.atomic():
            broadcast_on_commit(group="g.rollback", event="x.changed", payload={"n": 1})
            publish_state_on_commit(group="g.rollback", event="y.changed", build=lambda: {})
            raise RuntimeError("refused")

    with pytest.raises(RuntimeError):
        await database_sync_to_async(change_then_fail)()
    assert await drain(channel) == []


async def test_a_burst_is_coalesced_and_the_last_state_arrives(settings):
    settings.LIVE_COALESCE_SECONDS = 0.25
    channel = await listen("g.burst")
    state = {"n": 0}

    def one_change() -> None:
        with transaction.atomic():
            state["n"] += 1
            publish_state_on_commit(
                group="g.burst", event="turnout.changed", build=lambda: dict(state)
            )

    loop = asyncio.get_running_loop()
    started = loop.time()
    for _ in range(100):
        await database_sync_to_async(one_change)()
        await asyncio.sleep(0.01)
    elapsed = loop.time() - started
    messages = await drain(channel)
    assert messages[-1]["payload"] == {"n": 100}
    # The first change at once, then one per slot of the clock the burst touched, then the last.
    assert len(messages) <= elapsed / 0.25 + 3
    seqs = [m["seq"] for m in messages]
    assert seqs == sorted(seqs)
    assert {m["type"] for m in messages} == {"live.event"}
    assert {m["event"] for m in messages} == {"turnout.changed"}


async def test_a_burst_shares_reads_of_the_state_and_the_last_read_follows_the_last_commit(
    settings,
):
    settings.LIVE_COALESCE_SECONDS = 0.25  # reads at most every 50 ms in a burst
    channel = await listen("g.reads")
    state = {"n": 0}
    reads = []

    def read_state() -> dict:
        reads.append(state["n"])
        return dict(state)

    def one_change() -> None:
        with transaction.atomic():
            state["n"] += 1
            publish_state_on_commit(group="g.reads", event="turnout.changed", build=read_state)

    loop = asyncio.get_running_loop()
    started = loop.time()
    for _ in range(60):
        await database_sync_to_async(one_change)()
        await asyncio.sleep(0.005)
    elapsed = loop.time() - started
    messages = await drain(channel)
    assert messages[-1]["payload"] == {"n": 60}
    assert reads[-1] == 60
    # Without sharing, each of the 60 commits read the state itself.
    assert len(reads) <= elapsed / 0.05 + 2 < 60


async def test_a_read_that_fails_is_read_again_and_the_last_state_arrives(settings):
    settings.LIVE_COALESCE_SECONDS = 0.25
    channel = await listen("g.retry")
    failures = []

    def read_state() -> dict:
        if not failures:  # as a pooled connection lost while idle fails its first statement
            failures.append(1)
            raise ConnectionError("server closed the connection unexpectedly")
        return {"name": "final"}

    def last_change() -> None:
        with transaction.atomic():
            publish_state_on_commit(group="g.retry", event="quorum.changed", build=read_state)

    await database_sync_to_async(last_change)()
    messages = await drain(channel)
    assert failures == [1]
    assert [m["payload"] for m in messages] == [{"name": "final"}]


async def test_outside_the_server_state_goes_out_at_once():
    channel = await listen("g.command")

    def command_change() -> None:
        with transaction.atomic():
            publish_state_on_commit(
                group="g.command", event="quorum.changed", build=lambda: {"ok": 1}
            )

    # A plain thread, as in a management command: no server loop to wait in.
    await asyncio.to_thread(close_after(command_change))
    messages = await drain(channel, quiet=0.3)
    assert [m["payload"] for m in messages] == [{"ok": 1}]


def newest(messages: list[dict]) -> dict:
    """What a client shows: the message numbered last, whatever order they arrived in."""
    return max(messages, key=lambda m: m["seq"])["payload"]


@pytest.mark.skipif(not settings.REDIS_URL, reason="workers share windows through Redis")
async def test_two_workers_share_one_window_and_the_newest_state_arrives(settings):
    settings.LIVE_COALESCE_SECONDS = 0.25
    channel = await listen("g.workers")
    state = {"n": 0}
    lock = threading.Lock()

    def one_change() -> None:
        with transaction.atomic():
            with lock:
                state["n"] += 1
            publish_state_on_commit(
                group="g.workers", event="turnout.changed", build=lambda: dict(state)
            )

    async def worker_burst() -> None:
        for _ in range(40):
            await database_sync_to_async(one_change)()
            await asyncio.sleep(0.01)

    other_done = []

    async def other_worker() -> None:
        await worker_burst()
        other_done.append(time.monotonic())
        await asyncio.sleep(1.0)  # a worker's loop outlives the request that changed state

    # A second event loop in another thread stands for a second worker process.
    other = threading.Thread(target=lambda: asyncio.run(other_worker()))
    started = time.monotonic()
    other.start()
    await worker_burst()
    ours_done = time.monotonic()
    await asyncio.to_thread(other.join)
    messages = await drain(channel)
    assert newest(messages) == {"n": 80}
    elapsed = max(ours_done, *other_done) - started
    # One message at most per slot the burst touched (an interval e long touches at most
    # e / 0.25 + 2 slots), then each worker's own last state in the slots that follow it.
    assert len(messages) <= elapsed / 0.25 + 2 + 2


async def test_sockets_of_one_process_share_one_group_member_and_release_it():
    from assembly.layers import group_fanout

    fanout = group_fanout()
    phone, screen = [], []
    await fanout.join("g.shared", "phone", phone.append)
    await fanout.join("g.shared", "screen", screen.append)
    await get_channel_layer().group_send("g.shared", {"type": "live.event", "n": 1})
    await asyncio.sleep(0.2)
    assert [m["n"] for m in phone] == [1]
    assert [m["n"] for m in screen] == [1]

    await fanout.leave("g.shared", "phone")
    await get_channel_layer().group_send("g.shared", {"type": "live.event", "n": 2})
    await asyncio.sleep(0.2)
    assert [m["n"] for m in phone] == [1]
    assert [m["n"] for m in screen] == [1, 2]
    await fanout.leave("g.shared", "screen")
    assert "g.shared" not in fanout.members


@pytest.mark.skipif(not settings.REDIS_URL, reason="workers share windows through Redis")
async def test_a_change_on_a_worker_whose_window_another_took_still_goes_out(settings):
    settings.LIVE_COALESCE_SECONDS = 0.5
    channel = await listen("g.taken")
    state = {"n": 0}

    def one_change() -> None:
        with transaction.atomic():
            state["n"] += 1
            publish_state_on_commit(
                group="g.taken", event="quorum.changed", build=lambda: dict(state)
            )

    await database_sync_to_async(one_change)()  # this worker sends at once and takes the window

    async def other_worker() -> None:
        await database_sync_to_async(one_change)()  # ... so this one must wait for it
        await asyncio.sleep(1.5)

    await asyncio.to_thread(lambda: asyncio.run(other_worker()))
    messages = await drain(channel)
    assert newest(messages) == {"n": 2}
