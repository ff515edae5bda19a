"""Badge and check-in writes: render, reprint, revoke, print, scan, offline upload, batches."""

import functools
import itertools
import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.db.models import F, QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from assembly.background import RoundThread
from assembly.errors import Conflict, InvalidInput, NotFound
from assembly.models import Assembly, Checkpoint, MemberOrganization
from assembly.rows import columns, fetch, insert, load_model
from badges import pdf, selectors
from badges.live import broadcast_badge_change, publish_checkin_change
from badges.models import (
    Badge,
    BadgeBatch,
    BadgeEvent,
    BadgeEventKind,
    BatchLayout,
    BatchStatus,
    CheckpointPresence,
    Direction,
    Reason,
    Scan,
)
from badges.tokens import BadgeClaim, TokenError, issue_token, read_token
from registration.models import Delegate, RegistrationState
from voting.audit import append_audit_after_commit
from voting.models import Poll, PollState
from voting.presence import end_all_presence, record_hall_entry, record_hall_exit

logger = logging.getLogger(__name__)

User = AbstractBaseUser


def token_for(badge: Badge) -> str:
    """The signed token printed on this version of the badge."""
    return issue_token(
        assembly_id=badge.assembly_id, delegate_id=badge.delegate_id, version=badge.version
    )


def _stale_face(badge: Badge) -> pdf.BadgeFace | None:
    """The badge's face when its PDF is missing or shows other fields, else None."""
    face = pdf.face_for(delegate=badge.delegate, token=token_for(badge))
    if badge.fingerprint == face.fingerprint() and badge.pdf:
        return None
    return face


def _issued_badge(delegate: Delegate) -> Badge:
    """The delegate's badge, locked; created (and its issue recorded) if missing."""
    badge, created = Badge.objects.select_for_update().get_or_create(
        delegate=delegate, defaults={"assembly_id": delegate.assembly_id}
    )
    if created:
        BadgeEvent.objects.create(badge=badge, kind=BadgeEventKind.ISSUED, version=1)
    badge.delegate = delegate
    return badge


def _issued_badges(delegates: list[Delegate]) -> list[Badge]:
    """Each delegate's badge, read without a lock; the missing ones issued in one short write
    (a badge that exists needs no write at all: the delegate's page asks on every visit)."""
    found = {badge.delegate_id: badge for badge in Badge.objects.filter(delegate__in=delegates)}
    missing = [delegate for delegate in delegates if delegate.pk not in found]
    if missing:
        with transaction.atomic():
            found |= {delegate.pk: _issued_badge(delegate) for delegate in missing}
    for delegate in delegates:
        found[delegate.pk].delegate = delegate
    return [found[delegate.pk] for delegate in delegates]


def ensure_badge_rendered(*, delegate: Delegate) -> Badge:
    """The delegate's badge, issued if missing, its PDF rendered when missing or showing other
    fields: what a desk or the delegate's page asks for is there when it answers.

    Idempotent: a second call with nothing changed renders nothing. Drawn outside any
    transaction (see ensure_badges_rendered).
    """
    [badge] = ensure_badges_rendered(delegates=[delegate])
    return badge


# Faces drawn in one document: a desk asking for a badge waits for at most one of them (a
# process draws one document at a time), and each still takes about two thirds of the time of
# drawing its badges one by one.
DRAWN_TOGETHER = 10


def ensure_badges_rendered(*, delegates: Iterable[Delegate]) -> list[Badge]:
    """ensure_badge_rendered for many delegates (the background renderer, the demo,
    render_badges): the stale badges are laid out DRAWN_TOGETHER to a document and written one
    PDF each.

    Nothing is drawn inside a transaction: the badges are read (the missing ones issued in one
    short write), drawn, their files written, and then the rows are pointed at their PDFs in
    another short write. On SQLite the desks' scans go in between; a badge reprinted meanwhile
    keeps the PDF its reprint drew, and a field changed meanwhile only means a render again.
    """
    delegates = list(delegates)
    badges = _issued_badges(delegates)
    stale = [(badge, face) for badge in badges if (face := _stale_face(badge)) is not None]
    drawn = []
    for start in range(0, len(stale), DRAWN_TOGETHER):
        part = stale[start : start + DRAWN_TOGETHER]
        contents = pdf.render_faces_apart([face for _badge, face in part])
        drawn += [(*pair, content) for pair, content in zip(part, contents, strict=True)]
    if drawn:
        _store(drawn)
    return badges


def _store(drawn: list[tuple[Badge, pdf.BadgeFace, bytes]]) -> None:
    """Write the PDFs' files, then point each badge at its own in one short write, unless a
    reprint moved the badge to another version meanwhile (that PDF was drawn for a token that
    no longer scans). The files replaced go once that write has committed."""
    for badge, _face, content in drawn:
        badge.pdf.save(
            f"badge-{badge.delegate_id}-v{badge.version}.pdf", ContentFile(content), save=False
        )
    unused: list[str] = []
    moved_on: list[Badge] = []
    rendered_at = timezone.now()
    with transaction.atomic():
        current = {
            pk: (version, name)
            for pk, version, name in Badge.objects.select_for_update()
            .filter(pk__in=[badge.pk for badge, _face, _content in drawn])
            .values_list("pk", "version", "pdf")
        }
        for badge, face, _content in drawn:
            version, name = current.get(badge.pk, (None, ""))
            if version != badge.version:
                unused.append(badge.pdf.name)
                moved_on.append(badge)
                continue
            badge.fingerprint, badge.rendered_at = face.fingerprint(), rendered_at
            Badge.objects.filter(pk=badge.pk).update(
                pdf=badge.pdf.name, fingerprint=badge.fingerprint, rendered_at=rendered_at
            )
            if name and name != badge.pdf.name:
                unused.append(name)
        transaction.on_commit(lambda: _delete_files(unused))
    for badge in moved_on:
        badge.refresh_from_db(fields=["version", "revoked_at", "pdf", "fingerprint", "rendered_at"])


