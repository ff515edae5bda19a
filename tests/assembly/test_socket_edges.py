"""Sockets at their edges: the page's own origin only, unknown addresses and deep frames refused
cleanly, asked-for snapshots limited per socket, registrants kept out of the members' rooms."""

import logging

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser

from assembly.asgi import application
from assembly.origins import origin_allowed
from tests.factories import DelegateFactory
from tests.voting.test_live_consumers import own_loop

LOCAL = "http://127.0.0.1"
DEEP = "[" * 100_000 + "]" * 100_000


def handshake(origin: str | None, host: str | None = "127.0.0.1:8000", **scope: object) -> dict:
    headers = []
    if origin is not None:
        headers.append((b"origin", origin.encode()))
    if host is not None:
        headers.append((b"host", host.encode()))
    return {"type": "websocket", "path": "/ws/a/ga/", "headers": headers, **scope}


@pytest.mark.parametrize(
    "origin",
    ["http://127.0.0.1:8000", "HTTP://127.0.0.1:8000"],
)
def test_the_pages_own_origin_opens_a_socket(origin):
    assert origin_allowed(handshake(origin))


@pytest.mark.parametrize(
    "origin",
    [
        "http://127.0.0.1:9999",  # another port of the same host
        "https://127.0.0.1:8000",  # another scheme
        "http://127.0.0.1",
        "http://localhost:8000",  # an allowed host, but not the one the page is on
        "http://evil.example:8000",
        "null",
        "",
        None,
    ],
)
def test_any_other_origin_is_refused(origin):
    assert not origin_allowed(handshake(origin))


def test_a_host_the_site_does_not_answer_to_is_no_origin_of_ours():
    # DNS rebinding: evil.example resolved to this server, the page's origin matches its Host.
    assert not origin_allowed(handshake("http://evil.example:8000", host="evil.example:8000"))


def test_a_tls_socket_takes_the_https_origin():
    assert origin_allowed(handshake("https://localhost", host="localhost", scheme="wss"))
    assert not origin_allowed(handshake("http://localhost", host="localhost", scheme="wss"))


def test_behind_a_tls_proxy_the_forwarded_scheme_counts(settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    scope = handshake("https://localhost", host="localhost")
    scope["headers"].append((b"x-forwarded-proto", b"https"))
    assert origin_allowed(scope)


def test_a_trusted_origin_opens_a_socket_through_a_proxy(settings):
    settings.CSRF_TRUSTED_ORIGINS = ["https://ga.example.org", "https://*.wego.example"]
    assert origin_allowed(handshake("https://ga.example.org"))
    assert origin_allowed(handshake("https://desk.wego.example"))
    assert not origin_allowed(handshake("http://ga.example.org"))
    assert not origin_allowed(handshake("https://ga.example.org:8443"))


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
async def test_a_socket_from_another_port_is_refused_through_the_application():
    assembly, user = await delegate_of()
    path = f"/ws/a/{assembly.slug}/"
    headers = [(b"host", b"127.0.0.1:8000")]
    own, connected, _code = await open_socket(
        path, user, [*headers, (b"origin", b"http://127.0.0.1:8000")]
    )
    assert connected
    await own.disconnect()
    _other, connected, code = await open_socket(
        path, user, [*headers, (b"origin", b"http://127.0.0.1:9999")]
    )
    assert (connected, code) == (False, 4403)


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
