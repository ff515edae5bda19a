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