def _delete_files(names: list[str]) -> None:
    storage = Badge._meta.get_field("pdf").storage
    for name in names:
        storage.delete(name)


# --- the background renderer: badges follow approvals, edits and imports ---

BADGES_AT_A_TIME = 50  # delegates read and written together: short transactions, few queries
RENDERER_IDLE_SECONDS = 3600.0  # it is woken when there is work
_waiting: dict[int, None] = {}  # delegates whose badges to check, in the order they came
_waiting_lock = threading.Lock()


def render_badges_in_background(delegate_ids: list[int]) -> None:
    """Render these delegates' badges (where a printed field changed) in this process's badge
    renderer thread, after the commit that changed them: the approval, edit or import that
    asked does not wait for a PDF. Inline when BADGES_IN_BACKGROUND is off, as in the tests.

    A badge not rendered yet when a desk asks for it (a server stopped meanwhile) is rendered
    then.
    """
    if not settings.BADGES_IN_BACKGROUND:
        render_badges_of(delegate_ids)
        return
    with _waiting_lock:
        _waiting.update(dict.fromkeys(delegate_ids))
    _renderer.start()
    _renderer.wake()


def _next_delegates() -> list[int]:
    with _waiting_lock:
        part = list(itertools.islice(_waiting, BADGES_AT_A_TIME))
        for delegate_id in part:
            del _waiting[delegate_id]
    return part


def _renderer_round(stop: threading.Event) -> float:
    """Render the waiting badges, BADGES_AT_A_TIME delegates at a time, until none wait."""
    while not stop.is_set() and (part := _next_delegates()):
        render_badges_of(part)
    return RENDERER_IDLE_SECONDS


_renderer = RoundThread("badge-renderer", _renderer_round, retry=5.0)


def start_badge_renderer() -> None:
    """The server starts: Pango, fontconfig and the fonts are started here, in this one thread,
    before any request can draw a badge (started by several threads at once, Pango hung); then
    the renderer waits for work. A server that cannot draw a badge still serves the rest."""
    try:
        pdf.warm_up()
    except Exception:
        logger.exception("Badge PDFs cannot be drawn: a desk asking for one gets an error")
    _renderer.start()


def render_badges_of(delegate_ids: list[int]) -> None:
    """Each delegate's badge, BADGES_AT_A_TIME at a time; a part that fails is logged and the
    rest still go (a desk renders a missing one when it is asked for)."""
    for start in range(0, len(delegate_ids), BADGES_AT_A_TIME):
        part = delegate_ids[start : start + BADGES_AT_A_TIME]
        try:
            delegates = Delegate.objects.select_related("assembly", "member").filter(pk__in=part)
            ensure_badges_rendered(delegates=list(delegates))
        except Exception:
            logger.exception("Badges of delegates %s..%s were not rendered", part[0], part[-1])
    logger.info("Badges rendered for %s delegates", len(delegate_ids))


def _locked_badge(*, assembly: Assembly, delegate_id: int) -> Badge:
    delegate = (
        Delegate.objects.select_related("assembly", "member")
        .filter(assembly=assembly, pk=delegate_id)
        .first()
    )
    if delegate is None:
        raise NotFound(_("No such delegate at this assembly."))
    badge, created = Badge.objects.select_for_update().get_or_create(
        delegate=delegate, defaults={"assembly_id": assembly.pk}
    )
    if created:
        BadgeEvent.objects.create(badge=badge, kind=BadgeEventKind.ISSUED, version=1)
    badge.delegate = delegate
    return badge


def _refuse_unless_approved(badge: Badge) -> None:
    """A printed badge looks valid at a glance: only an approved delegate gets one."""
    if badge.delegate.state != RegistrationState.APPROVED:
        raise Conflict(
            _("%(name)s is not approved: no badge is printed.")
            % {"name": badge.delegate.full_name},
            code="not_approved",
        )


def reprint_badge(
    *,
    assembly: Assembly,
    delegate_id: int,
    by: User | None,
    reason: str,
    desk: str = "",
    lifts_revocation: bool = True,
) -> Badge:
    """Bump the version (the old badge now scans as revoked), record who and why; its PDF is
    drawn once that has committed, before the desk gets its answer.

    A badge the secretariat revoked is reprinted only by a caller who may lift that
    (lifts_revocation): a desk would otherwise undo the secretariat's decision.
    """
    reason = reason.strip()
    if not reason:
        raise InvalidInput(_("Say why the badge is reprinted (lost, damaged, name changed…)."))
    with transaction.atomic():
        badge = _locked_badge(assembly=assembly, delegate_id=delegate_id)
        _refuse_unless_approved(badge)
        if badge.revoked_at is not None and not lifts_revocation:
            # A conflict with the badge's state, not the desk's login: the desk says so plainly.
            raise Conflict(
                _("The secretariat revoked this badge: only the secretariat can reprint it."),
                code="badge_revoked",
            )
        badge.version = F("version") + 1
        badge.revoked_at = None
        badge.save(update_fields=["version", "revoked_at"])
        badge.refresh_from_db(fields=["version"])
        BadgeEvent.objects.create(
            badge=badge,
            kind=BadgeEventKind.REPRINTED,
            version=badge.version,
            by=by,
            desk=desk,
            reason=reason,
        )
        broadcast_badge_change(
            assembly.pk, {"delegate": badge.delegate_id, "version": badge.version, "revoked": False}
        )
    # Drawn after the commit, at once: the desk prints the new version now.
    return ensure_badge_rendered(delegate=badge.delegate)


