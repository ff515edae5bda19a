"""Reads about delegates shared by pages, the API and consumers."""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from assembly.models import Assembly, MemberOrganization
from assembly.text import alphabetical
from registration.models import (
    ACCREDITED_ROLES,
    Accreditation,
    AccreditationKind,
    Delegate,
    RegistrationState,
    SignupStatus,
    Tour,
    TourSignup,
    VisaLetter,
)
from registration.normal import normal_text


def is_approved_delegate(*, user: AbstractBaseUser | AnonymousUser, assembly: Assembly) -> bool:
    """Whether the user's registration at the assembly is approved: that is the delegate role.

    A submitted, waitlisted or rejected registration holds no role: it opens only its own
    pages (has_live_registration), never the members' data.
    """
    if not user.is_authenticated:
        return False
    return Delegate.objects.filter(
        assembly=assembly, user=user, state=RegistrationState.APPROVED
    ).exists()


def has_live_registration(*, user: AbstractBaseUser | AnonymousUser, assembly: Assembly) -> bool:
    """Whether the user has a registration at the assembly that is not cancelled, in any state."""
    if not user.is_authenticated:
        return False
    return (
        Delegate.objects.filter(assembly=assembly, user=user)
        .exclude(state=RegistrationState.CANCELLED)
        .exists()
    )


def delegate_for(*, user: AbstractBaseUser | AnonymousUser, assembly: Assembly) -> Delegate | None:
    """The user's live registration at the assembly, if any."""
    if not user.is_authenticated:
        return None
    return (
        Delegate.objects.filter(assembly=assembly, user=user)
        .exclude(state=RegistrationState.CANCELLED)
        .select_related("member")
        .first()
    )


def registration_counts(assembly: Assembly) -> dict[str, int]:
    """Registrations by state, every state present (zero when none)."""
    counts = {state.value: 0 for state in RegistrationState}
    rows = Delegate.objects.filter(assembly=assembly).values("state").annotate(n=Count("id"))
    for row in rows:
        counts[row["state"]] = row["n"]
    counts["total"] = sum(counts.values())
    return counts


# --- tours --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignupView:
    """A delegate's sign-up as other apps and pages show it."""

    tour_id: int
    code: str
    title: str
    starts_at: datetime
    ends_at: datetime
    meeting_point: str
    status: str  # "confirmed" or "waitlisted"
    position: int | None  # place in the waiting list, 1 = next; None when confirmed
    places: int
    confirmed_at: datetime | None = None


def positions_for(signups: list[TourSignup]) -> dict[int, int]:
    """Waiting-list positions of the given waitlisted sign-ups (1 = next in line)."""
    positions: dict[int, int] = {}
    for signup in signups:
        if signup.status == SignupStatus.WAITLISTED:
            ahead = TourSignup.objects.filter(
                tour_id=signup.tour_id,
                status=SignupStatus.WAITLISTED,
                number__lt=signup.number,
            ).count()
            positions[signup.pk] = ahead + 1
    return positions


def is_waitlisted(*, tour: Tour, delegate: Delegate) -> bool:
    return TourSignup.objects.filter(
        tour=tour, delegate=delegate, status=SignupStatus.WAITLISTED
    ).exists()


def tour_signups_for(delegate: Delegate) -> list[SignupView]:
    """The delegate's confirmed and waitlisted tours, by start time, with waiting positions."""
    signups = list(
        TourSignup.objects.filter(
            delegate=delegate, status__in=[SignupStatus.CONFIRMED, SignupStatus.WAITLISTED]
        )
        .select_related("tour")
        .order_by("tour__starts_at")
    )
    positions = positions_for(signups)
    return [
        SignupView(
            tour_id=s.tour_id,
            code=s.tour.code,
            title=s.tour.title,
            starts_at=s.tour.starts_at,
            ends_at=s.tour.ends_at,
            meeting_point=s.tour.meeting_point,
            status=s.status,
            position=positions.get(s.pk),
            places=s.places,
            confirmed_at=s.confirmed_at,
        )
        for s in signups
    ]


