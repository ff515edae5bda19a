"""API endpoints of the voting app, mounted by assembly/api.py under /api/v1/."""

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from assembly.auth import get_assembly, require_role
from assembly.errors import Forbidden, NotFound
from assembly.models import Assembly, MemberOrganization, Role
from registration.models import Delegate
from voting import services
from voting.export import audit_export
from voting.models import Motion, Poll, Proxy
from voting.schemas import (
    BallotIn,
    HandCountsIn,
    MotionOut,
    OpenIn,
    PollCreateIn,
    PollOut,
    ProxyIn,
    ProxyOut,
    QuorumOut,
    ReceiptOut,
    ReceiptRowOut,
    ResultOut,
)
from voting.selectors import (
    assembly_quorum,
    ballot_reads,
    can_see_results,
    poll_snapshot,
    polls_for,
    receipt_list,
    result_lines,
)

router = Router(tags=["voting"])

ANY_ROLE = (Role.SECRETARIAT, Role.DESK, Role.CHAIR, Role.DELEGATE)
RUNS_POLLS = (Role.CHAIR, Role.SECRETARIAT)


def _poll(assembly: Assembly, poll_id: int) -> Poll:
    poll = polls_for(assembly).filter(pk=poll_id).first()
    if poll is None:
        raise NotFound()
    return poll


def _snapshot(poll: Poll, roles: frozenset[Role]) -> dict[str, Any]:
    return poll_snapshot(poll, with_results=can_see_results(poll=poll, roles=roles))


@router.get(
    "/assemblies/{slug}/quorum", response=list[QuorumOut], operation_id="voting_read_quorum"
)
def read_quorum(request: HttpRequest, slug: str) -> list:
    """Present voting members against the rule, per governing body, with regions."""
    assembly = get_assembly(slug)
    require_role(request, assembly, *ANY_ROLE)
    return assembly_quorum(assembly)


@router.get(
    "/assemblies/{slug}/motions", response=list[MotionOut], operation_id="voting_list_motions"
)
def list_motions(request: HttpRequest, slug: str) -> list:
    assembly = get_assembly(slug)
    require_role(request, assembly, *ANY_ROLE)
    return [
        {
            "id": m.pk,
            "code": m.code,
            "title": m.title,
            "kind": m.kind,
            "body": m.body.code,
            "majority": m.majority,
            "seats": m.seats,
            "agenda_item": m.agenda_item_number,
        }
        for m in Motion.objects.filter(assembly=assembly).select_related("body")
    ]


@router.get("/assemblies/{slug}/polls", response=list[PollOut], operation_id="voting_list_polls")
def list_polls(request: HttpRequest, slug: str) -> list:
    assembly = get_assembly(slug)
    roles = require_role(request, assembly, *ANY_ROLE)
    return [_snapshot(poll, roles) for poll in polls_for(assembly)]


@router.post("/assemblies/{slug}/polls", response={201: PollOut}, operation_id="voting_create_poll")
def create_poll(request: HttpRequest, slug: str, payload: PollCreateIn) -> Status:
    assembly = get_assembly(slug)
    roles = require_role(request, assembly, *RUNS_POLLS)
    # The id, as every other id in a request; the code, as scripts written before sent it.
    by = {"pk": payload.motion} if isinstance(payload.motion, int) else {"code": payload.motion}
    motion = Motion.objects.filter(assembly=assembly, **by).first()
    if motion is None:
        raise NotFound()
    poll = services.create_poll(
        motion=motion,
        kind=payload.kind,
        min_open_seconds=payload.min_open_seconds,
        close_after_seconds=payload.close_after_seconds,
    )
    return Status(201, _snapshot(_poll(assembly, poll.pk), roles))


@router.get("/assemblies/{slug}/polls/{poll_id}", response=PollOut, operation_id="voting_read_poll")
def read_poll(request: HttpRequest, slug: str, poll_id: int) -> dict:
    assembly = get_assembly(slug)
    roles = require_role(request, assembly, *ANY_ROLE)
    return _snapshot(_poll(assembly, poll_id), roles)