def revoke_badge(*, assembly: Assembly, delegate_id: int, by: User | None, reason: str) -> Badge:
    """Revoke the current badge: every scan of it answers revoked until a reprint."""
    reason = reason.strip()
    if not reason:
        raise InvalidInput(_("Say why the badge is revoked."))
    with transaction.atomic():
        badge = _locked_badge(assembly=assembly, delegate_id=delegate_id)
        if badge.revoked_at is not None:
            raise Conflict(_("This badge is already revoked."), code="already_revoked")
        badge.revoked_at = timezone.now()
        badge.save(update_fields=["revoked_at"])
        BadgeEvent.objects.create(
            badge=badge, kind=BadgeEventKind.REVOKED, version=badge.version, by=by, reason=reason
        )
        broadcast_badge_change(
            assembly.pk, {"delegate": badge.delegate_id, "version": badge.version, "revoked": True}
        )
    return badge


def record_badge_print(
    *, assembly: Assembly, delegate_id: int, by: User | None, desk: str = ""
) -> Badge:
    """A desk printed the current badge: its own event, separate from checking in."""
    with transaction.atomic():
        badge = _locked_badge(assembly=assembly, delegate_id=delegate_id)
        _refuse_unless_approved(badge)
        if badge.revoked_at is not None:
            raise Conflict(_("This badge is revoked: reprint it instead."), code="badge_revoked")
        badge.printed_at = timezone.now()
        badge.save(update_fields=["printed_at"])
        BadgeEvent.objects.create(
            badge=badge, kind=BadgeEventKind.PRINTED, version=badge.version, by=by, desk=desk
        )
    return ensure_badge_rendered(delegate=badge.delegate)  # drawn after the commit if missing


def set_attention(*, assembly: Assembly, delegate_id: int, text: str) -> Delegate:
    """Set (or clear) the flag desks show on each scan of this delegate; desks refresh on commit."""
    text = " ".join(text.split())[:200]
    with transaction.atomic():
        delegate = (
            Delegate.objects.select_for_update().filter(assembly=assembly, pk=delegate_id).first()
        )
        if delegate is None:
            raise NotFound(_("No such delegate at this assembly."))
        delegate.attention = text
        delegate.save(update_fields=["attention", "updated_at"])
        broadcast_badge_change(assembly.pk, {"delegate": delegate.pk, "attention": text})
    return delegate


# --- scans ---


@dataclass
class ScanResult:
    reason: str
    explanation: str
    scan_id: int
    idempotency_key: str
    checkpoint: str
    direction: str
    at: datetime
    delegate: dict[str, Any] | None = None
    replayed: bool = False
    offline: bool = False
    conflict: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def accepted(self) -> bool:
        return self.reason == Reason.OK


def delegate_summary(delegate: Delegate, badge: Badge | None) -> dict[str, Any]:
    return {
        "id": delegate.pk,
        "name": delegate.full_name,
        "title": delegate.title,
        "organization": delegate.organization_label,
        "country": delegate.country,
        "role": delegate.role,
        "role_label": str(delegate.get_role_display()),
        "state": delegate.state,
        "photo_url": delegate.photo_url,
        "badge_version": badge.version if badge else None,
        "attention": delegate.attention,
    }


def _local_time(assembly: Assembly, at: datetime) -> str:
    return formats.time_format(at.astimezone(assembly.zone), "H:i")


def explain(scan: Scan, *, badge: Badge | None = None, since: datetime | None = None) -> str:
    checkpoint = scan.checkpoint.name
    reason = scan.reason
    if reason == Reason.OK:
        if scan.conflict and not scan.changed_presence:
            return _(
                "Recorded, but a later scan at %(cp)s decides presence: sent to the secretariat."
            ) % {"cp": checkpoint}
        if scan.direction == Direction.OUT:
            if not scan.changed_presence:
                return _("Exit noted at %(cp)s (was not checked in there).") % {"cp": checkpoint}
            return _("Checked out of %(cp)s.") % {"cp": checkpoint}
        return _("Welcome: checked in at %(cp)s.") % {"cp": checkpoint}
    if reason == Reason.ALREADY_IN:
        if since is not None:
            return _("Already checked in at %(cp)s since %(time)s.") % {
                "cp": checkpoint,
                "time": _local_time(scan.assembly, since),
            }
        return _("Already checked in at %(cp)s.") % {"cp": checkpoint}
    if reason == Reason.REVOKED:
        if badge is not None and scan.badge_version and scan.badge_version < badge.version:
            return _(
                "Old badge (version %(old)s): version %(new)s was printed since. Take this old "
                "one back; only the new one lets its wearer in."
            ) % {"old": scan.badge_version, "new": badge.version}
        if badge is not None and badge.revoked_at is not None:
            return _("This badge was revoked by the secretariat.")
        if badge is not None and scan.badge_version and scan.badge_version != badge.version:
            return _(
                "Not the current badge: version %(scanned)s was never printed for this "
                "delegate (the current one is version %(current)s). Send them to the secretariat."
            ) % {"scanned": scan.badge_version, "current": badge.version}
        return _("This badge has expired.")
    if reason == Reason.NOT_APPROVED:
        return _("Registration not approved: send the delegate to the secretariat.")
    if reason == Reason.UNKNOWN:
        return _("No delegate with this badge at this assembly.")
    if reason == Reason.WRONG_ASSEMBLY:
        return _("This badge belongs to another assembly.")
    return _("Not a badge of this assembly: unreadable, truncated or forged.")


