"""Reads shared by pages, the API, commands and (later) consumers: electorate, quorum, polls."""

import hashlib
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Exists, Model, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from assembly.models import (
    Assembly,
    MemberOrganization,
    MembershipStatus,
    Region,
    Role,
    StaffRole,
)
from assembly.rows import columns, fetch, load_model
from assembly.text import alphabetical
from registration.models import Accreditation, AccreditationKind, Delegate, RegistrationState
from registration.normal import normal_text
from voting.models import (
    Ballot,
    BodyKind,
    BodyQuorum,
    BodySeat,
    Candidate,
    DelegatePresence,
    GoverningBody,
    Motion,
    MotionKind,
    Poll,
    PollKind,
    PollState,
    Proxy,
    ProxyState,
    VoteCast,
)
from voting.verify import canonical_json

# --- electorate ---------------------------------------------------------------------------------


def electorate(body: GoverningBody) -> QuerySet[MemberOrganization]:
    """The body's voting members: the assembly's rule for the GA, the listed seats otherwise."""
    if body.kind == BodyKind.GENERAL_ASSEMBLY:
        return MemberOrganization.objects.filter(body.assembly.voting_member_filter())
    return MemberOrganization.objects.filter(pk__in=body.seats.values("member_id"))


def member_in_body(*, body: GoverningBody, member_id: int) -> bool:
    return electorate(body).filter(pk=member_id).exists()


def seat_weights(body: GoverningBody) -> dict[int, int]:
    """Weights other than 1 (and, for listed bodies, every seat)."""
    return dict(BodySeat.objects.filter(body=body).values_list("member_id", "weight"))


def active_proxies(assembly: Assembly) -> QuerySet[Proxy]:
    return Proxy.objects.filter(assembly=assembly, state=ProxyState.APPROVED)


def electorate_fingerprint(body: GoverningBody) -> dict[str, Any]:
    """A hash of the voting members, their weights and proxies, with count and total weight."""
    weights = seat_weights(body)
    holders = dict(active_proxies(body.assembly).values_list("member_id", "holder_id"))
    rows = [
        [member_id, weights.get(member_id, 1), holders.get(member_id)]
        for member_id in electorate(body).order_by("pk").values_list("pk", flat=True)
    ]
    return {
        "fingerprint": hashlib.sha256(canonical_json(rows).encode()).hexdigest(),
        "count": len(rows),
        "weight": sum(row[1] for row in rows),
    }


def general_assembly_body(assembly: Assembly) -> GoverningBody | None:
    return GoverningBody.objects.filter(assembly=assembly, kind=BodyKind.GENERAL_ASSEMBLY).first()


def general_assembly_quorum_needed(assembly: Assembly, eligible: int) -> int:
    """Members the General Assembly needs present: by its body's own rule, else the assembly's."""
    body = general_assembly_body(assembly)
    return body.quorum_needed(eligible) if body else assembly.quorum_needed(eligible)


# --- presence -----------------------------------------------------------------------------------


def present_delegates_q(assembly: Assembly, prefix: str = "") -> Q:
    """Delegates who count as present: in the hall, or online where online presence counts."""
    q = Q(**{f"{prefix}presence__in_hall": True})
    if assembly.online_presence_counts:
        q |= Q(**{f"{prefix}presence__online": True})
    return q


def delegate_is_present(*, assembly: Assembly, delegate_id: int) -> bool:
    presence = DelegatePresence.objects.filter(delegate_id=delegate_id).first()
    if presence is None:
        return False
    return presence.in_hall or (assembly.online_presence_counts and presence.online)


def member_is_present(*, assembly: Assembly, member_id: int) -> bool:
    """Present when an accredited delegate of the member, or its proxy holder, is present."""
    accredited = Delegate.objects.filter(
        present_delegates_q(assembly),
        accreditations__assembly=assembly,
        accreditations__member_id=member_id,
        accreditations__ended_at__isnull=True,
    )
    if accredited.exists():
        return True
    if not assembly.proxies_allowed:  # approved proxies left from before count for nothing
        return False
    return Delegate.objects.filter(
        present_delegates_q(assembly),
        proxies_held__assembly=assembly,
        proxies_held__member_id=member_id,
        proxies_held__state=ProxyState.APPROVED,
    ).exists()


def members_affected_by(delegate: Delegate) -> list[int]:
    """Members whose presence may change when this delegate's presence changes."""
    # Asked on every scan at the hall door: one fixed statement, no ORM query to compile
    # (compiling the equivalent UNION cost more than running it).
    sql = (
        f"SELECT member_id FROM {Accreditation._meta.db_table}"  # noqa: S608
        " WHERE assembly_id = %s AND delegate_id = %s AND ended_at IS NULL"
        f" UNION SELECT member_id FROM {Proxy._meta.db_table} WHERE holder_id = %s AND state = %s"
    )
    rows = fetch(
        sql, [delegate.assembly_id, delegate.pk, delegate.pk, ProxyState.APPROVED], many=True
    )
    return sorted(row[0] for row in rows)


# --- quorum -------------------------------------------------------------------------------------


