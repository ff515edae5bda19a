"""Badge and check-in pages: desk, the delegate's badge, secretariat dashboard, attendance."""

from datetime import datetime, time, timedelta
from typing import Any

import qrcode
import qrcode.image.svg
from defusedcsv import csv  # cells a spreadsheet would run as formulas are escaped
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from assembly.auth import assembly_page
from assembly.errors import DomainError
from assembly.models import Assembly, Role
from assembly.picks import Pick, short_list
from badges import selectors, services
from badges.models import BadgeBatch, BatchLayout
from registration.models import Attendance, Delegate, DelegateRole
from registration.selectors import delegate_for
from sessions.selectors import sessions_with_checkpoints

DESK_LABELS = {
    "ok": gettext_lazy("Welcome"),
    "ok_out": gettext_lazy("Goodbye"),
    "already_in": gettext_lazy("Already in"),
    "revoked": gettext_lazy("Revoked badge"),
    "not_approved": gettext_lazy("Not approved"),
    "unknown": gettext_lazy("Unknown badge"),
    "wrong_assembly": gettext_lazy("Other assembly"),
    "invalid": gettext_lazy("Not a badge"),
    "offline": gettext_lazy("offline"),
    "online": gettext_lazy("Online"),
    "offline_net": gettext_lazy("Offline: answering from the cached roster"),
    "queued": gettext_lazy("scans waiting to upload"),
    "queued_one": gettext_lazy("scan waiting to upload"),
    "uploaded": gettext_lazy("Queue uploaded"),
    "upload_refused": gettext_lazy(
        "The server refused the queue (the scans stay on this device; show this to the secretariat)"
    ),
    "conflicts": gettext_lazy("conflicts sent to the secretariat"),
    "conflicts_one": gettext_lazy("conflict sent to the secretariat"),
    "roster": gettext_lazy("Roster"),
    "delegates": gettext_lazy("delegates"),
    "why_ok": gettext_lazy("Checked in (offline answer, will be confirmed)."),
    "why_out": gettext_lazy("Checked out (offline answer, will be confirmed)."),
    "why_already": gettext_lazy("Already checked in here (offline answer)."),
    "why_revoked": gettext_lazy("This badge is not the current one, or was revoked."),
    "why_not_approved": gettext_lazy("Registration not approved: send to the secretariat."),
    "why_unknown": gettext_lazy("No delegate with this badge in the cached roster."),
    "why_wrong": gettext_lazy("This badge belongs to another assembly."),
    "why_invalid": gettext_lazy("Not a badge of this assembly: unreadable, truncated or forged."),
    "why_expired": gettext_lazy("This badge has expired."),
    "no_roster": gettext_lazy("No roster cached yet: cannot answer offline."),
    "inside": gettext_lazy("inside"),
    "entries": gettext_lazy("entries today"),
    "refused": gettext_lazy("refused"),
    "start_camera": gettext_lazy("Start camera"),
    "stop_camera": gettext_lazy("Stop camera"),
    "camera_error": gettext_lazy("The camera could not start"),
    "reprint": gettext_lazy("Reprint badge"),
    "print": gettext_lazy("Print badge"),
    "reprint_reason": gettext_lazy("Why reprint? (lost, damaged, name changed)"),
    "reprinted": gettext_lazy("New badge ready: version"),
    "printed": gettext_lazy("Print recorded"),
    "no_results": gettext_lazy("Nobody found"),
    "revoked_short": gettext_lazy("revoked"),
    "version": gettext_lazy("badge version"),
    "not_recorded": gettext_lazy("Not recorded"),
    "unreachable": gettext_lazy("Server not reached"),
    "unreachable_why": gettext_lazy("Nothing was done: check the network, then try again."),
    "session_ended": gettext_lazy(
        "Your session has ended: log in again, then scan the badge again."
    ),
    "log_in_again": gettext_lazy("Reload the page or log in again, then scan the badge again."),
    "server_failed": gettext_lazy("The server gave no usable answer: nothing was done, try again."),
    "reason_blank": gettext_lazy("Give a reason for the reprint."),
    "earlier_scan": gettext_lazy("Earlier scan"),
    "more_results": gettext_lazy("More than 20 found: type more of the name."),
    "not_a_badge": gettext_lazy("Not a badge"),
    "ready": gettext_lazy("Ready to scan"),
    "unreadable_dropped": gettext_lazy(
        "unreadable reads recorded as “Not a badge” and removed from the queue"
    ),
    "others_queued": gettext_lazy(
        "scans were queued on this device by another login, or after a logout: "
        "they are not uploaded as yours"
    ),
    "upload_as_mine": gettext_lazy("I vouch for them: upload as mine"),
    "discard": gettext_lazy("Discard them"),
    "discarded": gettext_lazy("Scans of another login discarded"),
    "logout_loses_queue": gettext_lazy(
        "scans are not uploaded yet: logging out deletes them from this device. Log out anyway?"
    ),
}