def _result(
    scan: Scan,
    *,
    badge: Badge | None = None,
    since: datetime | None = None,
    replayed: bool = False,
) -> ScanResult:
    delegate = scan.delegate
    if delegate is not None and badge is None:
        badge = Badge.objects.filter(delegate=delegate).first()
    return ScanResult(
        reason=scan.reason,
        explanation=explain(scan, badge=badge, since=since),
        scan_id=scan.pk,
        idempotency_key=scan.idempotency_key,
        checkpoint=scan.checkpoint.code,
        direction=scan.direction,
        at=scan.effective_at,
        delegate=delegate_summary(delegate, badge) if delegate is not None else None,
        replayed=replayed,
        offline=scan.offline,
        conflict=scan.conflict,
    )


def _replay(*, assembly: Assembly, attempt: Scan) -> ScanResult | None:
    """The first answer to a repeated key, or Conflict when the key named another scan."""
    scan = (
        Scan.objects.select_related("checkpoint", "assembly", "delegate__member")
        .filter(idempotency_key=attempt.idempotency_key)
        .first()
    )
    if scan is None:
        return None
    if scan.assembly_id != assembly.pk:
        raise Conflict(_("This idempotency key was used elsewhere."), code="idempotency_key_reused")
    if (scan.token, scan.checkpoint_id, scan.direction) != (
        attempt.token,
        attempt.checkpoint_id,
        attempt.direction,
    ):
        raise Conflict(
            _("This idempotency key was used for another scan: send a new key for a new scan."),
            code="idempotency_key_reused",
        )
    since = None
    if scan.reason == Reason.ALREADY_IN and scan.delegate_id:
        presence = CheckpointPresence.objects.filter(
            delegate_id=scan.delegate_id, checkpoint_id=scan.checkpoint_id
        ).first()
        since = presence.since if presence else None
    return _result(scan, since=since, replayed=True)


# Every scan reads its delegate, member and badge: one fixed statement loaded as models
# (compiling the ORM's select_related cost more CPU than the rest of the scan's reads).
_DELEGATE_FIELDS = (
    "id",
    "assembly_id",
    "member_id",
    "full_name",
    "title",
    "organization_name",
    "country",
    "role",
    "state",
    "photo",
    "attention",
)
_MEMBER_FIELDS = ("id", "name")
_BADGE_FIELDS = ("id", "delegate_id", "assembly_id", "version", "revoked_at")


@functools.cache
def _scanned_delegate_sql() -> str:
    return (
        f"SELECT {columns('d', _DELEGATE_FIELDS)}, {columns('m', _MEMBER_FIELDS)},"  # noqa: S608
        f" {columns('b', _BADGE_FIELDS)} FROM {Delegate._meta.db_table} d"
        f" LEFT JOIN {MemberOrganization._meta.db_table} m ON m.id = d.member_id"
        f" LEFT JOIN {Badge._meta.db_table} b ON b.delegate_id = d.id"
        " WHERE d.id = %s AND d.assembly_id = %s"
    )


def scanned_delegate(*, delegate_id: int, assembly_id: int) -> tuple[Delegate | None, Badge | None]:
    """The delegate with member and badge attached (either may be None), or (None, None)."""
    row = fetch(_scanned_delegate_sql(), [delegate_id, assembly_id])
    if row is None:
        return None, None
    delegate_end, member_end = len(_DELEGATE_FIELDS), len(_DELEGATE_FIELDS) + len(_MEMBER_FIELDS)
    delegate = load_model(Delegate, _DELEGATE_FIELDS, row[:delegate_end])
    member_row, badge_row = row[delegate_end:member_end], row[member_end:]
    member = load_model(MemberOrganization, _MEMBER_FIELDS, member_row) if member_row[0] else None
    badge = load_model(Badge, _BADGE_FIELDS, badge_row) if badge_row[0] else None
    Delegate.member.field.set_cached_value(delegate, member)
    Delegate.badge.related.set_cached_value(delegate, badge)
    return delegate, badge


def _classify(
    *, assembly: Assembly, token: str, today: Any
) -> tuple[str, BadgeClaim | None, Delegate | None, Badge | None]:
    """Decide everything that needs no lock: signature, assembly, delegate, version, approval."""
    try:
        claim = read_token(token)
    except TokenError:
        return Reason.INVALID, None, None, None
    if claim.assembly_id != assembly.pk:
        return Reason.WRONG_ASSEMBLY, claim, None, None
    delegate, badge = scanned_delegate(delegate_id=claim.delegate_id, assembly_id=assembly.pk)
    if delegate is None or badge is None:
        return Reason.UNKNOWN, claim, delegate, badge
    expired = today > assembly.end_date + timedelta(days=1)
    if claim.version != badge.version or badge.revoked_at is not None or expired:
        return Reason.REVOKED, claim, delegate, badge
    if delegate.state != RegistrationState.APPROVED:
        return Reason.NOT_APPROVED, claim, delegate, badge
    return Reason.OK, claim, delegate, badge


