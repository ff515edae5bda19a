"""The live room socket: snapshot first, after-commit only, coalesced, no secret counts, roles."""

import asyncio
import functools
import threading
import time
from datetime import datetime

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser
from django.db import connections, transaction
from django.utils import timezone

from assembly.asgi import application
from assembly.live import assembly_group, broadcast_on_commit
from tests.factories import DelegateFactory
from tests.voting.factories import draft_poll
from voting import live
from voting.presence import record_hall_entry, record_hall_exit
from voting.services import cast_ballots, close_poll, open_poll, publish_poll

pytestmark = pytest.mark.django_db(transaction=True)


def own_loop(test):
    """Run an async test in a thread with its own event loop.

    The browser tests' Playwright keeps a loop running in the main thread for the session, so
    pytest-asyncio cannot start one there when these tests run after them.
    """

    @functools.wraps(test)
    def run(*args, **kwargs):
        failure = []

        def target():
            try:
                asyncio.run(test(*args, **kwargs))
            except BaseException as error:
                failure.append(error)
            finally:
                connections.close_all()

        thread = threading.Thread(target=target)
        thread.start()
        thread.join(timeout=120)
        if failure:
            raise failure[0]

    return run


async def connect(assembly, user, query=""):
    communicator = WebsocketCommunicator(
        application,
        f"/ws/a/{assembly.slug}/room/{query}",
        headers=[(b"origin", b"http://127.0.0.1")],
    )
    communicator.scope["user"] = user
    connected, code = await communicator.connect()
    return communicator, connected, code


async def joined(assembly, user, query=""):
    communicator, connected, code = await connect(assembly, user, query)
    assert connected, code
    snapshot = await communicator.receive_json_from()
    assert snapshot["type"] == "snapshot"
    return communicator, snapshot


async def frames(communicator, quiet=0.8):
    """Every frame until the socket stays quiet for `quiet` seconds."""
    found = []
    while not await communicator.receive_nothing(timeout=quiet):
        found.append(await communicator.receive_json_from())
    return found


def unbatched(received):
    """The messages in these frames, a batch frame read as the messages it carries."""
    return [m for f in received for m in (f["payload"] if f["type"] == "batch" else [f])]


async def messages_of(communicator, kind, quiet=0.8):
    """Every message of one type until the socket stays quiet for `quiet` seconds."""
    return [m for m in unbatched(await frames(communicator, quiet)) if m["type"] == kind]


def user_of(delegate):
    return delegate.user


@own_loop
async def test_a_phone_gets_the_room_snapshot_then_turnout_with_a_higher_seq(
    assembly, open_secret_poll, present_voters
):
    user = await database_sync_to_async(user_of)(present_voters[0])
    communicator, snapshot = await joined(assembly, user)
    payload = snapshot["payload"]
    assert payload["quorum"]["bodies"][0]["present"] == 5
    assert [p["id"] for p in payload["polls"]] == [open_secret_poll.pk]
    assert payload["polls"][0]["turnout"] == 0

    await database_sync_to_async(cast_ballots)(
        poll=open_secret_poll, delegate=present_voters[1], choices=["yes"]
    )
    turnout = await messages_of(communicator, "poll.turnout")
    assert [m["payload"]["turnout"] for m in turnout] == [1]
    assert turnout[0]["seq"] > snapshot["seq"]
    await communicator.disconnect()


@own_loop
async def test_a_rolled_back_ballot_sends_nothing(assembly, open_secret_poll, present_voters):
    user = await database_sync_to_async(user_of)(present_voters[0])
    communicator, _snapshot = await joined(assembly, user)

    def cast_then_fail() -> None:
        with transaction.atomic():
            cast_ballots(poll=open_secret_poll, delegate=present_voters[1], choices=["no"])
            raise RuntimeError("the request failed after the insert")

    with pytest.raises(RuntimeError):
        await database_sync_to_async(cast_then_fail)()
    assert await communicator.receive_nothing(timeout=0.8)
    await communicator.disconnect()