def _needed_note(body: GoverningBody, eligible: int) -> str:
    """Why a body needs fewer than the assembly's quorum number (said after "N needed")."""
    from django.utils.translation import gettext as _

    assembly = body.assembly
    if not eligible:
        return " " + _("(this body has no voting members)")
    if body.quorum_capped(eligible):
        return " " + _(
            "(all of them: the assembly's quorum of %(number)d is more than this body has)"
        ) % {"number": assembly.quorum_absolute}
    return ""


def quorum_snapshot(body: GoverningBody, quorum: BodyQuorum | None = None) -> dict[str, Any]:
    """The full current quorum state of a body, as pushed live and recorded on polls."""
    quorum = quorum or BodyQuorum.objects.filter(body=body).first()
    if quorum is None:
        return {
            "body": body.code,
            "body_name": body.name,
            "eligible": 0,
            "eligible_weight": 0,
            "present": 0,
            "present_weight": 0,
            "needed": 0,
            "needed_note": _needed_note(body, 0),
            "status": "not_reached",
            "reached": False,
            "present_population": 0,
            "eligible_population": 0,
            "by_region": {},
            "changed_at": None,
        }
    needed = body.quorum_needed(quorum.eligible)
    return {
        "body": body.code,
        "body_name": body.name,
        "eligible": quorum.eligible,
        "eligible_weight": quorum.eligible_weight,
        "present": quorum.present,
        "present_weight": quorum.present_weight,
        "needed": needed,
        "needed_note": _needed_note(body, quorum.eligible),
        "status": quorum.status,
        "reached": quorum.status == "reached",
        "present_population": quorum.present_population,
        "eligible_population": quorum.eligible_population,
        "by_region": {
            region.value: {
                "label": str(region.label),
                "present": quorum.by_region.get(region.value, [0, 0])[0],
                "eligible": quorum.by_region.get(region.value, [0, 0])[1],
            }
            for region in Region
        },
        "changed_at": quorum.changed_at.isoformat(),
    }


def assembly_quorum(assembly: Assembly) -> list[dict[str, Any]]:
    """Quorum snapshots of every body of the assembly, the General Assembly first."""
    bodies = GoverningBody.objects.filter(assembly=assembly).select_related("assembly", "quorum")
    return [quorum_snapshot(body, getattr(body, "quorum", None)) for body in bodies]


# --- who votes for whom -------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    """One member whose vote a delegate may cast in a poll, and why (or why not yet)."""

    member: MemberOrganization
    via: str  # "voting", "alternate" or "proxy"
    weight: int
    blocked: str | None  # None, "not_present" or "delegate_present"


# A ballot reads its voter, its poll and the voter's routes on every request. Compiling those
# queries cost the ORM more CPU than the rest of the ballot together, so they are SQL here,
# loaded into model instances by the fields' own converters (other fields load when used).


def _tables(**models: type[Model]) -> dict[str, str]:
    return {name: model._meta.db_table for name, model in models.items()}


def is_voting_member(assembly: Assembly, member: MemberOrganization) -> bool:
    """assembly.voting_member_filter() for one loaded member (a test keeps the two equal)."""
    return (
        member.kind in (assembly.voting_member_kinds or [])
        and member.membership_type in (assembly.voting_membership_types or [])
        and member.membership_status == MembershipStatus.ACTIVE
        and (member.dues_paid or not assembly.voting_requires_dues_paid)
    )


def _seat(body: GoverningBody, member: MemberOrganization, seat_weight: int | None) -> int | None:
    """The member's weight in the body, or None when it is not in the body's electorate."""
    if body.kind == BodyKind.LISTED:
        return seat_weight
    return (seat_weight or 1) if is_voting_member(body.assembly, member) else None


_MEMBER_FIELDS = ("id", "name", "kind", "membership_type", "membership_status", "dues_paid")
_MEMBER_COLUMNS = columns("m", _MEMBER_FIELDS)
_SEAT_WEIGHT = "(SELECT s.weight FROM {seat} s WHERE s.body_id = %s AND s.member_id = m.id)"
_ACCREDITATION_SQL = (
    f"SELECT acc.kind, pr.in_hall, pr.online, {_SEAT_WEIGHT}, {_MEMBER_COLUMNS} "  # noqa: S608
    "FROM {accreditation} acc JOIN {member} m ON m.id = acc.member_id "
    "LEFT JOIN {presence} pr ON pr.delegate_id = acc.delegate_id "
    "WHERE acc.assembly_id = %s AND acc.delegate_id = %s AND acc.ended_at IS NULL "
    "ORDER BY acc.id LIMIT 1"
).format(
    **_tables(
        accreditation=Accreditation,
        member=MemberOrganization,
        presence=DelegatePresence,
        seat=BodySeat,
    )
)
_PROXIED_SQL = (
    f"SELECT {_SEAT_WEIGHT}, {_MEMBER_COLUMNS} "  # noqa: S608
    "FROM {proxy} px JOIN {member} m ON m.id = px.member_id "
    "WHERE px.assembly_id = %s AND px.holder_id = %s AND px.state = %s ORDER BY m.name"
).format(**_tables(proxy=Proxy, member=MemberOrganization, seat=BodySeat))


