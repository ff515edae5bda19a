"""API endpoints of the badges app, mounted by assembly/api.py under /api/v1/."""

import json
import re
import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import FileResponse, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.http import parse_etags
from django.views.decorators.gzip import gzip_page
from ninja import Router, Status
from ninja.decorators import decorate_view

from assembly.auth import get_assembly, require_role
from assembly.errors import NotFound
from assembly.models import Assembly, Role
from badges import selectors, services
from badges.models import Badge, BadgeBatch, BatchStatus
from badges.schemas import (
    ArrivalOut,
    AttentionIn,
    BadgeOut,
    BatchIn,
    BatchOut,
    CountsOut,
    DelegateOut,
    OfflineUploadIn,
    OfflineUploadOut,
    PrintIn,
    ReasonIn,
    ScanIn,
    ScanOut,
)
from registration.selectors import delegate_for

router = Router(tags=["badges"])


# A desk scans every few seconds: its role is checked against the database at most every
# ROLE_TTL seconds per process (two queries less per scan); a withdrawn role stops within it.
ROLE_TTL = 10.0
_desk_roles: dict[tuple[object, ...], float] = {}


def forget_desk_roles(**_kwargs: object) -> None:
    """A role granted or withdrawn in this process applies at once (connected in apps.py)."""
    _desk_roles.clear()


def require_desk(request: HttpRequest, assembly: Assembly) -> None:
    user = request.user
    key = (user.pk, user.get_username(), assembly.pk, assembly.created_at)
    now = time.monotonic()
    checked = _desk_roles.get(key)
    if checked is not None and now - checked < ROLE_TTL:
        return
    require_role(request, assembly, Role.DESK)
    if len(_desk_roles) > 10_000:
        _desk_roles.clear()
    _desk_roles[key] = now


def scan_out(result: services.ScanResult) -> dict[str, Any]:
    return {**result.__dict__, "accepted": result.accepted}


def badge_out(badge: Badge) -> dict[str, Any]:
    return {
        "delegate_id": badge.delegate_id,
        "version": badge.version,
        "revoked": badge.revoked_at is not None,
        "pdf_url": reverse(
            "api:badge_pdf", kwargs={"slug": badge.assembly.slug, "delegate_id": badge.delegate_id}
        ),
        "rendered_at": badge.rendered_at,
        "printed_at": badge.printed_at,
    }


def batch_out(batch: BadgeBatch) -> dict[str, Any]:
    done = batch.status == BatchStatus.DONE and batch.pdf
    return {
        "id": batch.pk,
        "status": batch.status,
        "layout": batch.layout,
        "total": batch.total,
        "done": batch.done,
        "percent": batch.percent,
        "error": batch.error,
        "download_url": reverse(
            "api:badge_batch_pdf", kwargs={"slug": batch.assembly.slug, "batch_id": batch.pk}
        )
        if done
        else "",
    }


@router.post(
    "/assemblies/{slug}/scans",
    response=ScanOut,
    operation_id="badge_scan",
    url_name="badge_scan",
    summary="Scan a badge",
)
def scan(request: HttpRequest, slug: str, payload: ScanIn) -> dict[str, Any]:
    """One reason code and the delegate the desk shows; a repeated key replays the first answer."""
    checkpoint = selectors.checkpoint_with_assembly(slug=slug, code=payload.checkpoint)
    assembly = checkpoint.assembly if checkpoint else get_assembly(slug)
    require_desk(request, assembly)
    if checkpoint is None:
        raise NotFound(f"No checkpoint “{payload.checkpoint}” at this assembly.")
    result = services.record_scan(
        assembly=assembly,
        checkpoint=checkpoint,
        token=payload.token,
        direction=payload.direction,
        idempotency_key=payload.idempotency_key,
        desk=payload.desk,
        device=payload.device,
        client_time=payload.client_time,
        by=request.user,
    )
    return scan_out(result)


# Text no database column holds: NUL, and half of a surrogate pair (a read cut mid-emoji).
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
READ_FIELDS = ("token", "desk", "device")  # what a scanner or a person typed, not the desk's code