def tours_with_my_signups(*, assembly: Assembly, delegate: Delegate | None) -> list[dict]:
    """Every tour with places left, whether it has left and, for the delegate, their sign-up."""
    tours = list(Tour.objects.filter(assembly=assembly).order_by("starts_at", "title"))
    now = timezone.now()
    mine: dict[int, SignupView] = {}
    if delegate is not None:
        mine = {view.tour_id: view for view in tour_signups_for(delegate)}
    return [
        {
            "tour": tour,
            "places_left": tour.places_left,
            "waiting": tour.waiting,
            "departed": tour.has_left(now),
            "filled_percent": round(100 * tour.taken / tour.capacity) if tour.capacity else 100,
            "mine": mine.get(tour.pk),
        }
        for tour in tours
    ]


def tour_by_code(*, assembly: Assembly, code: str) -> Tour:
    from registration.errors import TourNotFound

    tour = Tour.objects.filter(assembly=assembly, code=code).select_related("assembly").first()
    if tour is None:
        raise TourNotFound()
    return tour


def tour_roster(tour: Tour) -> dict[str, list[TourSignup]]:
    """Confirmed people and the waiting list (in order) for the guide and the secretariat."""
    signups = (
        TourSignup.objects.filter(tour=tour)
        .exclude(status=SignupStatus.CANCELLED)
        .select_related("delegate__member")
        .order_by("number", "pk")
    )
    roster: dict[str, list[TourSignup]] = {"confirmed": [], "waitlisted": []}
    for signup in signups:
        roster[signup.status].append(signup)
    return roster


# --- accreditation ------------------------------------------------------------------------


@dataclass(frozen=True)
class VotingDelegates:
    voting: Delegate | None
    alternates: list[Delegate]


def voting_delegates_for(member: MemberOrganization, assembly: Assembly) -> VotingDelegates:
    """Who may cast the member's vote: its active accredited voting delegate, then alternates."""
    active = (
        Accreditation.objects.filter(assembly=assembly, member=member, ended_at__isnull=True)
        .select_related("delegate")
        .order_by("granted_at", "pk")
    )
    voting = None
    alternates = []
    for accreditation in active:
        if accreditation.kind == AccreditationKind.VOTING:
            voting = accreditation.delegate
        else:
            alternates.append(accreditation.delegate)
    return VotingDelegates(voting=voting, alternates=alternates)


# --- registrations for the secretariat ------------------------------------------------------


@dataclass(frozen=True)
class RegistrationFilters:
    state: str | None = None
    role: str | None = None
    attendance: str | None = None
    region: str | None = None
    search: str | None = None


def registrations_list(*, assembly: Assembly, filters: RegistrationFilters) -> QuerySet[Delegate]:
    delegates = Delegate.objects.filter(assembly=assembly).select_related("member")
    if filters.state:
        delegates = delegates.filter(state=filters.state)
    if filters.role:
        delegates = delegates.filter(role=filters.role)
    if filters.attendance:
        delegates = delegates.filter(attendance=filters.attendance)
    if filters.region:
        delegates = delegates.filter(member__region=filters.region)
    if filters.search:
        term = normal_text(filters.search)
        delegates = delegates.filter(
            Q(full_name__icontains=term)
            | Q(email__icontains=term)
            | Q(member__name__icontains=term)
            | Q(organization_name__icontains=term)
        )
    return delegates.order_by("state_changed_at", "created_at", "pk")


def with_visa_letter_flag(delegates: QuerySet[Delegate]) -> QuerySet[Delegate]:
    """The delegates, each with has_visa_letter: whether its visa letter has been issued."""
    return delegates.annotate(
        has_visa_letter=Exists(VisaLetter.objects.filter(delegate=OuterRef("pk")))
    )


