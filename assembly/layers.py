"""Channel layer helpers: the embedded in-memory layer, and one group member per process."""

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Hashable
from typing import Any

from channels.exceptions import ChannelFull
from channels.layers import InMemoryChannelLayer as ChannelsInMemoryChannelLayer
from channels.layers import get_channel_layer

logger = logging.getLogger(__name__)


class InMemoryChannelLayer(ChannelsInMemoryChannelLayer):
    """Expired messages and memberships are swept at most once a second, not on every call.

    channels' layer sweeps every channel and every group member on each send and receive, so
    one group_send to 1,000 sockets did millions of checks and a burst of ballots stalled the
    server for tens of seconds (bench/fanout.py). Expiry only needs to be eventual.
    """

    sweep_every = 1.0

    def __init__(self, *args, **kwargs) -> None:
        # A full channel drops the newest message. A GroupFanout member's channel carries every
        # socket's messages of its group: it must keep the latest state, so it has room for more.
        capacities = kwargs.pop("channel_capacity", None) or {"fanout.*": 10_000}
        super().__init__(*args, **kwargs)
        self.channel_capacity = self.compile_capacities(capacities)  # channels' base does not
        self._swept_at = 0.0

    def _clean_expired(self) -> None:
        now = time.monotonic()
        if now - self._swept_at < self.sweep_every:
            return
        self._swept_at = now
        super()._clean_expired()

    async def group_send(self, group: str, message: dict) -> None:
        assert isinstance(message, dict), "Message is not a dict"  # noqa: S101 - as channels
        self.require_valid_group_name(group)
        self._clean_expired()
        # One put per member in turn: send() never waits, so no task per member is needed.
        for channel in list(self.groups.get(group, {})):
            with contextlib.suppress(ChannelFull):  # a full channel drops, as in channels
                await self.send(channel, message)


Deliver = Callable[[dict[str, Any]], None]


class _Member:
    """This process's one member of a group: reads each message once, hands it to every socket."""

    def __init__(self, group: str) -> None:
        self.group = group
        self.receivers: dict[Hashable, Deliver] = {}
        self.ready = asyncio.Event()
        self.reader = asyncio.get_running_loop().create_task(self.read())

    async def read(self) -> None:
        layer = get_channel_layer()
        try:
            channel = await layer.new_channel("fanout.")
            await layer.group_add(self.group, channel)
        finally:
            self.ready.set()  # joiners learn of a failure from the finished reader
        try:
            while True:
                try:
                    message = await layer.receive(channel)
                except Exception:
                    logger.exception("reading %s failed; reading on", self.group)
                    await asyncio.sleep(1)
                    continue
                for deliver in list(self.receivers.values()):
                    try:
                        deliver(message)
                    except Exception:
                        logger.exception("a socket of %s failed to take a message", self.group)
        finally:
            await layer.group_discard(self.group, channel)


class GroupFanout:
    """Sockets of one process share one channel-layer member per group.

    channels hands a group message to every member channel: with 1,000 sockets that is 1,000
    queue puts, 1,000 consumer wake-ups (each with its own asyncio.wait and a fresh task) and,
    on Redis, 1,000 decodes, about 90 µs a socket (bench/fanout.py). Here one member per group
    and process receives the message once and calls each socket's `deliver` in turn, which
    must not block: it keeps the message and schedules its own send.
    """

    def __init__(self) -> None:
        self.members: dict[str, _Member] = {}

    async def join(self, group: str, key: Hashable, deliver: Deliver) -> None:
        """Returns once messages sent to the group from now on reach `deliver`."""
        member = self.members.get(group)
        if member is None:
            member = self.members[group] = _Member(group)
        member.receivers[key] = deliver
        await member.ready.wait()
        if member.reader.done():  # it could not join the layer's group: say so to the socket
            self.members.pop(group, None)
            member.reader.result()

    async def leave(self, group: str, key: Hashable) -> None:
        member = self.members.get(group)
        if member is None:
            return
        member.receivers.pop(key, None)
        if not member.receivers:
            del self.members[group]
            member.reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await member.reader


_fanouts: dict[int, tuple[asyncio.AbstractEventLoop, GroupFanout]] = {}


def group_fanout() -> GroupFanout:
    """This event loop's fan-out (one per server process; tests run several loops)."""
    loop = asyncio.get_running_loop()
    found = _fanouts.get(id(loop))
    if found is None or found[0] is not loop:
        found = _fanouts[id(loop)] = (loop, GroupFanout())
    return found[1]