def voting_routes(*, delegate: Delegate, poll: Poll) -> list[Route]:
    """Members of the poll's body this delegate may vote for, with any reason it cannot now."""
    if delegate.state != RegistrationState.APPROVED:
        return []
    body = poll.motion.body
    # The delegate's presence comes fresh with the accreditation: callers may hold a stale one.
    row = fetch(_ACCREDITATION_SQL, [body.pk, body.assembly.pk, delegate.pk])
    return _routes(delegate=delegate, poll=poll, accreditation=row)


def _routes(*, delegate: Delegate, poll: Poll, accreditation: tuple | None) -> list[Route]:
    """voting_routes from the delegate's accreditation row (kind, presence, seat, member)."""
    if accreditation is None or accreditation[0] is None:
        return []
    body = poll.motion.body
    assembly = body.assembly
    kind, in_hall, online, seat_weight = accreditation[:4]
    member = load_model(MemberOrganization, _MEMBER_FIELDS, accreditation[4:])
    candidates = [(member, kind, _seat(body, member, seat_weight))]
    if kind == AccreditationKind.VOTING and assembly.proxies_allowed:
        # Proxies count only while the assembly allows them.
        for seat_weight, *fields in fetch(
            _PROXIED_SQL, [body.pk, assembly.pk, delegate.pk, ProxyState.APPROVED], many=True
        ):
            proxied = load_model(MemberOrganization, _MEMBER_FIELDS, fields)
            candidates.append((proxied, "proxy", _seat(body, proxied, seat_weight)))
    self_present = bool(in_hall or (assembly.online_presence_counts and online))
    routes = []
    for member, via, weight in candidates:
        if weight is None:
            continue
        blocked = None
        if body.presence_required and not self_present:
            blocked = "not_present"
        if via == AccreditationKind.ALTERNATE:
            voting_delegate = (
                Accreditation.objects.filter(
                    assembly=assembly,
                    member=member,
                    kind=AccreditationKind.VOTING,
                    ended_at__isnull=True,
                )
                .values_list("delegate_id", flat=True)
                .first()
            )
            if voting_delegate and delegate_is_present(
                assembly=assembly, delegate_id=voting_delegate
            ):
                blocked = "delegate_present"
        routes.append(Route(member, via, weight, blocked))
    return routes


def _why_not_in_general_assembly(assembly: Assembly, member: MemberOrganization) -> str:
    """The first of the assembly's voting rules this member fails, in words."""
    from django.utils.translation import gettext as _

    if assembly.voting_requires_dues_paid and not member.dues_paid:
        return _("its dues are not paid")
    if member.membership_status != MembershipStatus.ACTIVE:
        return _("its membership is %(status)s") % {
            "status": member.get_membership_status_display().lower()
        }
    if member.membership_type not in (assembly.voting_membership_types or []):
        return _("its membership type (%(type)s) has no vote") % {
            "type": member.get_membership_type_display().lower()
        }
    return _("members of its kind (%(kind)s) have no vote") % {
        "kind": member.get_kind_display().lower()
    }


def not_a_voter_reason(*, delegate: Delegate, body: GoverningBody) -> str | None:
    """Why the member this delegate is accredited for has no vote in the body, in words (dues
    unpaid, not a full member, not on the body's list), or None if it has one or there is none."""
    from django.utils.translation import gettext as _

    accreditation = (
        Accreditation.objects.filter(
            assembly_id=delegate.assembly_id, delegate=delegate, ended_at__isnull=True
        )
        .select_related("member")
        .order_by("pk")
        .first()
    )
    if accreditation is None or member_in_body(body=body, member_id=accreditation.member_id):
        return None
    member = accreditation.member
    if body.kind == BodyKind.LISTED:
        why = _("it is not one of its listed members")
    else:
        why = _why_not_in_general_assembly(body.assembly, member)
    return _("%(member)s is not a voting member of the %(body)s: %(why)s.") % {
        "member": member.name,
        "body": body.name,
        "why": why,
    }


def members_voted(poll: Poll, member_ids: list[int]) -> set[int]:
    return set(
        VoteCast.objects.filter(poll=poll, member_id__in=member_ids).values_list(
            "member_id", flat=True
        )
    )


def voter_for(*, user: AbstractBaseUser | AnonymousUser, assembly: Assembly) -> Delegate | None:
    """The delegate record through which this user votes; desk staff never vote."""
    if not user.is_authenticated:
        return None
    desk = StaffRole.objects.filter(assembly_id=OuterRef("assembly_id"), user=user, role=Role.DESK)
    delegate = (
        Delegate.objects.filter(user=user, state=RegistrationState.APPROVED, assembly=assembly)
        .annotate(is_desk=Exists(desk))
        .select_related("member", "assembly")
        .order_by("pk")
        .first()
    )
    if delegate is None or delegate.is_desk:
        return None
    return delegate


