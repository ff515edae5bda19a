"""The now/next socket: join the public (and, for members, the members) group, snapshot, forward."""

from typing import Any

from channels.db import database_sync_to_async

from assembly.consumers import ListeningConsumer
from assembly.live import next_sequence
from assembly.models import Assembly
from sessions.live import session_payload, sessions_group
from sessions.selectors import is_member, visible_sessions


@database_sync_to_async
def assembly_and_membership(slug: str, user: Any) -> tuple[Assembly | None, bool]:
    assembly = Assembly.objects.filter(slug=slug).first()
    if assembly is None:
        return None, False
    return assembly, user is not None and is_member(user=user, assembly=assembly)


@database_sync_to_async
def programme_snapshot(assembly: Assembly, members: bool) -> dict[str, Any]:
    sessions = visible_sessions(assembly=assembly, members=members)
    return {
        "assembly": assembly.slug,
        "time_zone": assembly.time_zone,
        "sessions": [session_payload(session) for session in sessions],
    }


class NowNextConsumer(ListeningConsumer):
    """Lobby screens are public: anyone gets public sessions, members also members-only ones."""

    async def connect(self) -> None:
        slug = self.scope["url_route"]["kwargs"]["slug"]
        assembly, members = await assembly_and_membership(slug, self.scope.get("user"))
        if assembly is None:
            await self.close(code=4404)
            return
        self.groups_joined = [sessions_group(assembly.pk, members=False)]
        if members:
            self.groups_joined.append(sessions_group(assembly.pk, members=True))
        # Join before the snapshot: a change in between arrives as a delta with a later seq.
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()
        seq = next_sequence()
        snapshot = await programme_snapshot(assembly, members)
        await self.send_json({"type": "snapshot", "seq": seq, "payload": snapshot})

    async def disconnect(self, code: int) -> None:
        for group in getattr(self, "groups_joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        # A client that suspects a gap asks for the state again.
        if isinstance(content, dict) and content.get("type") == "snapshot":
            slug = self.scope["url_route"]["kwargs"]["slug"]
            assembly, members = await assembly_and_membership(slug, self.scope.get("user"))
            if assembly is not None:
                seq = next_sequence()
                snapshot = await programme_snapshot(assembly, members)
                await self.send_json({"type": "snapshot", "seq": seq, "payload": snapshot})

    async def live_event(self, message: dict[str, Any]) -> None:
        await self.send_json(
            {"type": message["event"], "seq": message["seq"], "payload": message["payload"]}
        )
