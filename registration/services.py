"""Writes of registration: invitations, registrations and their states, accreditation, letters."""

import hashlib
import secrets
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from assembly.errors import InvalidInput
from assembly.models import Assembly, MemberOrganization
from assembly.text import one_line_problem
from registration.emails import (
    DelegateEmail,
    email_delegate,
    queue_emails,
    queue_invitation_email,
)
from registration.errors import (
    AccreditationRefused,
    AlreadyRegistered,
    DelegateNotFound,
    EditingClosed,
    InvitationExpired,
    InvitationInvalid,
    InvitationRevoked,
    LetterNotAvailable,
    PlacesExhausted,
    TransitionNotAllowed,
)
from registration.models import (
    ACCREDITED_ROLES,
    Accreditation,
    AccreditationKind,
    Attendance,
    Delegate,
    DelegateRole,
    Invitation,
    RegistrationEvent,
    RegistrationSettings,
    RegistrationSource,
    RegistrationState,
    VisaLetter,
)
from registration.normal import normal_email, normal_text
from registration.photos import process_photo
from voting.presence import refresh_member_presence

User = get_user_model()

INVITATION_SALT = "registration.invitation"
S = RegistrationState

# Only these moves exist; "any -> cancelled" except from cancelled itself.
TRANSITIONS: dict[str, set[str]] = {
    S.SUBMITTED: {S.APPROVED, S.WAITLISTED, S.REJECTED, S.CANCELLED},
    S.WAITLISTED: {S.APPROVED, S.REJECTED, S.CANCELLED},
    S.APPROVED: {S.CANCELLED},
    S.REJECTED: {S.CANCELLED},
    S.CANCELLED: set(),
}
LIVE_STATES = {S.SUBMITTED, S.WAITLISTED, S.APPROVED}

PUBLIC_ROLES = {DelegateRole.OBSERVER, DelegateRole.GUEST, DelegateRole.PRESS}
INVITED_ROLES = {
    DelegateRole.VOTING_DELEGATE,
    DelegateRole.ALTERNATE,
    DelegateRole.OBSERVER,
    DelegateRole.STAFF,
}

STATE_SUBJECTS = {
    S.SUBMITTED: _("We received your registration for %(assembly)s"),
    S.APPROVED: _("Your registration for %(assembly)s is approved"),
    S.WAITLISTED: _("Your registration for %(assembly)s is on the waiting list"),
    S.REJECTED: _("Your registration for %(assembly)s was not accepted"),
    S.CANCELLED: _("Your registration for %(assembly)s is cancelled"),
}


@dataclass(kw_only=True)
class DelegateDetails:
    """What a person gives about themselves on the registration form."""

    full_name: str
    email: str
    role: str
    attendance: str = Attendance.IN_PERSON
    title: str = ""
    organization_name: str = ""
    phone: str = ""
    country: str = ""
    dietary_needs: str = ""
    accessibility_needs: str = ""
    arrival_date: date | None = None
    departure_date: date | None = None
    needs_visa_letter: bool = False
    passport_name: str = ""
    passport_number: str = ""
    nationality: str = ""
    date_of_birth: date | None = None

    @classmethod
    def names(cls) -> list[str]:
        return [field.name for field in fields(cls)]

    @classmethod
    def from_data(cls, data: dict) -> "DelegateDetails":
        return cls(**{name: data[name] for name in cls.names() if name in data})


# --- invitations --------------------------------------------------------------------------


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps({"i": invitation.pk, "n": invitation.nonce}, salt=INVITATION_SALT)


def invitation_url(invitation: Invitation) -> str:
    from django.conf import settings

    path = reverse(
        "registration:invitation", args=[invitation.assembly.slug, invitation_token(invitation)]
    )
    return f"{settings.SITE_URL}{path}"


