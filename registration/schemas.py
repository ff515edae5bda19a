"""Schemas of the registration API."""

from datetime import date, datetime

from ninja import Field, Schema
from pydantic import ConfigDict, StrictInt

from assembly.models import Region
from registration.models import AccreditationKind, Attendance, DelegateRole, RegistrationState


class RegistrationOut(Schema):
    id: int
    full_name: str
    title: str
    organization: str
    email: str
    phone: str
    country: str
    role: DelegateRole
    attendance: Attendance
    state: RegistrationState
    member: str | None
    dietary_needs: str
    accessibility_needs: str
    arrival_date: date | None
    departure_date: date | None
    needs_visa_letter: bool
    has_photo: bool
    visa_letter_ready: bool
    editable: bool


class PagedRegistrationOut(Schema):
    """One page of the secretariat's list, in the shape ninja's page-number pager gives."""

    items: list[RegistrationOut]
    count: int


class RegistrationUpdateIn(Schema):
    """Fields a delegate may change until the cutoff; omitted fields stay as they are (a field
    not among them, such as the email or the state, is refused rather than ignored)."""

    model_config = ConfigDict(extra="forbid")

    full_name: str | None = None
    title: str | None = None
    organization_name: str | None = None
    phone: str | None = None
    country: str | None = None
    attendance: Attendance | None = None
    dietary_needs: str | None = None
    accessibility_needs: str | None = None
    arrival_date: date | None = None
    departure_date: date | None = None
    needs_visa_letter: bool | None = None
    passport_name: str | None = None
    passport_number: str | None = None
    nationality: str | None = None
    date_of_birth: date | None = None


class MySignupOut(Schema):
    status: str
    position: int | None
    places: int


class TourOut(Schema):
    code: str
    title: str
    description: str
    starts_at: datetime
    ends_at: datetime
    meeting_point: str
    capacity: int
    places_left: int
    waiting: int
    departed: bool  # started: sign-ups and cancellations are closed
    mine: MySignupOut | None


class SignupIn(Schema):
    model_config = ConfigDict(extra="forbid")  # a misspelt "companion" must not book one place

    accompanied: bool = False


class SignupOut(Schema):
    tour: str
    status: str
    position: int | None
    places: int


class RegistrationFilterQuery(Schema):
    state: RegistrationState | None = None
    role: DelegateRole | None = None
    attendance: Attendance | None = None
    region: Region | None = None
    search: str | None = None


# Longer text is refused, as the columns would cut it (note and reason hold 300 characters).
class StateChangeIn(Schema):
    model_config = ConfigDict(extra="forbid")

    note: str = Field("", max_length=300)


class AccreditIn(Schema):
    model_config = ConfigDict(extra="forbid")

    # Strict: true or "12" is no delegate id (lax parsing read true as delegate 1).
    delegate_id: StrictInt
    kind: AccreditationKind = AccreditationKind.VOTING
    reason: str = Field("", max_length=300)


class AccreditationOut(Schema):
    id: int
    member: str
    delegate_id: int
    delegate: str
    kind: str
    granted_at: datetime
