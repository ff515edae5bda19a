"""Sockets at their edges: the page's own origin only, unknown addresses and deep frames refused
cleanly, asked-for snapshots limited per socket, registrants kept out of the members' rooms."""

import logging

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser

from assembly.asgi import application
from tests.factories import DelegateFactory
from tests.voting.test_live_consumers import own_loop

LOCAL = "http://127.0.0.1"
DEEP = "[" * 100_000 + "]" * 100_000


@database_sync_to_async
def delegate_of(state: str = "approved"):
    delegate = DelegateFactory(state=state)
    return delegate.assembly, delegate.user


async def open_socket(path: str, user, headers=None):
    communicator = WebsocketCommunicator(
        application, path, headers=headers or [(b"origin", LOCAL.encode())]
    )
    communicator.scope["user"] = user
    connected, code = await communicator.connect()
    return communicator, connected, code


@pytest.mark.django_db(transaction=True)
@own_loop
async def test_an_unknown_address_is_refused_without_an_error(caplog):
    with caplog.at_level(logging.WARNING):
        _socket, connected, code = await open_socket("/ws/nothing/", AnonymousUser())
    assert (connected, code) == (False, 4404)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("socket", ["", "room/", "now/"])
@own_loop
async def test_a_deeply_nested_frame_is_ignored_and_the_socket_stays_open(socket, caplog):
    assembly, user = await delegate_of()
    communicator, connected, code = await open_socket(f"/ws/a/{assembly.slug}/{socket}", user)
    assert connected, code
    assert (await communicator.receive_json_from())["type"] == "snapshot"
    with caplog.at_level(logging.WARNING):
        await communicator.send_to(text_data=DEEP)
        assert await communicator.receive_nothing(timeout=0.3)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    if socket == "now/":  # it still answers what it answers
        await communicator.send_json_to({"type": "snapshot"})
        assert (await communicator.receive_json_from())["type"] == "snapshot"
    await communicator.disconnect()