def issue_invitation(
    *,
    assembly: Assembly,
    member: MemberOrganization,
    places: int,
    expires_at: datetime,
    by: AbstractBaseUser | None,
    contact_email: str = "",
    auto_approve: bool = False,
) -> Invitation:
    """Create a member's invitation; its link is invitation_url(invitation), emailed to its
    contact address (the one given, else the member's) with the invitation's own commit."""
    if places < 1:
        raise PlacesExhausted(_("An invitation needs at least one place."))
    if expires_at <= timezone.now():
        raise InvitationExpired(_("The expiry must be in the future."))
    with transaction.atomic():
        invitation = Invitation.objects.create(
            assembly=assembly,
            member=member,
            places=places,
            expires_at=expires_at,
            created_by=by,
            contact_email=contact_email or member.contact_email,
            auto_approve=auto_approve,
            nonce=secrets.token_hex(16),
        )
        if invitation.contact_email:
            queue_invitation_email(invitation=invitation, url=invitation_url(invitation))
    return invitation


def revoke_invitation(*, invitation: Invitation, by: AbstractBaseUser | None) -> Invitation:
    """Withdraw the link at once; registrations already made stay."""
    if invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
    return invitation


def invitation_from_token(*, assembly: Assembly, token: str) -> Invitation:
    """The usable invitation a link names, or the reason it is not usable."""
    try:
        payload = signing.loads(token, salt=INVITATION_SALT)
        invitation = Invitation.objects.select_related("member", "assembly").get(
            pk=int(payload["i"]), nonce=str(payload["n"]), assembly=assembly
        )
    except (signing.BadSignature, KeyError, TypeError, ValueError, Invitation.DoesNotExist):
        raise InvitationInvalid() from None
    if invitation.revoked_at is not None:
        raise InvitationRevoked()
    if invitation.expires_at <= timezone.now():
        raise InvitationExpired()
    return invitation


# --- registrations ------------------------------------------------------------------------


def login_name(email: str) -> str:
    """The login's username: the address, or a digest of it when the address is longer than
    the username column's 150 characters (an address may have 254)."""
    if len(email) <= User._meta.get_field("username").max_length:
        return email
    return "email-" + hashlib.sha256(email.encode()).hexdigest()


def user_for_email(*, email: str, full_name: str) -> AbstractBaseUser:
    """The login for a delegate's address; new ones get no password (magic links only).

    Two registrations of a new address at once (a double submission) both get the first's
    login: the second's insert waits for the first's commit, then finds its row.
    """
    email = normal_email(email)
    user = existing_user(email)
    if user is None:
        user = User(username=login_name(email), email=email, first_name=full_name[:150])
        user.set_unusable_password()
        try:
            with transaction.atomic():
                user.save()
        except IntegrityError:
            user = existing_user(email)
            if user is None:
                raise
    return user


def existing_user(email: str) -> AbstractBaseUser | None:
    return (
        User.objects.filter(username=login_name(email)).first()
        or User.objects.filter(email__iexact=email).order_by("pk").first()
    )


def users_for_emails(people: dict[str, str]) -> dict[str, AbstractBaseUser]:
    """user_for_email for many addresses (normal_email -> full name) in a few queries:
    the logins that exist, then one bulk insert of the missing ones; the caller holds a tx.

    A login another transaction inserts meanwhile is not inserted twice: the insert skips it
    (on PostgreSQL after that transaction commits) and it is read back with the new ones.
    """
    found: dict[str, AbstractBaseUser] = {}
    emails = list(people)
    for start in range(0, len(emails), 1000):
        chunk = emails[start : start + 1000]
        names = {login_name(email): email for email in chunk}
        for name, user in User.objects.in_bulk(list(names), field_name="username").items():
            found[names[name]] = user
        missing = [email for email in chunk if email not in found]
        by_address = User.objects.annotate(address=Lower("email")).filter(address__in=missing)
        for user in by_address.order_by("-pk"):  # the lowest pk wins, as in user_for_email
            found[user.address] = user
    new = {}
    for email in emails:
        if email not in found:
            user = User(username=login_name(email), email=email, first_name=people[email][:150])
            user.set_unusable_password()
            new[login_name(email)] = (email, user)
    User.objects.bulk_create(
        [user for _email, user in new.values()], batch_size=500, ignore_conflicts=True
    )
    names = list(new)
    for start in range(0, len(names), 1000):
        stored = User.objects.in_bulk(names[start : start + 1000], field_name="username")
        for name, user in stored.items():
            found[new[name][0]] = user
    return found