_BALLOT_POLL_FIELDS = (
    (Poll, ("id", "assembly_id", "motion_id", "state", "kind", "seats", "closes_at")),
    (Motion, ("id", "assembly_id", "body_id", "kind")),
    (GoverningBody, ("id", "assembly_id", "kind", "presence_required")),
    (
        Assembly,
        (
            "id",
            "online_presence_counts",
            "proxies_allowed",
            "voting_member_kinds",
            "voting_membership_types",
            "voting_requires_dues_paid",
        ),
    ),
)
# The poll's columns as _load_ballot_poll reads them, from the tables aliased p, mo, b and a.
_BALLOT_POLL_COLUMNS = ", ".join(
    columns(alias, fields)
    for alias, (_model, fields) in zip(("p", "mo", "b", "a"), _BALLOT_POLL_FIELDS, strict=True)
)
_BALLOT_POLL_WIDTH = sum(len(fields) for _model, fields in _BALLOT_POLL_FIELDS)
_BALLOT_POLL_SQL = (
    f"SELECT {_BALLOT_POLL_COLUMNS} "  # noqa: S608 - table names from the models
    "FROM {poll} p JOIN {motion} mo ON mo.id = p.motion_id "
    "JOIN {body} b ON b.id = mo.body_id JOIN {assembly} a ON a.id = b.assembly_id "
    "WHERE p.id = %s AND p.assembly_id = %s"
).format(**_tables(poll=Poll, motion=Motion, body=GoverningBody, assembly=Assembly))


def ballot_poll(*, poll_id: int, assembly_id: int) -> Poll | None:
    """The poll with what casting reads of its motion, body and assembly, in one query."""
    row = fetch(_BALLOT_POLL_SQL, [poll_id, assembly_id])
    return None if row is None else _load_ballot_poll(row)


def _load_ballot_poll(row: tuple) -> Poll:
    loaded, at = [], 0
    for model, fields in _BALLOT_POLL_FIELDS:
        loaded.append(load_model(model, fields, row[at : at + len(fields)]))
        at += len(fields)
    poll, motion, body, assembly = loaded
    body.assembly = assembly
    motion.body = body
    poll.motion = motion
    return poll


# voter_for, ballot_poll and the accreditation of voting_routes as one statement: a delegate
# has at most one active accreditation (a unique constraint), so joining it adds no row.
_BALLOT_READS_SQL = (
    "SELECT d.id, d.assembly_id, d.state, EXISTS (SELECT 1 FROM {staff} st "  # noqa: S608 - table names from the models
    "WHERE st.assembly_id = d.assembly_id AND st.user_id = d.user_id AND st.role = %s), "
    f"{_BALLOT_POLL_COLUMNS}, acc.kind, pr.in_hall, pr.online, "
    "(SELECT s.weight FROM {seat} s WHERE s.body_id = b.id AND s.member_id = m.id), "
    f"{_MEMBER_COLUMNS} "
    "FROM {delegate} d JOIN {assembly} da ON da.id = d.assembly_id "
    "LEFT JOIN {poll} p ON p.id = %s AND p.assembly_id = d.assembly_id "
    "LEFT JOIN {motion} mo ON mo.id = p.motion_id LEFT JOIN {body} b ON b.id = mo.body_id "
    "LEFT JOIN {assembly} a ON a.id = b.assembly_id "
    "LEFT JOIN {accreditation} acc ON acc.assembly_id = d.assembly_id "
    "AND acc.delegate_id = d.id AND acc.ended_at IS NULL "
    "LEFT JOIN {member} m ON m.id = acc.member_id "
    "LEFT JOIN {presence} pr ON pr.delegate_id = d.id "
    "WHERE d.user_id = %s AND da.slug = %s AND d.state = %s ORDER BY d.id LIMIT 1"
).format(
    **_tables(
        staff=StaffRole,
        delegate=Delegate,
        assembly=Assembly,
        poll=Poll,
        motion=Motion,
        body=GoverningBody,
        accreditation=Accreditation,
        member=MemberOrganization,
        presence=DelegatePresence,
        seat=BodySeat,
    )
)


@dataclass
class BallotReads:
    """What casting a ballot reads before it writes: the voter, the poll and its routes."""

    delegate: Delegate
    poll: Poll | None  # None: no such poll in the voter's assembly
    routes: list[Route]


def ballot_reads(
    *, user: AbstractBaseUser | AnonymousUser, slug: str, poll_id: int
) -> BallotReads | None:
    """voter_for, ballot_poll and voting_routes in one query, for the ballot endpoint.

    None when the user does not vote at this assembly (desk staff never do).
    """
    if not user.is_authenticated:
        return None
    row = fetch(
        _BALLOT_READS_SQL,
        [Role.DESK, poll_id, user.pk, slug, RegistrationState.APPROVED],
    )
    if row is None or row[3]:
        return None
    delegate = load_model(Delegate, ("id", "assembly_id", "state"), row[:3])
    polled = row[4 : 4 + _BALLOT_POLL_WIDTH]
    if polled[0] is None:
        return BallotReads(delegate, None, [])
    poll = _load_ballot_poll(polled)
    accreditation = row[4 + _BALLOT_POLL_WIDTH :]
    return BallotReads(
        delegate, poll, _routes(delegate=delegate, poll=poll, accreditation=accreditation)
    )


# --- polls --------------------------------------------------------------------------------------


# Counted apart and joined to the one poll row: grouping the join carried the poll's wide row
# through every ballot (2.4 times the execution time at 1,000 ballots).
_TURNOUT_SQL = (
    "SELECT p.state, c.ballots, c.weight, p.at_open "  # noqa: S608
    f"FROM {Poll._meta.db_table} p, (SELECT count(*) AS ballots, coalesce(sum(weight), 0) "
    f"AS weight FROM {Ballot._meta.db_table} WHERE poll_id = %s) c WHERE p.id = %s"
)


