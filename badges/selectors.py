"""Badge and check-in reads shared by the desk page, the API and the secretariat pages."""

import hashlib
import json
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from datetime import time as wall_time
from typing import Any

from django.db.models import Aggregate, Count, Max, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import TruncHour
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from assembly.models import Assembly, Checkpoint, MemberOrganization
from assembly.picks import Matches, first_matches
from assembly.text import alphabetical, fold
from badges.models import (
    Badge,
    BadgeEvent,
    BadgeEventKind,
    CheckpointPresence,
    Direction,
    Reason,
    Scan,
)
from badges.tokens import public_key_hex
from registration.models import Delegate, RegistrationState

# Local time at which presence from the day before ends by itself, if nobody ended it.
NIGHT_CUT = wall_time(3, 0)


def last_night_cut(assembly: Assembly, now: datetime) -> datetime:
    """The latest NIGHT_CUT in the assembly's zone at or before `now`."""
    local = now.astimezone(assembly.zone)
    day = local.date() if local.time() >= NIGHT_CUT else local.date() - timedelta(days=1)
    return datetime.combine(day, NIGHT_CUT, tzinfo=assembly.zone)


def roster(assembly: Assembly) -> dict[str, Any]:
    """What an offline desk needs to answer alone: delegates, badge versions, presence, the key."""
    badges = dict(Badge.objects.filter(assembly=assembly).values_list("delegate_id", "version"))
    revoked = set(
        Badge.objects.filter(assembly=assembly, revoked_at__isnull=False).values_list(
            "delegate_id", flat=True
        )
    )
    delegates = [
        {
            "id": d.pk,
            "name": d.full_name,
            "title": d.title,
            "organization": d.organization_label,
            "role": d.role,
            "role_label": str(d.get_role_display()),
            "state": d.state,
            "photo_url": d.photo_url,
            "attention": d.attention,
            "badge_version": badges.get(d.pk),
            "revoked": d.pk in revoked,
        }
        for d in Delegate.objects.filter(assembly=assembly)
        .exclude(state=RegistrationState.CANCELLED, badge__isnull=True)
        .select_related("member")
        .order_by("full_name")
    ]
    inside: dict[str, list[int]] = {}
    for code, delegate_id in CheckpointPresence.objects.filter(
        checkpoint__assembly=assembly, inside=True
    ).values_list("checkpoint__code", "delegate_id"):
        inside.setdefault(code, []).append(delegate_id)
    return {
        "assembly": {"id": assembly.pk, "slug": assembly.slug, "name": assembly.name},
        "last_day": assembly.end_date.isoformat(),
        # An offline desk forgets who was inside when the night ends presence (end_days_due).
        "presence_ends_at": (
            last_night_cut(assembly, timezone.now()) + timedelta(days=1)
        ).isoformat(),
        "public_key": public_key_hex(),
        "checkpoints": [
            {"code": cp.code, "name": cp.name, "is_voting": cp.is_voting}
            for cp in assembly.checkpoints.all()
        ],
        "delegates": delegates,
        "inside": inside,
    }


def roster_etag(assembly: Assembly) -> str:
    """A tag that moves with every field roster() reads, from one aggregate query and the
    checkpoints: a desk revalidates every minute, and building 3,000 rows to compare cost
    half a second a desk. Delegates count whatever their state (a cancellation moves it too).
    """
    key = [
        ROSTER_FORMAT,
        get_language(),
        assembly.pk,
        assembly.slug,
        assembly.name,
        assembly.end_date.isoformat(),
        last_night_cut(assembly, timezone.now()).isoformat(),
        public_key_hex(),
        list(assembly.checkpoints.values_list("code", "name", "is_voting")),
        _roster_changes(assembly),
    ]
    raw = json.dumps(key, separators=(",", ":"), default=str).encode()
    return '"' + hashlib.sha256(raw).hexdigest()[:32] + '"'


# Bumped when roster() reads another field: desks holding the old shape fetch the new one.
ROSTER_FORMAT = 2


def _roster_changes(assembly: Assembly) -> list[Any]:
    """Counts, sums and latest times that move with any change to the roster's rows.

    Every save of a delegate sets updated_at (the services name it in update_fields), a
    member's name shows where the organization is blank, a badge's version only grows (a
    reprint lifting a revocation too), and each move in or out of a checkpoint adds one to
    the presence row's moves.
    """
    delegates = Delegate.objects.filter(assembly=OuterRef("pk"))
    members = MemberOrganization.objects.filter(delegates__assembly=OuterRef("pk"))
    badges = Badge.objects.filter(assembly=OuterRef("pk"))
    presence = CheckpointPresence.objects.filter(checkpoint__assembly=OuterRef("pk"))
    changes = {
        "n_delegates": _one(delegates, Count("pk")),
        "delegate_edited": _one(delegates, Max("updated_at")),
        "member_edited": _one(members, Max("updated_at")),
        "n_badges": _one(badges, Count("pk")),
        "versions": _one(badges, Sum("version")),
        "n_revoked": _one(badges, Count("revoked_at")),
        "last_revoked": _one(badges, Max("revoked_at")),
        "n_inside": _one(presence, Count("pk", filter=Q(inside=True))),
        "moves": _one(presence, Sum("moves")),
        "last_move": _one(presence, Max("since")),
    }
    row = Assembly.objects.filter(pk=assembly.pk).annotate(**changes).values_list(*changes).first()
    return list(row or ())