def qr_svg(token: str) -> str:
    """The token as an inline SVG QR code (level M): crisp at any size, cached with the page."""
    code = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        border=4,
        image_factory=qrcode.image.svg.SvgPathFillImage,
    )
    code.add_data(qrcode.util.QRData(token, mode=qrcode.util.MODE_ALPHA_NUM))
    code.make(fit=True)
    return code.make_image().to_string(encoding="unicode")


@assembly_page(Role.DESK)
def desk(request: HttpRequest, assembly: Assembly) -> HttpResponse:
    checkpoints = list(assembly.checkpoints.all())
    chosen = request.GET.get("checkpoint") or (checkpoints[0].code if checkpoints else "")
    return render(
        request,
        "badges/desk.html",
        {
            "assembly": assembly,
            "checkpoints": checkpoints,
            "chosen": chosen,
            "refresh_seconds": settings.BADGE_ROSTER_REFRESH_SECONDS,
            "labels": {key: str(value) for key, value in DESK_LABELS.items()},
        },
    )


@never_cache
@assembly_page(registrant=True)  # not approved yet: the page says the badge comes with approval
def my_badge(request: HttpRequest, assembly: Assembly) -> HttpResponse:
    delegate = delegate_for(user=request.user, assembly=assembly)
    badge = None
    svg = ""
    if delegate is not None and delegate.state == "approved":
        badge = services.ensure_badge_rendered(delegate=delegate)
        if badge.revoked_at is None:
            svg = qr_svg(services.token_for(badge))
    return render(
        request,
        "badges/my_badge.html",
        {"assembly": assembly, "delegate": delegate, "badge": badge, "qr_svg": svg},
    )


@assembly_page()
def service_worker(request: HttpRequest, assembly: Assembly) -> HttpResponse:
    """Keeps the delegate's badge and the desk page usable without network once loaded.

    Public (the browser fetches it on its own), but only for an assembly that exists.
    """
    body = render_to_string("badges/sw.js", {"slug": assembly.slug})
    response = HttpResponse(body, content_type="text/javascript")
    response["Cache-Control"] = "no-cache"
    # The desk home (/a/<slug>/desk/) and its links work offline too.
    response["Service-Worker-Allowed"] = f"/a/{assembly.slug}/"
    return response