def delegate_todo(delegate: Delegate) -> list[dict[str, str]]:
    """What the delegate still has to do or can now fetch, most urgent first."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    slug = delegate.assembly.slug
    todo = []
    if delegate.state in (RegistrationState.SUBMITTED, RegistrationState.WAITLISTED):
        todo.append(
            {"kind": "wait", "text": _("Your registration awaits the secretariat's approval.")}
        )
    # A rejected or cancelled registration gets no badge: asking for its photo misled them.
    gets_a_badge = delegate.state not in (RegistrationState.REJECTED, RegistrationState.CANCELLED)
    if not delegate.photo and gets_a_badge:
        todo.append(
            {
                "kind": "do",
                "text": _("Add a photo for your badge."),
                "url": reverse("registration:my-registration", args=[slug]) + "#photo",
            }
        )
    letter = getattr(delegate, "visa_letter", None) if delegate.needs_visa_letter else None
    if letter is not None and delegate.state == RegistrationState.APPROVED:
        todo.append(
            {
                "kind": "ready",
                "text": _("Your visa invitation letter is ready."),
                "url": reverse("registration:my-visa-letter", args=[slug]),
            }
        )
    elif delegate.needs_visa_letter and delegate.state == RegistrationState.APPROVED:
        todo.append({"kind": "wait", "text": _("The secretariat is preparing your visa letter.")})
    return todo


# --- accreditation page: members found, then the rows of one page -------------------------------


@dataclass(frozen=True)
class AccreditationFilters:
    search: str | None = None
    accredited: bool | None = None  # True: has a voting delegate; False: not yet; None: all
    region: str | None = None


def accreditation_members(
    *, assembly: Assembly, filters: AccreditationFilters
) -> list[MemberOrganization]:
    """Members with a delegate who may be accredited, matching the filters, as a reader sorts
    names (the accreditation page's order)."""
    candidates = Delegate.objects.filter(
        assembly=assembly,
        member=OuterRef("pk"),
        state=RegistrationState.APPROVED,
        role__in=ACCREDITED_ROLES,
    )
    members = MemberOrganization.objects.filter(Exists(candidates))
    if filters.accredited is not None:
        # The same voting delegate the card shows: one of the candidates, accredited now.
        voting = Accreditation.objects.filter(
            assembly=assembly,
            delegate__member=OuterRef("pk"),
            delegate__state=RegistrationState.APPROVED,
            delegate__role__in=ACCREDITED_ROLES,
            kind=AccreditationKind.VOTING,
            ended_at__isnull=True,
        )
        members = members.filter(Exists(voting) if filters.accredited else ~Exists(voting))
    if filters.region:
        members = members.filter(region=filters.region)
    if filters.search:
        members = members.filter(name__icontains=normal_text(filters.search))
    return sorted(members, key=lambda member: alphabetical(member.name))


def accreditation_rows(*, assembly: Assembly, members: list[MemberOrganization]) -> list[dict]:
    """The accreditation page's rows for these members, in their order: each member's approved
    delegates who may carry its vote, its voting delegate and its alternates."""
    delegates = (
        Delegate.objects.filter(
            assembly=assembly,
            member__in=members,
            state=RegistrationState.APPROVED,
            role__in=ACCREDITED_ROLES,
        )
        .select_related("member")
        .order_by("full_name")
    )
    active = {
        a.delegate_id: a
        for a in Accreditation.objects.filter(
            assembly=assembly, delegate__in=delegates, ended_at__isnull=True
        )
    }
    rows = {
        member.pk: {"member": member, "voting": None, "alternates": [], "delegates": []}
        for member in members
    }
    for delegate in delegates:
        row = rows[delegate.member_id]
        row["delegates"].append(delegate)
        accreditation = active.get(delegate.pk)
        if accreditation and accreditation.kind == AccreditationKind.VOTING:
            row["voting"] = delegate
        elif accreditation:
            row["alternates"].append(delegate)
    return list(rows.values())
