"""Core pages: home, login (password and magic link), role landings, tokens, health."""

import asyncio
import uuid

from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST
from django_ratelimit.core import is_ratelimited
from sesame.utils import get_user

from assembly.auth import assembly_page
from assembly.errors import DomainError
from assembly.forms import ApiTokenForm, MagicLinkRequestForm
from assembly.models import ApiToken, Assembly, MemberKind, Region, Role
from assembly.selectors import (
    any_member_has_population,
    assemblies_visible_to,
    may_hold_api_tokens,
    member_counts,
    members_list,
    used_choices,
)
from assembly.services import (
    MAGIC_LINK_SCOPE,
    issue_api_token,
    revoke_api_token,
    send_magic_link,
    spend_magic_link,
)
from assembly.text import alphabetical
from registration.normal import normal_email
from registration.selectors import delegate_for

STAFF = (Role.SECRETARIAT, Role.DESK, Role.CHAIR)
DESK_QUEUE_COOKIE = "plenary_desk_queue"  # set by static/js/badges/desk.js


class LogoutView(auth_views.LogoutView):
    """POST only, with CSRF, as Django's; the browser also drops this site's caches and stored
    data: a desk tablet left behind no longer opens the roster, photos or the offline desk.

    Except stored data while a desk's scans wait to go up (its script says so in a cookie):
    those are check-ins, and a logout from any page would have wiped them. The page after the
    logout then drops the cached desk and its service worker (static/js/logged_out.js), so the
    offline desk no longer opens; the next login uploads or decides on the scans."""

    def post(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        scans_waiting = request.COOKIES.get(DESK_QUEUE_COOKIE, "0") != "0"
        response["Clear-Site-Data"] = '"cache"' if scans_waiting else '"cache", "storage"'
        return response


def home(request: HttpRequest) -> HttpResponse:
    assemblies = list(assemblies_visible_to(request.user))
    if len(assemblies) == 1:
        return redirect("assembly-home", slug=assemblies[0].slug)
    return render(request, "assembly/home.html", {"assemblies": assemblies})


@assembly_page()
def assembly_home(request: HttpRequest, assembly: Assembly) -> HttpResponse:
    counts = member_counts(assembly)
    biggest = max(counts["by_region"].values() or [1]) or 1
    # Only the kinds and regions the association's members have: another association's page
    # listed WeGO's five world regions and three kinds, most of them at 0.
    regions = [
        {
            "label": region.label,
            "count": counts["by_region"][region.value],
            "share": round(100 * counts["by_region"][region.value] / biggest),
        }
        for region in Region
        if counts["by_region"][region.value]
    ]
    kinds = [
        {"label": kind.label, "count": counts["by_kind"][kind.value]}
        for kind in MemberKind
        if counts["by_kind"][kind.value]
    ]
    return render(
        request,
        "assembly/assembly_home.html",
        {"assembly": assembly, "counts": counts, "regions": regions, "kinds": kinds},
    )


def magic_link_rate_limited(request: HttpRequest, email: str) -> bool:
    """Limit link requests per network and per address (MAGIC_LINK_RATE)."""
    by_ip = is_ratelimited(
        request,
        group="magic-link-ip",
        key="ip",
        rate=settings.MAGIC_LINK_NETWORK_RATE,
        increment=True,
    )
    by_email = is_ratelimited(
        request,
        group="magic-link-email",
        # The address as lookup folds it: full-width letters once made a fresh key.
        key=lambda _group, _request: normal_email(email),
        rate=settings.MAGIC_LINK_RATE,
        increment=True,
    )
    return by_ip or by_email


def safe_next(request: HttpRequest) -> str:
    """The page to return to after logging in: a path on this site, or nothing."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


@require_http_methods(["GET", "POST"])
def request_magic_link(request: HttpRequest) -> HttpResponse:
    form = MagicLinkRequestForm(request.POST or None)
    next_path = safe_next(request)
    context = {"form": form, "next": next_path}
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        if magic_link_rate_limited(request, email):
            context["error"] = _(
                "Too many login links were asked for. Please wait an hour and try again."
            )
            return render(request, "assembly/magic_link_request.html", context, status=429)
        send_magic_link(email=email, next_path=next_path)
        return render(request, "assembly/magic_link_sent.html", {"email": email})
    return render(request, "assembly/magic_link_request.html", context)


BAD_LINKS_PER_NETWORK = "60/h"


def bad_links_from_network(request: HttpRequest, *, count: bool) -> bool:
    """Only links that fail count, and only they are refused past the limit: a good link
    always works (it cannot be guessed), so a hall behind one address is never locked out."""
    return is_ratelimited(
        request, group="magic-link-bad", key="ip", rate=BAD_LINKS_PER_NETWORK, increment=count
    )


@require_http_methods(["GET", "POST"])
def magic_link(request: HttpRequest) -> HttpResponse:
    """Check the link on GET, log in on POST: mail scanners that prefetch links spend nothing."""
    token = request.POST.get("token") or request.GET.get("token") or ""
    slug = request.POST.get("assembly") or request.GET.get("assembly") or ""
    user = get_user(token, scope=MAGIC_LINK_SCOPE, update_last_login=False) if token else None
    if user is None and bad_links_from_network(request, count=True):
        return render(
            request,
            "assembly/magic_link_invalid.html",
            {
                "reason": _(
                    "Too many attempts from this network. Please wait an hour and try again."
                )
            },
            status=429,
        )
    if user is None or (request.method == "POST" and not spend_magic_link(user)):
        return render(
            request,
            "assembly/magic_link_invalid.html",
            {"reason": _("This login link has expired or has already been used.")},
            status=400,
        )
    next_path = safe_next(request)
    if request.method == "GET":
        return render(
            request,
            "assembly/magic_link_confirm.html",
            {"person": user, "token": token, "slug": slug, "next": next_path},
        )
    login(request, user, backend="sesame.backends.ModelBackend")
    if next_path:
        return redirect(next_path)
    assembly = Assembly.objects.filter(slug=slug).first()
    if assembly is not None and delegate_for(user=user, assembly=assembly):
        return redirect("delegate-home", slug=assembly.slug)
    return redirect("home")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: an old tab sent a form after its session changed. Say so plainly."""
    back = request.META.get("HTTP_REFERER", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = ""
    return render(
        request,
        "errors/page_expired.html",
        {"back": back or request.get_full_path()},
        status=403,
    )


@assembly_page(registrant=True)
def delegate_home(request: HttpRequest, assembly: Assembly) -> HttpResponse:
    delegate = delegate_for(user=request.user, assembly=assembly)
    return render(
        request, "assembly/delegate_home.html", {"assembly": assembly, "delegate": delegate}
    )


@assembly_page(Role.DESK)
def desk_home(request: HttpRequest, assembly: Assembly) -> HttpResponse:
    checkpoints = assembly.checkpoints.all()
    return render(
        request, "assembly/desk_home.html", {"assembly": assembly, "checkpoints": checkpoints}
    )


@assembly_page(Role.CHAIR)
def chair_home(request: HttpRequest, assembly: Assembly) -> HttpResponse:
    from voting.selectors import general_assembly_quorum_needed  # voting builds on assembly

    counts = member_counts(assembly)
    needed = general_assembly_quorum_needed(assembly, counts["voting_members"])
    return render(
        request,
        "assembly/chair_home.html",
        {"assembly": assembly, "counts": counts, "quorum_needed": needed},
    )


@assembly_page(Role.SECRETARIAT)
def secretariat_home(request: HttpRequest, assembly: Assembly) -> HttpResponse:
    from registration.selectors import registration_counts

    return render(
        request,
        "assembly/secretariat_home.html",
        {
            "assembly": assembly,
            "counts": member_counts(assembly),
            "registrations": registration_counts(assembly),
        },
    )


MEMBER_LIST_PAGE_SIZE = 100


@assembly_page(*STAFF)
def member_list(request: HttpRequest, assembly: Assembly) -> HttpResponse:
    region = request.GET.get("region") or None
    kind = request.GET.get("kind") or None
    search = (request.GET.get("q") or "").strip() or None
    region = region if region in Region.values else None
    kind = kind if kind in MemberKind.values else None
    members = sorted(
        members_list(region=region, kind=kind, search=search),
        key=lambda member: alphabetical(member.name),
    )
    page = Paginator(members, MEMBER_LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "assembly/member_list.html",
        {
            "assembly": assembly,
            "members": page.object_list,
            "page_obj": page,
            "regions": used_choices(Region, "region"),
            "kinds": used_choices(MemberKind, "kind"),
            "shows_population": any_member_has_population(),
            "selected": {"region": region or "", "kind": kind or "", "q": search or ""},
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def api_tokens(request: HttpRequest) -> HttpResponse:
    """Staff create and revoke their tokens; someone whose staff role ended still sees the
    tokens they hold (which no longer work) and may revoke them, but creates none."""
    may_hold = may_hold_api_tokens(request.user)
    tokens = ApiToken.objects.filter(user=request.user)
    if not may_hold and (request.method == "POST" or not tokens.exists()):
        return render(
            request,
            "errors/message.html",
            {"message": _("Only staff members can hold API tokens.")},
            status=403,
        )
    form = ApiTokenForm(request.POST or None) if may_hold else None
    new_token = None
    if request.method == "POST" and form.is_valid():
        _token, new_token = issue_api_token(user=request.user, name=form.cleaned_data["name"])
        form = ApiTokenForm()
    return render(
        request,
        "assembly/api_tokens.html",
        {"form": form, "tokens": tokens, "new_token": new_token},
    )


@login_required
@require_POST
def revoke_token(request: HttpRequest, token_id: int) -> HttpResponse:
    try:
        revoke_api_token(token_id=token_id, by=request.user)
    except DomainError as error:
        messages.error(request, error.detail)
    else:
        messages.success(request, _("The token is revoked; devices using it are logged out."))
    return redirect("api-tokens")


def _database_ok() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        return cursor.fetchone() == (1,)


async def _channel_layer_ok() -> bool:
    layer = get_channel_layer()
    channel = await layer.new_channel("healthz.")
    message = {"type": "healthz.ping", "nonce": uuid.uuid4().hex}
    await layer.send(channel, message)
    received = await asyncio.wait_for(layer.receive(channel), timeout=2)
    return received.get("nonce") == message["nonce"]


async def healthz(request: HttpRequest) -> JsonResponse:
    """Report the database and the channel layer; 503 when either fails."""
    checks: dict[str, str] = {}
    try:
        checks["database"] = "ok" if await sync_to_async(_database_ok)() else "failed"
    except Exception as exc:  # report, do not crash: this is what monitors poll
        checks["database"] = f"failed: {exc.__class__.__name__}"
    try:
        checks["channel_layer"] = "ok" if await _channel_layer_ok() else "failed"
    except Exception as exc:
        checks["channel_layer"] = f"failed: {exc.__class__.__name__}"
    healthy = all(value == "ok" for value in checks.values())
    layer = get_channel_layer()
    body = {
        "status": "ok" if healthy else "failed",
        **checks,
        "database_vendor": connection.vendor,
        "channel_layer_backend": f"{type(layer).__module__}.{type(layer).__name__}",
    }
    return JsonResponse(body, status=200 if healthy else 503)


@csrf_exempt  # it changes nothing; a POST to a mistyped address learns the address is wrong
def api_not_found(request: HttpRequest, **kwargs: object) -> JsonResponse:
    """An address under /api/ that no operation has (a typo, a trailing slash)."""
    detail = _("No API operation at %(path)s: see /api/v1/docs.") % {"path": request.path}
    return JsonResponse({"code": "not_found", "detail": detail}, status=404)