@require_POST
@assembly_page(Role.SECRETARIAT)
def badge_action(request: HttpRequest, assembly: Assembly) -> HttpResponse:
    """Revoke a badge or set a delegate's desk flag from the dashboard; shows the outcome.

    The delegate is chosen from the list, or typed: a name matching several is shown again
    with its matches to choose from, the reason kept."""
    chosen = request.POST.get("delegate", "")
    text = request.POST.get("delegate_name", "").strip()
    if not chosen and text:
        pick = delegate_pick(assembly, text=text)
        found = pick.resolve(selectors.delegates_matching(assembly=assembly, text=text))
        if found is None:
            reason = request.POST.get("reason", "")
            context = dashboard_context(assembly, pick=pick, reason=reason)
            return render(request, "badges/dashboard.html", context)
        chosen = str(found.pk)
    try:
        delegate_id = int(chosen)
    except ValueError:
        messages.error(request, _("Choose a delegate."))
        return redirect("badges-dashboard", slug=assembly.slug)
    try:
        if request.POST.get("action") == "revoke":
            services.revoke_badge(
                assembly=assembly,
                delegate_id=delegate_id,
                by=request.user,
                reason=request.POST.get("reason", ""),
            )
            messages.success(request, _("Badge revoked: it now scans red at every desk."))
        else:
            services.set_attention(
                assembly=assembly, delegate_id=delegate_id, text=request.POST.get("reason", "")
            )
            messages.success(request, _("Desk flag saved."))
    except DomainError as error:
        messages.error(request, error.detail)
    return redirect("badges-dashboard", slug=assembly.slug)


def delegate_pick(assembly: Assembly, *, text: str = "") -> Pick:
    """The dashboard's delegate field: a list while the assembly is small, else a name to type."""
    delegates = (
        Delegate.objects.filter(assembly=assembly)
        .exclude(state="cancelled")
        .select_related("member")
        .order_by("full_name")
    )
    options = None if text else short_list(delegates)
    return Pick(
        name="delegate",
        label=_("Delegate") if options is not None else _("Delegate: name, email or badge number"),
        options=options,
        text=text,
    )


@require_POST
@assembly_page(Role.SECRETARIAT)
def end_day(request: HttpRequest, assembly: Assembly) -> HttpResponse:
    """Everyone out of every checkpoint and offline: the day is over."""
    try:
        people = services.end_the_day(assembly=assembly, by=request.user)
    except DomainError as error:
        messages.error(request, error.detail)
    else:
        messages.success(
            request,
            _("Day ended: %(n)s people were still counted present; nobody is now.") % {"n": people},
        )
    return redirect("badges-dashboard", slug=assembly.slug)


@assembly_page(Role.SECRETARIAT)
def dashboard(request: HttpRequest, assembly: Assembly) -> HttpResponse:
    services.fail_stale_batches(assembly=assembly)
    return render(request, "badges/dashboard.html", dashboard_context(assembly))


def dashboard_context(
    assembly: Assembly, *, pick: Pick | None = None, reason: str = ""
) -> dict[str, Any]:
    """The dashboard's context; `pick` and `reason` re-show a delegate form sent back."""
    return {
        "assembly": assembly,
        "counts": selectors.checkin_counts(assembly),
        "revoked": selectors.revoked_badges(assembly)[:100],
        "conflicts": selectors.scan_conflicts(assembly),
        "batches": BadgeBatch.objects.filter(assembly=assembly)[:10],
        "pick": pick or delegate_pick(assembly),
        "reason": reason,
        "layouts": BatchLayout.choices,
        "night_cut": selectors.NIGHT_CUT,
        "roles": DelegateRole.choices,
        "attendances": Attendance.choices,
        "labels": {
            "entries": _("Entries"),
            "download": _("Download the PDF"),
            "failed": _("Failed"),
            "queued": _("Queued"),
            "running": _("Rendering"),
            "done": _("Done"),
        },
    }


def _read_time(text: str) -> datetime | None:
    """A time from the address, or None (the default window) for one that does not exist:
    February 30th, 25 o'clock, or a year so near 1 or 9999 that the window leaves the
    calendar."""
    try:
        moment = parse_datetime(text)
    except ValueError:
        return None
    if moment is None or not 2 <= moment.year <= 9998:
        return None
    return moment


