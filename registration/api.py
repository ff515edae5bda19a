"""API endpoints of the registration app, mounted by assembly/api.py under /api/v1/."""

from django.http import HttpRequest
from ninja import Query, Router, Status

from assembly.auth import get_assembly, require_role
from assembly.errors import Forbidden
from assembly.models import Assembly, Role
from assembly.pagination import BoundedPageNumberPagination
from registration import selectors, services, tours
from registration.models import Accreditation, Delegate, RegistrationState, VisaLetter
from registration.schemas import (
    AccreditationOut,
    AccreditIn,
    PagedRegistrationOut,
    RegistrationFilterQuery,
    RegistrationOut,
    RegistrationUpdateIn,
    SignupIn,
    SignupOut,
    StateChangeIn,
    TourOut,
)

router = Router(tags=["registration"])

REGISTRATIONS_PAGER = BoundedPageNumberPagination(page_size=50)


def my_delegate(request: HttpRequest, assembly: Assembly) -> Delegate:
    """The caller's own registration in any state but cancelled (approved or not yet): its
    details and tour sign-ups are theirs to ask for; the services say what the state allows."""
    delegate = selectors.delegate_for(user=request.user, assembly=assembly)
    if delegate is None:
        raise Forbidden("You have no registration at this assembly.")
    return delegate


def registration_out(delegate: Delegate) -> dict:
    """One registration as its delegate and the secretariat read it."""
    return registration_row(
        delegate,
        visa_letter_ready=VisaLetter.objects.filter(delegate=delegate).exists(),
        editable=services.editing_open(delegate),
    )


def registration_row(delegate: Delegate, *, visa_letter_ready: bool, editable: bool) -> dict:
    return {
        "id": delegate.pk,
        "full_name": delegate.full_name,
        "title": delegate.title,
        "organization": delegate.organization_label,
        "email": delegate.email,
        "phone": delegate.phone,
        "country": delegate.country,
        "role": delegate.role,
        "attendance": delegate.attendance,
        "state": delegate.state,
        "member": delegate.member.name if delegate.member_id else None,
        "dietary_needs": delegate.dietary_needs,
        "accessibility_needs": delegate.accessibility_needs,
        "arrival_date": delegate.arrival_date,
        "departure_date": delegate.departure_date,
        "needs_visa_letter": delegate.needs_visa_letter,
        "has_photo": bool(delegate.photo),
        "visa_letter_ready": visa_letter_ready,
        "editable": editable,
    }


@router.get(
    "/assemblies/{slug}/registration/me",
    response=RegistrationOut,
    operation_id="read_my_registration",
)
def read_my_registration(request: HttpRequest, slug: str) -> dict:
    """Your own registration (passport details are never returned)."""
    delegate = my_delegate(request, get_assembly(slug))
    return registration_out(delegate)


@router.patch(
    "/assemblies/{slug}/registration/me",
    response=RegistrationOut,
    operation_id="update_my_registration",
)
def update_my_registration(request: HttpRequest, slug: str, payload: RegistrationUpdateIn) -> dict:
    """Change your details until the assembly's cutoff; role and email stay the secretariat's."""
    delegate = my_delegate(request, get_assembly(slug))
    changes = payload.dict(exclude_unset=True)
    current = {name: getattr(delegate, name) for name in services.DelegateDetails.names()}
    details = services.DelegateDetails.from_data({**current, **changes})
    delegate = services.update_registration(delegate=delegate, details=details, by=request.user)
    return registration_out(delegate)


@router.get("/assemblies/{slug}/tours", response=list[TourOut], operation_id="list_tours")
def list_tours(request: HttpRequest, slug: str) -> list[dict]:
    """The tour programme with places left and, for a registrant, their sign-up and position."""
    assembly = get_assembly(slug)
    # Registrants see the programme as the tours page shows it; signing up needs approval.
    delegate = selectors.delegate_for(user=request.user, assembly=assembly)
    if delegate is None:
        require_role(request, assembly, Role.SECRETARIAT)
    rows = selectors.tours_with_my_signups(assembly=assembly, delegate=delegate)
    return [
        {
            "code": row["tour"].code,
            "title": row["tour"].title,
            "description": row["tour"].description,
            "starts_at": row["tour"].starts_at,
            "ends_at": row["tour"].ends_at,
            "meeting_point": row["tour"].meeting_point,
            "capacity": row["tour"].capacity,
            "places_left": row["places_left"],
            "waiting": row["waiting"],
            "departed": row["departed"],
            "mine": (
                {
                    "status": row["mine"].status,
                    "position": row["mine"].position,
                    "places": row["mine"].places,
                }
                if row["mine"]
                else None
            ),
        }
        for row in rows
    ]


@router.post(
    "/assemblies/{slug}/tours/{code}/signup",
    response={201: SignupOut},
    operation_id="sign_up_for_tour",
)
def sign_up_for_tour(request: HttpRequest, slug: str, code: str, payload: SignupIn) -> Status:
    """Take a place (two with a companion) or join the waiting list; answers with the position."""
    assembly = get_assembly(slug)
    delegate = my_delegate(request, assembly)
    tour = selectors.tour_by_code(assembly=assembly, code=code)
    signup = tours.sign_up(tour=tour, delegate=delegate, accompanied=payload.accompanied)
    position = selectors.positions_for([signup]).get(signup.pk)
    return Status(
        201,
        {
            "tour": tour.code,
            "status": signup.status,
            "position": position,
            "places": signup.places,
        },
    )


