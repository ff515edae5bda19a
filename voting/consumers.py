"""The live room socket: quorum, poll states and the open polls' turnout, snapshot first."""

import asyncio
import contextlib
import json
import logging
import time
from collections import Counter, OrderedDict, deque
from collections.abc import Hashable
from dataclasses import dataclass, field
from importlib import import_module
from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from django.conf import settings
from django.contrib import auth

from assembly.consumers import ListeningConsumer
from assembly.layers import GroupFanout, group_fanout
from assembly.live import assembly_group, next_sequence
from assembly.models import Assembly
from assembly.selectors import roles_for
from voting.live import (
    HEARTBEAT_SECONDS,
    PROJECTOR_ROTATED,
    SEES_CLOSED_COUNTS,
    as_of_now,
    poll_group,
    poll_state_for,
    projector_link_valid,
    projector_link_version,
    room_snapshot,
    snapshot_audience,
)

logger = logging.getLogger(__name__)

# What the room pages show; other events of the assembly group (desk scans, badges) are not
# theirs, and each scan would otherwise reach every phone.
ROOM_EVENTS = frozenset({"quorum.changed", "poll.turnout", "poll.state"})

# The close code of a socket whose projector link was replaced (the page says so, and stays).
LINK_REPLACED = 4410

HEARTBEAT = '{"type": "heartbeat"}'

# Groups send their state at the same slots of the clock (assembly.live); when a socket's last
# frame merged several, it waits this long for the others of the slot before its next frame.
GATHER_SECONDS = 0.02

# The same message reaches every socket of this process: encode it once, not once per socket.
_frames: OrderedDict[tuple, str] = OrderedDict()


def subject(message: dict[str, Any]) -> tuple[str, Any]:
    """What a message is about: a newer message about the same thing replaces it."""
    payload = message["payload"]
    return message["event"], payload.get("poll") or payload.get("id")


def frame(message: dict[str, Any], about: tuple[str, Any] | None = None) -> str:
    key = (*(about or subject(message)), message["seq"])
    text = _frames.get(key)
    if text is None:
        text = json.dumps(
            {"type": message["event"], "seq": message["seq"], "payload": message["payload"]}
        )
        _frames[key] = text
        while len(_frames) > 64:
            _frames.popitem(last=False)
    return text


def batch(held: list[tuple[int, str]]) -> str:
    """Several encoded messages as one frame, oldest first; clients apply each in turn."""
    items = ",".join(text for _seq, text in held)
    return f'{{"type": "batch", "seq": {held[-1][0]}, "payload": [{items}]}}'


# How long a room snapshot read for one socket may serve the next sockets of its audience, when
# no change of the room was heard meanwhile: a bound for what no live event announces (a motion's
# title edited in the admin).
SHARED_SNAPSHOT_SECONDS = 2.0


@dataclass
class _Read:
    """One read of a room snapshot, and what this process heard of the room when it began."""

    seq: int  # numbered before the read, after the groups it relies on were joined
    changes: int  # the room changes of the assembly heard so far
    members: dict[str, Any]  # the process's members of each group, listening since before
    began: float = field(default_factory=time.monotonic)
    task: asyncio.Task | None = None