@router.post(
    "/assemblies/{slug}/polls/{poll_id}/open", response=PollOut, operation_id="voting_open_poll"
)
def open_poll(request: HttpRequest, slug: str, poll_id: int, payload: OpenIn) -> dict:
    """Open a draft poll; without quorum, give override_reason (recorded in the audit log)."""
    assembly = get_assembly(slug)
    roles = require_role(request, assembly, *RUNS_POLLS)
    poll = services.open_poll(
        poll=_poll(assembly, poll_id), by=request.user, override_reason=payload.override_reason
    )
    return _snapshot(poll, roles)


@router.post(
    "/assemblies/{slug}/polls/{poll_id}/close", response=PollOut, operation_id="voting_close_poll"
)
def close_poll(request: HttpRequest, slug: str, poll_id: int) -> dict:
    assembly = get_assembly(slug)
    roles = require_role(request, assembly, *RUNS_POLLS)
    poll = services.close_poll(poll=_poll(assembly, poll_id), by=request.user)
    return _snapshot(poll, roles)


@router.post(
    "/assemblies/{slug}/polls/{poll_id}/publish",
    response=PollOut,
    operation_id="voting_publish_poll",
)
def publish_poll(request: HttpRequest, slug: str, poll_id: int) -> dict:
    assembly = get_assembly(slug)
    roles = require_role(request, assembly, *RUNS_POLLS)
    poll = services.publish_poll(poll=_poll(assembly, poll_id), by=request.user)
    return _snapshot(poll, roles)


@router.post(
    "/assemblies/{slug}/polls/{poll_id}/runoff",
    response={201: PollOut},
    operation_id="voting_create_runoff",
)
def create_runoff(request: HttpRequest, slug: str, poll_id: int) -> Status:
    assembly = get_assembly(slug)
    roles = require_role(request, assembly, *RUNS_POLLS)
    runoff = services.create_runoff(poll=_poll(assembly, poll_id))
    return Status(201, _snapshot(_poll(assembly, runoff.pk), roles))


@router.post(
    "/assemblies/{slug}/polls/{poll_id}/counts",
    response=PollOut,
    operation_id="voting_enter_hand_counts",
)
def enter_counts(request: HttpRequest, slug: str, poll_id: int, payload: HandCountsIn) -> dict:
    """The secretariat enters a paper or show-of-hands count."""
    assembly = get_assembly(slug)
    roles = require_role(request, assembly, Role.SECRETARIAT)
    poll = services.enter_hand_counts(
        poll=_poll(assembly, poll_id),
        by=request.user,
        counts=payload.counts,
        ballots=payload.ballots,
    )
    return _snapshot(poll, roles)


@router.post(
    "/assemblies/{slug}/polls/{poll_id}/counts/confirm",
    response=PollOut,
    operation_id="voting_confirm_hand_counts",
)
def confirm_counts(request: HttpRequest, slug: str, poll_id: int) -> dict:
    """The chair confirms the entered count."""
    assembly = get_assembly(slug)
    roles = require_role(request, assembly, Role.CHAIR)
    poll = services.confirm_hand_counts(poll=_poll(assembly, poll_id), by=request.user)
    return _snapshot(poll, roles)


@router.post(
    "/assemblies/{slug}/polls/{poll_id}/ballots",
    response={201: list[ReceiptOut]},
    operation_id="voting_cast_ballot",
)
def cast_ballot(request: HttpRequest, slug: str, poll_id: int, payload: BallotIn) -> Status:
    """Cast one ballot per member you represent (or those listed); returns one receipt each."""
    # The voter, the poll (within the voter's assembly) and its routes, in one query.
    reads = ballot_reads(user=request.user, slug=slug, poll_id=poll_id)
    if reads is None:
        get_assembly(slug)  # an unknown assembly answers not_found
        raise Forbidden()
    receipts = services.cast_read_ballots(
        reads=reads, choices=payload.choices, members=payload.members
    )
    return Status(201, [r.__dict__ for r in receipts])