@router.delete(
    "/assemblies/{slug}/tours/{code}/signup",
    response={200: SignupOut},
    operation_id="cancel_tour_signup",
)
def cancel_tour_signup(request: HttpRequest, slug: str, code: str) -> dict:
    """Give up your place or leave the waiting list; the first in line is promoted."""
    assembly = get_assembly(slug)
    delegate = my_delegate(request, assembly)
    tour = selectors.tour_by_code(assembly=assembly, code=code)
    signup = tours.cancel_signup(tour=tour, delegate=delegate)
    return {"tour": tour.code, "status": signup.status, "position": None, "places": signup.places}


@router.get(
    "/assemblies/{slug}/registrations",
    response=PagedRegistrationOut,
    operation_id="list_registrations",
)
def list_registrations(
    request: HttpRequest,
    slug: str,
    filters: Query[RegistrationFilterQuery],
    pagination: Query[BoundedPageNumberPagination.Input],
) -> dict:
    """Registrations for the secretariat, filtered by state, role, attendance, region, text."""
    assembly = get_assembly(slug)
    require_role(request, assembly, Role.SECRETARIAT)
    delegates = selectors.registrations_list(
        assembly=assembly,
        filters=selectors.RegistrationFilters(
            state=filters.state,
            role=filters.role,
            attendance=filters.attendance,
            region=filters.region,
            search=filters.search,
        ),
    )
    # The page is cut from the queryset before any row is serialised, and a row reads nothing
    # of its own (serialising the whole list took 15,000 queries for 5,000 registrations).
    page = REGISTRATIONS_PAGER.paginate_queryset(
        selectors.with_visa_letter_flag(delegates), pagination, request
    )
    cutoff = services.edit_cutoff(assembly)
    items = [
        registration_row(
            delegate,
            visa_letter_ready=delegate.has_visa_letter,
            editable=services.editing_open_before(delegate, cutoff),
        )
        for delegate in page["items"]
    ]
    return {"items": items, "count": page["count"]}


def transition(request: HttpRequest, slug: str, delegate_id: int, to_state: str, note: str) -> dict:
    assembly = get_assembly(slug)
    require_role(request, assembly, Role.SECRETARIAT)
    delegate = services.get_delegate(assembly=assembly, delegate_id=delegate_id)
    delegate = services.change_state(
        delegate=delegate, to_state=to_state, by=request.user, note=note
    )
    return registration_out(delegate)


@router.post(
    "/assemblies/{slug}/registrations/{delegate_id}/approve",
    response=RegistrationOut,
    operation_id="approve_registration",
)
def approve_registration(
    request: HttpRequest, slug: str, delegate_id: int, payload: StateChangeIn
) -> dict:
    """Approve a submitted or waitlisted registration; the delegate is emailed."""
    return transition(request, slug, delegate_id, RegistrationState.APPROVED, payload.note)


@router.post(
    "/assemblies/{slug}/registrations/{delegate_id}/reject",
    response=RegistrationOut,
    operation_id="reject_registration",
)
def reject_registration(
    request: HttpRequest, slug: str, delegate_id: int, payload: StateChangeIn
) -> dict:
    """Reject a submitted or waitlisted registration; the delegate is emailed."""
    return transition(request, slug, delegate_id, RegistrationState.REJECTED, payload.note)


@router.post(
    "/assemblies/{slug}/accreditations",
    response={200: AccreditationOut, 201: AccreditationOut},
    operation_id="accredit_delegate",
)
def accredit_delegate(request: HttpRequest, slug: str, payload: AccreditIn) -> Status:
    """Accredit an approved delegate as its member's voting delegate (replacing) or alternate:
    201 with the new accreditation, 200 with the one the delegate already holds."""
    assembly = get_assembly(slug)
    require_role(request, assembly, Role.SECRETARIAT)
    delegate = services.get_delegate(assembly=assembly, delegate_id=payload.delegate_id)
    if delegate.member is None:
        raise services.AccreditationRefused("This delegate represents no member organization.")
    # accredit() hands back an active accreditation of the same kind unchanged.
    held = Accreditation.objects.filter(
        assembly=assembly,
        member=delegate.member,
        delegate=delegate,
        kind=payload.kind,
        ended_at__isnull=True,
    ).exists()
    accreditation = services.accredit(
        assembly=assembly,
        member=delegate.member,
        delegate=delegate,
        kind=payload.kind,
        by=request.user,
        reason=payload.reason,
    )
    return Status(
        200 if held else 201,
        {
            "id": accreditation.pk,
            "member": delegate.member.name,
            "delegate_id": delegate.pk,
            "delegate": delegate.full_name,
            "kind": accreditation.kind,
            "granted_at": accreditation.granted_at,
        },
    )