@own_loop
async def test_no_count_of_choices_reaches_any_socket_before_the_poll_closes(
    assembly, open_secret_poll, present_voters, chair_user
):
    phone_user = await database_sync_to_async(user_of)(present_voters[0])
    phone, phone_snapshot = await joined(assembly, phone_user)
    chair, chair_snapshot = await joined(assembly, chair_user)
    for snapshot in (phone_snapshot, chair_snapshot):
        assert snapshot["payload"]["polls"][0]["result"] is None
    for delegate in present_voters[:3]:
        await database_sync_to_async(cast_ballots)(
            poll=open_secret_poll, delegate=delegate, choices=["yes"]
        )
    for socket in (phone, chair):
        turnout = await messages_of(socket, "poll.turnout")
        assert turnout[-1]["payload"]["turnout"] == 3
        for message in turnout:
            assert set(message["payload"]) == {
                "poll",
                "state",
                "turnout",
                "turnout_weight",
                "eligible",
            }

    await database_sync_to_async(close_poll)(poll=open_secret_poll, by=chair_user)
    [phone_closed] = await messages_of(phone, "poll.state")
    [chair_closed] = await messages_of(chair, "poll.state")
    assert phone_closed["payload"]["state"] == "closed"
    assert phone_closed["payload"]["result"] is None
    assert chair_closed["payload"]["result"]["counts"]["yes"] == 3

    await database_sync_to_async(publish_poll)(poll=open_secret_poll, by=chair_user)
    [published] = await messages_of(phone, "poll.state")
    assert published["payload"]["result"]["counts"]["yes"] == 3
    assert published["payload"]["lines"]["sentence"].startswith("Adopted")
    await phone.disconnect()
    await chair.disconnect()


@own_loop
async def test_a_burst_of_ballots_is_coalesced_and_the_last_turnout_arrives(
    assembly, open_secret_poll, present_voters, settings
):
    settings.LIVE_COALESCE_SECONDS = 3.0
    user = await database_sync_to_async(user_of)(present_voters[0])
    communicator, _snapshot = await joined(assembly, user)
    started = time.monotonic()
    for delegate in present_voters:
        await database_sync_to_async(cast_ballots)(
            poll=open_secret_poll, delegate=delegate, choices=["abstain"]
        )
    elapsed = time.monotonic() - started
    turnout = await messages_of(communicator, "poll.turnout", quiet=4.0)
    # At most one per slot of the clock: the first at once, one per slot the burst reached, then
    # the last.
    assert len(turnout) <= 3 + int(elapsed / 3.0)
    assert len(turnout) < len(present_voters) or elapsed > 6.0
    assert turnout[-1]["payload"]["turnout"] == 5
    assert [m["seq"] for m in turnout] == sorted(m["seq"] for m in turnout)
    await communicator.disconnect()


@own_loop
async def test_a_scan_out_moves_the_quorum_for_everyone_in_the_room(
    assembly, open_secret_poll, present_voters, chair_user
):
    communicator, _snapshot = await joined(assembly, chair_user)
    await database_sync_to_async(record_hall_exit)(delegate=present_voters[4], at=timezone.now())
    quorum = await messages_of(communicator, "quorum.changed")
    assert quorum[-1]["payload"]["bodies"][0]["present"] == 4
    await communicator.disconnect()


@own_loop
async def test_the_room_follows_a_poll_opened_after_connecting(
    assembly, motion, present_voters, chair_user
):
    user = await database_sync_to_async(user_of)(present_voters[0])
    communicator, snapshot = await joined(assembly, user)
    assert snapshot["payload"]["polls"] == []
    poll = await database_sync_to_async(draft_poll)(motion)
    await database_sync_to_async(open_poll)(poll=poll, by=chair_user)
    states = await messages_of(communicator, "poll.state", quiet=0.5)
    assert states[-1]["payload"]["state"] == "open"
    await database_sync_to_async(cast_ballots)(
        poll=poll, delegate=present_voters[0], choices=["yes"]
    )
    turnout = await messages_of(communicator, "poll.turnout")
    assert turnout[-1]["payload"]["turnout"] == 1
    await communicator.disconnect()