def poll_turnout(poll_id: int) -> Poll | None:
    """What a poll's live turnout shows, counted from its ballots: one fixed query."""
    row = fetch(_TURNOUT_SQL, [poll_id, poll_id])
    if row is None:
        return None
    return load_model(Poll, ("state", "turnout", "turnout_weight", "at_open"), row)


def with_live_turnout(poll: Poll) -> Poll:
    """An open poll's turnout counted now (the columns hold it only from the close on)."""
    if poll.state == PollState.OPEN:
        counted = poll_turnout(poll.pk)
        if counted is not None:
            poll.turnout, poll.turnout_weight = counted.turnout, counted.turnout_weight
    return poll


def _takes_motion_offer(poll: Poll) -> bool:
    """A first-round draft offers the motion's seats and candidates as they are when it opens."""
    return poll.state == PollState.DRAFT and poll.runoff_of_id is None


def offered_candidates(poll: Poll) -> list[Candidate]:
    """The candidates the poll offers: a first-round draft the motion's as they are now (it
    takes them when it opens), a runoff or any poll that has opened its own.

    Read once per Poll instance and source: a ballot card asks for them through its options,
    its question, its mode and its majority words."""
    from_motion = _takes_motion_offer(poll)
    kept = poll.__dict__.get("_offered_candidates")
    if kept is None or kept[0] != from_motion:
        kept = (from_motion, _candidates_in_order(poll.motion if from_motion else poll))
        poll.__dict__["_offered_candidates"] = kept
    return list(kept[1])


CANDIDATE_ORDER = ("position", "name")


def with_candidates(polls: QuerySet[Poll]) -> QuerySet[Poll]:
    """The polls with their own and their motion's candidates, in ballot order: one query
    each for a whole list instead of one a poll (offered_candidates reads them)."""
    in_order = Candidate.objects.order_by(*CANDIDATE_ORDER)
    return polls.prefetch_related(
        Prefetch("candidates", queryset=in_order),
        Prefetch("motion__candidates", queryset=in_order),
    )


def _candidates_in_order(owner: Poll | Motion) -> list[Candidate]:
    """A poll's or a motion's candidates: as with_candidates read them, or read now."""
    if "candidates" in getattr(owner, "_prefetched_objects_cache", {}):
        return list(owner.candidates.all())
    return list(owner.candidates.order_by(*CANDIDATE_ORDER))


def offered_seats(poll: Poll) -> int:
    """The seats the poll fills: a first-round draft the motion's as they are now; a runoff the
    seats its round's result left open (kept from when it was made)."""
    return poll.motion.seats if _takes_motion_offer(poll) else poll.seats


def poll_mode(poll: Poll) -> str:
    if poll.motion.kind == MotionKind.RESOLUTION:
        return "yes_no"
    return "yes_no" if len(offered_candidates(poll)) == 1 else "candidates"


def poll_candidate_ids(poll: Poll) -> list[str]:
    return [str(c.pk) for c in offered_candidates(poll)]


def lone_candidate(poll: Poll) -> Candidate | None:
    """The candidate of an election with one candidate (voted on with yes / no / abstain)."""
    if poll.motion.kind != MotionKind.ELECTION:
        return None
    candidates = offered_candidates(poll)
    return candidates[0] if len(candidates) == 1 else None


def poll_question(poll: Poll) -> str | None:
    """What a voter answers when the motion's title does not say it: "Elect Karin Meier?"."""
    from django.utils.translation import gettext as _

    candidate = lone_candidate(poll)
    return None if candidate is None else _("Elect %(name)s?") % {"name": candidate.name}


def poll_options(poll: Poll) -> list[dict[str, str]]:
    """The choices a voter sees, each with its value and its words; a lone candidate's yes and
    no name the candidate, so the confirmation, the receipt and the lists say who."""
    from django.utils.translation import gettext as _

    abstain = {"value": "abstain", "label": _("Abstain")}
    if poll.motion.kind == MotionKind.RESOLUTION:
        return [{"value": "yes", "label": _("Yes")}, {"value": "no", "label": _("No")}, abstain]
    candidates = offered_candidates(poll)
    if len(candidates) == 1:
        name = candidates[0].name
        return [
            {"value": "yes", "label": _("Yes to %(name)s") % {"name": name}},
            {"value": "no", "label": _("No to %(name)s") % {"name": name}},
            abstain,
        ]
    return [*({"value": str(c.pk), "label": c.name} for c in candidates), abstain]


def runoff_due(poll: Poll) -> bool:
    """The poll's result calls for a runoff and none is prepared yet (as create_runoff
    decides); reads poll.runoffs, so prefetch it for a list of polls."""
    return (
        poll.state in (PollState.CLOSED, PollState.PUBLISHED)
        and bool((poll.result or {}).get("runoff"))
        and not poll.runoffs.all()
    )


def can_see_results(*, poll: Poll, roles: frozenset[Role]) -> bool:
    """Anyone sees published results; chair and secretariat see a closed poll's counts."""
    if poll.state == PollState.PUBLISHED:
        return True
    if poll.state == PollState.CLOSED:
        return bool(roles & {Role.CHAIR, Role.SECRETARIAT})
    # Open: never the counts of a secret poll; roll-call counts only for the chair side.
    return False


