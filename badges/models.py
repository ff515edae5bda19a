"""Badges, their history, check-in scans, presence at each checkpoint and PDF batches."""

import functools
from datetime import datetime

from django.conf import settings
from django.db import connection, models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from assembly.models import Assembly, Checkpoint
from assembly.rows import fetch, load_model
from registration.models import Delegate


class Badge(models.Model):
    """The delegate's current badge: its version (bumped by a reprint) and its rendered PDF."""

    delegate = models.OneToOneField(Delegate, on_delete=models.CASCADE, related_name="badge")
    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="badges")
    version = models.PositiveIntegerField(_("version"), default=1)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    pdf = models.FileField(_("badge PDF"), upload_to="badges/%Y/", blank=True)
    fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    rendered_at = models.DateTimeField(null=True, blank=True)
    printed_at = models.DateTimeField(_("last printed"), null=True, blank=True)

    class Meta:
        verbose_name = _("badge")
        verbose_name_plural = _("badges")
        constraints = [models.CheckConstraint(condition=Q(version__gte=1), name="badge_version_1")]

    def __str__(self) -> str:
        return f"{self.delegate} v{self.version}"


class BadgeEventKind(models.TextChoices):
    ISSUED = "issued", _("Issued")
    REPRINTED = "reprinted", _("Reprinted (new version)")
    REVOKED = "revoked", _("Revoked")
    PRINTED = "printed", _("Printed at a desk")


