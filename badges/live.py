"""What desks and the secretariat dashboard receive live: check-in counts and badge changes."""

from typing import Any

from assembly.live import broadcast_on_commit, publish_state_on_commit, staff_group
from assembly.models import Assembly
from badges.selectors import checkin_counts


def publish_checkin_counts(assembly_id: int) -> None:
    """After commit, today's counts to the staff screens, coalesced whatever the scan rate."""
    publish_state_on_commit(
        group=staff_group(assembly_id),
        event="checkin.counts",
        build=lambda: checkin_counts(Assembly.objects.get(pk=assembly_id)),
    )


def broadcast_badge_change(assembly_id: int, payload: dict[str, Any]) -> None:
    """A reprint, revocation or attention flag: desks refresh their roster after commit."""
    broadcast_on_commit(group=staff_group(assembly_id), event="badges.changed", payload=payload)