def record_event(
    *, delegate: Delegate, from_state: str, to_state: str, by: AbstractBaseUser | None, note: str
) -> None:
    RegistrationEvent.objects.create(
        delegate=delegate,
        from_state=from_state,
        to_state=to_state,
        by=by if by is not None and by.is_authenticated else None,
        note=note[:300],
    )


def state_email(delegate: Delegate, note: str = "") -> DelegateEmail:
    """The email telling the delegate the state their registration is in."""
    return DelegateEmail(
        delegate=delegate,
        template=f"state_{delegate.state}",
        subject=STATE_SUBJECTS[delegate.state] % {"assembly": delegate.assembly.name},
        context={"note": note},
    )


def notify_state(delegate: Delegate, note: str = "") -> None:
    """Queue the state email in the caller's transaction: the change and its email go together."""
    queue_emails([state_email(delegate, note)])


def take_invitation_place(invitation: Invitation) -> None:
    # Conditional update: a CHECK constraint stands behind it if two forms race.
    taken = Invitation.objects.filter(
        pk=invitation.pk, places_used__lt=F("places"), revoked_at__isnull=True
    ).update(places_used=F("places_used") + 1)
    if not taken:
        raise PlacesExhausted()


def register_delegate(
    *,
    assembly: Assembly,
    details: DelegateDetails,
    source: str,
    invitation: Invitation | None = None,
    member: MemberOrganization | None = None,
    photo: UploadedFile | None = None,
    by: AbstractBaseUser | None = None,
    approve: bool = False,
    notify: bool = True,
    user: AbstractBaseUser | None = None,
    render_badge: bool = True,
) -> Delegate:
    """Create a submitted registration, approved at once when asked or the invitation says so.

    Takes one of the invitation's places with a conditional update; emails the delegate unless
    the caller sends the state emails itself (`notify=False`: an import sends them in bulk).
    `user` is the login for the address when the caller found it already (users_for_emails).
    """
    allowed = INVITED_ROLES if invitation is not None else PUBLIC_ROLES
    if source in (RegistrationSource.IMPORT, RegistrationSource.SECRETARIAT):
        allowed = set(DelegateRole.values)
    if details.role not in allowed:
        raise TransitionNotAllowed(
            _("This form does not register the role “%(role)s”.") % {"role": details.role},
            code="role_not_allowed",
        )
    check_details(details)
    processed = process_photo(photo) if photo else None  # refuse a bad photo before writing
    email = normal_email(details.email)
    with transaction.atomic():
        if invitation is not None:
            take_invitation_place(invitation)
        delegate = Delegate(
            assembly=assembly,
            member=invitation.member if invitation else member,
            invitation=invitation,
            source=source,
            user=user or user_for_email(email=email, full_name=details.full_name),
            state=S.SUBMITTED,
            state_changed_at=timezone.now(),
        )
        details.email = email
        save_details(delegate, details, processed)
        record_event(delegate=delegate, from_state="", to_state=S.SUBMITTED, by=by, note=source)
        if approve or (invitation is not None and invitation.auto_approve):
            delegate.state = S.APPROVED
            delegate.save(update_fields=["state", "state_changed_at", "updated_at"])
            record_event(
                delegate=delegate,
                from_state=S.SUBMITTED,
                to_state=S.APPROVED,
                by=by if approve else None,
                note=source if approve else _("Approved by invitation"),
            )
            if render_badge:  # an import renders its badges together (badges_follow_on_commit)
                badge_follows_on_commit(delegate)  # as when the secretariat approves
        if notify:
            notify_state(delegate)  # one email, for the state the registration ends in
    return delegate