def printable(text: str) -> str:
    """Scanners send anything; PostgreSQL refuses NUL in text, and logs want printable text."""
    return text if text.isprintable() else "".join(char for char in text if char.isprintable())


def check_direction(direction: str) -> None:
    if direction not in Direction.values:
        raise InvalidInput(_("Direction must be in or out."))


def clean_idempotency_key(key: str) -> str:
    key = printable(key).strip()
    if not 8 <= len(key) <= 80:
        raise InvalidInput(_("Send an idempotency key of 8 to 80 characters."))
    return key


def record_scan(
    *,
    assembly: Assembly,
    checkpoint: Checkpoint,
    token: str,
    direction: str,
    idempotency_key: str,
    desk: str = "",
    device: str = "",
    client_time: datetime | None = None,
    clock_offset: timedelta = timedelta(0),
    by: User | None = None,
    offline_answer: str = "",
) -> ScanResult:
    """Check a badge in or out at a checkpoint and record the scan, whatever the answer.

    Locks the delegate's presence row at the checkpoint: of two desks scanning the same
    badge at once, one records the entry and the other gets already_in (a unique move
    number backs this in the database). A repeated idempotency key returns the first
    answer and records nothing. Offline scans (offline_answer set) take their desk's
    time corrected by clock_offset (how far the desk's clock is behind the server's);
    one older than the delegate's latest scan at the checkpoint is recorded as a conflict
    and moves nothing, except that the earliest of two offline entries wins. Accepted
    moves are broadcast on commit; at the voting checkpoint they also move hall presence
    for quorum.
    """
    if checkpoint.assembly_id != assembly.pk:
        raise NotFound(_("No such checkpoint at this assembly."))
    check_direction(direction)
    idempotency_key = clean_idempotency_key(idempotency_key)
    # No lookup of the key first: a repeated key fails the unique insert, which rolls the
    # whole scan back, and the first answer is returned (one query less on every scan).
    now = timezone.now()
    offline = bool(offline_answer)
    effective_at = _effective_time(
        assembly, offline=offline, desk_time=client_time and client_time + clock_offset, now=now
    )
    reason, claim, delegate, badge = _classify(
        assembly=assembly, token=token, today=assembly.local_today()
    )
    scan = Scan(
        assembly=assembly,
        checkpoint=checkpoint,
        delegate=delegate,
        direction=direction,
        reason=reason,
        badge_version=claim.version if claim else None,
        token=printable(token)[:200],
        desk=printable(desk)[:60],
        device=printable(device)[:40],
        by=by if by is not None and by.is_authenticated else None,
        idempotency_key=idempotency_key,
        client_time=client_time,
        effective_at=effective_at,
        offline=offline,
        offline_answer=offline_answer[:20],
    )
    since = None
    try:
        with transaction.atomic():
            if reason == Reason.OK:
                since = _move(scan=scan, checkpoint=checkpoint, delegate=delegate)
            scan.conflict = scan.conflict or (offline and offline_answer != scan.reason)
            insert(scan)
    except IntegrityError:
        # A repeated key (a resent queue, a retry): answer as the first scan did.
        replay = _replay(assembly=assembly, attempt=scan)
        if replay is None:
            raise
        return replay
    return _result(scan, badge=badge, since=since)


def _effective_time(
    assembly: Assembly, *, offline: bool, desk_time: datetime | None, now: datetime
) -> datetime:
    """When the scan happened. An online desk's clock is not evidence; an offline desk's
    (corrected) is the only time we have, unless it is ahead of ours or before the
    assembly's first day (a desk whose clock was never set): then the upload's time stands in."""
    if not offline or desk_time is None:
        return now
    opens = datetime.combine(
        assembly.start_date - timedelta(days=1), datetime.min.time(), tzinfo=assembly.zone
    )
    return desk_time if opens <= desk_time <= now else now


def _move(*, scan: Scan, checkpoint: Checkpoint, delegate: Delegate) -> datetime | None:
    """Inside the scan's transaction: move in or out, or refuse. Returns "since" for already_in."""
    entering = scan.direction == Direction.IN
    presence = None
    if scan.offline:  # it may be older than the presence's last move: read that first
        presence = CheckpointPresence.objects.locked(
            delegate_id=delegate.pk, checkpoint_id=checkpoint.pk
        )
        if presence is None and _overtaken(scan=scan, checkpoint=checkpoint, delegate=delegate):
            scan.conflict = True  # e.g. an exit noted later where she never came in
            return None
    if presence is None:
        move = CheckpointPresence.objects.cross(
            delegate_id=delegate.pk,
            checkpoint_id=checkpoint.pk,
            inside=entering,
            at=scan.effective_at,
        )
        if move is not None:
            scan.move = move
            scan.changed_presence = True
            _after_move(
                checkpoint=checkpoint, delegate=delegate, inside=entering, at=scan.effective_at
            )
            return None
        presence = CheckpointPresence.objects.locked(
            delegate_id=delegate.pk, checkpoint_id=checkpoint.pk
        )
    return _move_under_lock(scan=scan, checkpoint=checkpoint, delegate=delegate, presence=presence)


