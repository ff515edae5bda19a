"""Sockets at their edges: the page's own origin only, unknown addresses and deep frames refused
cleanly, asked-for snapshots limited per socket, registrants kept out of the members' rooms."""

import asyncio
import logging

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser

from assembly.asgi import application
from assembly.origins import origin_allowed
from sessions.models import Visibility
from tests.agenda.factories import RoomFactory, SessionFactory, local
from tests.factories import AssemblyFactory, DelegateFactory
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


async def frames_until_quiet(communicator, quiet: float) -> list[tuple[float, dict]]:
    """Every frame the socket sends until it has been silent for `quiet` seconds, timed."""
    loop = asyncio.get_running_loop()
    frames = []
    while not await communicator.receive_nothing(timeout=quiet):
        frames.append((loop.time(), await communicator.receive_json_from()))
    return frames


@pytest.mark.django_db(transaction=True)
@own_loop
async def test_a_flood_of_snapshot_asks_gets_one_at_once_and_one_when_the_window_ends(
    monkeypatch,
):
    monkeypatch.setattr("sessions.consumers.SNAPSHOT_SECONDS", 1.0)
    assembly = await database_sync_to_async(AssemblyFactory)()
    path = f"/ws/a/{assembly.slug}/now/"
    communicator, connected, _code = await open_socket(path, AnonymousUser())
    assert connected
    first = await communicator.receive_json_from(timeout=3)
    for _ in range(200):
        await communicator.send_json_to({"type": "snapshot"})
    frames = await frames_until_quiet(communicator, quiet=2.5)
    assert [frame["type"] for _at, frame in frames] == ["snapshot", "snapshot"]
    (answered_at, answered), (coalesced_at, coalesced) = frames
    assert first["seq"] < answered["seq"] < coalesced["seq"]
    assert coalesced_at - answered_at > 0.5  # the rest waited for the window, then shared one
    await communicator.disconnect()


@pytest.mark.django_db(transaction=True)
@own_loop
async def test_asks_spread_out_are_each_answered(monkeypatch):
    monkeypatch.setattr("sessions.consumers.SNAPSHOT_SECONDS", 0.2)
    assembly = await database_sync_to_async(AssemblyFactory)()
    communicator, _connected, _code = await open_socket(
        f"/ws/a/{assembly.slug}/now/", AnonymousUser()
    )
    await communicator.receive_json_from(timeout=3)
    for _ in range(3):
        await asyncio.sleep(0.3)
        await communicator.send_json_to({"type": "snapshot"})
        assert (await communicator.receive_json_from(timeout=1))["type"] == "snapshot"
    await communicator.disconnect()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("socket", ["", "room/"])
@own_loop
async def test_a_submitted_registrant_is_refused_by_the_members_sockets(socket):
    assembly, user = await delegate_of(state="submitted")
    _communicator, connected, code = await open_socket(f"/ws/a/{assembly.slug}/{socket}", user)
    assert (connected, code) == (False, 4403)


@database_sync_to_async
def programme_with_members_only_session(assembly):
    for code, visibility in (("workshop", Visibility.PUBLIC), ("excom", Visibility.MEMBERS)):
        SessionFactory(
            assembly=assembly,
            room=RoomFactory(assembly=assembly, code=code, name=code),
            code=code,
            title=code,
            visibility=visibility,
            starts_at=local(assembly, 0, "09:30"),
            ends_at=local(assembly, 0, "11:30"),
        )


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("state", "seen"), [("submitted", {"workshop"}), ("approved", None)])
@own_loop
async def test_the_lobby_socket_shows_a_registrant_the_public_programme(state, seen):
    assembly, user = await delegate_of(state=state)
    await programme_with_members_only_session(assembly)
    communicator, connected, _code = await open_socket(f"/ws/a/{assembly.slug}/now/", user)
    assert connected
    snapshot = await communicator.receive_json_from(timeout=3)
    codes = {session["code"] for session in snapshot["payload"]["sessions"]}
    assert codes == (seen or {"workshop", "excom"})
    await communicator.disconnect()