def storable_reads(run: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A queued scan's read that no column can hold has U+FFFD in its place before the body
    is parsed: that scan is recorded as not a badge on its own, the others as they are (the
    API refuses such text anywhere else, and here it refused a desk's whole queue, forever)."""

    @wraps(run)
    def cleaned(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            body = json.loads(request.body)
        except (RequestDataTooBig, ValueError):
            return run(request, *args, **kwargs)  # refused as any unreadable body is
        scans = body.get("scans") if isinstance(body, dict) else None
        if isinstance(scans, list) and replace_unstorable(scans):
            request._body = json.dumps(body).encode()  # ninja reads the body after this
        return run(request, *args, **kwargs)

    return cleaned


def replace_unstorable(scans: list[Any]) -> bool:
    """Replace unstorable characters in the scans' reads; whether any was found."""
    found = False
    for scan in scans:
        if not isinstance(scan, dict):
            continue
        for name in READ_FIELDS:
            text = scan.get(name)
            if isinstance(text, str) and UNSTORABLE.search(text):
                scan[name] = UNSTORABLE.sub("\ufffd", text)
                found = True
    return found


@router.post(
    "/assemblies/{slug}/scans/offline",
    response=OfflineUploadOut,
    operation_id="badge_scan_upload",
    url_name="badge_scan_upload",
    summary="Upload a desk's offline queue",
)
@decorate_view(storable_reads)
def upload(request: HttpRequest, slug: str, payload: OfflineUploadIn) -> dict[str, Any]:
    """Recorded in scan order, reconciled by idempotency key: resending a queue doubles nothing."""
    assembly = get_assembly(slug)
    require_role(request, assembly, Role.DESK)
    results = services.upload_offline_scans(
        assembly=assembly,
        scans=[
            services.QueuedScan(
                token=item.token,
                checkpoint=item.checkpoint,
                direction=item.direction,
                idempotency_key=item.idempotency_key,
                client_time=item.client_time,
                desk=item.desk,
                device=item.device,
                offline_answer=item.offline_answer,
            )
            for item in payload.scans
        ],
        by=request.user,
        sent_at=payload.sent_at,
    )
    return {
        "results": [scan_out(result) for result in results],
        "conflicts": sum(1 for result in results if result.conflict),
    }


def roster_unchanged(request: HttpRequest, etag: str) -> bool:
    """If-None-Match as HTTP reads it: a list of entity tags, compared weakly, or `*` for any
    roster (there always is one once the desk may read it)."""
    tags = parse_etags(request.headers.get("If-None-Match", ""))
    return "*" in tags or etag in {tag.removeprefix("W/") for tag in tags}


@router.get(
    "/assemblies/{slug}/roster",
    operation_id="badge_roster",
    url_name="badge_roster",
    summary="Roster for offline desks (ETag)",
)
# A megabyte of names, read by every desk: gzipped where the desk accepts it (the roster
# carries no CSRF token or other secret, so BREACH has nothing to guess).
@decorate_view(gzip_page)
def roster(request: HttpRequest, slug: str) -> HttpResponse:
    """Delegates, badge versions, states, who is inside where, and the key to verify badges."""
    assembly = get_assembly(slug)
    require_role(request, assembly, Role.DESK)
    etag = selectors.roster_etag(assembly)
    if roster_unchanged(request, etag):
        response = HttpResponse(status=304)
    else:
        body = selectors.roster(assembly)
        response = HttpResponse(
            json.dumps(body, default=str, ensure_ascii=False), content_type="application/json"
        )
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-cache"
    return response


@router.get(
    "/assemblies/{slug}/checkin/counts",
    response=CountsOut,
    operation_id="badge_checkin_counts",
    url_name="badge_checkin_counts",
    summary="Today's check-in counts",
)
def counts(request: HttpRequest, slug: str) -> dict[str, Any]:
    assembly = get_assembly(slug)
    require_role(request, assembly, Role.DESK, Role.CHAIR)
    return selectors.checkin_counts(assembly)


@router.get(
    "/assemblies/{slug}/checkin/arrivals",
    response=list[ArrivalOut],
    operation_id="badge_checkin_arrivals",
    url_name="badge_checkin_arrivals",
    summary="Entries per hour and checkpoint",
)
def arrivals(request: HttpRequest, slug: str) -> list[dict[str, Any]]:
    assembly = get_assembly(slug)
    require_role(request, assembly, Role.SECRETARIAT, Role.CHAIR)
    return selectors.arrivals_per_hour(assembly)


@router.get(
    "/assemblies/{slug}/badges/search",
    response=list[DelegateOut],
    operation_id="badge_search",
    url_name="badge_search",
    summary="Find a delegate by name",
)
def search(request: HttpRequest, slug: str, q: str = "", limit: int = 20) -> list[dict[str, Any]]:
    """At most `limit` (1 to 100) delegates: a desk asks one more to know there are more."""
    assembly = get_assembly(slug)
    require_role(request, assembly, Role.DESK)
    found = selectors.search_delegates(
        assembly=assembly, query=q[:100], limit=min(max(limit, 1), 100)
    )
    return [
        services.delegate_summary(delegate, getattr(delegate, "badge", None)) for delegate in found
    ]


@router.post(
    "/assemblies/{slug}/badges/{delegate_id}/reprint",
    response=BadgeOut,
    operation_id="badge_reprint",
    url_name="badge_reprint",
    summary="Reprint a badge (new version)",
)
def reprint(request: HttpRequest, slug: str, delegate_id: int, payload: ReasonIn) -> dict:
    """The old badge scans as revoked from now on; the new PDF is ready at pdf_url."""
    assembly = get_assembly(slug)
    roles = require_role(request, assembly, Role.DESK)
    badge = services.reprint_badge(
        assembly=assembly,
        delegate_id=delegate_id,
        by=request.user,
        reason=payload.reason,
        desk=payload.desk,
        lifts_revocation=Role.SECRETARIAT in roles,
    )
    return badge_out(badge)


@router.post(
    "/assemblies/{slug}/badges/{delegate_id}/revoke",
    response=BadgeOut,
    operation_id="badge_revoke",
    url_name="badge_revoke",
    summary="Revoke a badge",
)
def revoke(request: HttpRequest, slug: str, delegate_id: int, payload: ReasonIn) -> dict:
    assembly = get_assembly(slug)
    require_role(request, assembly, Role.SECRETARIAT)
    badge = services.revoke_badge(
        assembly=assembly, delegate_id=delegate_id, by=request.user, reason=payload.reason
    )
    return badge_out(badge)


@router.put(
    "/assemblies/{slug}/badges/{delegate_id}/attention",
    response=DelegateOut,
    operation_id="badge_attention",
    url_name="badge_attention",
    summary="Set the attention flag desks show (head of delegation, accessibility help)",
)
def attention(request: HttpRequest, slug: str, delegate_id: int, payload: AttentionIn) -> dict:
    assembly = get_assembly(slug)
    require_role(request, assembly, Role.SECRETARIAT)
    delegate = services.set_attention(
        assembly=assembly, delegate_id=delegate_id, text=payload.attention
    )
    return services.delegate_summary(delegate, getattr(delegate, "badge", None))


@router.post(
    "/assemblies/{slug}/badges/{delegate_id}/printed",
    response=BadgeOut,
    operation_id="badge_printed",
    url_name="badge_printed",
    summary="Record that a desk printed the badge",
)
def printed(request: HttpRequest, slug: str, delegate_id: int, payload: PrintIn) -> dict:
    assembly = get_assembly(slug)
    require_role(request, assembly, Role.DESK)
    badge = services.record_badge_print(
        assembly=assembly, delegate_id=delegate_id, by=request.user, desk=payload.desk
    )
    return badge_out(badge)


@router.get(
    "/assemblies/{slug}/badges/{delegate_id}/pdf",
    operation_id="badge_pdf",
    url_name="badge_pdf",
    summary="One delegate's badge PDF (A6)",
)
def badge_pdf(request: HttpRequest, slug: str, delegate_id: int) -> HttpResponse:
    """Desk and secretariat for anyone; a delegate only for their own badge."""
    assembly = get_assembly(slug)
    roles = require_role(request, assembly, Role.DESK, Role.DELEGATE)
    if Role.DESK not in roles and Role.SECRETARIAT not in roles:
        own = delegate_for(user=request.user, assembly=assembly)
        if own is None or own.pk != delegate_id:
            raise NotFound("No such badge.")
    badge = selectors.badge_for_delegate(assembly=assembly, delegate_id=delegate_id)
    if badge is None:
        raise NotFound("This delegate has no badge yet.")
    badge = services.ensure_badge_rendered(delegate=badge.delegate)
    return FileResponse(
        badge.pdf.open("rb"),
        content_type="application/pdf",
        filename=f"badge-{delegate_id}-v{badge.version}.pdf",
    )


@router.post(
    "/assemblies/{slug}/badge-batches",
    response={201: BatchOut},
    operation_id="badge_batch_start",
    url_name="badge_batch_start",
    summary="Render badges of approved delegates in the background",
)
def start_batch(request: HttpRequest, slug: str, payload: BatchIn) -> Status:
    assembly = get_assembly(slug)
    require_role(request, assembly, Role.SECRETARIAT)
    batch = services.start_badge_batch(
        assembly=assembly,
        layout=payload.layout,
        filters={
            "role": payload.role,
            "attendance": payload.attendance,
            "not_printed": "1" if payload.not_printed else "",
        },
        by=request.user,
    )
    return Status(201, batch_out(batch))


def _batch(slug: str, request: HttpRequest, batch_id: int) -> BadgeBatch:
    assembly = get_assembly(slug)
    require_role(request, assembly, Role.SECRETARIAT)
    services.fail_stale_batches(assembly=assembly)
    batch = BadgeBatch.objects.select_related("assembly").filter(assembly=assembly, pk=batch_id)
    found = batch.first()
    if found is None:
        raise NotFound("No such batch.")
    return found


@router.get(
    "/assemblies/{slug}/badge-batches/{batch_id}",
    response=BatchOut,
    operation_id="badge_batch_status",
    url_name="badge_batch_status",
    summary="Progress of a badge batch",
)
def batch_status(request: HttpRequest, slug: str, batch_id: int) -> dict[str, Any]:
    return batch_out(_batch(slug, request, batch_id))


@router.get(
    "/assemblies/{slug}/badge-batches/{batch_id}/pdf",
    operation_id="badge_batch_pdf",
    url_name="badge_batch_pdf",
    summary="Download a finished badge batch",
)
def batch_pdf(request: HttpRequest, slug: str, batch_id: int) -> HttpResponse:
    batch = _batch(slug, request, batch_id)
    if batch.status != BatchStatus.DONE or not batch.pdf:
        raise NotFound("This batch has no PDF yet.")
    return FileResponse(
        batch.pdf.open("rb"),
        content_type="application/pdf",
        filename=f"badges-{batch.assembly.slug}-{batch.pk}.pdf",
        as_attachment=True,
    )
