"""Refusals of the registration app, each with a stable code."""

from django.utils.translation import gettext_lazy as _

from assembly.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound


class InvitationInvalid(DomainError):
    code = "invitation_invalid"
    status = 404
    default_detail = _("This invitation link is not valid. Ask the secretariat for a new one.")


class InvitationExpired(DomainError):
    code = "invitation_expired"
    status = 410
    default_detail = _("This invitation has expired. Ask the secretariat for a new one.")


class InvitationRevoked(DomainError):
    code = "invitation_revoked"
    status = 410
    default_detail = _("This invitation was withdrawn. Ask the secretariat for a new one.")


class PlacesExhausted(Conflict):
    code = "places_exhausted"
    default_detail = _("Every delegate place of this invitation is taken.")


class AlreadyRegistered(Conflict):
    code = "already_registered"
    default_detail = _("Someone with this email address is already registered.")


class TransitionNotAllowed(Conflict):
    code = "transition_not_allowed"
    default_detail = _("A registration in this state cannot move to that state.")


class EditingClosed(Forbidden):
    code = "editing_closed"
    default_detail = _("Registration details can no longer be changed. Write to the secretariat.")


class NotYourRegistration(Forbidden):
    code = "not_your_registration"
    default_detail = _("This is not your registration.")


class PhotoRefused(InvalidInput):
    code = "photo_refused"
    default_detail = _("This photo cannot be used.")


class AccreditationRefused(Conflict):
    code = "accreditation_refused"
    default_detail = _("This delegate cannot be accredited.")


class LetterNotAvailable(Conflict):
    code = "letter_not_available"
    default_detail = _("No visa letter can be issued for this registration.")


class TourNotOpen(Forbidden):
    code = "tour_not_open"
    default_detail = _("Only approved delegates attending in person can sign up for tours.")


class TourDeparted(TourNotOpen):
    code = "tour_departed"
    status = 409
    default_detail = _("This tour has already left: its places can no longer change.")


class TourClash(Conflict):
    code = "tour_clash"
    default_detail = _("You already have a tour at that time.")


class AlreadySignedUp(Conflict):
    code = "already_signed_up"
    default_detail = _("You are already signed up for this tour.")


class NotSignedUp(NotFound):
    code = "not_signed_up"
    default_detail = _("You are not signed up for this tour.")


class ImportInvalid(InvalidInput):
    code = "import_invalid"
    default_detail = _("The file cannot be imported.")


class TourNotFound(NotFound):
    code = "tour_not_found"
    default_detail = _("No such tour.")


class DelegateNotFound(NotFound):
    code = "delegate_not_found"
    default_detail = _("No such registration.")