def seconds_left(poll: Poll) -> int | None:
    if poll.state != PollState.OPEN or poll.closes_at is None:
        return None
    return max(0, int((poll.closes_at - timezone.now()).total_seconds()))


def poll_snapshot(poll: Poll, *, with_results: bool = False) -> dict[str, Any]:
    """A poll's state as the ballot page, console, projector and API show it."""
    motion = poll.motion
    with_live_turnout(poll)
    snapshot: dict[str, Any] = {
        "id": poll.pk,
        "motion": motion.code,
        "title": motion.title,
        "body": motion.body.code,
        "kind": poll.kind,
        "state": poll.state,
        "round": poll.round,
        "seats": offered_seats(poll),
        "mode": poll_mode(poll),
        "majority": motion.majority,
        "options": poll_options(poll),
        "turnout": poll.turnout,
        "turnout_weight": poll.turnout_weight,
        "eligible": (poll.at_open or {}).get("electorate", {}).get("count"),
        "opened_at": poll.opened_at.isoformat() if poll.opened_at else None,
        "closes_at": poll.closes_at.isoformat() if poll.closes_at else None,
        "seconds_left": seconds_left(poll),
        "closed_at": poll.closed_at.isoformat() if poll.closed_at else None,
        "published_at": poll.published_at.isoformat() if poll.published_at else None,
        "at_open": poll.at_open or None,
        "at_close": poll.at_close or None,
        "override_reason": poll.override_reason,
        "result": None,
    }
    if with_results and poll.result:
        snapshot["result"] = poll.result
    return snapshot


def polls_for(assembly: Assembly) -> QuerySet[Poll]:
    return (
        Poll.objects.filter(assembly=assembly)
        .select_related("motion", "motion__body", "motion__body__assembly")
        .order_by("motion__agenda_item_number", "motion_id", "round")
    )