def _one(rows: QuerySet[Any], aggregate: Aggregate) -> Subquery:
    """One aggregate over rows of the outer assembly, as a scalar subquery."""
    return Subquery(
        rows.order_by().annotate(group=Value(1)).values("group").annotate(v=aggregate).values("v")
    )


def checkpoint_for(*, assembly: Assembly, code: str) -> Checkpoint | None:
    return Checkpoint.objects.filter(assembly=assembly, code=code).first()


# Desks send the same checkpoint thousands of times: keep it (and its assembly) for a few
# seconds per process instead of one query per scan. Renaming a checkpoint mid-morning is rare.
_CHECKPOINT_TTL = 10.0
_checkpoints: dict[tuple[str, str], tuple[float, Checkpoint]] = {}


def forget_checkpoints(**_kwargs: object) -> None:
    """Any change to a checkpoint or an assembly empties the cache (connected in apps.py)."""
    _checkpoints.clear()


def checkpoint_with_assembly(*, slug: str, code: str) -> Checkpoint | None:
    """The checkpoint and its assembly, one query at most every few seconds (the scan hot path)."""
    key = (slug, code)
    now = time.monotonic()
    hit = _checkpoints.get(key)
    if hit is not None and now - hit[0] < _CHECKPOINT_TTL:
        return hit[1]
    checkpoint = (
        Checkpoint.objects.select_related("assembly").filter(assembly__slug=slug, code=code).first()
    )
    if checkpoint is not None:
        if len(_checkpoints) > 1000:
            _checkpoints.clear()
        _checkpoints[key] = (now, checkpoint)
    return checkpoint


def checkin_counts(assembly: Assembly) -> dict[str, Any]:
    """Per checkpoint: inside now, entries and refusals since local midnight; approved total."""
    midnight = (
        timezone.now().astimezone(assembly.zone).replace(hour=0, minute=0, second=0, microsecond=0)
    )
    inside = dict(
        CheckpointPresence.objects.filter(checkpoint__assembly=assembly, inside=True)
        .values("checkpoint_id")
        .annotate(n=Count("id"))
        .values_list("checkpoint_id", "n")
    )
    today = {
        row["checkpoint_id"]: row
        for row in Scan.objects.filter(assembly=assembly, effective_at__gte=midnight)
        .values("checkpoint_id")
        .annotate(
            entries=Count("id", filter=Q(changed_presence=True, direction=Direction.IN)),
            refused=Count("id", filter=~Q(reason="ok") & ~Q(reason="already_in")),
            scans=Count("id"),
        )
    }
    approved = Delegate.objects.filter(
        assembly=assembly, state=RegistrationState.APPROVED, attendance="in_person"
    ).count()
    return {
        "approved_in_person": approved,
        "checkpoints": [
            {
                "code": cp.code,
                "name": cp.name,
                "is_voting": cp.is_voting,
                "inside": inside.get(cp.pk, 0),
                "entries_today": today.get(cp.pk, {}).get("entries", 0),
                "refused_today": today.get(cp.pk, {}).get("refused", 0),
                "scans_today": today.get(cp.pk, {}).get("scans", 0),
            }
            for cp in assembly.checkpoints.all()
        ],
    }


def arrivals_per_hour(assembly: Assembly) -> list[dict[str, Any]]:
    """Accepted entries per local hour and checkpoint, over the assembly's scans."""
    rows = (
        Scan.objects.filter(assembly=assembly, changed_presence=True, direction=Direction.IN)
        .annotate(hour=TruncHour("effective_at", tzinfo=assembly.zone))
        .values("hour", "checkpoint__code")
        .annotate(n=Count("id"))
        .order_by("hour")
    )
    return [
        {"hour": row["hour"].isoformat(), "checkpoint": row["checkpoint__code"], "count": row["n"]}
        for row in rows
    ]


def search_delegates(*, assembly: Assembly, query: str, limit: int = 20) -> QuerySet[Delegate]:
    """By part of the name, organization or member, or the whole email, in any script.

    Matched in Python: SQLite's LIKE ignores case for ASCII only (Айгерим was not found as
    айгерим), and an assembly's names are a few thousand short rows.
    """
    needle = fold(query.strip())
    delegates = Delegate.objects.filter(assembly=assembly).select_related("member", "badge")
    if not needle:
        return delegates.none()
    rows = Delegate.objects.filter(assembly=assembly).values_list(
        "pk", "full_name", "organization_name", "member__name", "email"
    )
    found = sorted(
        (fold(name), pk)
        for pk, name, organization, member, email in rows
        if any(needle in fold(text or "") for text in (name, organization, member))
        or fold(email) == needle
    )[:limit]
    return delegates.filter(pk__in=[pk for _name, pk in found]).order_by("full_name")


