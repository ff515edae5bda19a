"""Delegates and their registrations at an assembly."""

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assembly.models import Assembly, MemberOrganization


class DelegateRole(models.TextChoices):
    VOTING_DELEGATE = "voting_delegate", _("Voting delegate")
    ALTERNATE = "alternate", _("Alternate")
    OBSERVER = "observer", _("Observer")
    GUEST = "guest", _("Guest")
    PRESS = "press", _("Press")
    STAFF = "staff", _("Staff")


# The roles that may carry a member's vote (accredited as its voting delegate or alternate).
ACCREDITED_ROLES = frozenset({DelegateRole.VOTING_DELEGATE, DelegateRole.ALTERNATE})


class Attendance(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    ONLINE = "online", _("Online")


class RegistrationState(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    WAITLISTED = "waitlisted", _("Waitlisted")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


class RegistrationSource(models.TextChoices):
    INVITATION = "invitation", _("Invitation")
    PUBLIC = "public", _("Public form")
    IMPORT = "import", _("CSV import")
    SECRETARIAT = "secretariat", _("Secretariat")


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
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    dietary_needs = models.CharField(_("dietary needs"), max_length=300, blank=True)
    accessibility_needs = models.CharField(_("accessibility needs"), max_length=300, blank=True)
    arrival_date = models.DateField(_("arrival date"), null=True, blank=True)
    departure_date = models.DateField(_("departure date"), null=True, blank=True)
    needs_visa_letter = models.BooleanField(_("needs a visa invitation letter"), default=False)
    # Passport details: shown to the secretariat and printed on the visa letter, nowhere else.
    passport_name = models.CharField(_("name as in the passport"), max_length=150, blank=True)
    passport_number = models.CharField(_("passport number"), max_length=40, blank=True)
    nationality = models.CharField(_("nationality"), max_length=100, blank=True)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    invitation = models.ForeignKey(
        "registration.Invitation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="delegates",
    )
    source = models.CharField(
        _("registered through"), max_length=20, choices=RegistrationSource.choices, blank=True
    )
    state_changed_at = models.DateTimeField(null=True, blank=True)
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
    def photo_url(self) -> str:
        """The photo behind its check (assembly.photos), never a public media address."""
        from assembly.photos import photo_address

        return photo_address("delegate-photo", self.pk, self.photo)

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


class RegistrationSettings(models.Model):
    """Registration rules an organizer sets for one assembly."""

    assembly = models.OneToOneField(
        Assembly, on_delete=models.CASCADE, related_name="registration_settings"
    )
    edit_cutoff = models.DateTimeField(
        _("delegates may edit until"),
        null=True,
        blank=True,
        help_text=_("After this moment delegates can no longer change their details."),
    )
    letterhead = models.TextField(
        _("letterhead"), blank=True, help_text=_("Sender block at the top of visa letters.")
    )
    signatory_name = models.CharField(_("letters signed by"), max_length=150, blank=True)
    signatory_title = models.CharField(_("signatory's title"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("registration settings")
        verbose_name_plural = _("registration settings")

    def __str__(self) -> str:
        return str(self.assembly)


class Invitation(models.Model):
    """A member organization's signed, revocable, expiring link with a number of places."""

    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="invitations")
    member = models.ForeignKey(
        MemberOrganization, on_delete=models.PROTECT, related_name="invitations"
    )
    places = models.PositiveSmallIntegerField(_("delegate places"))
    places_used = models.PositiveSmallIntegerField(_("places used"), default=0)
    contact_email = models.EmailField(_("contact email"), blank=True)
    nonce = models.CharField(max_length=32, unique=True, editable=False)
    auto_approve = models.BooleanField(
        _("approve its registrations at once"),
        default=False,
        help_text=_("Otherwise every registration waits in the approval queue."),
    )
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["member__name", "-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.CheckConstraint(
                condition=Q(places_used__lte=models.F("places")),
                name="invitation_places_never_exceeded",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} ({self.places_used}/{self.places})"

    @property
    def places_left(self) -> int:
        return max(self.places - self.places_used, 0)


class RegistrationEvent(models.Model):
    """One state change of a registration: who, when, from what to what."""

    delegate = models.ForeignKey(Delegate, on_delete=models.CASCADE, related_name="events")
    from_state = models.CharField(max_length=20, choices=RegistrationState.choices, blank=True)
    to_state = models.CharField(max_length=20, choices=RegistrationState.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("registration event")
        verbose_name_plural = _("registration events")

    def __str__(self) -> str:
        return f"{self.delegate}: {self.from_state or '-'} -> {self.to_state}"


class VisaLetter(models.Model):
    """An issued visa invitation letter; its public token opens the verification page."""

    delegate = models.OneToOneField(Delegate, on_delete=models.CASCADE, related_name="visa_letter")
    reference = models.CharField(_("reference"), max_length=40, unique=True)
    token = models.CharField(max_length=40, unique=True, editable=False)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    issued_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("visa letter")
        verbose_name_plural = _("visa letters")

    def __str__(self) -> str:
        return self.reference


class Tour(models.Model):
    """An activity of the tour programme with a fixed number of places."""

    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="tours")
    code = models.SlugField(_("code"), max_length=60)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    meeting_point = models.CharField(_("meeting point"), max_length=200)
    capacity = models.PositiveIntegerField(_("places"))
    # Places held by confirmed sign-ups; changed only under the tour's row lock.
    taken = models.PositiveIntegerField(_("places taken"), default=0)
    # Sign-ups on the waiting list, also kept under the lock: a newcomer reads it from the locked
    # row to know whether someone waits (first come, first served) without another query.
    waiting = models.PositiveIntegerField(_("people waiting"), default=0)
    # Arrival counter: each sign-up gets the next number, which orders the waiting list.
    next_number = models.PositiveIntegerField(default=1, editable=False)
    # Calendar revision, as a session's: a change of time, title or meeting point bumps both,
    # so personal feeds show the change (SEQUENCE, DTSTAMP, ETag).
    sequence = models.PositiveIntegerField(_("revision"), default=0, editable=False)
    changed_at = models.DateTimeField(_("last changed"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["starts_at", "title"]
        verbose_name = _("tour")
        verbose_name_plural = _("tours")
        constraints = [
            models.UniqueConstraint(fields=["assembly", "code"], name="tour_code_unique"),
            models.CheckConstraint(
                condition=Q(taken__lte=models.F("capacity")), name="tour_never_oversold"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="tour_ends_after_it_starts",
                violation_error_message=_("A tour must end after it starts."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def places_left(self) -> int:
        return max(self.capacity - self.taken, 0)

    def has_left(self, now: datetime | None = None) -> bool:
        """Whether the tour has started: from then on its places and waiting list are closed."""
        return self.starts_at <= (now or timezone.now())


class SignupStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    WAITLISTED = "waitlisted", _("On the waiting list")
    CANCELLED = "cancelled", _("Cancelled")


class TourSignup(models.Model):
    """A delegate's place (or place in line) on a tour, alone or with one companion."""

    tour = models.ForeignKey(Tour, on_delete=models.CASCADE, related_name="signups")
    delegate = models.ForeignKey(Delegate, on_delete=models.CASCADE, related_name="tour_signups")
    status = models.CharField(_("status"), max_length=20, choices=SignupStatus.choices)
    places = models.PositiveSmallIntegerField(_("places"), default=1)
    number = models.PositiveIntegerField(_("arrival number"))
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # The queued "A place is yours" email of a promotion (the email queue's message id): a
    # cancel while it still waits there withdraws it.
    promotion_email = models.BigIntegerField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["tour", "number"]
        verbose_name = _("tour sign-up")
        verbose_name_plural = _("tour sign-ups")
        constraints = [
            models.UniqueConstraint(
                fields=["tour", "delegate"],
                condition=~Q(status="cancelled"),
                name="one_live_signup_per_tour_and_delegate",
            ),
            models.CheckConstraint(
                condition=Q(places__gte=1) & Q(places__lte=2), name="signup_one_or_two_places"
            ),
        ]
        indexes = [models.Index(fields=["tour", "status", "number"])]

    def __str__(self) -> str:
        return f"{self.delegate} — {self.tour} ({self.status})"

    @property
    def accompanied(self) -> bool:
        return self.places == 2


class WaitlistMove(models.Model):
    """A change of waiting-list order made by hand, with its reason."""

    signup = models.ForeignKey(TourSignup, on_delete=models.CASCADE, related_name="moves")
    from_position = models.PositiveIntegerField()
    to_position = models.PositiveIntegerField()
    reason = models.CharField(_("reason"), max_length=300)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("waiting-list move")
        verbose_name_plural = _("waiting-list moves")

    def __str__(self) -> str:
        return f"{self.signup}: {self.from_position} -> {self.to_position}"


class ImportStatus(models.TextChoices):
    NEW = "new", _("Not started")
    RUNNING = "running", _("Importing")
    DONE = "done", _("Done")
    FAILED = "failed", _("Stopped")


class ImportRun(models.Model):
    """A confirmed CSV import, written a part at a time in the background; the page polls its
    progress. Its first `done` rows (in file order) are in, each part with its emails in one
    transaction, so confirming again goes on after them and never writes a row twice."""

    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="imports")
    # The preview's own key: a second click on its Confirm finds this run instead of starting one.
    key = models.CharField(max_length=64, unique=True)
    text = models.TextField()
    status = models.CharField(
        _("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.NEW
    )
    total = models.PositiveIntegerField(_("rows"), default=0)
    done = models.PositiveIntegerField(_("rows imported"), default=0)
    first_line = models.PositiveIntegerField(default=0)
    done_line = models.PositiveIntegerField(default=0)  # the line of the last row imported
    last_line = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    row_errors = models.JSONField(default=list, blank=True)  # [[line, message], ...]
    # Which runner may write the next part: a second one (a retry) never writes beside it.
    claim = models.CharField(max_length=32, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("registration import")
        verbose_name_plural = _("registration imports")
        constraints = [
            # Two imports at once could each take the same address between their checks.
            models.UniqueConstraint(
                fields=["assembly"],
                condition=Q(status="running"),
                name="one_running_import_per_assembly",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assembly} import {self.pk}: {self.status} {self.done}/{self.total}"

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0