class SharedSnapshots:
    """Room snapshots read once and served to every socket of the same assembly and audience
    in this process (a reconnecting room: one read, not one per phone).

    A read serves a later socket while it still covers it: no room change of the assembly
    was heard since the read began, and the process has been listening, since before it,
    to the assembly group and to the group of each poll open in it (so every change the
    read may have missed reaches the socket next, numbered after the read). Otherwise the
    socket reads afresh, numbered after it joined, as any socket did before.
    """

    def __init__(self, fanout: GroupFanout) -> None:
        self.fanout = fanout
        self.changes: Counter[int] = Counter()
        self.reads: dict[Hashable, _Read] = {}

    def changed(self, assembly_id: int) -> None:
        """A room event of the assembly reached this process: no read before it covers."""
        self.changes[assembly_id] += 1

    async def snapshot(self, assembly: Assembly, roles: frozenset, joined: int) -> tuple[int, dict]:
        """The room as `roles` see it, read after the socket joined (numbered `joined`) or
        still covered; the caller joins its open polls' groups before its next await."""
        audience = snapshot_audience(roles)
        key = (assembly.pk, audience)
        while True:
            read = self.reads.get(key)
            if read is None or not self.may_serve(read, assembly.pk, joined):
                read = self.begin(key, assembly, audience)
            snapshot = await asyncio.shield(read.task)
            # Another socket's read, begun before this one joined, may not cover it: the next.
            if read.seq > joined or self.covers(read, assembly.pk, snapshot):
                return read.seq, as_of_now(snapshot)

    def begin(self, key: Hashable, assembly: Assembly, audience: frozenset) -> _Read:
        members = {
            group: member
            for group, member in self.fanout.members.items()
            if member.ready.is_set() and not member.reader.done()
        }
        # Numbered before the read: any message numbered later reflects a state at least as new.
        read = _Read(seq=next_sequence(), changes=self.changes[assembly.pk], members=members)
        read.task = asyncio.get_running_loop().create_task(
            database_sync_to_async(room_snapshot)(assembly, audience)
        )
        self.reads[key] = read
        return read

    def may_serve(self, read: _Read, assembly_id: int, joined: int) -> bool:
        """Worth waiting for: begun after the socket joined, or it may still cover it once read."""
        if read.seq > joined and not failed(read):
            return True
        if not self.may_cover(read, assembly_id):
            return False
        if read.task.done():
            return self.covers(read, assembly_id, read.task.result())
        return assembly_group(assembly_id) in read.members

    def may_cover(self, read: _Read, assembly_id: int) -> bool:
        return (
            not failed(read)
            and self.changes[assembly_id] == read.changes
            and time.monotonic() - read.began < SHARED_SNAPSHOT_SECONDS
        )

    def covers(self, read: _Read, assembly_id: int, snapshot: dict[str, Any]) -> bool:
        groups = [assembly_group(assembly_id)]
        groups += [poll_group(poll["id"]) for poll in snapshot["polls"] if poll["state"] == "open"]
        return self.may_cover(read, assembly_id) and all(
            group in read.members and self.fanout.members.get(group) is read.members[group]
            for group in groups
        )


def failed(read: _Read) -> bool:
    return read.task.done() and (read.task.cancelled() or read.task.exception() is not None)


_shared: dict[int, tuple[asyncio.AbstractEventLoop, SharedSnapshots]] = {}


def shared_snapshots() -> SharedSnapshots:
    """This event loop's shared snapshots (one per server process; tests run several loops)."""
    loop = asyncio.get_running_loop()
    found = _shared.get(id(loop))
    if found is None or found[0] is not loop:
        found = _shared[id(loop)] = (loop, SharedSnapshots(group_fanout()))
    return found[1]


@database_sync_to_async
def standing_roles(*, user_id: int, session_key: str | None, assembly: Assembly) -> frozenset:
    """The roles the socket's login holds now: none once its session was logged out, or its
    user deactivated, deleted or given a new password (Django's own session checks)."""
    if session_key is not None:
        store = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
        user = auth.get_user(SimpleNamespace(session=store))
    else:
        # A user put in the scope by other means than the session (tests do): its row alone.
        user = auth.get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None or user.pk != user_id:
        return frozenset()
    return roles_for(user=user, assembly=assembly)


@database_sync_to_async
def audience(slug: str, user: Any, token: str) -> tuple[Assembly | None, frozenset, int | None]:
    """The assembly, the caller's roles and the version of the valid projector link that stands
    in for them (None without one)."""
    assembly = Assembly.objects.filter(slug=slug).first()
    if assembly is None:
        return None, frozenset(), None
    roles = roles_for(user=user, assembly=assembly)
    if not projector_link_valid(assembly=assembly, token=token):
        return assembly, roles, None
    return assembly, roles, projector_link_version(assembly=assembly, token=token)


