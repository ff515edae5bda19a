"""The embedded channel layer: channels' in-memory layer without its per-message full scan."""

import contextlib
import time

from channels.exceptions import ChannelFull
from channels.layers import InMemoryChannelLayer as ChannelsInMemoryChannelLayer


class InMemoryChannelLayer(ChannelsInMemoryChannelLayer):
    """Expired messages and memberships are swept at most once a second, not on every call.

    channels' layer sweeps every channel and every group member on each send and receive, so
    one group_send to 1,000 sockets did millions of checks and a burst of ballots stalled the
    server for tens of seconds (bench/fanout.py). Expiry only needs to be eventual.
    """

    sweep_every = 1.0

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
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
