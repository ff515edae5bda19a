"""Room snapshots shared by the sockets of one process: one read for many phones, never older
than what the room has heard, and each audience still its own view."""

import pytest
from channels.db import database_sync_to_async

from tests.voting.test_live_consumers import joined, messages_of, own_loop, user_of
from voting import consumers
from voting.services import cast_ballots, close_poll

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def reads(monkeypatch):
    """How many times the room state is read from the database for a socket."""
    counted = []
    read = consumers.room_snapshot

    def counting(assembly, roles):
        counted.append(roles)
        return read(assembly, roles)

    monkeypatch.setattr(consumers, "room_snapshot", counting)
    return counted


def without_clock(snapshot):
    return {key: value for key, value in snapshot["payload"].items() if key != "now"}


async def phones(assembly, delegates):
    found = []
    for delegate in delegates:
        found.append(await joined(assembly, await database_sync_to_async(user_of)(delegate)))
    return found


async def hang_up(sockets):
    for communicator, _snapshot in sockets:
        await communicator.disconnect()


@own_loop
async def test_phones_reconnecting_to_a_quiet_room_share_one_read_of_it(
    assembly, open_secret_poll, present_voters, reads
):
    sockets = await phones(assembly, present_voters)
    # The first read comes before the process listens to the poll's turnout: the second phone
    # reads again, and the others take its read.
    assert len(reads) == 2
    first = without_clock(sockets[0][1])
    assert all(without_clock(snapshot) == first for _socket, snapshot in sockets)
    assert [p["id"] for p in first["polls"]] == [open_secret_poll.pk]
    await hang_up(sockets)


@own_loop
async def test_a_phone_reconnecting_after_a_ballot_sees_its_turnout(
    assembly, open_secret_poll, present_voters, reads
):
    sockets = await phones(assembly, present_voters[:3])
    await database_sync_to_async(cast_ballots)(
        poll=open_secret_poll, delegate=present_voters[0], choices=["yes"]
    )
    turnout = await messages_of(sockets[0][0], "poll.turnout")
    assert turnout[-1]["payload"]["turnout"] == 1
    [(late, snapshot)] = await phones(assembly, present_voters[3:4])
    assert snapshot["payload"]["polls"][0]["turnout"] == 1
    assert snapshot["seq"] >= turnout[-1]["seq"]
    await hang_up([*sockets, (late, snapshot)])


@own_loop
async def test_a_phone_reconnecting_after_the_close_sees_it_closed_without_counts(
    assembly, open_secret_poll, present_voters, chair_user
):
    sockets = await phones(assembly, present_voters[:3])
    chair, _snapshot = await joined(assembly, chair_user)
    await database_sync_to_async(cast_ballots)(
        poll=open_secret_poll, delegate=present_voters[0], choices=["yes"]
    )
    await database_sync_to_async(close_poll)(poll=open_secret_poll, by=chair_user)
    [closed] = await messages_of(sockets[0][0], "poll.state")
    assert closed["payload"]["state"] == "closed"

    [(late, snapshot)] = await phones(assembly, present_voters[3:4])
    [poll] = snapshot["payload"]["polls"]
    assert (poll["state"], poll["turnout"], poll["result"]) == ("closed", 1, None)
    second_chair, chair_snapshot = await joined(assembly, chair_user)
    assert chair_snapshot["payload"]["polls"][0]["result"]["counts"]["yes"] == 1
    await hang_up([*sockets, (late, snapshot), (chair, None), (second_chair, None)])


@own_loop
async def test_the_chair_a_phone_and_the_chairs_projector_each_keep_their_view_of_a_closed_poll(
    assembly, open_secret_poll, present_voters, chair_user
):
    await database_sync_to_async(cast_ballots)(
        poll=open_secret_poll, delegate=present_voters[0], choices=["no"]
    )
    await database_sync_to_async(close_poll)(poll=open_secret_poll, by=chair_user)
    # The chair's side reads first, twice: its counts are shared with no one else.
    chairs = [await joined(assembly, chair_user) for _ in range(2)]
    sockets = await phones(assembly, present_voters[:3])
    screen = await joined(assembly, chair_user, "?display=1")
    chairs.append(await joined(assembly, chair_user))
    for _socket, snapshot in chairs:
        assert snapshot["payload"]["polls"][0]["result"]["counts"]["no"] == 1
    for _socket, snapshot in [*sockets, screen]:
        assert snapshot["payload"]["polls"][0]["state"] == "closed"
        assert snapshot["payload"]["polls"][0]["result"] is None
        assert snapshot["payload"]["polls"][0]["lines"] is None
    await hang_up([*chairs, *sockets, screen])