@own_loop
async def test_a_socket_without_a_role_is_refused(assembly, other_assembly):
    _communicator, connected, code = await connect(assembly, AnonymousUser())
    assert (connected, code) == (False, 4403)
    stranger = await database_sync_to_async(lambda: DelegateFactory(assembly=other_assembly).user)()
    _communicator, connected, code = await connect(assembly, stranger)
    assert (connected, code) == (False, 4403)


@own_loop
async def test_a_projector_link_opens_the_room_until_it_is_rotated(
    assembly, open_secret_poll, present_voters, chair_user
):
    token = await database_sync_to_async(live.projector_token)(assembly)
    screen, snapshot = await joined(assembly, AnonymousUser(), f"?display=1&projector={token}")
    assert snapshot["payload"]["polls"][0]["id"] == open_secret_poll.pk
    await screen.disconnect()

    await database_sync_to_async(live.rotate_projector_links)(assembly=assembly, by=chair_user)
    _communicator, connected, code = await connect(
        assembly, AnonymousUser(), f"?display=1&projector={token}"
    )
    assert (connected, code) == (False, 4403)
    _communicator, connected, code = await connect(
        assembly, AnonymousUser(), "?display=1&projector=forged"
    )
    assert (connected, code) == (False, 4403)


@own_loop
async def test_a_projector_opened_by_the_chair_shows_no_counts_before_publication(
    assembly, open_secret_poll, present_voters, chair_user
):
    await database_sync_to_async(cast_ballots)(
        poll=open_secret_poll, delegate=present_voters[0], choices=["no"]
    )
    await database_sync_to_async(close_poll)(poll=open_secret_poll, by=chair_user)
    screen, snapshot = await joined(assembly, chair_user, "?display=1")
    assert snapshot["payload"]["polls"][0]["state"] == "closed"
    assert snapshot["payload"]["polls"][0]["result"] is None
    await screen.disconnect()


@own_loop
async def test_snapshots_taken_while_ballots_land_never_run_ahead_of_later_messages(
    assembly, open_secret_poll, present_voters
):
    """Seq is taken before the read on both sides: a client keeping the newest never goes back."""
    user = await database_sync_to_async(user_of)(present_voters[0])
    communicator, snapshot = await joined(assembly, user)
    shown = snapshot["payload"]["polls"][0]["turnout"]
    last_seq = snapshot["seq"]
    casts = asyncio.gather(
        *[
            database_sync_to_async(cast_ballots)(poll=open_secret_poll, delegate=d, choices=["yes"])
            for d in present_voters
        ]
    )
    await casts
    for message in await messages_of(communicator, "poll.turnout"):
        if message["seq"] > last_seq:
            assert message["payload"]["turnout"] >= shown
            shown, last_seq = message["payload"]["turnout"], message["seq"]
    assert shown == 5
    await communicator.disconnect()


@own_loop
async def test_desk_scans_and_badge_changes_do_not_reach_phones_in_the_room(
    assembly, open_secret_poll, present_voters
):
    user = await database_sync_to_async(user_of)(present_voters[0])
    phone, _snapshot = await joined(assembly, user)

    def desk_activity() -> None:
        with transaction.atomic():
            group = assembly_group(assembly.pk)
            payload = {"checkpoint": "entrance", "delegate": present_voters[3].pk}
            broadcast_on_commit(group=group, event="checkin.scan", payload=payload)
            broadcast_on_commit(group=group, event="badges.changed", payload={"delegate": 1})
        record_hall_exit(delegate=present_voters[4], at=timezone.now())

    await database_sync_to_async(desk_activity)()
    assert [m["type"] for m in unbatched(await frames(phone))] == ["quorum.changed"]
    await phone.disconnect()