def check_details(details: DelegateDetails) -> None:
    """Rules the form also checks, for callers that are not the form (API, import)."""
    problem = _null(details)
    if problem:
        raise InvalidInput(problem)
    if not details.full_name.strip():
        raise InvalidInput(_("The name on the badge is required."))
    arrival, departure = details.arrival_date, details.departure_date
    if arrival and departure and departure < arrival:
        raise InvalidInput(_("Departure cannot be before arrival."))
    if details.role not in DelegateRole.values or details.attendance not in Attendance.values:
        raise InvalidInput(_("Unknown role or attendance."))
    problem = _too_long(details) or _not_one_line(details)
    if problem:
        raise InvalidInput(problem)
    if details.date_of_birth and details.date_of_birth > _today_somewhere_on_earth():
        raise InvalidInput(_("The date of birth cannot be in the future."))
    if details.needs_visa_letter and not all(getattr(details, name) for name in PASSPORT_FIELDS):
        raise InvalidInput(
            _(
                "A visa letter needs the name as in the passport, its number, the nationality "
                "and the date of birth."
            )
        )


def _today_somewhere_on_earth() -> date:
    """The latest calendar date anywhere now (UTC+14): a birth date up to it is not future."""
    return (timezone.now() + timedelta(hours=14)).date()


PASSPORT_FIELDS = ("passport_name", "passport_number", "nationality", "date_of_birth")


def _null(details: DelegateDetails) -> str:
    """The first detail without a value where its column needs one (an API's null)."""
    for name in DelegateDetails.names():
        field = Delegate._meta.get_field(name)
        if getattr(details, name) is None and not field.null:
            return _("%(field)s cannot be null: send a value, or leave it out to keep it.") % {
                "field": str(field.verbose_name).capitalize()
            }
    return ""


def normalise_details(details: DelegateDetails) -> None:
    """Every text composed (NFC) and the address in normal_email: the same person typed on
    another keyboard, or imported from another system, is the same person."""
    for name in DelegateDetails.names():
        value = getattr(details, name)
        if isinstance(value, str):
            setattr(details, name, normal_text(value))
    details.email = normal_email(details.email)


def _too_long(details: DelegateDetails) -> str:
    """The first text longer than its column allows (the form says so; the API must too)."""
    for name in DelegateDetails.names():
        value, field = getattr(details, name), Delegate._meta.get_field(name)
        limit = getattr(field, "max_length", None)
        if isinstance(value, str) and limit and len(value) > limit:
            return _("%(field)s: at most %(limit)d characters.") % {
                "field": str(field.verbose_name).capitalize(),
                "limit": limit,
            }
    return ""


def _not_one_line(details: DelegateDetails) -> str:
    """The first text with a line break, a control character or a text-direction override in
    it (every detail is one line on a badge, a list or a visa letter, in the order typed)."""
    for name in DelegateDetails.names():
        value = getattr(details, name)
        if isinstance(value, str) and (problem := one_line_problem(value)):
            return _("%(field)s: %(problem)s") % {
                "field": str(Delegate._meta.get_field(name).verbose_name).capitalize(),
                "problem": problem,
            }
    return ""


# Travel dates around the assembly: a visa letter prints them, so year 1 or 9999 is refused.
TRAVEL_MARGIN = timedelta(days=60)


def travel_dates_problem(assembly: Assembly, arrival: date | None, departure: date | None) -> str:
    """Why these travel dates cannot be right for this assembly, or "" when they can."""
    earliest, latest = assembly.start_date - TRAVEL_MARGIN, assembly.end_date + TRAVEL_MARGIN
    if any(day is not None and not earliest <= day <= latest for day in (arrival, departure)):
        return _("Travel dates must fall between %(from)s and %(to)s.") % {
            "from": formats.date_format(earliest),
            "to": formats.date_format(latest),
        }
    return ""


