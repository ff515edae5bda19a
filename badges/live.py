"""What desks and the secretariat dashboard receive live: check-in changes and badge changes."""

from typing import Any

from django.utils import timezone

from assembly.live import broadcast_on_commit, publish_state_on_commit, staff_group


def publish_checkin_change(assembly_id: int) -> None:
    """After commit, tell the staff screens that counts moved, coalesced whatever the scan rate.

    Only a signal: a handful of staff screens ask for the counts at most once a second,
    where counting on every commit would cost each scan more than the scan itself.
    """
    publish_state_on_commit(
        group=staff_group(assembly_id),
        event="checkin.changed",
        build=lambda: {"at": timezone.now().isoformat()},
    )


def broadcast_badge_change(assembly_id: int, payload: dict[str, Any]) -> None:
    """A reprint, revocation or attention flag: desks refresh their roster after commit."""
    broadcast_on_commit(group=staff_group(assembly_id), event="badges.changed", payload=payload)
