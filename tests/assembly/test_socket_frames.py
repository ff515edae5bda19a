"""Sockets ignore frames that are not JSON text and refuse addresses they cannot read, cleanly."""

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser

from assembly.asgi import application
from tests.factories import AssemblyFactory, DelegateFactory
from tests.voting.test_live_consumers import own_loop

pytestmark = pytest.mark.django_db(transaction=True)

GARBAGE = [
    {"text_data": "not json"},
    {"bytes_data": b"\x00\x01"},
    {"text_data": "x" * 1_000_000},
    {"text_data": "[1, 2]"},
    {"text_data": '{"type": "unknown"}'},
]


@database_sync_to_async
def delegate_and_user():
    delegate = DelegateFactory()
    return delegate.assembly, delegate.user


@pytest.mark.parametrize("socket", ["", "room/", "now/"])
@own_loop
async def test_garbage_frames_are_ignored_and_the_socket_stays_open(socket):
    assembly, user = await delegate_and_user()
    communicator = WebsocketCommunicator(
        application, f"/ws/a/{assembly.slug}/{socket}", headers=[(b"origin", b"http://127.0.0.1")]
    )
    communicator.scope["user"] = user
    connected, code = await communicator.connect()
    assert connected, code
    assert (await communicator.receive_json_from())["type"] == "snapshot"
    for frame in GARBAGE:
        await communicator.send_to(**frame)
        assert await communicator.receive_nothing(timeout=0.3)
    if socket == "now/":  # the one socket that answers a request: it still does
        await communicator.send_json_to({"type": "snapshot"})
        assert (await communicator.receive_json_from())["type"] == "snapshot"
    await communicator.disconnect()


@own_loop
async def test_a_room_address_with_bytes_that_are_not_utf8_is_refused_not_a_crash():
    assembly = await database_sync_to_async(AssemblyFactory)()
    communicator = WebsocketCommunicator(
        application, f"/ws/a/{assembly.slug}/room/", headers=[(b"origin", b"http://127.0.0.1")]
    )
    communicator.scope["user"] = AnonymousUser()
    communicator.scope["query_string"] = b"display=1&projector=\xff\xfe"
    connected, code = await communicator.connect()
    assert (connected, code) == (False, 4403)
