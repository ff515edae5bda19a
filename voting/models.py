"""Voting: governing bodies, presence and quorum, proxies, motions, polls, ballots, audit log."""

import uuid
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from assembly.models import Assembly, MemberOrganization, QuorumKind, fraction_of
from assembly.rows import fetch
from registration.models import Delegate


class DelegatePresenceQuerySet(models.QuerySet):
    def cross_hall(
        self, *, delegate_id: int, assembly_id: int, in_hall: bool, at: datetime
    ) -> "DelegatePresence | None":
        """Flip in_hall in one statement when it changes: the row as now, or None.

        A first entry creates the row in the same statement. None when the delegate is
        already on that side of the hall door, or leaves it without a row.
        """
        table = self.model._meta.db_table
        changed_at = connection.ops.adapt_datetimefield_value(at)
        if in_hall:
            sql = (
                f"INSERT INTO {table} (assembly_id, delegate_id, in_hall, online, changed_at)"  # noqa: S608
                " VALUES (%s, %s, true, false, %s) ON CONFLICT (delegate_id) DO UPDATE"
                " SET in_hall = true, changed_at = excluded.changed_at"
                f" WHERE {table}.in_hall = false RETURNING id, assembly_id, online"
            )
            params = [assembly_id, delegate_id, changed_at]
        else:
            sql = (
                f"UPDATE {table} SET in_hall = false, changed_at = %s"  # noqa: S608
                " WHERE delegate_id = %s AND in_hall = true RETURNING id, assembly_id, online"
            )
            params = [changed_at, delegate_id]
        row = fetch(sql, params)
        if row is None:
            return None
        pk, assembly_id, online = row
        return self.model(
            pk=pk,
            assembly_id=assembly_id,
            delegate_id=delegate_id,
            in_hall=in_hall,
            online=bool(online),
            changed_at=at,
        )


class DelegatePresence(models.Model):
    """Whether a delegate counts as present for quorum: in the hall (scans) or online."""

    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="presences")
    delegate = models.OneToOneField(Delegate, on_delete=models.CASCADE, related_name="presence")
    in_hall = models.BooleanField(_("in the plenary hall"), default=False)
    online = models.BooleanField(_("present online"), default=False)
    online_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("last change"))

    objects = DelegatePresenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("delegate presence")
        verbose_name_plural = _("delegate presences")
        indexes = [models.Index(fields=["assembly", "in_hall", "online"])]

    def __str__(self) -> str:
        return f"{self.delegate}: {'in' if self.in_hall else 'out'}"


class BodyKind(models.TextChoices):
    GENERAL_ASSEMBLY = "general_assembly", _("General Assembly (the assembly's electorate rule)")
    LISTED = "listed", _("Listed member organizations")


