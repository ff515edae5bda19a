"""Rooms, speakers, sessions and their agenda items, and each delegate's chosen sessions."""

import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assembly.models import Assembly, Checkpoint
from registration.models import Delegate


class Room(models.Model):
    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="rooms")
    code = models.SlugField(_("code"), max_length=60)
    name = models.CharField(_("name"), max_length=200)
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    checkpoint = models.ForeignKey(
        Checkpoint,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="rooms",
        verbose_name=_("checkpoint"),
        help_text=_("Where badges are scanned for this room, if anywhere."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    # Calendar feeds name the room: a rename must change their ETag and Last-Modified.
    changed_at = models.DateTimeField(_("last changed"), auto_now=True)

    class Meta:
        ordering = ["assembly", "order", "name"]
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        constraints = [
            models.UniqueConstraint(fields=["assembly", "code"], name="room_code_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Speaker(models.Model):
    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="speakers")
    code = models.SlugField(_("code"), max_length=60)
    name = models.CharField(_("name"), max_length=200)
    title = models.CharField(_("title"), max_length=200, blank=True)
    organization = models.CharField(_("organization"), max_length=200, blank=True)
    photo = models.ImageField(_("photo"), upload_to="speakers/%Y/", blank=True)
    bio = models.TextField(_("short bio"), blank=True)
    # Calendar feeds name the speakers: a rename must change their ETag and Last-Modified.
    changed_at = models.DateTimeField(_("last changed"), auto_now=True)

    class Meta:
        ordering = ["assembly", "name"]
        verbose_name = _("speaker")
        verbose_name_plural = _("speakers")
        constraints = [
            models.UniqueConstraint(fields=["assembly", "code"], name="speaker_code_unique")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def photo_url(self) -> str:
        from assembly.photos import photo_address

        return photo_address("speaker-photo", self.pk, self.photo)


class SessionKind(models.TextChoices):
    GA_SESSION = "ga_session", _("General Assembly session")
    EXCOM = "excom", _("Executive Committee")
    CEREMONY = "ceremony", _("Ceremony")
    WORKSHOP = "workshop", _("Workshop")
    EXHIBITION = "exhibition", _("Exhibition")
    SOCIAL = "social", _("Social")
    TOUR = "tour", _("Tour")


class SessionStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    MOVED = "moved", _("Moved")
    CANCELLED = "cancelled", _("Cancelled")


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Public")
    MEMBERS = "members", _("Members only")


class Session(models.Model):
    """One slot of the programme; changes go through sessions.services (SEQUENCE, emails, live)."""

    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="sessions")
    code = models.SlugField(_("code"), max_length=80, help_text=_("Used in the page address."))
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=SessionKind.choices)
    # RESTRICT, not PROTECT: a room with sessions cannot be deleted alone, but deleting the
    # whole assembly (which cascades to both) still works.
    room = models.ForeignKey(
        Room, on_delete=models.RESTRICT, related_name="sessions", verbose_name=_("room")
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    description = models.TextField(_("description"), blank=True)
    speakers = models.ManyToManyField(
        Speaker, blank=True, related_name="sessions", verbose_name=_("speakers")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=SessionStatus.choices, default=SessionStatus.SCHEDULED
    )
    visibility = models.CharField(
        _("visibility"), max_length=20, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    # Calendar identity: the UID never changes; SEQUENCE and changed_at move on every change.
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(_("revision"), default=0, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    changed_at = models.DateTimeField(_("last changed"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["starts_at", "room__order", "title"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        constraints = [
            models.UniqueConstraint(fields=["assembly", "code"], name="session_code_unique"),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="session_ends_after_it_starts"
            ),
            # On PostgreSQL a further exclusion constraint (migration 0002) refuses two live
            # sessions overlapping in one room; on SQLite the service's room lock does.
        ]
        indexes = [models.Index(fields=["assembly", "starts_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_cancelled(self) -> bool:
        return self.status == SessionStatus.CANCELLED

    @property
    def is_members_only(self) -> bool:
        return self.visibility == Visibility.MEMBERS

    def clean(self) -> None:
        # The same rules the services enforce under a lock, shown on the admin's form.
        from sessions.errors import EndsBeforeStart, OutsideAssembly, RoomClash
        from sessions.rules import check_room_free, check_times

        assembly = self.assembly if self.assembly_id is not None else None
        try:
            check_times(starts_at=self.starts_at, ends_at=self.ends_at, assembly=assembly)
        except EndsBeforeStart as error:
            raise ValidationError({"ends_at": error.detail}) from None
        except OutsideAssembly as error:
            raise ValidationError({error.field: error.detail}) from None
        if self.room_id is None or self.is_cancelled:
            return
        try:
            check_room_free(
                room=self.room, starts_at=self.starts_at, ends_at=self.ends_at, exclude=self.pk
            )
        except RoomClash as error:
            raise ValidationError({"room": error.detail}) from None


class AgendaItem(models.Model):
    """A numbered item of a general assembly session; motions link to it from voting."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="agenda_items")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    number = models.CharField(_("number"), max_length=20)
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["session", "order"]
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        constraints = [
            models.UniqueConstraint(fields=["session", "number"], name="agenda_item_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class AgendaChoice(models.Model):
    """A session a delegate put in their own agenda."""

    delegate = models.ForeignKey(Delegate, on_delete=models.CASCADE, related_name="agenda_choices")
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="choices")
    chosen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("agenda choice")
        verbose_name_plural = _("agenda choices")
        constraints = [
            models.UniqueConstraint(fields=["delegate", "session"], name="agenda_choice_unique")
        ]

    def __str__(self) -> str:
        return f"{self.delegate} → {self.session}"


class PersonalFeed(models.Model):
    """The version in a delegate's personal feed token; a reset bumps it so old URLs die."""

    delegate = models.OneToOneField(Delegate, on_delete=models.CASCADE, related_name="agenda_feed")
    version = models.PositiveIntegerField(default=1)
    # Moves whenever the delegate's choice of sessions changes: part of the feed's ETag.
    agenda_changed_at = models.DateTimeField(default=timezone.now)
    reset_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("personal calendar feed")
        verbose_name_plural = _("personal calendar feeds")

    def __str__(self) -> str:
        return f"{self.delegate} (v{self.version})"