def revoked_badges(assembly: Assembly) -> QuerySet[BadgeEvent]:
    """Revocations and reprints (each reprint retires the previous version), newest first."""
    return (
        BadgeEvent.objects.filter(
            badge__assembly=assembly, kind__in=[BadgeEventKind.REVOKED, BadgeEventKind.REPRINTED]
        )
        .select_related("badge__delegate", "by")
        .order_by("-at")
    )


def scan_conflicts(assembly: Assembly) -> list[dict[str, Any]]:
    """Offline scans the server answered differently, each with the scan that won."""
    conflicts = list(
        Scan.objects.filter(assembly=assembly, conflict=True)
        .select_related("delegate", "checkpoint")
        .order_by("-effective_at")[:200]
    )
    rows = []
    for scan in conflicts:
        winner = (
            Scan.objects.filter(
                delegate_id=scan.delegate_id,
                checkpoint_id=scan.checkpoint_id,
                changed_presence=True,
                effective_at__lte=scan.effective_at + timedelta(hours=12),
            )
            .order_by("-effective_at")
            .first()
            if scan.delegate_id
            else None
        )
        rows.append({"scan": scan, "winner": winner, "recorded": recorded_as(scan)})
    return rows


def recorded_as(scan: Scan) -> str:
    """What the server made of a conflicting scan, in words: its direction and effect."""
    if scan.reason != Reason.OK:
        return str(scan.get_reason_display())
    if not scan.changed_presence:
        return (
            _("Exit, moved nothing: a later scan decides")
            if scan.direction == Direction.OUT
            else _("Entry, moved nothing: a later scan decides")
        )
    return _("Exit") if scan.direction == Direction.OUT else _("Entry")


@dataclass
class Stay:
    delegate: Delegate
    first_in: datetime
    last_out: datetime | None
    minutes: int
    present_at_start: bool
    present_at_end: bool


def attendance(
    *, assembly: Assembly, checkpoint: Checkpoint, start: datetime, end: datetime
) -> list[Stay]:
    """Who was inside the checkpoint between start and end, from the entry and exit scans."""
    moves = (
        Scan.objects.filter(
            assembly=assembly, checkpoint=checkpoint, changed_presence=True, effective_at__lt=end
        )
        .select_related("delegate__member")
        .order_by("delegate_id", "effective_at", "move")
    )
    now = timezone.now()
    intervals: dict[int, list[tuple[datetime, datetime | None]]] = {}
    people: dict[int, Delegate] = {}
    opened: dict[int, datetime] = {}
    for scan in moves:
        if scan.delegate_id is None:
            continue
        people[scan.delegate_id] = scan.delegate
        if scan.direction == Direction.IN:
            opened[scan.delegate_id] = scan.effective_at
        elif scan.delegate_id in opened:
            intervals.setdefault(scan.delegate_id, []).append(
                (opened.pop(scan.delegate_id), scan.effective_at)
            )
    for delegate_id, since in opened.items():
        intervals.setdefault(delegate_id, []).append((since, None))
    stays = []
    for delegate_id, spans in intervals.items():
        overlap = timedelta()
        first_in = None
        last_out: datetime | None = None
        still_in = False
        for begin, finish in spans:
            effective_finish = finish or min(end, now)
            if effective_finish <= start or begin >= end:
                continue
            overlap += min(effective_finish, end) - max(begin, start)
            first_in = first_in or begin
            last_out = finish
            still_in = finish is None or finish >= end
        if first_in is None:
            continue
        stays.append(
            Stay(
                delegate=people[delegate_id],
                first_in=first_in,
                last_out=None if still_in else last_out,
                minutes=round(overlap.total_seconds() / 60),
                present_at_start=any(b <= start and (f is None or f > start) for b, f in spans),
                present_at_end=still_in,
            )
        )
    return sorted(stays, key=lambda stay: stay.delegate.full_name)


def badge_for_delegate(*, assembly: Assembly, delegate_id: int) -> Badge | None:
    return (
        Badge.objects.select_related("delegate__assembly", "delegate__member")
        .filter(assembly=assembly, delegate__pk=delegate_id)
        .first()
    )


def delegates_matching(
    *, assembly: Assembly, text: str, among: QuerySet[Delegate] | None = None
) -> Matches[Delegate]:
    """The delegates (by default those not cancelled) whose name holds the typed text, whose
    email it is, or whose number ("#123") it is; as fold() reads it, like the desk's search."""
    if among is None:
        among = Delegate.objects.exclude(state=RegistrationState.CANCELLED)
    among = among.filter(assembly=assembly).select_related("member")
    needle = fold(text)
    number = text.strip().removeprefix("#")
    if not needle:
        return Matches(found=[], total=0)
    hits = [
        (alphabetical(name), pk)
        for pk, name, email in among.values_list("pk", "full_name", "email")
        if (
            str(pk) == number
            if number.isdigit()
            else (needle in fold(name) or fold(email) == needle)
        )
    ]
    return first_matches(among, hits)