class BadgeEvent(models.Model):
    """Who issued, reprinted, revoked or printed a badge, when and why."""

    badge = models.ForeignKey(Badge, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=20, choices=BadgeEventKind.choices)
    version = models.PositiveIntegerField(_("version"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    desk = models.CharField(_("desk"), max_length=60, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("badge event")
        verbose_name_plural = _("badge events")

    def __str__(self) -> str:
        return f"{self.badge} {self.kind} v{self.version}"


class Direction(models.TextChoices):
    IN = "in", _("In")
    OUT = "out", _("Out")


class Reason(models.TextChoices):
    OK = "ok", _("Welcome")
    ALREADY_IN = "already_in", _("Already checked in")
    REVOKED = "revoked", _("Badge revoked")
    NOT_APPROVED = "not_approved", _("Registration not approved")
    UNKNOWN = "unknown", _("Unknown delegate")
    WRONG_ASSEMBLY = "wrong_assembly", _("Badge of another assembly")
    INVALID = "invalid", _("Not a valid badge")


class Scan(models.Model):
    """One scan at a desk, accepted or refused: the evidence behind presence and attendance."""

    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="scans")
    checkpoint = models.ForeignKey(Checkpoint, on_delete=models.CASCADE, related_name="scans")
    delegate = models.ForeignKey(
        Delegate, on_delete=models.SET_NULL, null=True, blank=True, related_name="scans"
    )
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    reason = models.CharField(_("answer"), max_length=20, choices=Reason.choices)
    # True when this scan moved the delegate in or out of the checkpoint.
    changed_presence = models.BooleanField(default=False)
    # The delegate's nth move at this checkpoint: unique, so two desks cannot both record it.
    move = models.PositiveIntegerField(null=True, blank=True)
    badge_version = models.PositiveIntegerField(null=True, blank=True)
    token = models.CharField(max_length=200, blank=True)
    desk = models.CharField(_("desk"), max_length=60, blank=True)
    # The desk device's own random id: two devices left on the same desk name stay apart.
    device = models.CharField(max_length=40, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    idempotency_key = models.CharField(max_length=80, unique=True)
    client_time = models.DateTimeField(_("time at the desk"), null=True, blank=True)
    effective_at = models.DateTimeField(_("time"), db_index=True)
    received_at = models.DateTimeField(auto_now_add=True)
    offline = models.BooleanField(_("made offline"), default=False)
    offline_answer = models.CharField(max_length=20, blank=True)
    # An offline scan whose desk answered differently from the server (first scan wins).
    conflict = models.BooleanField(_("conflict"), default=False)

    class Meta:
        ordering = ["-effective_at"]
        verbose_name = _("scan")
        verbose_name_plural = _("scans")
        constraints = [
            models.UniqueConstraint(
                fields=["delegate", "checkpoint", "move"],
                condition=Q(changed_presence=True),
                name="scan_one_record_per_move",
            ),
        ]
        indexes = [
            models.Index(fields=["assembly", "checkpoint", "effective_at"]),
            models.Index(fields=["assembly", "conflict"]),
        ]

    def __str__(self) -> str:
        return f"{self.checkpoint} {self.direction} {self.reason} ({self.idempotency_key})"


class CheckpointPresenceQuerySet(models.QuerySet):
    def cross(
        self, *, delegate_id: int, checkpoint_id: int, inside: bool, at: datetime
    ) -> int | None:
        """Move the delegate in (or out) if not already on that side: the new move number.

        One statement for the common scan (the ORM would need a locked read, then a write);
        a first entry creates the row in the same statement. None when the delegate is
        already on that side (or leaves a checkpoint never entered); the caller then
        decides under the row's lock. The WHERE is re-checked after any concurrent writer.
        """
        since = connection.ops.adapt_datetimefield_value(at)
        params = (
            [delegate_id, checkpoint_id, since] if inside else [since, delegate_id, checkpoint_id]
        )
        enter, leave = _presence_sql()
        row = fetch(enter if inside else leave, params)
        return row[0] if row else None

    def locked(self, *, delegate_id: int, checkpoint_id: int) -> "CheckpointPresence | None":
        """The row, locked until the transaction ends (SQLite's write transaction locks all)."""
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        row = fetch(_locked_sql() + lock, [delegate_id, checkpoint_id])
        return load_model(self.model, _PRESENCE_FIELDS, row) if row else None


_PRESENCE_FIELDS = ("id", "delegate_id", "checkpoint_id", "inside", "moves", "since")


@functools.cache
def _locked_sql() -> str:
    return (
        f"SELECT {', '.join(_PRESENCE_FIELDS)} FROM {CheckpointPresence._meta.db_table}"  # noqa: S608
        " WHERE delegate_id = %s AND checkpoint_id = %s"
    )


@functools.cache
def _presence_sql() -> tuple[str, str]:
    """Entering (an upsert) and leaving: as they are on PostgreSQL and SQLite 3.35 or newer."""
    table = CheckpointPresence._meta.db_table
    enter = (
        f"INSERT INTO {table} (delegate_id, checkpoint_id, inside, moves, since)"  # noqa: S608
        " VALUES (%s, %s, true, 1, %s) ON CONFLICT (delegate_id, checkpoint_id) DO UPDATE"
        f" SET inside = true, moves = {table}.moves + 1, since = excluded.since"
        f" WHERE {table}.inside = false RETURNING moves"
    )
    leave = (
        f"UPDATE {table} SET inside = false, moves = moves + 1, since = %s"  # noqa: S608
        " WHERE delegate_id = %s AND checkpoint_id = %s AND inside = true RETURNING moves"
    )
    return enter, leave


class CheckpointPresence(models.Model):
    """Whether a delegate is inside a checkpoint now; the row scans lock to decide."""

    delegate = models.ForeignKey(Delegate, on_delete=models.CASCADE, related_name="+")
    checkpoint = models.ForeignKey(Checkpoint, on_delete=models.CASCADE, related_name="presences")
    inside = models.BooleanField(default=False)
    moves = models.PositiveIntegerField(default=0)
    since = models.DateTimeField(null=True, blank=True)

    objects = CheckpointPresenceQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["delegate", "checkpoint"], name="one_presence_per_delegate_checkpoint"
            )
        ]
        indexes = [models.Index(fields=["checkpoint", "inside"])]

    def __str__(self) -> str:
        return f"{self.delegate_id}@{self.checkpoint_id}: {'in' if self.inside else 'out'}"


class BatchLayout(models.TextChoices):
    A6 = "a6", _("A6 badges, one per page")
    A4_SHEET = "a4", _("A4 sheets of four, with crop marks")


class BatchStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Rendering")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class BadgeBatch(models.Model):
    """A background job rendering many badges into one PDF; the page polls its progress."""

    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="badge_batches")
    layout = models.CharField(_("layout"), max_length=4, choices=BatchLayout.choices)
    filters = models.JSONField(_("filter"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=BatchStatus.choices, default=BatchStatus.QUEUED
    )
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    pdf = models.FileField(upload_to="badge-batches/%Y/", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("badge batch")
        verbose_name_plural = _("badge batches")

    def __str__(self) -> str:
        return f"{self.assembly} {self.layout} {self.status} {self.done}/{self.total}"

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0