def _move_under_lock(
    *, scan: Scan, checkpoint: Checkpoint, delegate: Delegate, presence: CheckpointPresence | None
) -> datetime | None:
    """The presence row is locked (or missing: an exit from a checkpoint never entered,
    noted and nothing moves). Decide the move against it."""
    if presence is None:
        return None
    at = scan.effective_at
    if scan.direction == Direction.IN and presence.inside:
        if not _earlier_offline_entry_wins(scan=scan, presence=presence):
            scan.reason = Reason.ALREADY_IN
            return presence.since
    elif _overtaken(scan=scan, checkpoint=checkpoint, delegate=delegate):
        # A queued scan older than the delegate's latest scan there (a later entry or exit
        # decided presence since): recorded and shown to the secretariat as a conflict.
        scan.conflict = True
        return None
    elif scan.direction == Direction.IN:
        presence.moves += 1
        presence.inside = True
        presence.since = at
        scan.move = presence.moves
        scan.changed_presence = True
    elif presence.inside:
        presence.moves += 1
        presence.inside = False
        presence.since = at
        scan.move = presence.moves
        scan.changed_presence = True
    else:
        return None
    presence.save(update_fields=["inside", "moves", "since"])
    _after_move(checkpoint=checkpoint, delegate=delegate, inside=presence.inside, at=presence.since)
    return None


def _overtaken(*, scan: Scan, checkpoint: Checkpoint, delegate: Delegate) -> bool:
    """Presence follows the scans in time order: a late scan older than the delegate's latest
    scan at the checkpoint (an exit noted where she was not in counts too), or older than the
    end of presence for the night, moves nothing."""
    if not scan.offline:
        return False
    day_ended_since = Assembly.objects.filter(
        pk=scan.assembly_id, presence_ended_at__gt=scan.effective_at
    ).exists()  # its day is over: a scan from it moves nothing today
    return day_ended_since or (
        Scan.objects.filter(
            delegate=delegate,
            checkpoint=checkpoint,
            reason__in=[Reason.OK, Reason.ALREADY_IN],
            effective_at__gt=scan.effective_at,
        ).exists()
    )


def _after_move(*, checkpoint: Checkpoint, delegate: Delegate, inside: bool, at: datetime) -> None:
    """Hall presence for quorum follows the voting checkpoint; staff screens follow the counts."""
    if checkpoint.is_voting:
        if inside:
            record_hall_entry(delegate=delegate, at=at)
        else:
            record_hall_exit(delegate=delegate, at=at)
    publish_checkin_change(checkpoint.assembly_id)


def _earlier_offline_entry_wins(*, scan: Scan, presence: CheckpointPresence) -> bool:
    """Two offline desks let the same badge in: the earlier scan is the entry (first scan wins).

    The later one, already recorded as the entry, becomes already_in and is flagged as
    a conflict for the secretariat; the presence row keeps its move number.
    """
    if not scan.offline or presence.since is None or scan.effective_at >= presence.since:
        return False
    entry = Scan.objects.filter(
        delegate_id=presence.delegate_id,
        checkpoint_id=presence.checkpoint_id,
        move=presence.moves,
        changed_presence=True,
        direction=Direction.IN,
    ).first()
    if entry is None or not entry.offline or _same_desk(entry, scan):
        return False
    Scan.objects.filter(pk=entry.pk).update(
        changed_presence=False, move=None, reason=Reason.ALREADY_IN, conflict=True
    )
    scan.move = presence.moves
    scan.changed_presence = True
    presence.since = scan.effective_at
    return True


def _same_desk(one: Scan, other: Scan) -> bool:
    """Devices that send their id are told apart by it, whatever name their desk was left on."""
    if one.device and other.device:
        return one.device == other.device
    return one.desk == other.desk


@dataclass
class QueuedScan:
    token: str
    checkpoint: str
    direction: str
    idempotency_key: str
    client_time: datetime | None
    desk: str
    offline_answer: str
    device: str = ""


def upload_offline_scans(
    *,
    assembly: Assembly,
    scans: list[QueuedScan],
    by: User | None,
    sent_at: datetime | None = None,
) -> list[ScanResult]:
    """Record a desk's queue in the order its scans were made; a second upload doubles nothing.

    sent_at, the desk's clock when it sent the queue, corrects a desk clock that is off.
    """
    if len(scans) > 5000:
        raise InvalidInput(_("Upload at most 5,000 scans at a time."))
    checkpoints = {cp.code: cp for cp in Checkpoint.objects.filter(assembly=assembly)}
    _check_queue(scans, checkpoints)
    ordered = sorted(
        enumerate(scans), key=lambda pair: (pair[1].client_time or timezone.now(), pair[0])
    )
    clock_offset = timezone.now() - sent_at if sent_at is not None else timedelta(0)
    results: list[ScanResult | None] = [None] * len(scans)
    with transaction.atomic():  # a scan refused midway (a key used elsewhere) refuses them all
        for index, queued in ordered:
            results[index] = record_scan(
                assembly=assembly,
                checkpoint=checkpoints[queued.checkpoint],
                token=queued.token,
                direction=queued.direction,
                idempotency_key=queued.idempotency_key,
                desk=queued.desk,
                device=queued.device,
                client_time=queued.client_time,
                clock_offset=clock_offset,
                by=by,
                offline_answer=queued.offline_answer or Reason.OK,
            )
    return [result for result in results if result is not None]