def _window(assembly: Assembly, request: HttpRequest) -> tuple[datetime, datetime, list[str]]:
    """The report's window from the address, and what in the address could not be used (the
    page says so rather than silently reporting another window than the one asked for)."""
    zone = assembly.zone
    problems = []
    asked = {name: request.GET.get(name, "") for name in ("start", "end")}
    start, end = _read_time(asked["start"]), _read_time(asked["end"])
    for name, label in (("start", _("start")), ("end", _("end"))):
        if asked[name] and (start if name == "start" else end) is None:
            problems.append(
                _("The %(which)s “%(value)s” is not a date and time (YYYY-MM-DDTHH:MM).")
                % {"which": label, "value": asked[name][:40]}
            )
    if start is not None and end is not None and end <= start:
        problems.append(_("The end must be after the start."))
        end = None
    day = assembly.local_today()
    if not (assembly.start_date <= day <= assembly.end_date):
        day = assembly.start_date
    if start is None:
        start = datetime.combine(day, time(8, 0))
    if end is None or end <= start:
        end = start.replace(hour=20, minute=0) if start.hour < 20 else start + timedelta(hours=2)
    if timezone.is_naive(start):
        start = timezone.make_aware(start, zone)
    if timezone.is_naive(end):
        end = timezone.make_aware(end, zone)
    return start, end, problems


@assembly_page(Role.SECRETARIAT, Role.CHAIR)
def attendance(request: HttpRequest, assembly: Assembly) -> HttpResponse:
    checkpoints = list(assembly.checkpoints.all())
    sessions = sessions_with_checkpoints(assembly)
    session = next((s for s in sessions if s.code == request.GET.get("session")), None)
    code = request.GET.get("checkpoint") or next(
        (cp.code for cp in checkpoints if cp.is_voting), checkpoints[0].code if checkpoints else ""
    )
    if session is not None:
        code = session.room.checkpoint.code
    checkpoint = next((cp for cp in checkpoints if cp.code == code), None)
    if session:
        start, end, problems = session.starts_at, session.ends_at, []
    else:
        start, end, problems = _window(assembly, request)
    if checkpoint is None and code:
        problems.append(_("No checkpoint is called “%(code)s”.") % {"code": code[:40]})
    if problems and request.GET.get("format") == "csv":
        text = " ".join(problems)
        return HttpResponse(text, status=400, content_type="text/plain; charset=utf-8")
    stays = (
        selectors.attendance(assembly=assembly, checkpoint=checkpoint, start=start, end=end)
        if checkpoint
        else []
    )
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        label = session.code if session else f"{code}-{start:%Y%m%d-%H%M}"
        response["Content-Disposition"] = (
            f'attachment; filename="attendance-{assembly.slug}-{label}.csv"'
        )

        writer = csv.writer(response)
        writer.writerow(
            [
                _("Name"),
                _("Organization"),
                _("Role"),
                _("First in"),
                _("Last out"),
                _("Minutes present"),
                _("Present at start"),
                _("Present at end"),
            ]
        )
        for stay in stays:
            writer.writerow(
                [
                    stay.delegate.full_name,
                    stay.delegate.organization_label,
                    stay.delegate.get_role_display(),
                    timezone.localtime(stay.first_in, assembly.zone).strftime("%Y-%m-%d %H:%M"),
                    timezone.localtime(stay.last_out, assembly.zone).strftime("%Y-%m-%d %H:%M")
                    if stay.last_out
                    else "",
                    stay.minutes,
                    _("yes") if stay.present_at_start else _("no"),
                    _("yes") if stay.present_at_end else _("no"),
                ]
            )
        return response
    days = []
    current = assembly.start_date
    while current <= assembly.end_date:
        days.append(current)
        current += timedelta(days=1)
    return render(
        request,
        "badges/attendance.html",
        {
            "assembly": assembly,
            "checkpoints": checkpoints,
            "checkpoint": checkpoint,
            "start": timezone.localtime(start, assembly.zone),
            "end": timezone.localtime(end, assembly.zone),
            "stays": stays,
            "days": days,
            "sessions": sessions,
            "session": session,
            "window_minutes": round((end - start).total_seconds() / 60),
            "problems": problems,
        },
        status=400 if problems else 200,
    )
