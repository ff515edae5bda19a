"""The now/next socket: join the public (and, for members, the members) group, snapshot, forward."""

import asyncio
import contextlib
from typing import Any

from channels.db import database_sync_to_async

from assembly.consumers import ListeningConsumer
from assembly.live import next_sequence
from assembly.models import Assembly
from sessions.live import session_payload, sessions_group
from sessions.selectors import is_member, visible_sessions

# A socket's asked-for snapshots: the first at once, then at most one per this many seconds;
# asks in between are answered together by one snapshot when the window ends. (Each is a read
# and the whole programme: a lobby screen asking a thousand times cost a thousand of them.)
SNAPSHOT_SECONDS = 5.0


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
    """Lobby screens are public: anyone gets public sessions, members also members-only ones.

    A client that suspects a gap may ask for the state again ({"type": "snapshot"}), within
    SNAPSHOT_SECONDS per socket.
    """

    next_snapshot_at = 0.0  # loop time from which an asked-for snapshot may go at once
    planned: asyncio.Task | None = None  # the snapshot that answers the asks waiting

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
        if self.planned is not None:
            self.planned.cancel()
        for group in getattr(self, "groups_joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if isinstance(content, dict) and content.get("type") == "snapshot" and not self.planned:
            self.planned = asyncio.get_running_loop().create_task(self.snapshot_when_due())

    async def snapshot_when_due(self) -> None:
        """Send a fresh snapshot once the socket's window allows; asks until then share it."""
        loop = asyncio.get_running_loop()
        await asyncio.sleep(max(0.0, self.next_snapshot_at - loop.time()))
        self.next_snapshot_at = loop.time() + SNAPSHOT_SECONDS
        self.planned = None  # an ask from now on wants a state newer than this one
        slug = self.scope["url_route"]["kwargs"]["slug"]
        assembly, members = await assembly_and_membership(slug, self.scope.get("user"))
        if assembly is not None:
            seq = next_sequence()
            snapshot = await programme_snapshot(assembly, members)
            with contextlib.suppress(OSError):  # the socket closed meanwhile
                await self.send_json({"type": "snapshot", "seq": seq, "payload": snapshot})

    async def live_event(self, message: dict[str, Any]) -> None:
        await self.send_json(
            {"type": message["event"], "seq": message["seq"], "payload": message["payload"]}
        )