@router.get(
    "/assemblies/{slug}/polls/{poll_id}/results",
    response=ResultOut,
    operation_id="voting_read_results",
)
def read_results(request: HttpRequest, slug: str, poll_id: int) -> dict:
    """A delegate sees results once published; chair and secretariat once closed."""
    assembly = get_assembly(slug)
    roles = require_role(request, assembly, *ANY_ROLE)
    poll = _poll(assembly, poll_id)
    if not can_see_results(poll=poll, roles=roles) or not poll.result:
        raise Forbidden("The results are not published yet.", code="results_not_published")
    lines = result_lines(poll)
    return {
        "poll": poll.pk,
        "state": poll.state,
        "sentence": lines["sentence"],
        **{k: poll.result[k] for k in ("outcome", "cast", "base", "abstentions", "threshold")},
        "counts": poll.result["counts"],
        "elected": poll.result.get("elected", []),
        "runoff": poll.result.get("runoff", []),
    }


@router.get(
    "/assemblies/{slug}/polls/{poll_id}/receipts",
    response=list[ReceiptRowOut],
    operation_id="voting_list_receipts",
    auth=None,
)
def list_receipts(request: HttpRequest, slug: str, poll_id: int) -> list:
    """Public after publication: every receipt's hash with its choices."""
    assembly = get_assembly(slug)
    poll = _poll(assembly, poll_id)
    if poll.state != "published":
        raise Forbidden("The results are not published yet.", code="results_not_published")
    return receipt_list(poll)


@router.get("/assemblies/{slug}/audit", response=dict, operation_id="voting_audit_export")
def export_audit(request: HttpRequest, slug: str) -> dict:
    """The audit chain and every poll's ballots, for `python3 voting/verify.py export.json`."""
    assembly = get_assembly(slug)
    roles = require_role(request, assembly, *ANY_ROLE)
    return audit_export(assembly, roles=roles)


def _proxy_out(proxy: Proxy) -> dict:
    return {
        "id": proxy.pk,
        "member": proxy.member_id,
        "member_name": proxy.member.name,
        "holder": proxy.holder_id,
        "holder_name": proxy.holder.full_name,
        "state": proxy.state,
    }


@router.get(
    "/assemblies/{slug}/proxies", response=list[ProxyOut], operation_id="voting_list_proxies"
)
def list_proxies(request: HttpRequest, slug: str) -> list:
    assembly = get_assembly(slug)
    require_role(request, assembly, *RUNS_POLLS)
    proxies = Proxy.objects.filter(assembly=assembly).select_related("member", "holder")
    return [_proxy_out(p) for p in proxies]


@router.post(
    "/assemblies/{slug}/proxies", response={201: ProxyOut}, operation_id="voting_request_proxy"
)
def request_proxy(request: HttpRequest, slug: str, payload: ProxyIn) -> Status:
    assembly = get_assembly(slug)
    require_role(request, assembly, Role.SECRETARIAT)
    member = MemberOrganization.objects.filter(pk=payload.member).first()
    holder = Delegate.objects.filter(assembly=assembly, pk=payload.holder).first()
    if member is None or holder is None:
        raise NotFound()
    proxy = services.request_proxy(assembly=assembly, member=member, holder=holder, by=request.user)
    return Status(201, _proxy_out(proxy))


def _proxy(assembly: Assembly, proxy_id: int) -> Proxy:
    proxy = Proxy.objects.filter(assembly=assembly, pk=proxy_id).first()
    if proxy is None:
        raise NotFound()
    return proxy


@router.post(
    "/assemblies/{slug}/proxies/{proxy_id}/approve",
    response=ProxyOut,
    operation_id="voting_approve_proxy",
)
def approve_proxy(request: HttpRequest, slug: str, proxy_id: int) -> dict:
    assembly = get_assembly(slug)
    require_role(request, assembly, Role.SECRETARIAT)
    return _proxy_out(services.approve_proxy(proxy=_proxy(assembly, proxy_id), by=request.user))


@router.post(
    "/assemblies/{slug}/proxies/{proxy_id}/revoke",
    response=ProxyOut,
    operation_id="voting_revoke_proxy",
)
def revoke_proxy(request: HttpRequest, slug: str, proxy_id: int) -> dict:
    assembly = get_assembly(slug)
    require_role(request, assembly, Role.SECRETARIAT)
    return _proxy_out(services.revoke_proxy(proxy=_proxy(assembly, proxy_id), by=request.user))
