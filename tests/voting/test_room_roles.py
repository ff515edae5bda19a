"""A room socket reads its login's roles again before a closed poll's counts go out: a role taken
away, a logout or a deactivated account downgrades or ends the socket; turnout asks nothing."""

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from assembly.asgi import application
from assembly.models import Role, StaffRole
from tests.voting.test_live_consumers import joined, messages_of, own_loop, user_of
from voting import consumers
from voting.services import cast_ballots, close_poll, publish_poll

pytestmark = pytest.mark.django_db(transaction=True)


async def outputs(communicator, quiet=0.8):
    """Every frame or close until the socket stays quiet for `quiet` seconds."""
    found = []
    while not await communicator.receive_nothing(timeout=quiet):
        found.append(await communicator.receive_output())
        if found[-1]["type"] == "websocket.close":
            break
    return found


def closed_with(found):
    return [o.get("code") for o in found if o["type"] == "websocket.close"]


def counts_sent(found):
    return [o for o in found if o["type"] == "websocket.send" and '"counts"' in o["text"]]


async def vote_and_close(poll, voters, chair_user):
    await database_sync_to_async(cast_ballots)(poll=poll, delegate=voters[0], choices=["no"])
    await database_sync_to_async(close_poll)(poll=poll, by=chair_user)


def session_cookie(user) -> tuple[Client, bytes]:
    client = Client()
    client.force_login(user)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    return client, f"{settings.SESSION_COOKIE_NAME}={key}".encode()


async def joined_by_session(assembly, cookie):
    """A socket whose user the server reads from the session cookie, as a browser's is."""
    communicator = WebsocketCommunicator(
        application,
        f"/ws/a/{assembly.slug}/room/",
        headers=[(b"origin", b"http://127.0.0.1"), (b"cookie", cookie)],
    )
    connected, code = await communicator.connect()
    assert connected, code
    assert (await communicator.receive_json_from())["type"] == "snapshot"
    return communicator


@own_loop
async def test_a_secretariat_whose_role_was_deleted_gets_no_counts_and_is_closed(
    assembly, open_secret_poll, present_voters, secretariat_user, chair_user
):
    socket, _snapshot = await joined(assembly, secretariat_user)
    await database_sync_to_async(lambda: StaffRole.objects.filter(user=secretariat_user).delete())()
    await vote_and_close(open_secret_poll, present_voters, chair_user)
    found = await outputs(socket)
    assert counts_sent(found) == []
    assert closed_with(found) == [4403]


@own_loop
async def test_a_secretariat_who_is_also_a_delegate_is_downgraded_not_closed(
    assembly, open_secret_poll, present_voters, chair_user
):
    user = await database_sync_to_async(user_of)(present_voters[1])
    role = await database_sync_to_async(StaffRole.objects.create)(
        assembly=assembly, user=user, role=Role.SECRETARIAT
    )
    socket, _snapshot = await joined(assembly, user)
    await database_sync_to_async(role.delete)()
    await vote_and_close(open_secret_poll, present_voters, chair_user)
    [closed] = await messages_of(socket, "poll.state")
    assert (closed["payload"]["state"], closed["payload"]["result"]) == ("closed", None)
    # Still in the room as a delegate: the published result comes as to every phone.
    await database_sync_to_async(publish_poll)(poll=open_secret_poll, by=chair_user)
    [published] = await messages_of(socket, "poll.state")
    assert published["payload"]["result"]["counts"]["no"] == 1
    await socket.disconnect()


@own_loop
async def test_a_logged_out_session_gets_no_counts_and_is_closed(
    assembly, open_secret_poll, present_voters, secretariat_user, chair_user
):
    browser, cookie = await database_sync_to_async(session_cookie)(secretariat_user)
    socket = await joined_by_session(assembly, cookie)
    await database_sync_to_async(browser.logout)()
    await vote_and_close(open_secret_poll, present_voters, chair_user)
    found = await outputs(socket)
    assert counts_sent(found) == []
    assert closed_with(found) == [4403]


def deactivate(user):
    user.is_active = False
    user.save()


def new_password(user):
    user.set_password("a new one, after a lost laptop")
    user.save()


@pytest.mark.parametrize("change", [deactivate, new_password])
@own_loop
async def test_a_deactivated_or_repassworded_account_gets_no_counts_and_is_closed(
    assembly, open_secret_poll, present_voters, secretariat_user, chair_user, change
):
    _browser, cookie = await database_sync_to_async(session_cookie)(secretariat_user)
    socket = await joined_by_session(assembly, cookie)
    await database_sync_to_async(change)(secretariat_user)
    await vote_and_close(open_secret_poll, present_voters, chair_user)
    found = await outputs(socket)
    assert counts_sent(found) == []
    assert closed_with(found) == [4403]


@own_loop
async def test_a_standing_session_still_gets_the_closed_counts(
    assembly, open_secret_poll, present_voters, secretariat_user, chair_user
):
    _browser, cookie = await database_sync_to_async(session_cookie)(secretariat_user)
    socket = await joined_by_session(assembly, cookie)
    await vote_and_close(open_secret_poll, present_voters, chair_user)
    [closed] = await messages_of(socket, "poll.state")
    assert closed["payload"]["result"]["counts"]["no"] == 1
    await socket.disconnect()


@own_loop
async def test_turnout_reads_no_roles_and_a_close_reads_them_once(
    assembly, open_secret_poll, present_voters, chair_user, monkeypatch
):
    reads = []
    standing_roles = consumers.standing_roles

    async def counted(**kwargs):
        reads.append(kwargs["user_id"])
        return await standing_roles(**kwargs)

    monkeypatch.setattr(consumers, "standing_roles", counted)
    chair, _snapshot = await joined(assembly, chair_user)
    phone, _snapshot = await joined(
        assembly, await database_sync_to_async(user_of)(present_voters[0])
    )
    for delegate in present_voters[:3]:
        await database_sync_to_async(cast_ballots)(
            poll=open_secret_poll, delegate=delegate, choices=["yes"]
        )
    assert (await messages_of(phone, "poll.turnout"))[-1]["payload"]["turnout"] == 3
    assert (await messages_of(chair, "poll.turnout"))[-1]["payload"]["turnout"] == 3
    assert reads == []
    await database_sync_to_async(close_poll)(poll=open_secret_poll, by=chair_user)
    [closed] = await messages_of(chair, "poll.state")
    assert closed["payload"]["result"]["counts"]["yes"] == 3
    assert reads == [chair_user.pk]  # the chair's socket only: the phone sees no counts
    await chair.disconnect()
    await phone.disconnect()
