"""Delegates and their registrations at an assembly."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from assembly.models import Assembly, MemberOrganization


class DelegateRole(models.TextChoices):
    VOTING_DELEGATE = "voting_delegate", _("Voting delegate")
    ALTERNATE = "alternate", _("Alternate")
    OBSERVER = "observer", _("Observer")
    GUEST = "guest", _("Guest")
    PRESS = "press", _("Press")
    STAFF = "staff", _("Staff")


class Attendance(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    ONLINE = "online", _("Online")


class RegistrationState(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    WAITLISTED = "waitlisted", _("Waitlisted")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


class Delegate(models.Model):
    """A person registered for an assembly, usually on behalf of a member organization."""

    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="delegates")
    member = models.ForeignKey(
        MemberOrganization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="delegates",
        help_text=_("Empty for guests, press and observers without a member organization."),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="delegates",
    )
    full_name = models.CharField(_("name on the badge"), max_length=150)
    title = models.CharField(_("title"), max_length=150, blank=True)
    organization_name = models.CharField(
        _("organization"),
        max_length=200,
        blank=True,
        help_text=_("As printed on the badge; defaults to the member organization."),
    )
    email = models.EmailField(_("email"))
    country = models.CharField(_("country"), max_length=100, blank=True)
    role = models.CharField(
        _("role"), max_length=20, choices=DelegateRole.choices, default=DelegateRole.OBSERVER
    )
    attendance = models.CharField(
        _("attendance"), max_length=20, choices=Attendance.choices, default=Attendance.IN_PERSON
    )
    state = models.CharField(
        _("state"),
        max_length=20,
        choices=RegistrationState.choices,
        default=RegistrationState.SUBMITTED,
    )
    photo = models.ImageField(
        _("photo"),
        upload_to="photos/%Y/",
        blank=True,
        help_text=_("Processed on upload: cropped to the badge ratio, metadata stripped."),
    )
    attention = models.CharField(
        _("attention at the desk"),
        max_length=200,
        blank=True,
        help_text=_("Shown to desk staff on every scan, e.g. head of delegation, wheelchair."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["full_name"]
        verbose_name = _("delegate")
        verbose_name_plural = _("delegates")
        constraints = [
            models.UniqueConstraint(
                fields=["assembly", "email"],
                condition=~Q(state=RegistrationState.CANCELLED),
                name="one_live_registration_per_email",
            ),
        ]
        indexes = [models.Index(fields=["assembly", "state"])]

    def __str__(self) -> str:
        return self.full_name

    @property
    def organization_label(self) -> str:
        if self.organization_name:
            return self.organization_name
        return self.member.name if self.member_id else ""


class AccreditationKind(models.TextChoices):
    VOTING = "voting", _("Voting delegate")
    ALTERNATE = "alternate", _("Alternate")


class Accreditation(models.Model):
    """A delegate accredited to cast a member's vote; one active voting delegate per member."""

    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="accreditations")
    member = models.ForeignKey(
        MemberOrganization, on_delete=models.PROTECT, related_name="accreditations"
    )
    delegate = models.ForeignKey(Delegate, on_delete=models.CASCADE, related_name="accreditations")
    kind = models.CharField(_("kind"), max_length=20, choices=AccreditationKind.choices)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    granted_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        ordering = ["member", "-granted_at"]
        verbose_name = _("accreditation")
        verbose_name_plural = _("accreditations")
        constraints = [
            models.UniqueConstraint(
                fields=["assembly", "member"],
                condition=Q(kind="voting", ended_at__isnull=True),
                name="one_active_voting_delegate_per_member",
            ),
            models.UniqueConstraint(
                fields=["assembly", "delegate"],
                condition=Q(ended_at__isnull=True),
                name="one_active_accreditation_per_delegate",
            ),
        ]
        indexes = [models.Index(fields=["assembly", "member", "ended_at"])]

    def __str__(self) -> str:
        return f"{self.delegate} — {self.get_kind_display()} for {self.member}"
