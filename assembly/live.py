"""broadcast_on_commit(): the only way anything reaches a socket."""

import logging
import time
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)


def next_sequence() -> int:
    """A per-message sequence number, increasing across processes on one host.

    Nanoseconds since the epoch: a snapshot taken after a message was built
    carries a higher number, so clients drop messages older than their snapshot.
    """
    return time.time_ns()


def group_message(*, event: str, payload: dict[str, Any]) -> dict[str, Any]:
    # One handler name for every event: consumers forward, they do not interpret.
    return {
        "type": "live.event",
        "event": event,
        "seq": next_sequence(),
        "payload": payload,
    }


def send_now(*, group: str, event: str, payload: dict[str, Any]) -> None:
    """Send to a group at once; for callers already outside any transaction."""
    layer = get_channel_layer()
    if layer is None:
        return
    async_to_sync(layer.group_send)(group, group_message(event=event, payload=payload))


def broadcast_on_commit(*, group: str, event: str, payload: dict[str, Any]) -> None:
    """Send payload to group after the current transaction commits (nothing if it rolls back)."""

    def send() -> None:
        send_now(group=group, event=event, payload=payload)

    transaction.on_commit(send, robust=True)


def assembly_group(assembly_id: int) -> str:
    return f"assembly.{assembly_id}"
