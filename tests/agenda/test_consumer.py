"""The now/next socket: a snapshot, then deltas with growing seq; members-only stays private."""

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser

from assembly.asgi import application
from sessions import services

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


async def connect(assembly, user):
    communicator = WebsocketCommunicator(
        application, f"/ws/a/{assembly.slug}/now/", headers=[(b"origin", b"http://127.0.0.1")]
    )
    communicator.scope["user"] = user
    connected, _ = await communicator.connect()
    assert connected
    return communicator


async def test_screen_gets_a_snapshot_then_the_move_as_a_delta(assembly, workshop, excom):
    communicator = await connect(assembly, AnonymousUser())
    snapshot = await communicator.receive_json_from()
    assert snapshot["type"] == "snapshot"
    assert [s["code"] for s in snapshot["payload"]["sessions"]] == ["workshop"]

    await database_sync_to_async(services.cancel_session)(session=workshop)
    event = await communicator.receive_json_from()
    assert event["type"] == "session.changed"
    assert event["payload"]["code"] == "workshop"
    assert event["payload"]["status"] == "cancelled"
    assert event["seq"] > snapshot["seq"]
    await communicator.disconnect()


async def test_public_screen_hears_nothing_of_members_only_sessions(assembly, workshop, excom):
    communicator = await connect(assembly, AnonymousUser())
    await communicator.receive_json_from()
    await database_sync_to_async(services.cancel_session)(session=excom)
    assert await communicator.receive_nothing(timeout=0.3)
    await communicator.disconnect()


async def test_member_screen_gets_members_only_sessions_and_their_changes(
    assembly, workshop, excom, delegate
):
    communicator = await connect(assembly, delegate.user)
    snapshot = await communicator.receive_json_from()
    assert {s["code"] for s in snapshot["payload"]["sessions"]} == {"workshop", "excom"}
    await database_sync_to_async(services.cancel_session)(session=excom)
    event = await communicator.receive_json_from()
    assert event["payload"]["code"] == "excom"
    await communicator.disconnect()


async def test_client_may_ask_for_a_fresh_snapshot(assembly, workshop):
    communicator = await connect(assembly, AnonymousUser())
    first = await communicator.receive_json_from()
    await communicator.send_json_to({"type": "snapshot"})
    second = await communicator.receive_json_from()
    assert second["type"] == "snapshot"
    assert second["seq"] > first["seq"]
    await communicator.disconnect()