def ballots_by_poll(poll_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """Each poll's ballots as the seal at close and the audit export list them, in one query
    for all the polls."""
    found: dict[int, list[dict[str, Any]]] = {poll_id: [] for poll_id in poll_ids}
    rows = (
        Ballot.objects.filter(poll_id__in=poll_ids)
        .order_by("poll_id", "id")
        .values("id", "poll_id", "choices", "weight", "receipt_hash", "member_id")
    )
    for b in rows:
        found[b["poll_id"]].append(
            {
                "id": str(b["id"]),
                "poll": b["poll_id"],
                "choices": b["choices"],
                "weight": b["weight"],
                "receipt_hash": b["receipt_hash"],
                "member": b["member_id"],
            }
        )
    return found


def open_polls(assembly: Assembly) -> QuerySet[Poll]:
    return polls_for(assembly).filter(state=PollState.OPEN)


def receipt_list(poll: Poll) -> list[dict[str, Any]]:
    """After publication: every ballot's receipt hash with its choices, in random-id order."""
    if poll.state != PollState.PUBLISHED or poll.kind == PollKind.HAND:
        return []
    labels = {o["value"]: o["label"] for o in poll_options(poll)}
    return [
        {
            "receipt_hash": receipt,
            "choices": choices,
            "words": [labels.get(str(c), str(c)) for c in choices],
            "weight": weight,
        }
        for receipt, choices, weight in Ballot.objects.filter(poll=poll)
        .order_by("receipt_hash")
        .values_list("receipt_hash", "choices", "weight")
    ]


def roll_call(poll: Poll) -> list[dict[str, Any]]:
    """A roll-call poll's record once it is closed: each member with its choices in words and its
    weight, by member name. Secret and hand polls have none (secret ballots name no member)."""
    if poll.kind != PollKind.ROLL_CALL or poll.state not in (PollState.CLOSED, PollState.PUBLISHED):
        return []
    labels = {o["value"]: o["label"] for o in poll_options(poll)}
    return [
        {"member": name, "words": [labels.get(str(c), str(c)) for c in choices], "weight": weight}
        for name, choices, weight in Ballot.objects.filter(poll=poll, member__isnull=False)
        .order_by("member__name")
        .values_list("member__name", "choices", "weight")
    ]


# --- results in words ---------------------------------------------------------------------------


def votes_weighted(poll: Poll) -> bool:
    """Whether some member's vote weighs more than 1 in the poll's body (as recorded at close, or
    at open): counts and bases are then votes, not members."""
    for figures in (poll.at_close, poll.at_open):
        electorate = (figures or {}).get("electorate")
        if electorate:
            return electorate.get("weight") != electorate.get("count")
    return BodySeat.objects.filter(body_id=poll.motion.body_id).exclude(weight=1).exists()


def base_words(motion: Motion, *, weighted: bool) -> str:
    """What the majority's base counts, with the abstention rule: "votes cast, abstentions not
    counted", "voting members present", "votes of the members present" (weights other than 1)."""
    from django.utils.translation import gettext as _

    if motion.majority == "absolute_present":
        return _("votes of the members present") if weighted else _("voting members present")
    if motion.abstentions_in_base:
        return _("votes cast, abstentions included")
    return _("votes cast, abstentions not counted")


def _base_phrase(motion: Motion, *, base: int, weighted: bool) -> str:
    """The base with its number, in the singular or plural: "23 votes cast, abstentions not
    counted"."""
    from django.utils.translation import ngettext

    if motion.majority == "absolute_present" and weighted:
        phrase = ngettext(
            "%(n)d vote of the members present", "%(n)d votes of the members present", base
        )
    elif motion.majority == "absolute_present":
        phrase = ngettext("%(n)d voting member present", "%(n)d voting members present", base)
    elif motion.abstentions_in_base:
        phrase = ngettext(
            "%(n)d vote cast, abstentions included", "%(n)d votes cast, abstentions included", base
        )
    else:
        phrase = ngettext(
            "%(n)d vote cast, abstentions not counted",
            "%(n)d votes cast, abstentions not counted",
            base,
        )
    return phrase % {"n": base}


def majority_words(poll: Poll) -> str:
    """The majority rule in words fitting the poll (a resolution, a lone candidate, an election
    among several) with what abstentions count for."""
    from django.utils.translation import gettext as _

    motion = poll.motion
    among_several = motion.kind == MotionKind.ELECTION and poll_mode(poll) == "candidates"
    if motion.majority == "simple":
        if among_several:
            return _(
                "Relative majority: the candidates with the most votes are elected;"
                " abstentions do not count"
            )
        return _("Simple majority: more yes than no; abstentions do not count")
    if motion.majority == "absolute_present":
        weighted = votes_weighted(poll)
        if among_several:
            rule = (
                _(
                    "Each candidate elected needs an absolute majority of the votes of the members"
                    " present"
                )
                if weighted
                else _(
                    "Each candidate elected needs an absolute majority of the voting members"
                    " present"
                )
            )
        else:
            rule = (
                _("Absolute majority of the votes of the members present")
                if weighted
                else _("Absolute majority of the voting members present")
            )
        return rule + "; " + _("members present who abstain or do not vote count in the base")
    if motion.majority == "two_thirds_cast":
        rule = (
            _("Each candidate elected needs two thirds of votes cast")
            if among_several
            else _("Two thirds of votes cast")
        )
    else:
        rule = (
            _("Each candidate elected needs an absolute majority of votes cast")
            if among_several
            else _("Absolute majority of votes cast")
        )
    abstentions = (
        _("abstentions count as votes cast")
        if motion.abstentions_in_base
        else _("abstentions not counted")
    )
    return f"{rule}; {abstentions}"


def _no_votes_sentence(*, cast: int, abstentions: int, mode: str) -> str:
    """Nothing decided: either no ballot at all, or only abstentions (said as such)."""
    from django.utils.translation import gettext as _
    from django.utils.translation import ngettext

    if cast == 0:
        return _("No votes were cast.")
    counted = ngettext("%(n)d abstention", "%(n)d abstentions", abstentions) % {"n": abstentions}
    if mode == "yes_no":
        return _("%(counted)s; no yes or no votes.") % {"counted": counted}
    return _("%(counted)s; no votes for any candidate.") % {"counted": counted}


def _threshold_applies(value: str, mode: str) -> bool:
    """The threshold is what yes needs (yes / no polls) or each candidate (elections)."""
    return value == "yes" if mode == "yes_no" else value not in ("no", "abstain")


def _yes_no_sentence(poll: Poll, result: dict[str, Any], base: str) -> str:
    """A resolution's or a lone candidate's outcome, the candidate named."""
    from django.utils.translation import gettext as _
    from django.utils.translation import ngettext

    counts = result["counts"]
    abstain = counts.get("abstain", 0)
    words = {
        "head": {
            "adopted": _("Adopted"),
            "rejected": _("Rejected"),
            "elected": _("Elected"),
            "not_elected": _("Not elected"),
        }[result["outcome"]],
        "yes": counts.get("yes", 0),
        "no": counts.get("no", 0),
        "abstentions": ngettext("%(n)d abstention", "%(n)d abstentions", abstain) % {"n": abstain},
        "base": base,
        "threshold": result["threshold"],
    }
    candidate = lone_candidate(poll)
    if candidate is not None:
        words["name"] = candidate.name
    if poll.motion.majority == "simple":
        if candidate is None:
            text = _("%(head)s: %(yes)d yes, %(no)d no, %(abstentions)s (more yes than no needed)")
        else:
            text = _(
                "%(head)s: %(name)s with %(yes)d yes, %(no)d no, %(abstentions)s"
                " (more yes than no needed)"
            )
    elif candidate is None:
        text = _("%(head)s: %(yes)d yes of %(base)s; %(threshold)d needed")
    else:
        text = _("%(head)s: %(name)s with %(yes)d yes of %(base)s; %(threshold)d needed")
    return text % words


def _election_sentence(
    poll: Poll, result: dict[str, Any], labels: dict[str, str], base: str
) -> str:
    """An election among several candidates: who is elected with their votes, any runoff."""
    from django.utils.translation import gettext as _
    from django.utils.translation import ngettext

    counts = result["counts"]
    elected = ", ".join(
        ngettext("%(name)s (%(n)d vote)", "%(name)s (%(n)d votes)", counts.get(c, 0))
        % {"name": labels.get(c, c), "n": counts.get(c, 0)}
        for c in result.get("elected", [])
    )
    relative = poll.motion.majority == "simple"
    outcome = result["outcome"]
    words = {"names": elected, "threshold": result["threshold"], "base": base}
    if outcome == "elected":
        if relative:
            return _("Elected with the most votes: %(names)s") % words
        return _("Elected: %(names)s; %(threshold)d needed of %(base)s") % words
    if outcome == "runoff":
        seats = result.get("runoff_seats", 0)
        sentence = ngettext(
            "Runoff for %(n)d seat among %(runoff)s",
            "Runoff for %(n)d seats among %(runoff)s",
            seats,
        ) % {"n": seats, "runoff": ", ".join(labels.get(c, c) for c in result.get("runoff", []))}
        if elected:
            sentence = _("Elected: %(names)s. ") % words + sentence
        if result.get("tie"):
            sentence += " " + _("(tie)")
        return sentence
    if relative:
        return _("Nobody elected.")
    return _("Nobody elected: no candidate reached %(threshold)d of %(base)s.") % words


def _cast_words(poll: Poll, *, cast: int, weighted: bool) -> str:
    """ "Votes cast: 10", or with weights "16 votes cast by 10 members": votes are not members."""
    from django.utils.translation import gettext as _
    from django.utils.translation import ngettext

    if not weighted or poll.kind == PollKind.HAND:
        return _("Votes cast: %(cast)d") % {"cast": cast}
    votes = ngettext("%(n)d vote cast", "%(n)d votes cast", cast) % {"n": cast}
    members = ngettext("%(n)d member", "%(n)d members", poll.turnout) % {"n": poll.turnout}
    return _("%(votes)s by %(members)s") % {"votes": votes, "members": members}


def _in_ballot_order(counts: dict[str, int], labels: dict[str, str]) -> list[tuple[str, int]]:
    """Counts as the ballot lists its choices (Yes, No, Abstain): PostgreSQL's jsonb stores a
    result's keys shortest first, so the stored order put No before Yes."""
    order = {value: place for place, value in enumerate(labels)}
    return sorted(counts.items(), key=lambda item: order.get(item[0], len(order)))


def result_lines(poll: Poll) -> dict[str, Any] | None:
    """The result as people read it: bars with words, base, threshold and outcome in a sentence."""
    result = poll.result
    if not result:
        return None
    labels = {o["value"]: o["label"] for o in poll_options(poll)}
    counts = result["counts"]
    cast, base, threshold = result["cast"], result["base"], result["threshold"]
    # Bars measure against the majority rule's base (or the biggest count, when abstentions
    # outside the base outnumber it), so a short bar reads as short: never scaled to the winner.
    scale = max([base, *counts.values(), 1])
    mark = None
    if threshold and result["outcome"] != "no_votes":
        mark = min(100, round(100 * threshold / scale))
    bars = [
        {
            "value": value,
            "label": labels.get(value, value),
            "count": count,
            "share": round(100 * count / scale),
            "mark": mark if _threshold_applies(value, result["mode"]) else None,
            "elected": value in result.get("elected", []),
        }
        for value, count in _in_ballot_order(counts, labels)
    ]
    weighted = votes_weighted(poll)
    phrase = _base_phrase(poll.motion, base=base, weighted=weighted)
    if result["outcome"] == "no_votes":
        sentence = _no_votes_sentence(
            cast=cast, abstentions=result["abstentions"], mode=result["mode"]
        )
    elif result["mode"] == "yes_no":
        sentence = _yes_no_sentence(poll, result, phrase)
    else:
        sentence = _election_sentence(poll, result, labels, phrase)
    return {
        "bars": bars,
        "cast": cast,
        "cast_words": _cast_words(poll, cast=cast, weighted=weighted),
        "base": base,
        "base_words": base_words(poll.motion, weighted=weighted),
        "abstentions": result["abstentions"],
        "threshold": threshold,
        "outcome": result["outcome"],
        "sentence": sentence,
    }


# --- presence page: the accredited delegates a search finds -------------------------------------

PRESENCE_STATES = ("hall", "online", "absent")


def accredited_delegates_found(
    *, assembly: Assembly, search: str | None = None, presence: str | None = None
) -> list[Delegate]:
    """Delegates holding an accreditation now whose name or member's name holds the search, in
    the hall, online or absent (neither), by member as a reader sorts names, then name."""
    delegates = Delegate.objects.filter(
        assembly=assembly, accreditations__assembly=assembly, accreditations__ended_at__isnull=True
    ).select_related("member", "presence")
    if search:
        term = normal_text(search)
        delegates = delegates.filter(Q(full_name__icontains=term) | Q(member__name__icontains=term))
    if presence == "hall":
        delegates = delegates.filter(presence__in_hall=True)
    elif presence == "online":
        delegates = delegates.filter(presence__online=True)
    elif presence == "absent":
        # No presence row yet is absent too: the row is made by a first scan or confirmation.
        delegates = delegates.filter(
            Q(presence__isnull=True) | Q(presence__in_hall=False, presence__online=False)
        )
    return sorted(
        delegates, key=lambda d: (alphabetical(d.member.name if d.member else ""), d.full_name)
    )