def save_details(
    delegate: Delegate,
    details: DelegateDetails,
    photo: ContentFile | None,
    *,
    skip: tuple[str, ...] = (),
) -> None:
    """Copy the details (and a processed photo) onto the delegate and save; caller holds a tx."""
    check_details(details)
    normalise_details(details)
    problem = travel_dates_problem(delegate.assembly, details.arrival_date, details.departure_date)
    if problem:
        raise InvalidInput(problem)
    for name in DelegateDetails.names():
        if name not in skip:
            setattr(delegate, name, getattr(details, name))
    if not delegate.needs_visa_letter:
        clear_passport(delegate)
    if photo is not None:
        delegate.photo.save(photo.name, photo, save=False)
    try:
        with transaction.atomic():
            delegate.save()
    except IntegrityError:
        if photo is not None:
            delegate.photo.storage.delete(delegate.photo.name)
        raise AlreadyRegistered() from None


def clear_passport(delegate: Delegate) -> None:
    delegate.passport_name = ""
    delegate.passport_number = ""
    delegate.nationality = ""
    delegate.date_of_birth = None


def release_registration(delegate: Delegate, by: AbstractBaseUser | None) -> None:
    """What a registration leaving the live states gives back: its place, accreditation, tours."""
    from registration.tours import cancel_all_signups

    if delegate.invitation_id:
        Invitation.objects.filter(pk=delegate.invitation_id, places_used__gt=0).update(
            places_used=F("places_used") - 1
        )
    ended = Accreditation.objects.filter(delegate=delegate, ended_at__isnull=True).update(
        ended_at=timezone.now(),
        ended_by=by if by is not None and by.is_authenticated else None,
        reason=_("Registration %(state)s") % {"state": delegate.get_state_display()},
    )
    if ended and delegate.member_id:
        refresh_member_presence(assembly=delegate.assembly, member_id=delegate.member_id)
    cancel_all_signups(delegate=delegate)


def badge_follows_on_commit(delegate: Delegate) -> None:
    """An approved delegate's badge is rendered once, and again when a printed field changes,
    so a reprint at the desk is instant (badges owns the rendering and its fingerprint): by
    the background renderer after the commit, so the request never waits for a PDF."""
    if delegate.state != S.APPROVED:
        return
    from badges.services import render_badges_in_background

    delegate_id = delegate.pk
    # robust: a failed render is logged and never undoes the approval; the desk renders on demand.
    transaction.on_commit(lambda: render_badges_in_background([delegate_id]), robust=True)


def badges_follow_on_commit(delegates: list[Delegate]) -> None:
    """Many approved at once (an import): their badges are rendered after the commit, a few at
    a time in the background, so the secretariat does not wait for thousands of PDFs and the
    desks are not kept out of the database; one not rendered yet (a server that stopped) is
    rendered when a desk asks for it."""
    ids = [delegate.pk for delegate in delegates if delegate.state == S.APPROVED]
    if not ids:
        return
    from badges.services import render_badges_in_background

    transaction.on_commit(lambda: render_badges_in_background(ids), robust=True)


def change_state(
    *, delegate: Delegate, to_state: str, by: AbstractBaseUser | None, note: str = ""
) -> Delegate:
    """Move a registration along an allowed transition, record it and email the delegate.

    Locks the delegate row so two secretaries clicking at once record one change.
    """
    with transaction.atomic():
        delegate = (
            Delegate.objects.select_for_update().select_related("assembly").get(pk=delegate.pk)
        )
        if to_state not in TRANSITIONS.get(delegate.state, set()):
            raise TransitionNotAllowed(
                _("A registration that is %(from)s cannot become %(to)s.")
                % {
                    "from": delegate.get_state_display().lower(),
                    "to": S(to_state).label.lower() if to_state in S.values else to_state,
                }
            )
        from_state = delegate.state
        if from_state in (S.REJECTED,) and to_state == S.CANCELLED:
            pass  # its place was already given back
        elif to_state in (S.REJECTED, S.CANCELLED):
            release_registration(delegate, by)
        delegate.state = to_state
        delegate.state_changed_at = timezone.now()
        try:
            with transaction.atomic():
                delegate.save(update_fields=["state", "state_changed_at", "updated_at"])
        except IntegrityError:
            raise AlreadyRegistered() from None
        record_event(delegate=delegate, from_state=from_state, to_state=to_state, by=by, note=note)
        notify_state(delegate, note)
        badge_follows_on_commit(delegate)
    return delegate


