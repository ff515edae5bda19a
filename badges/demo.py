"""The badges app's part of the demo: a badge for each approved delegate, and a morning's scans.

Part of the approved in-person delegates are checked in at the entrance and, for most
voting delegates, at the plenary hall, through the scan service: the demo's presence
and quorum come from real scans. Idempotency keys are fixed, so a second run replays.
"""

import hashlib

from assembly.models import Assembly
from badges.services import ensure_badges_rendered, record_scan, token_for
from registration.models import Attendance, Delegate, DelegateRole, RegistrationState

DEMO_DESK = "Demo desk 1"


def _share(delegate: Delegate) -> int:
    """A stable number 0-99 per delegate, so the same people are in the hall on every run."""
    return hashlib.sha256(delegate.email.lower().encode()).digest()[0] * 100 // 256


def load(assembly: Assembly) -> None:
    delegates = list(
        Delegate.objects.filter(assembly=assembly, state=RegistrationState.APPROVED)
        .select_related("assembly", "member")
        .order_by("pk")
    )
    entrance = assembly.checkpoints.filter(kind="entrance").order_by("pk").first()
    hall = assembly.checkpoints.filter(is_voting=True).first()
    for delegate, badge in zip(delegates, ensure_badges_rendered(delegates=delegates), strict=True):
        if delegate.attendance != Attendance.IN_PERSON:
            continue
        share = _share(delegate)
        voting = delegate.role == DelegateRole.VOTING_DELEGATE
        # Most voting delegates are in the hall by now; some others too; a few not yet arrived.
        if share >= (90 if voting else 70):
            continue
        token = token_for(badge)
        for checkpoint, goes in ((entrance, True), (hall, share < (80 if voting else 30))):
            if checkpoint is None or not goes:
                continue
            record_scan(
                assembly=assembly,
                checkpoint=checkpoint,
                token=token,
                direction="in",
                idempotency_key=f"demo-{assembly.pk}-{delegate.pk}-{checkpoint.code}"[:80],
                desk=DEMO_DESK,
            )