def _check_queue(scans: list[QueuedScan], checkpoints: dict[str, Checkpoint]) -> None:
    """Everything a scan of the queue could be refused for: a refused upload records nothing."""
    unknown = sorted({queued.checkpoint for queued in scans} - checkpoints.keys())
    if unknown:
        raise NotFound(
            _("No checkpoint “%(code)s” at this assembly.") % {"code": "”, “".join(unknown)}
        )
    for queued in scans:
        check_direction(queued.direction)
        clean_idempotency_key(queued.idempotency_key)


# --- batches ---

STALE_AFTER = timedelta(minutes=5)
UNFINISHED = [BatchStatus.QUEUED, BatchStatus.RUNNING]


def batch_delegates(*, assembly: Assembly, filters: dict[str, str]) -> list[Delegate]:
    delegates = Delegate.objects.filter(assembly=assembly, state=RegistrationState.APPROVED)
    if filters.get("role"):
        delegates = delegates.filter(role=filters["role"])
    if filters.get("attendance"):
        delegates = delegates.filter(attendance=filters["attendance"])
    if filters.get("not_printed"):
        delegates = delegates.filter(badge__printed_at__isnull=True)
    return list(delegates.select_related("assembly", "member", "badge").order_by("full_name"))


def start_badge_batch(
    *, assembly: Assembly, layout: str, filters: dict[str, str], by: User | None
) -> BadgeBatch:
    """Queue a batch PDF and start rendering it in a background thread after commit."""
    if layout not in BatchLayout.values:
        raise InvalidInput(_("Unknown layout."))
    filters = {key: str(value) for key, value in filters.items() if value}
    fail_stale_batches(assembly=assembly)
    with transaction.atomic():
        if BadgeBatch.objects.filter(assembly=assembly, status__in=UNFINISHED).exists():
            raise Conflict(_("A batch is already rendering: wait for it to finish."))
        total = len(batch_delegates(assembly=assembly, filters=filters))
        if total == 0:
            raise InvalidInput(_("No approved delegate matches this filter."))
        batch = BadgeBatch.objects.create(
            assembly=assembly,
            layout=layout,
            filters=filters,
            total=total,
            created_by=by,
            heartbeat_at=timezone.now(),
        )
        transaction.on_commit(lambda: _start_thread(batch.pk))
    return batch


def _start_thread(batch_id: int) -> None:
    thread = threading.Thread(
        target=_run_in_thread, kwargs={"batch_id": batch_id}, name=f"badge-batch-{batch_id}"
    )
    thread.daemon = True
    thread.start()


# The batches this process is rendering: stop_badge_rendering ends them as failed.
_rendering: set[int] = set()


def _run_in_thread(*, batch_id: int) -> None:
    _rendering.add(batch_id)
    try:
        run_badge_batch(batch_id=batch_id)
    finally:
        _rendering.discard(batch_id)
        # This thread's connection would otherwise stay open (or out of the pool) forever.
        connection.close()


def run_badge_batch(*, batch_id: int, chunk: int | None = None) -> BadgeBatch:
    """Render a batch PDF in parts of at most BADGE_BATCH_CHUNK badges, saving progress after each.

    Any failure ends the batch as failed with its message; nothing is left running.
    """
    try:
        batch = BadgeBatch.objects.select_related("assembly").get(pk=batch_id)
        BadgeBatch.objects.filter(pk=batch_id).update(
            status=BatchStatus.RUNNING, heartbeat_at=timezone.now()
        )
        if batch.layout not in BatchLayout.values:
            raise ValueError(_("Unknown layout."))
        delegates = batch_delegates(assembly=batch.assembly, filters=batch.filters)
        if not delegates:
            raise ValueError(_("No approved delegate matches this filter."))
        BadgeBatch.objects.filter(pk=batch_id).update(total=len(delegates))
        pdf.start_workers_for(len(delegates))
        faces = [
            pdf.face_for(delegate=badge.delegate, token=token_for(badge))
            for badge in _badges_for(delegates)
        ]

        def progress(done: int) -> None:
            BadgeBatch.objects.filter(pk=batch_id).update(done=done, heartbeat_at=timezone.now())

        content = pdf.render_faces(faces, layout=batch.layout, chunk=chunk, progress=progress)
        batch.refresh_from_db()
        batch.pdf.save(f"badges-{batch.assembly.slug}-{batch.pk}.pdf", ContentFile(content))
        batch.status = BatchStatus.DONE
        batch.done = len(delegates)
        batch.error = ""  # finished after all, as the server stopped: its PDF is there
        batch.finished_at = timezone.now()
        batch.save(update_fields=["status", "done", "error", "finished_at"])
        return batch
    except Exception as error:
        logger.exception("Badge batch %s failed", batch_id)
        # One already failed keeps its first reason (the server stopping cancels its parts).
        BadgeBatch.objects.filter(pk=batch_id, status__in=UNFINISHED).update(
            status=BatchStatus.FAILED, error=str(error)[:2000], finished_at=timezone.now()
        )
        return BadgeBatch.objects.get(pk=batch_id)


