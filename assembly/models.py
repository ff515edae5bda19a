"""Core domain: member organizations, assemblies and their rules, checkpoints, roles, API tokens."""

import hashlib
import math
import zoneinfo
from datetime import date
from decimal import Decimal
from fractions import Fraction

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Region(models.TextChoices):
    AFRICA = "africa", _("Africa")
    EUROPE = "europe", _("Europe")
    MENA = "mena", _("Middle East & North Africa")
    AMERICAS = "americas", _("Americas")
    ASIA_PACIFIC = "asia_pacific", _("Asia-Pacific")


class MemberKind(models.TextChoices):
    LOCAL_GOVERNMENT = "local_government", _("Local government")
    INSTITUTION = "institution", _("Institution")
    CORPORATION = "corporation", _("Corporation")


class MembershipType(models.TextChoices):
    FULL = "full", _("Full member")
    ASSOCIATE = "associate", _("Associate member")


class MembershipStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    PENDING = "pending", _("Pending admission")
    SUSPENDED = "suspended", _("Suspended")
    LAPSED = "lapsed", _("Lapsed")


class MemberOrganization(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=MemberKind.choices)
    country = models.CharField(_("country"), max_length=100)
    region = models.CharField(_("region"), max_length=20, choices=Region.choices)
    membership_type = models.CharField(
        _("membership type"),
        max_length=20,
        choices=MembershipType.choices,
        default=MembershipType.FULL,
    )
    membership_status = models.CharField(
        _("membership status"),
        max_length=20,
        choices=MembershipStatus.choices,
        default=MembershipStatus.ACTIVE,
    )
    dues_paid = models.BooleanField(_("dues paid"), default=True)
    population = models.PositiveBigIntegerField(_("population"), null=True, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("member organization")
        verbose_name_plural = _("member organizations")
        indexes = [models.Index(fields=["region", "kind"])]

    def __str__(self) -> str:
        return self.name


def validate_time_zone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError(
            _("%(value)s is not a known time zone."), params={"value": value}
        ) from None


def default_voting_kinds() -> list[str]:
    return [MemberKind.LOCAL_GOVERNMENT]


def default_voting_types() -> list[str]:
    return [MembershipType.FULL]


def fraction_of(eligible: int, fraction: Decimal | float | str) -> int:
    """Members needed for a share of `eligible`, rounding up. A share typed to four places that
    stands for a simple one counts as that one: 0.6667 is two thirds (200 of 300, not 201)."""
    typed = Fraction(str(fraction))
    simple = typed.limit_denominator(12)
    share = simple if abs(simple - typed) <= Fraction(1, 20_000) else typed  # half the last place
    return math.ceil(eligible * share)


class QuorumKind(models.TextChoices):
    FRACTION = "fraction", _("A fraction of the voting members")
    ABSOLUTE = "absolute", _("An absolute number of voting members")


class Assembly(models.Model):
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100)
    country = models.CharField(_("country"), max_length=100, blank=True)
    venue = models.CharField(_("venue"), max_length=200)
    venue_address = models.CharField(_("venue address"), max_length=300, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, validators=[validate_time_zone])
    start_date = models.DateField(_("first day"))
    end_date = models.DateField(_("last day"))
    contact_email = models.EmailField(_("secretariat email"), blank=True)

    # Who may vote in the General Assembly: rules as data, not code.
    voting_member_kinds = models.JSONField(
        _("member kinds that vote"), default=default_voting_kinds
    )
    voting_membership_types = models.JSONField(
        _("membership types that vote"), default=default_voting_types
    )
    voting_requires_dues_paid = models.BooleanField(
        _("only members with dues paid vote"), default=True
    )

    quorum_kind = models.CharField(
        _("quorum rule"), max_length=10, choices=QuorumKind.choices, default=QuorumKind.FRACTION
    )
    quorum_fraction = models.DecimalField(
        _("quorum fraction"),
        max_digits=5,
        decimal_places=4,
        default=0.5,
        help_text=_("Share of voting members that must be present, e.g. 0.5 for half."),
    )
    quorum_absolute = models.PositiveIntegerField(
        _("quorum number"), null=True, blank=True, help_text=_("Used when the rule is absolute.")
    )
    online_presence_counts = models.BooleanField(_("online presence counts"), default=True)
    proxies_allowed = models.BooleanField(_("proxies allowed"), default=False)
    max_proxies_per_holder = models.PositiveSmallIntegerField(
        _("proxies one holder may carry"), default=1
    )
    # Set only by load_demo: the demo's simulation may invent delegates and ballots here alone.
    is_demo = models.BooleanField(_("demo assembly"), default=False, editable=False)
    # When presence last ended for the night (badges.services.end_the_day).
    presence_ended_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-start_date"]
        verbose_name = _("assembly")
        verbose_name_plural = _("assemblies")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")),
                name="assembly_ends_after_it_starts",
            ),
            models.CheckConstraint(
                condition=Q(quorum_fraction__gt=0) & Q(quorum_fraction__lte=1),
                name="assembly_quorum_fraction_between_0_and_1",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The last day must not be before the first.")})
        if self.quorum_kind == QuorumKind.ABSOLUTE and not self.quorum_absolute:
            raise ValidationError({"quorum_absolute": _("Give the number of members needed.")})
        unknown_kinds = set(self.voting_member_kinds or []) - set(MemberKind.values)
        if unknown_kinds:
            raise ValidationError({"voting_member_kinds": _("Unknown member kinds.")})
        unknown_types = set(self.voting_membership_types or []) - set(MembershipType.values)
        if unknown_types:
            raise ValidationError({"voting_membership_types": _("Unknown membership types.")})

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    def local_today(self) -> date:
        return timezone.now().astimezone(self.zone).date()

    def quorum_needed(self, eligible: int, *, general_assembly: bool = True) -> int:
        """Voting members that must be present for quorum, given how many are eligible.

        An absolute number is the General Assembly's (its statutes' figure, kept even when
        fewer are eligible); another body needs at most all its members, never more than it has.
        """
        if self.quorum_kind == QuorumKind.ABSOLUTE:
            number = int(self.quorum_absolute or 0)
            return number if general_assembly else min(number, eligible)
        return fraction_of(eligible, self.quorum_fraction)

    def quorum_capped(self, eligible: int, *, general_assembly: bool = True) -> bool:
        """Whether a body other than the General Assembly needs fewer than the quorum number."""
        needed = self.quorum_needed(eligible, general_assembly=general_assembly)
        return self.quorum_kind == QuorumKind.ABSOLUTE and needed < int(self.quorum_absolute or 0)

    def voting_member_filter(self) -> Q:
        """The General Assembly's electorate rule as a query on MemberOrganization."""
        rule = Q(
            kind__in=self.voting_member_kinds,
            membership_type__in=self.voting_membership_types,
            membership_status=MembershipStatus.ACTIVE,
        )
        if self.voting_requires_dues_paid:
            rule &= Q(dues_paid=True)
        return rule


class CheckpointKind(models.TextChoices):
    ENTRANCE = "entrance", _("Entrance / registration desk")
    PLENARY = "plenary", _("Plenary hall")
    ROOM = "room", _("Meeting room")
    TOUR = "tour", _("Tour meeting point")


class Checkpoint(models.Model):
    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="checkpoints")
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=20, choices=CheckpointKind.choices)
    is_voting = models.BooleanField(
        _("voting checkpoint"),
        default=False,
        help_text=_("Presence here counts towards quorum. One per assembly."),
    )

    class Meta:
        ordering = ["assembly", "-is_voting", "name"]
        verbose_name = _("checkpoint")
        verbose_name_plural = _("checkpoints")
        constraints = [
            models.UniqueConstraint(fields=["assembly", "code"], name="checkpoint_code_unique"),
            models.UniqueConstraint(
                fields=["assembly"],
                condition=Q(is_voting=True),
                name="one_voting_checkpoint_per_assembly",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    SECRETARIAT = "secretariat", _("Secretariat")
    DESK = "desk", _("Desk staff")
    CHAIR = "chair", _("Chair")
    DELEGATE = "delegate", _("Delegate")


STAFF_ROLES = frozenset({Role.SECRETARIAT, Role.DESK, Role.CHAIR})


class StaffRole(models.Model):
    """A staff member's role at one assembly; delegates get theirs from registration."""

    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="staff_roles")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_roles"
    )
    role = models.CharField(
        _("role"),
        max_length=20,
        choices=[(r.value, r.label) for r in Role if r in STAFF_ROLES],
    )
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("staff role")
        verbose_name_plural = _("staff roles")
        constraints = [
            models.UniqueConstraint(fields=["assembly", "user", "role"], name="staff_role_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} ({self.assembly.slug})"


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for desk devices and scripts; only its hash is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("starts with"), max_length=12, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()
