"""The live room socket: quorum, poll states and the open polls' turnout, snapshot first."""

import json
from collections import OrderedDict
from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from assembly.live import assembly_group, next_sequence
from assembly.models import Assembly
from assembly.selectors import roles_for
from voting.live import (
    SEES_CLOSED_COUNTS,
    poll_group,
    poll_state_for,
    projector_link_valid,
    room_snapshot,
)

# What the room pages show; other events of the assembly group (desk scans, badges) are not
# theirs, and each scan would otherwise reach every phone.
ROOM_EVENTS = frozenset({"quorum.changed", "poll.turnout", "poll.state"})

# The same message reaches every socket of this process: encode it once, not once per socket.
_frames: OrderedDict[tuple, str] = OrderedDict()


def frame(message: dict[str, Any]) -> str:
    payload = message["payload"]
    key = (message["event"], message["seq"], payload.get("poll") or payload.get("id"))
    text = _frames.get(key)
    if text is None:
        text = json.dumps({"type": message["event"], "seq": message["seq"], "payload": payload})
        _frames[key] = text
        while len(_frames) > 64:
            _frames.popitem(last=False)
    return text


@database_sync_to_async
def audience(slug: str, user: Any, token: str) -> tuple[Assembly | None, frozenset, bool]:
    """The assembly, the caller's roles and whether a valid projector link stands in for them."""
    assembly = Assembly.objects.filter(slug=slug).first()
    if assembly is None:
        return None, frozenset(), False
    roles = roles_for(user=user, assembly=assembly)
    return assembly, roles, projector_link_valid(assembly=assembly, token=token)


class RoomConsumer(AsyncJsonWebsocketConsumer):
    """Anyone with a role at the assembly, or a projector link; others are refused with 4403.

    Joins the assembly group and the group of every open poll (following polls as they open
    and close). Counts of choices reach a socket only when its audience may see them.
    """

    async def connect(self) -> None:
        slug = self.scope["url_route"]["kwargs"]["slug"]
        query = parse_qs(self.scope.get("query_string", b"").decode())
        token = (query.get("projector") or [""])[0]
        assembly, roles, projector = await audience(slug, self.scope.get("user"), token)
        if assembly is None or not (roles or projector):
            await self.close(code=4403)
            return
        # A projector shows what the public sees, whoever's session opened it.
        self.roles = frozenset() if "display" in query else roles
        self.groups_joined: set[str] = set()
        await self.join(assembly_group(assembly.pk))
        await self.accept()
        # Numbered before the read: any message numbered later reflects a state at least as new.
        seq = next_sequence()
        snapshot = await database_sync_to_async(room_snapshot)(assembly, self.roles)
        for poll in snapshot["polls"]:
            if poll["state"] == "open":
                await self.join(poll_group(poll["id"]))
        await self.send_json({"type": "snapshot", "seq": seq, "payload": snapshot})

    async def dispatch(self, message: dict[str, Any]) -> None:
        # channels closes stale database connections in a thread before every handler: for a
        # group message that is one thread hop per socket (500 queued behind each other per
        # message). Forwarding reads no database; the one read below closes its own.
        if message["type"] == "live.event":
            await self.live_event(message)
        else:
            await super().dispatch(message)

    async def join(self, group: str) -> None:
        if group not in self.groups_joined:
            self.groups_joined.add(group)
            await self.channel_layer.group_add(group, self.channel_name)

    async def leave(self, group: str) -> None:
        if group in self.groups_joined:
            self.groups_joined.discard(group)
            await self.channel_layer.group_discard(group, self.channel_name)

    async def disconnect(self, code: int) -> None:
        for group in list(getattr(self, "groups_joined", ())):
            await self.leave(group)

    async def live_event(self, message: dict[str, Any]) -> None:
        if message["event"] not in ROOM_EVENTS:
            return
        payload = message["payload"]
        if message["event"] == "poll.state":
            group = poll_group(payload["id"])
            if payload["state"] == "open":
                await self.join(group)
            else:
                await self.leave(group)
            if payload["state"] == "closed" and self.roles & SEES_CLOSED_COUNTS:
                # The chair side sees a closed poll's counts; the broadcast carries none.
                payload = await database_sync_to_async(poll_state_for)(payload["id"], self.roles)
                if payload is not None:
                    await self.send_json(
                        {"type": message["event"], "seq": message["seq"], "payload": payload}
                    )
                return
        await self.send(text_data=frame(message))