def _badges_for(delegates: list[Delegate]) -> list[Badge]:
    """Each delegate's badge (created at version 1 if missing), without rendering its PDF."""
    badges = []
    for delegate in delegates:
        badge = getattr(delegate, "badge", None)
        if badge is None:
            with transaction.atomic():
                badge, created = Badge.objects.get_or_create(
                    delegate=delegate, defaults={"assembly_id": delegate.assembly_id}
                )
                if created:
                    BadgeEvent.objects.create(badge=badge, kind=BadgeEventKind.ISSUED, version=1)
        badge.delegate = delegate
        badges.append(badge)
    return badges


def fail_stale_batches(*, assembly: Assembly) -> int:
    """Batches without progress for five minutes died with their process (killed without
    notice): mark them failed."""
    cutoff = timezone.now() - STALE_AFTER
    return _fail_as_stopped(
        BadgeBatch.objects.filter(assembly=assembly, status__in=UNFINISHED, heartbeat_at__lt=cutoff)
    )


def stop_badge_rendering() -> int:
    """The server stops: the batches this process renders fail at once (the dashboard offers
    to start them again rather than showing progress that will never come), the PDF workers
    end, and the badge renderer stops after the part it is drawing (a badge it leaves is
    drawn when a desk asks for it)."""
    failed = _fail_as_stopped(
        BadgeBatch.objects.filter(pk__in=set(_rendering), status__in=UNFINISHED)
    )
    pdf.stop_workers()
    _renderer.stop()
    return failed


def _fail_as_stopped(batches: QuerySet[BadgeBatch]) -> int:
    return batches.update(
        status=BatchStatus.FAILED,
        error=_("The server stopped while rendering; start the batch again."),
        finished_at=timezone.now(),
    )


# --- the end of the day ---

END_OF_DAY_DESK = "End of the day"


def end_the_day(
    *, assembly: Assembly, by: User | None, at: datetime | None = None, while_voting: bool = False
) -> int:
    """Everyone still inside a checkpoint or present online is out as of `at` (now): the
    next day's presence and quorum count only that day's scans. How many people that was.

    From the dashboard it is refused while a poll is open (`while_voting` off): a chair's
    quorum must not drop by a click mid-vote; the night's own cut goes ahead regardless.
    """
    at = at or timezone.now()
    with transaction.atomic():
        Assembly.objects.select_for_update().get(pk=assembly.pk)  # one end at a time
        if not while_voting and Poll.objects.filter(assembly=assembly, state=PollState.OPEN):
            raise Conflict(_("A poll is open: close it before ending the day."))
        people = {scan.delegate_id for scan in _exits_at_the_end_of_the_day(assembly, at, by)}
        people |= end_all_presence(assembly=assembly, at=at)
        Assembly.objects.filter(pk=assembly.pk).update(presence_ended_at=at)
        append_audit_after_commit(
            assembly_id=assembly.pk,
            event="presence.day_ended",
            data={"at": at.isoformat(), "people": len(people), "by": by.pk if by else None},
        )
        publish_checkin_change(assembly.pk)
    logger.info("Presence at %s ended as of %s: %s people", assembly, at, len(people))
    return len(people)


def _exits_at_the_end_of_the_day(assembly: Assembly, at: datetime, by: User | None) -> list[Scan]:
    """Each one still inside a checkpoint goes out, recorded as an exit scan of the desk "End
    of the day": the scan log, the attendance report and later offline uploads see it."""
    exits = []
    inside = CheckpointPresence.objects.filter(checkpoint__assembly=assembly, inside=True)
    for presence in inside.only("id", "delegate_id", "checkpoint_id"):
        move = CheckpointPresence.objects.cross(
            delegate_id=presence.delegate_id,
            checkpoint_id=presence.checkpoint_id,
            inside=False,
            at=at,
        )
        if move is None:
            continue
        exits.append(
            Scan(
                assembly=assembly,
                checkpoint_id=presence.checkpoint_id,
                delegate_id=presence.delegate_id,
                direction=Direction.OUT,
                reason=Reason.OK,
                changed_presence=True,
                move=move,
                desk=END_OF_DAY_DESK,
                by=by if by is not None and by.is_authenticated else None,
                idempotency_key=f"end-of-day:{presence.pk}:{move}",
                effective_at=at,
            )
        )
    return Scan.objects.bulk_create(exits)


def end_days_due(now: datetime | None = None) -> int:
    """Each running assembly whose night cut has passed since presence last ended: end its
    day as of the cut (the poll closer's thread runs this every round). How many ended."""
    now = now or timezone.now()
    today = now.date()
    ended = 0
    running = Assembly.objects.filter(
        start_date__lte=today, end_date__gte=today - timedelta(days=2)
    )
    for assembly in running:
        cut = selectors.last_night_cut(assembly, now)
        if not _night_cut_due(assembly, cut):
            continue
        with transaction.atomic():
            fresh = Assembly.objects.select_for_update().get(pk=assembly.pk)
            if _night_cut_due(fresh, cut):  # again, under the lock: another process may have
                end_the_day(assembly=fresh, by=None, at=cut, while_voting=True)
                ended += 1
    return ended


def _night_cut_due(assembly: Assembly, cut: datetime) -> bool:
    """After each day of the assembly (the morning after its last day too), once."""
    first, last = assembly.start_date, assembly.end_date + timedelta(days=1)
    in_days = first < cut.date() <= last
    return in_days and (assembly.presence_ended_at is None or assembly.presence_ended_at < cut)