class GoverningBody(models.Model):
    """Who votes in a poll: the General Assembly (by rule) or a body with listed members."""

    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="bodies")
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=BodyKind.choices)
    presence_required = models.BooleanField(
        _("only present members vote"),
        default=True,
        help_text=_("A member's ballot is accepted only while it counts as present."),
    )
    # A body's own quorum rule (a council's statutes often differ from the assembly's); empty
    # takes the assembly's.
    quorum_kind = models.CharField(
        _("quorum rule"),
        max_length=10,
        choices=QuorumKind.choices,
        blank=True,
        help_text=_("Leave empty to use the assembly's quorum rule."),
    )
    quorum_fraction = models.DecimalField(
        _("quorum fraction"),
        max_digits=5,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_("Share of the body's voting members that must be present, e.g. 0.5."),
    )
    quorum_absolute = models.PositiveIntegerField(
        _("quorum number"), null=True, blank=True, help_text=_("Used when the rule is absolute.")
    )

    class Meta:
        ordering = ["assembly", "kind", "name"]
        verbose_name = _("governing body")
        verbose_name_plural = _("governing bodies")
        constraints = [
            models.UniqueConstraint(fields=["assembly", "code"], name="body_code_unique"),
            models.UniqueConstraint(
                fields=["assembly"],
                condition=Q(kind="general_assembly"),
                name="one_general_assembly_body_per_assembly",
            ),
            models.CheckConstraint(
                condition=Q(quorum_fraction__isnull=True)
                | (Q(quorum_fraction__gt=0) & Q(quorum_fraction__lte=1)),
                name="body_quorum_fraction_between_0_and_1",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if not self.quorum_kind and (self.quorum_fraction or self.quorum_absolute):
            raise ValidationError(
                {"quorum_kind": _("Choose the rule this figure is for, or clear the figure.")}
            )
        if self.quorum_kind == QuorumKind.ABSOLUTE and not self.quorum_absolute:
            raise ValidationError({"quorum_absolute": _("Give the number of members needed.")})
        if self.quorum_kind == QuorumKind.FRACTION and not self.quorum_fraction:
            raise ValidationError({"quorum_fraction": _("Give the share needed, e.g. 0.5.")})

    @property
    def is_general_assembly(self) -> bool:
        return self.kind == BodyKind.GENERAL_ASSEMBLY

    def quorum_needed(self, eligible: int) -> int:
        """Voting members that must be present: by the body's own rule, else the assembly's."""
        if self.quorum_kind == QuorumKind.ABSOLUTE:
            return int(self.quorum_absolute or 0)
        if self.quorum_kind == QuorumKind.FRACTION:
            return fraction_of(eligible, self.quorum_fraction or 0)
        return self.assembly.quorum_needed(eligible, general_assembly=self.is_general_assembly)

    def quorum_capped(self, eligible: int) -> bool:
        """Whether the body needs fewer than the assembly's quorum number it takes."""
        if self.quorum_kind:
            return False
        return self.assembly.quorum_capped(eligible, general_assembly=self.is_general_assembly)


class BodySeat(models.Model):
    """A listed member of a body, or a weight other than 1 for a General Assembly member."""

    body = models.ForeignKey(GoverningBody, on_delete=models.CASCADE, related_name="seats")
    member = models.ForeignKey(MemberOrganization, on_delete=models.CASCADE, related_name="+")
    weight = models.PositiveSmallIntegerField(_("votes"), default=1)

    class Meta:
        ordering = ["body", "member__name"]
        verbose_name = _("body seat")
        verbose_name_plural = _("body seats")
        constraints = [
            models.UniqueConstraint(fields=["body", "member"], name="one_seat_per_member"),
            models.CheckConstraint(condition=Q(weight__gte=1), name="seat_weight_at_least_1"),
        ]

    def __str__(self) -> str:
        return f"{self.member} in {self.body}"


class MemberPresence(models.Model):
    """Whether a member counts as present: kept current on every delegate presence change."""

    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(MemberOrganization, on_delete=models.CASCADE, related_name="+")
    present = models.BooleanField(default=False)
    changed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("member presence")
        verbose_name_plural = _("member presences")
        constraints = [
            models.UniqueConstraint(fields=["assembly", "member"], name="one_presence_per_member")
        ]

    def __str__(self) -> str:
        return f"{self.member}: {'present' if self.present else 'absent'}"


class QuorumStatus(models.TextChoices):
    NOT_REACHED = "not_reached", _("No quorum yet")
    REACHED = "reached", _("Quorum")
    LOST = "lost", _("Quorum lost")


class BodyQuorum(models.Model):
    """A body's running quorum figures, adjusted by one member at a time under a row lock."""

    body = models.OneToOneField(GoverningBody, on_delete=models.CASCADE, related_name="quorum")
    eligible = models.PositiveIntegerField(default=0)
    eligible_weight = models.PositiveIntegerField(default=0)
    present = models.PositiveIntegerField(default=0)
    present_weight = models.PositiveIntegerField(default=0)
    present_population = models.PositiveBigIntegerField(default=0)
    eligible_population = models.PositiveBigIntegerField(default=0)
    # {region: [present, eligible]}
    by_region = models.JSONField(default=dict)
    status = models.CharField(
        max_length=20, choices=QuorumStatus.choices, default=QuorumStatus.NOT_REACHED
    )
    ever_reached = models.BooleanField(default=False)
    changed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("quorum")
        verbose_name_plural = _("quorums")

    def __str__(self) -> str:
        return f"{self.body}: {self.present}/{self.eligible}"


class ProxyState(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved")
    REVOKED = "revoked", _("Revoked")


class Proxy(models.Model):
    """Member `member` represented by another member's voting delegate `holder`."""

    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="proxies")
    member = models.ForeignKey(MemberOrganization, on_delete=models.PROTECT, related_name="+")
    holder = models.ForeignKey(Delegate, on_delete=models.CASCADE, related_name="proxies_held")
    state = models.CharField(
        _("state"), max_length=20, choices=ProxyState.choices, default=ProxyState.REQUESTED
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["assembly", "member__name"]
        verbose_name = _("proxy")
        verbose_name_plural = _("proxies")
        constraints = [
            models.UniqueConstraint(
                fields=["assembly", "member"],
                condition=~Q(state="revoked"),
                name="one_live_proxy_per_member",
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} → {self.holder}"


class MotionKind(models.TextChoices):
    RESOLUTION = "resolution", _("Resolution")
    ELECTION = "election", _("Election")


class Majority(models.TextChoices):
    SIMPLE = "simple", _("Simple majority (more yes than no)")
    ABSOLUTE_CAST = "absolute_cast", _("Absolute majority of votes cast")
    ABSOLUTE_PRESENT = "absolute_present", _("Absolute majority of voting members present")
    TWO_THIRDS_CAST = "two_thirds_cast", _("Two thirds of votes cast")


class RunoffRule(models.TextChoices):
    LEADING_TWO_PER_SEAT = "leading", _("The leading candidates, two per open seat, with ties")
    TIED_ONLY = "tied", _("Only the tied candidates")


class Motion(models.Model):
    """A resolution (yes / no / abstain) or an election (candidates, seats) before a body."""

    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="motions")
    body = models.ForeignKey(GoverningBody, on_delete=models.PROTECT, related_name="motions")
    code = models.SlugField(_("code"), max_length=60)
    kind = models.CharField(_("kind"), max_length=20, choices=MotionKind.choices)
    title = models.CharField(_("title"), max_length=300)
    text = models.TextField(_("text"), blank=True)
    majority = models.CharField(_("majority"), max_length=20, choices=Majority.choices)
    abstentions_in_base = models.BooleanField(_("abstentions count in the base"), default=False)
    seats = models.PositiveSmallIntegerField(_("seats"), default=0)
    runoff_rule = models.CharField(
        _("runoff"),
        max_length=10,
        choices=RunoffRule.choices,
        default=RunoffRule.LEADING_TWO_PER_SEAT,
    )
    # The agenda item's number; the lead links Motion -> agenda.AgendaItem at merge.
    agenda_item_number = models.CharField(_("agenda item"), max_length=20, blank=True)
    agenda_item = models.ForeignKey(
        "agenda.AgendaItem",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="motions",
        help_text=_("The item of the programme under which the assembly decides this motion."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["assembly", "agenda_item_number", "pk"]
        verbose_name = _("motion")
        verbose_name_plural = _("motions")
        constraints = [
            models.UniqueConstraint(fields=["assembly", "code"], name="motion_code_unique"),
            models.CheckConstraint(
                condition=Q(kind="resolution", seats=0) | Q(kind="election", seats__gte=1),
                name="motion_seats_match_kind",
                violation_error_message=_(
                    "An election needs at least one seat; a resolution has none."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Candidate(models.Model):
    """A candidate in an election: a member organization or a person."""

    motion = models.ForeignKey(Motion, on_delete=models.CASCADE, related_name="candidates")
    member = models.ForeignKey(
        MemberOrganization, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    name = models.CharField(_("name"), max_length=200)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["motion", "position", "name"]
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")
        constraints = [
            models.UniqueConstraint(fields=["motion", "name"], name="candidate_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class PollKind(models.TextChoices):
    SECRET = "secret", _("Electronic, secret")
    ROLL_CALL = "roll_call", _("Electronic, roll-call (named)")
    HAND = "hand", _("Paper or show of hands (counts entered)")


class PollState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")
    PUBLISHED = "published", _("Published")


class Poll(models.Model):
    """One round of voting on a motion: draft -> open -> closed -> published."""

    motion = models.ForeignKey(Motion, on_delete=models.CASCADE, related_name="polls")
    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="polls")
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    runoff_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="runoffs"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=PollKind.choices)
    state = models.CharField(
        _("state"), max_length=20, choices=PollState.choices, default=PollState.DRAFT
    )
    seats = models.PositiveSmallIntegerField(_("seats"), default=0)
    candidates = models.ManyToManyField(Candidate, blank=True, related_name="polls")
    min_open_seconds = models.PositiveIntegerField(_("minimum open time (seconds)"), default=0)
    close_after_seconds = models.PositiveIntegerField(
        _("scheduled close after (seconds)"), null=True, blank=True
    )
    closes_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    override_reason = models.TextField(_("quorum override reason"), blank=True)
    # Figures recorded at open and at close: quorum, electorate fingerprint, audit head.
    at_open = models.JSONField(default=dict, blank=True)
    at_close = models.JSONField(default=dict, blank=True)
    # Counted from the ballots when the poll closes; while open, selectors count the rows
    # (a counter here would make every ballot queue for this row's lock).
    turnout = models.PositiveIntegerField(default=0)
    turnout_weight = models.PositiveIntegerField(default=0)
    hand_counts = models.JSONField(default=dict, blank=True)
    hand_counts_entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    hand_counts_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    result = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["assembly", "motion", "round"]
        verbose_name = _("poll")
        verbose_name_plural = _("polls")
        constraints = [
            models.UniqueConstraint(fields=["motion", "round"], name="poll_round_unique"),
        ]
        indexes = [models.Index(fields=["assembly", "state"])]

    def __str__(self) -> str:
        return f"{self.motion} ({self.round})"

    @property
    def is_secret(self) -> bool:
        return self.kind == PollKind.SECRET


class VoteCast(models.Model):
    """Who has voted in a poll; no link to what was voted. One per member per poll."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    poll = models.ForeignKey(Poll, on_delete=models.PROTECT, related_name="casts")
    member = models.ForeignKey(MemberOrganization, on_delete=models.PROTECT, related_name="+")
    cast_by = models.ForeignKey(Delegate, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("vote cast")
        verbose_name_plural = _("votes cast")
        constraints = [
            models.UniqueConstraint(
                fields=["poll", "member"], name="one_ballot_per_member_per_poll"
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} voted in {self.poll_id}"


class Ballot(models.Model):
    """What was voted: random id, no time, no voter (except in roll-call polls)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    poll = models.ForeignKey(Poll, on_delete=models.PROTECT, related_name="ballots")
    choices = models.JSONField()
    weight = models.PositiveSmallIntegerField(default=1)
    receipt_hash = models.CharField(max_length=64, unique=True)
    # Set only in roll-call polls; always empty in secret polls.
    member = models.ForeignKey(
        MemberOrganization, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")

    def __str__(self) -> str:
        return f"ballot {self.receipt_hash[:8]}"


class AuditHead(models.Model):
    """The head of an assembly's audit chain: locked to append so concurrent writers chain."""

    assembly = models.OneToOneField(Assembly, on_delete=models.CASCADE, related_name="+")
    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"{self.assembly_id}@{self.seq}"


class AuditPending(models.Model):
    """An audit entry written in its writer's transaction, linked into the chain after commit.

    Busy writers (ballots, hall scans) leave their entry here instead of queueing for the
    head's lock until they commit; voting.audit.link_pending moves entries into the chain in
    batches. `prefix` is the entry's canonical body up to its sequence number.
    """

    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="+")
    event = models.CharField(max_length=40)
    prefix = models.TextField()

    class Meta:
        verbose_name = _("audit entry waiting to be linked")
        verbose_name_plural = _("audit entries waiting to be linked")

    def __str__(self) -> str:
        return f"pending {self.event}"


class AuditEntry(models.Model):
    """One link of the chain: hash = sha256(prev_hash + body), body the canonical JSON."""

    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="+")
    seq = models.PositiveBigIntegerField()
    event = models.CharField(max_length=40)
    body = models.TextField()
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["assembly", "seq"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        constraints = [
            models.UniqueConstraint(fields=["assembly", "seq"], name="audit_seq_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.seq} {self.event}"