async def arrivals(communicator, quiet):
    """Each frame with the time it arrived, read as it comes, until `quiet` seconds of silence."""
    found = []
    while not await communicator.receive_nothing(timeout=quiet):
        found.append((time.monotonic(), await communicator.receive_json_from()))
    return found


@own_loop
async def test_turnout_and_quorum_reach_a_phone_at_most_once_per_window_and_end_current(
    assembly, open_secret_poll, present_voters, settings
):
    settings.LIVE_COALESCE_SECONDS = 1.0
    user = await database_sync_to_async(user_of)(present_voters[0])
    phone, _snapshot = await joined(assembly, user)
    reading = asyncio.create_task(arrivals(phone, quiet=2.5))
    walker = present_voters[4]
    for n, delegate in enumerate(present_voters[:4]):
        await database_sync_to_async(cast_ballots)(
            poll=open_secret_poll, delegate=delegate, choices=["yes"]
        )
        move = record_hall_exit if n % 2 == 0 else record_hall_entry
        await database_sync_to_async(move)(delegate=walker, at=timezone.now())
    await database_sync_to_async(record_hall_exit)(delegate=walker, at=timezone.now())
    received = await reading
    # At most one frame a window: counted over the whole run, not as gaps between arrivals (on a
    # loaded machine one frame may arrive late and the next on time, a short gap).
    span = received[-1][0] - received[0][0]
    assert len(received) <= span / settings.LIVE_COALESCE_SECONDS + 2, [at for at, _ in received]
    messages = unbatched([frame for _at, frame in received])
    turnout = max((m for m in messages if m["type"] == "poll.turnout"), key=lambda m: m["seq"])
    quorum = max((m for m in messages if m["type"] == "quorum.changed"), key=lambda m: m["seq"])
    assert turnout["payload"]["turnout"] == 4
    assert quorum["payload"]["bodies"][0]["present"] == 4
    await phone.disconnect()


@own_loop
async def test_replacing_the_projector_link_closes_the_screens_it_opened(
    assembly, open_secret_poll, present_voters, chair_user
):
    """A revoked link kept receiving live updates (found by a tester); the chair's own screen,
    open by session, stays."""
    token = await database_sync_to_async(live.projector_token)(assembly)
    screen, _snapshot = await joined(assembly, AnonymousUser(), f"?display=1&projector={token}")
    chairs_screen, _snapshot = await joined(assembly, chair_user, "?display=1")
    await database_sync_to_async(live.rotate_projector_links)(assembly=assembly, by=chair_user)
    closed = await screen.receive_output(timeout=3)
    assert closed == {"type": "websocket.close", "code": 4410}
    await database_sync_to_async(cast_ballots)(
        poll=open_secret_poll, delegate=present_voters[0], choices=["yes"]
    )
    turnout = await messages_of(chairs_screen, "poll.turnout")
    assert [m["payload"]["turnout"] for m in turnout] == [1]
    await chairs_screen.disconnect()


@own_loop
async def test_a_quiet_room_socket_still_sends_a_heartbeat(
    assembly, open_secret_poll, present_voters, monkeypatch
):
    from voting import consumers

    monkeypatch.setattr(consumers, "HEARTBEAT_SECONDS", 0.2)
    user = await database_sync_to_async(user_of)(present_voters[0])
    phone, _snapshot = await joined(assembly, user)
    beats = [await phone.receive_json_from(timeout=2) for _ in range(2)]
    assert beats == [{"type": "heartbeat"}, {"type": "heartbeat"}]
    await phone.disconnect()


@own_loop
async def test_the_room_snapshot_carries_the_servers_clock(
    assembly, open_secret_poll, present_voters
):
    user = await database_sync_to_async(user_of)(present_voters[0])
    phone, snapshot = await joined(assembly, user)
    sent_at = datetime.fromisoformat(snapshot["payload"]["now"])
    assert abs((timezone.now() - sent_at).total_seconds()) < 5
    await phone.disconnect()
