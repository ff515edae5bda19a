"""The assembly's live socket: authenticate, join the assembly group, snapshot, then forward."""

import json
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer, AsyncWebsocketConsumer

from assembly.live import assembly_group, next_sequence, staff_group
from assembly.models import STAFF_ROLES, Assembly
from assembly.selectors import member_counts, roles_for


@database_sync_to_async
def assembly_with_roles(slug: str, user: Any) -> tuple[Assembly | None, frozenset]:
    assembly = Assembly.objects.filter(slug=slug).first()
    if assembly is None:
        return None, frozenset()
    return assembly, roles_for(user=user, assembly=assembly)


@database_sync_to_async
def assembly_snapshot(assembly: Assembly) -> dict[str, Any]:
    return {"assembly": assembly.slug, "name": assembly.name, "members": member_counts(assembly)}


class ListeningConsumer(AsyncJsonWebsocketConsumer):
    """A socket that mostly listens: a frame that is not JSON text (binary, empty, garbage,
    arrays nested deeper than the decoder goes) is ignored rather than crashing the connection
    with an unhandled error."""

    async def receive(
        self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs: Any
    ) -> None:
        if not text_data:
            return
        try:
            content = json.loads(text_data)
        except (ValueError, RecursionError):
            return
        await self.receive_json(content, **kwargs)


class Refused(AsyncWebsocketConsumer):
    """A socket refused at the handshake (the browser sees HTTP 403): an address no route
    takes, an origin not the page's own. Not an error in the log."""

    channel_layer_alias = None  # it hears nothing: no channel to make

    def __init__(self, *args: Any, code: int = 4403, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.code = code

    async def connect(self) -> None:
        await self.close(code=self.code)


class AssemblyConsumer(ListeningConsumer):
    """Anyone with a role at the assembly may listen; others are refused with code 4403.

    Staff also join the staff group: check-in counts and badge changes are not for delegates.
    """

    async def connect(self) -> None:
        slug = self.scope["url_route"]["kwargs"]["slug"]
        assembly, roles = await assembly_with_roles(slug, self.scope.get("user"))
        if assembly is None or not roles:
            await self.close(code=4403)
            return
        self.groups_joined = [assembly_group(assembly.pk)]
        if roles & STAFF_ROLES:
            self.groups_joined.append(staff_group(assembly.pk))
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()
        seq = next_sequence()
        await self.send_json(
            {"type": "snapshot", "seq": seq, "payload": await assembly_snapshot(assembly)}
        )

    async def disconnect(self, code: int) -> None:
        for group in getattr(self, "groups_joined", ()):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def live_event(self, message: dict[str, Any]) -> None:
        await self.send_json(
            {"type": message["event"], "seq": message["seq"], "payload": message["payload"]}
        )