def bulk_change_state(
    *, assembly: Assembly, delegate_ids: list[int], to_state: str, by: AbstractBaseUser | None
) -> tuple[list[Delegate], list[tuple[Delegate, str]]]:
    """Apply one transition to many registrations; each either moves or says why it did not."""
    done: list[Delegate] = []
    refused: list[tuple[Delegate, str]] = []
    for delegate in Delegate.objects.filter(assembly=assembly, pk__in=delegate_ids):
        try:
            done.append(change_state(delegate=delegate, to_state=to_state, by=by))
        except TransitionNotAllowed as error:
            refused.append((delegate, error.detail))
    return done, refused


def edit_cutoff(assembly: Assembly) -> datetime | None:
    settings_row = RegistrationSettings.objects.filter(assembly=assembly).first()
    return settings_row.edit_cutoff if settings_row else None


def editing_open(delegate: Delegate) -> bool:
    return editing_open_before(delegate, edit_cutoff(delegate.assembly))


def editing_open_before(delegate: Delegate, cutoff: datetime | None) -> bool:
    """editing_open with the assembly's cutoff read once by the caller (a list of delegates)."""
    return delegate.state in LIVE_STATES and (cutoff is None or timezone.now() < cutoff)


def update_registration(
    *,
    delegate: Delegate,
    details: DelegateDetails,
    by: AbstractBaseUser,
    by_secretariat: bool = False,
) -> Delegate:
    """Change a registration's details; delegates only until the cutoff, and never their role.

    The photo has its own service, set_photo.
    """
    if not by_secretariat and not editing_open(delegate):
        raise EditingClosed()
    with transaction.atomic():
        delegate = Delegate.objects.select_for_update().get(pk=delegate.pk)
        # The role is the secretariat's decision; the email is the delegate's login.
        save_details(delegate, details, None, skip=() if by_secretariat else ("role", "email"))
        badge_follows_on_commit(delegate)
    return delegate


def set_photo(*, delegate: Delegate, photo: UploadedFile) -> Delegate:
    """Replace the badge photo with the processed upload; the old file is deleted on commit."""
    processed = process_photo(photo)
    with transaction.atomic():
        delegate = Delegate.objects.select_for_update().get(pk=delegate.pk)
        old = delegate.photo.name if delegate.photo else ""
        delegate.photo.save(processed.name, processed, save=False)
        delegate.save(update_fields=["photo", "updated_at"])
        if old:
            storage = delegate.photo.storage
            transaction.on_commit(lambda: storage.delete(old))
        badge_follows_on_commit(delegate)
    return delegate


def get_delegate(*, assembly: Assembly, delegate_id: int) -> Delegate:
    try:
        return Delegate.objects.select_related("member", "assembly").get(
            assembly=assembly, pk=delegate_id
        )
    except Delegate.DoesNotExist:
        raise DelegateNotFound() from None


# --- accreditation ------------------------------------------------------------------------


# An observer, guest, press or staff registration never casts a member's vote.
def check_accreditation(
    *, assembly: Assembly, member: MemberOrganization, delegate: Delegate, kind: str
) -> None:
    """Refuse an accreditation the rules do not allow (the page, the API and the admin alike)."""
    if delegate.assembly_id != assembly.pk or delegate.member_id != member.pk:
        raise AccreditationRefused(_("The delegate does not represent this member."))
    if delegate.role not in ACCREDITED_ROLES:
        raise AccreditationRefused(
            _(
                "%(name)s is registered as %(role)s: only a voting delegate or an alternate "
                "can be accredited."
            )
            % {"name": delegate.full_name, "role": delegate.get_role_display().lower()}
        )
    if delegate.state != S.APPROVED:
        raise AccreditationRefused(_("Only an approved delegate can be accredited."))
    if kind not in AccreditationKind.values:
        raise AccreditationRefused(_("Unknown kind of accreditation."))