class RoomConsumer(ListeningConsumer):
    """Anyone with a role at the assembly, or a projector link; others are refused with 4403.
    A socket let in by a projector link alone closes with 4410 when the link is replaced.
    A heartbeat frame every HEARTBEAT_SECONDS lets the page notice a dead connection.

    Joins the assembly group and the group of every open poll (following polls as they open
    and close), through the process's shared group members (assembly.layers.GroupFanout), so
    it needs no channel of its own. Counts of choices reach a socket only when its audience
    may see them. Turnout and quorum, each coalesced per group at the source, reach it in at
    most 1 / LIVE_COALESCE_SECONDS frames in any second however many groups it is in: what
    changed meanwhile waits, merged into one "batch" frame (and while frames merge, each
    waits GATHER_SECONDS for the rest of its slot). A poll's state goes out at once.
    A sliding second rather than a fixed gap: with the source at the same rate, a fixed gap
    turned every late message into a queue that kept the next ones late too.
    """

    channel_layer_alias = None  # group messages come through GroupFanout

    held: dict[tuple[str, Any], tuple[int, str]]
    sent: deque[float]  # when its latest frames went out, at most the rate's number of them
    flush_timer: asyncio.TimerHandle | None = None
    flush_due = False
    live = False  # the snapshot is out: deltas may follow
    link_version: int | None = None  # let in by this projector link version alone
    assembly: Assembly
    user_id: int | None = None  # the login whose roles the socket holds
    session_key: str | None = None
    merging = False  # its last frame merged several messages: more than one group is moving

    async def connect(self) -> None:
        slug = self.scope["url_route"]["kwargs"]["slug"]
        query = parse_qs(self.scope.get("query_string", b"").decode(errors="replace"))
        token = (query.get("projector") or [""])[0]
        assembly, roles, link_version = await audience(slug, self.scope.get("user"), token)
        if assembly is None or not (roles or link_version is not None):
            await self.close(code=4403)
            return
        # Let in by a projector link alone: replacing the link ends this socket.
        self.link_version = None if roles else link_version
        # A projector shows what the public sees, whoever's session opened it.
        self.roles = frozenset() if "display" in query else roles
        # Kept to read the roles again before anything only some roles see (follow_poll).
        self.assembly = assembly
        if self.roles:
            self.user_id = self.scope["user"].pk
            session = self.scope.get("session")
            self.session_key = session.session_key if session is not None else None
        self.groups_joined = set()
        self.held = {}
        self.sent = deque(maxlen=max(1, round(1 / settings.LIVE_COALESCE_SECONDS)))
        self.fanout = group_fanout()
        self.snapshots = shared_snapshots()
        self.tasks: set[asyncio.Task] = set()
        # Poll states are followed one at a time, and only once the snapshot is out.
        self.in_order = asyncio.Lock()
        async with self.in_order:
            await self.join(assembly_group(assembly.pk))
            await self.accept()
            # Read after the join (or covered by a read of this process): any message numbered
            # later than the snapshot reflects a state at least as new. The open polls' groups
            # are joined before the next await (SharedSnapshots.snapshot).
            seq, snapshot = await self.snapshots.snapshot(assembly, self.roles, next_sequence())
            for poll in snapshot["polls"]:
                if poll["state"] == "open":
                    await self.join(poll_group(poll["id"]))
            await self.send_json({"type": "snapshot", "seq": seq, "payload": snapshot})
            self.live = True
            self.spawn(self.beat())
            # Held while the snapshot was read: only what is newer than the snapshot follows it.
            self.held = {about: held for about, held in self.held.items() if held[0] > seq}
            if self.held:
                self.flush_within_rate()

    async def beat(self) -> None:
        """A small frame every HEARTBEAT_SECONDS: the page knows the socket still carries."""
        while True:
            await asyncio.sleep(HEARTBEAT_SECONDS)
            with contextlib.suppress(OSError):
                await self.send(text_data=HEARTBEAT)

    async def join(self, group: str) -> None:
        if group not in self.groups_joined:
            self.groups_joined.add(group)
            await self.fanout.join(group, self, self.deliver)

    async def leave(self, group: str) -> None:
        if group in self.groups_joined:
            self.groups_joined.discard(group)
            await self.fanout.leave(group, self)

    async def disconnect(self, code: int) -> None:
        if self.flush_timer is not None:
            self.flush_timer.cancel()
        for task in list(getattr(self, "tasks", ())):
            task.cancel()
        for group in list(getattr(self, "groups_joined", ())):
            await self.leave(group)

    def deliver(self, message: dict[str, Any]) -> None:
        """A group message, from the process's member of the group: keep it, plan its send."""
        event = message["event"]
        if event in ROOM_EVENTS:
            self.snapshots.changed(self.assembly.pk)
        if event == PROJECTOR_ROTATED:
            if self.link_version is not None and self.link_version < message["payload"]["version"]:
                self.spawn(self.close(code=LINK_REPLACED))
        elif event == "poll.state":
            self.spawn(self.follow_poll(message))
        elif event in ROOM_EVENTS:
            about = subject(message)
            self.hold(message["seq"], about, frame(message, about))
            self.flush_within_rate()

    def spawn(self, work: Any) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self.tasks.add(task)
        task.add_done_callback(self.finished)

    def finished(self, task: asyncio.Task) -> None:
        self.tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            logger.error("room socket task failed", exc_info=task.exception())

    def hold(self, seq: int, about: tuple[str, Any], text: str) -> None:
        if seq > self.held.get(about, (0, ""))[0]:
            self.held[about] = (seq, text)

    def flush_within_rate(self) -> None:
        if self.flush_due or not self.live:
            return  # a flush is planned (or the snapshot is): it takes this one along
        self.flush_due = True
        wait = max(self.until_free(), GATHER_SECONDS if self.merging else 0.0)
        if wait <= 0:
            self.spawn(self.flush())
        else:
            self.flush_timer = asyncio.get_running_loop().call_later(
                wait, lambda: self.spawn(self.flush())
            )

    def until_free(self) -> float:
        """Seconds until this socket may take another frame within its rate."""
        if len(self.sent) < (self.sent.maxlen or 1):
            return 0.0
        return self.sent[0] + 1.0 - asyncio.get_running_loop().time()

    async def follow_poll(self, message: dict[str, Any]) -> None:
        """Join or leave the poll's group, then send its state (with anything held) at once."""
        async with self.in_order:
            payload = message["payload"]
            group = poll_group(payload["id"])
            if payload["state"] == "open":
                await self.join(group)
            else:
                await self.leave(group)
            text = frame(message)
            if payload["state"] == "closed" and self.roles & SEES_CLOSED_COUNTS:
                # The chair side sees a closed poll's counts; the broadcast carries none. The
                # roles read at connect may be gone (role removed, logged out, deactivated):
                # read them again first. A close is rare; turnout and quorum never come here.
                if not await self.roles_still_held():
                    return
                if self.roles & SEES_CLOSED_COUNTS:
                    payload = await database_sync_to_async(poll_state_for)(
                        payload["id"], self.roles
                    )
                    if payload is None:
                        return
                    text = json.dumps(
                        {"type": "poll.state", "seq": message["seq"], "payload": payload}
                    )
            self.hold(message["seq"], subject(message), text)
            await self.flush()

    async def roles_still_held(self) -> bool:
        """Read the login's roles again: keep what it still holds, or close with 4403 when it
        holds none (and nothing more is sent)."""
        roles = frozenset()
        if self.user_id is not None:
            roles = await standing_roles(
                user_id=self.user_id, session_key=self.session_key, assembly=self.assembly
            )
        if roles:
            self.roles = roles
            return True
        # Nothing more goes out: no group message, no held frame, no heartbeat.
        self.roles = frozenset()
        self.live = False
        self.held.clear()
        for group in list(self.groups_joined):
            await self.leave(group)
        for task in list(self.tasks):
            if task is not asyncio.current_task():
                task.cancel()
        await self.close(code=4403)
        return False

    async def flush(self) -> None:
        """Send what is held, as one frame."""
        self.flush_due = False
        if self.flush_timer is not None:
            self.flush_timer.cancel()
            self.flush_timer = None
        if not self.held:
            return
        held = sorted(self.held.values())
        self.held.clear()
        self.merging = len(held) > 1
        self.sent.append(asyncio.get_running_loop().time())
        with contextlib.suppress(OSError):  # the server's ClientDisconnected: disconnect cleans up
            await self.send(text_data=held[0][1] if len(held) == 1 else batch(held))