def accredit(
    *,
    assembly: Assembly,
    member: MemberOrganization,
    delegate: Delegate,
    kind: str,
    by: AbstractBaseUser | None,
    reason: str = "",
) -> Accreditation:
    """Make the delegate the member's voting delegate (ending the previous one) or an alternate.

    Locks the member's active accreditations; the partial unique constraints stand behind it.
    """
    check_accreditation(assembly=assembly, member=member, delegate=delegate, kind=kind)
    now = timezone.now()
    actor = by if by is not None and by.is_authenticated else None
    with transaction.atomic():
        active = list(
            Accreditation.objects.select_for_update().filter(
                assembly=assembly, member=member, ended_at__isnull=True
            )
        )
        for current in active:
            replaced = kind == AccreditationKind.VOTING and current.kind == AccreditationKind.VOTING
            if current.delegate_id == delegate.pk or replaced:
                if current.delegate_id == delegate.pk and current.kind == kind:
                    return current
                current.ended_at = now
                current.ended_by = actor
                current.reason = (reason or _("Replaced"))[:300]
                current.save(update_fields=["ended_at", "ended_by", "reason"])
        try:
            with transaction.atomic():
                accreditation = Accreditation.objects.create(
                    assembly=assembly,
                    member=member,
                    delegate=delegate,
                    kind=kind,
                    granted_by=actor,
                    reason=reason[:300],
                )
        except IntegrityError:
            raise AccreditationRefused(
                _("Another change to this member's accreditation happened at the same moment.")
            ) from None
        # Who acts for the member changed: presence and quorum follow in the same transaction.
        refresh_member_presence(assembly=assembly, member_id=member.pk)
    return accreditation


def end_accreditation(
    *, accreditation: Accreditation, by: AbstractBaseUser | None, reason: str
) -> Accreditation:
    """End an active accreditation, recording who and why."""
    with transaction.atomic():
        accreditation = Accreditation.objects.select_for_update().get(pk=accreditation.pk)
        if accreditation.ended_at is None:
            accreditation.ended_at = timezone.now()
            accreditation.ended_by = by if by is not None and by.is_authenticated else None
            accreditation.reason = reason[:300]
            accreditation.save(update_fields=["ended_at", "ended_by", "reason"])
            refresh_member_presence(
                assembly=accreditation.assembly, member_id=accreditation.member_id
            )
    return accreditation


# --- visa letters -------------------------------------------------------------------------


def issue_visa_letter(*, delegate: Delegate, by: AbstractBaseUser | None) -> VisaLetter:
    """Give an approved delegate who asked for one a letter with a reference; emails them."""
    if delegate.state != S.APPROVED or not delegate.needs_visa_letter:
        raise LetterNotAvailable(
            _("A letter is issued only to an approved delegate who asked for one.")
        )
    missing = [
        label
        for label, value in (
            (_("name as in the passport"), delegate.passport_name),
            (_("passport number"), delegate.passport_number),
            (_("nationality"), delegate.nationality),
            (_("date of birth"), delegate.date_of_birth),
        )
        if not value
    ]
    if missing:
        raise LetterNotAvailable(
            _("Missing for the letter: %(fields)s.") % {"fields": ", ".join(missing)}
        )
    with transaction.atomic():
        existing = VisaLetter.objects.filter(delegate=delegate).first()
        if existing:
            return existing
        letter = VisaLetter.objects.create(
            delegate=delegate,
            reference=f"{delegate.assembly.slug.upper()[:24]}-{secrets.token_hex(4).upper()}",
            token=secrets.token_urlsafe(24),
            issued_by=by if by is not None and by.is_authenticated else None,
        )
        email_delegate(
            delegate=delegate,
            template="visa_letter_ready",
            subject=_("Your visa invitation letter for %(assembly)s is ready")
            % {"assembly": delegate.assembly.name},
        )
    return letter
