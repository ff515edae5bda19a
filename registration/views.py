"""Registration pages: invitation and public forms, my registration, tours, the back office."""

import hashlib
from datetime import timedelta
from urllib.parse import urlencode

from defusedcsv import csv  # cells a spreadsheet would run as formulas are escaped
from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_ratelimit.core import is_ratelimited

from assembly.auth import assembly_page
from assembly.errors import DomainError
from assembly.models import Assembly, Region, Role
from assembly.pagination import back_to_listing
from assembly.selectors import used_choices
from assembly.text import quoted
from registration import forms as rforms
from registration import imports, letters, selectors, services, tours
from registration.models import (
    Delegate,
    Invitation,
    RegistrationSource,
    RegistrationState,
    Tour,
    TourSignup,
    VisaLetter,
)
from registration.normal import normal_email

SECRETARIAT = Role.SECRETARIAT


class Echo:
    def write(self, value: str) -> str:
        return value


def csv_response(rows: object, filename: str) -> StreamingHttpResponse:
    writer = csv.writer(Echo())
    # A BOM so spreadsheet programs open the names in every script correctly.
    stream = (("\ufeff" if i == 0 else "") + writer.writerow(row) for i, row in enumerate(rows))
    response = StreamingHttpResponse(stream, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def pdf_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def form_error(form: object, error: DomainError) -> None:
    field = "photo_upload" if error.code == "photo_refused" else None
    if field and field in form.fields:
        form.add_error(field, error.detail)
    else:
        form.add_error(None, error.detail)


def confirmed(request: HttpRequest) -> bool:
    """A destructive action runs on the second POST only, which carries confirm=yes."""
    return request.POST.get("confirm") == "yes"


def confirm_page(
    request: HttpRequest,
    assembly: Assembly,
    *,
    question: str,
    consequence: str,
    confirm_label: str,
    back_label: str,
    back_url: str,
) -> HttpResponse:
    """Ask before an action that cannot be undone; works without JavaScript."""
    return render(
        request,
        "registration/confirm.html",
        {
            "assembly": assembly,
            "question": question,
            "consequence": consequence,
            "confirm_label": confirm_label,
            "back_label": back_label,
            "back_url": back_url,
            "action": request.path,
        },
    )


def current_delegate(request: HttpRequest, assembly: Assembly) -> Delegate:
    delegate = selectors.delegate_for(user=request.user, assembly=assembly)
    if delegate is None:
        raise Http404
    return delegate


# --- registering -----------------------------------------------------------------------------


def registration_rate_limited(request: HttpRequest) -> bool:
    return is_ratelimited(
        request,
        group="registration-form",
        key="ip",
        rate=settings.REGISTRATION_NETWORK_RATE,
        method="POST",
        increment=True,
    )


JUST_REGISTERED_SECONDS = 600


def just_registered_key(request: HttpRequest, assembly: Assembly, email: str) -> str | None:
    """This browser (its CSRF cookie, which both taps of a double tap carry) and this address."""
    browser = request.COOKIES.get(settings.CSRF_COOKIE_NAME)
    if not browser:
        return None
    mark = f"{browser}|{assembly.pk}|{normal_email(email)}"
    return "just-registered:" + hashlib.sha256(mark.encode()).hexdigest()


def remember_registration(request: HttpRequest, assembly: Assembly, email: str) -> None:
    key = just_registered_key(request, assembly, email)
    if key:
        cache.set(key, True, JUST_REGISTERED_SECONDS)


def registered_just_now(request: HttpRequest, assembly: Assembly, email: str) -> bool:
    key = just_registered_key(request, assembly, email)
    return bool(key and cache.get(key))


def received_page(assembly: Assembly, email: str) -> HttpResponse:
    return redirect(
        reverse("registration:registered", args=[assembly.slug]) + "?" + urlencode({"email": email})
    )


def register_from_form(
    request: HttpRequest,
    assembly: Assembly,
    form: rforms.DelegateForm,
    invitation: Invitation | None,
) -> HttpResponse:
    """Shared by the invitation and public forms: validate, register, or show the errors."""
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        # A second tap on a slow network: the first one registered, so say so again.
        if registered_just_now(request, assembly, email):
            return received_page(assembly, email)
        if registration_rate_limited(request):
            form.add_error(
                None,
                _("Too many registrations from this network. Please wait an hour and try again."),
            )
        else:
            try:
                services.register_delegate(
                    assembly=assembly,
                    details=services.DelegateDetails.from_data(form.cleaned_data),
                    source=RegistrationSource.INVITATION
                    if invitation
                    else RegistrationSource.PUBLIC,
                    invitation=invitation,
                    photo=form.cleaned_data.get("photo_upload"),
                )
            except DomainError as error:
                if error.code == "already_registered" and registered_just_now(
                    request, assembly, email
                ):
                    return received_page(assembly, email)
                form_error(form, error)
            else:
                remember_registration(request, assembly, email)
                return received_page(assembly, email)
    if invitation is not None:
        invitation.refresh_from_db(fields=["places_used"])
    return render(
        request,
        "registration/register.html",
        {"assembly": assembly, "form": form, "invitation": invitation},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@assembly_page()
def invitation_register(request: HttpRequest, assembly: Assembly, token: str) -> HttpResponse:
    try:
        invitation = services.invitation_from_token(assembly=assembly, token=token)
    except DomainError as error:
        return render(
            request, "errors/message.html", {"message": error.detail}, status=error.status
        )
    form = rforms.invitation_form(
        request.POST or None,
        request.FILES or None,
        initial={"organization_name": invitation.member.name, "country": invitation.member.country},
    )
    return register_from_form(request, assembly, form, invitation)


@require_http_methods(["GET", "POST"])
@assembly_page()
def public_register(request: HttpRequest, assembly: Assembly) -> HttpResponse:
    form = rforms.public_form(request.POST or None, request.FILES or None)
    return register_from_form(request, assembly, form, None)


@assembly_page()
def registered(request: HttpRequest, assembly: Assembly) -> HttpResponse:
    """What happened to the registration this browser just sent: approved at once (an
    invitation that approves) or waiting for the secretariat. The state is shown only to the
    browser that registered, never to anyone typing an address into the query."""
    email = request.GET.get("email", "")[:254]
    delegate = None
    if email and registered_just_now(request, assembly, email):
        delegate = (
            Delegate.objects.filter(assembly=assembly, email=normal_email(email))
            .exclude(state=RegistrationState.CANCELLED)
            .first()
        )
    return render(
        request,
        "registration/registered.html",
        {"assembly": assembly, "email": email, "delegate": delegate},
    )


# --- my registration -------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@assembly_page(registrant=True)
def my_registration(request: HttpRequest, assembly: Assembly) -> HttpResponse:
    delegate = current_delegate(request, assembly)
    editable = services.editing_open(delegate)
    form = details_form(delegate, request.POST or None)
    if request.method == "POST":
        if not editable:
            messages.error(request, str(services.EditingClosed.default_detail))
            return redirect("registration:my-registration", assembly.slug)
        if form.is_valid():
            try:
                services.update_registration(
                    delegate=delegate,
                    details=services.DelegateDetails.from_data(form.cleaned_data),
                    by=request.user,
                )
            except DomainError as error:
                form_error(form, error)
            else:
                messages.success(request, _("Your details are saved."))
                return redirect("registration:my-registration", assembly.slug)
        delegate.refresh_from_db()
    return my_registration_page(request, delegate, form, rforms.PhotoForm())


def details_form(delegate: Delegate, data: object = None) -> rforms.DelegateForm:
    """The delegate's own form: email and role shown but fixed, the photo on its own form."""
    form = rforms.DelegateForm(data, instance=delegate, roles={delegate.role})
    form.fields["email"].disabled = True
    form.fields["role"].disabled = True
    del form.fields["photo_upload"]
    # Focus on load scrolled past the cutoff notice and the photo, and on an error it landed on
    # this valid field: the error summary takes it instead.
    form.fields["full_name"].widget.attrs.pop("autofocus", None)
    return form


def my_registration_page(
    request: HttpRequest,
    delegate: Delegate,
    form: rforms.DelegateForm,
    photo_form: rforms.PhotoForm,
) -> HttpResponse:
    return render(
        request,
        "registration/my_registration.html",
        {
            "assembly": delegate.assembly,
            "delegate": delegate,
            "form": form,
            "editable": services.editing_open(delegate),
            "cutoff": services.edit_cutoff(delegate.assembly),
            "photo_form": photo_form,
        },
        status=400 if form.errors or photo_form.errors else 200,
    )


def refused_photo_page(
    request: HttpRequest, delegate: Delegate, photo_form: rforms.PhotoForm
) -> HttpResponse:
    """The page again with the reason beside the photo field, which takes the focus: a phone
    showed a redirect's message far above the screen."""
    form = details_form(delegate)
    photo_form.fields["photo"].widget.attrs["autofocus"] = True
    return my_registration_page(request, delegate, form, photo_form)


@require_POST
@assembly_page(registrant=True)
def my_photo(request: HttpRequest, assembly: Assembly) -> HttpResponse:
    delegate = current_delegate(request, assembly)
    form = rforms.PhotoForm(request.POST, request.FILES)
    if not services.editing_open(delegate):
        messages.error(request, str(services.EditingClosed.default_detail))
    elif form.is_valid():
        try:
            services.set_photo(delegate=delegate, photo=form.cleaned_data["photo"])
        except DomainError as error:
            form.add_error("photo", error.detail)
            return refused_photo_page(request, delegate, form)
        messages.success(request, _("Your badge photo is saved."))
    else:
        return refused_photo_page(request, delegate, form)
    return redirect(reverse("registration:my-registration", args=[assembly.slug]) + "#photo")


@require_POST
@assembly_page(registrant=True)
def my_cancel(request: HttpRequest, assembly: Assembly) -> HttpResponse:
    delegate = current_delegate(request, assembly)
    if not confirmed(request):
        return confirm_page(
            request,
            assembly,
            question=_("Cancel your registration?"),
            consequence=_("Your tour places go to the next people in line. This cannot be undone."),
            confirm_label=_("Yes, cancel my registration"),
            back_label=_("No, keep my registration"),
            back_url=reverse("registration:my-registration", args=[assembly.slug]),
        )
    try:
        services.change_state(
            delegate=delegate, to_state=RegistrationState.CANCELLED, by=request.user
        )
    except DomainError as error:
        messages.error(request, error.detail)
        return redirect("registration:my-registration", assembly.slug)
    messages.success(request, _("Your registration is cancelled."))
    return redirect("assembly-home", assembly.slug)


@assembly_page(registrant=True)
def my_visa_letter(request: HttpRequest, assembly: Assembly) -> HttpResponse:
    delegate = current_delegate(request, assembly)
    letter = VisaLetter.objects.filter(delegate=delegate).select_related("delegate").first()
    if letter is None or delegate.state != RegistrationState.APPROVED:
        return render(
            request,
            "errors/message.html",
            {"message": _("Your visa letter is not ready yet.")},
            status=404,
        )
    return pdf_response(letters.visa_letter_pdf(letter), f"{letter.reference}.pdf")


@assembly_page()
def visa_verify(request: HttpRequest, assembly: Assembly, token: str) -> HttpResponse:
    letter = (
        VisaLetter.objects.filter(token=token, delegate__assembly=assembly)
        .select_related("delegate")
        .first()
    )
    genuine = letter is not None and letter.delegate.state == RegistrationState.APPROVED
    return render(
        request,
        "registration/visa_verify.html",
        {"assembly": assembly, "letter": letter if genuine else None},
        status=200 if genuine else 404,
    )


# --- tours -----------------------------------------------------------------------------------


@assembly_page(registrant=True)
def tour_list(request: HttpRequest, assembly: Assembly) -> HttpResponse:
    delegate = current_delegate(request, assembly)
    return render(
        request,
        "registration/tours.html",
        {
            "assembly": assembly,
            "delegate": delegate,
            "rows": selectors.tours_with_my_signups(assembly=assembly, delegate=delegate),
            "can_sign_up": delegate.state == RegistrationState.APPROVED
            and delegate.attendance == "in_person",
        },
    )


@require_POST
@assembly_page(Role.DELEGATE)
def tour_signup(request: HttpRequest, assembly: Assembly, code: str) -> HttpResponse:
    delegate = current_delegate(request, assembly)
    try:
        tour = selectors.tour_by_code(assembly=assembly, code=code)
        signup = tours.sign_up(
            tour=tour, delegate=delegate, accompanied=request.POST.get("accompanied") == "1"
        )
    except DomainError as error:
        messages.error(request, error.detail)
    else:
        if signup.status == "confirmed":
            messages.success(
                request, _("Your place on %(t)s is confirmed.") % {"t": quoted(tour.title)}
            )
        else:
            position = selectors.positions_for([signup])[signup.pk]
            messages.success(
                request,
                _("%(t)s is full: you are number %(n)s on the waiting list.")
                % {"t": quoted(tour.title), "n": position},
            )
    return redirect(reverse("registration:tours", args=[assembly.slug]) + f"#tour-{code}")


@require_POST
@assembly_page(Role.DELEGATE)
def tour_cancel(request: HttpRequest, assembly: Assembly, code: str) -> HttpResponse:
    delegate = current_delegate(request, assembly)
    back = reverse("registration:tours", args=[assembly.slug]) + f"#tour-{code}"
    try:
        tour = selectors.tour_by_code(assembly=assembly, code=code)
        if not confirmed(request):
            return confirm_tour_cancel(request, assembly, tour=tour, delegate=delegate, back=back)
        signup = tours.cancel_signup(tour=tour, delegate=delegate)
    except DomainError as error:
        messages.error(request, error.detail)
    else:
        if signup.confirmed_at is None:
            text = _("You left the waiting list of %(t)s.")
        else:
            text = _("Your place on %(t)s is cancelled.")
        messages.success(request, text % {"t": quoted(tour.title)})
    return redirect(back)


def confirm_tour_cancel(
    request: HttpRequest, assembly: Assembly, *, tour: Tour, delegate: Delegate, back: str
) -> HttpResponse:
    if selectors.is_waitlisted(tour=tour, delegate=delegate):
        question = _("Leave the waiting list of %(t)s?") % {"t": quoted(tour.title)}
        consequence = _("You lose your position; joining again puts you at the end.")
        label = _("Yes, leave the waiting list")
    else:
        question = _("Cancel your place on %(t)s?") % {"t": quoted(tour.title)}
        consequence = _(
            "Your place goes to the next person in line at once; you may not get it back."
        )
        label = _("Yes, cancel my place")
    return confirm_page(
        request,
        assembly,
        question=question,
        consequence=consequence,
        confirm_label=label,
        back_label=_("No, keep it"),
        back_url=back,
    )


# --- the secretariat -------------------------------------------------------------------------


def filters_from(request: HttpRequest) -> tuple[rforms.RegistrationFilterForm, object]:
    form = rforms.RegistrationFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    filters = selectors.RegistrationFilters(
        state=data.get("state") or None,
        role=data.get("role") or None,
        attendance=data.get("attendance") or None,
        region=data.get("region") or None,
        search=(data.get("q") or "").strip() or None,
    )
    return form, filters


# Rows a secretariat ticks through at once: the bulk actions act on the ticked rows of one page.
QUEUE_PAGE_SIZE = 200


@require_http_methods(["GET", "POST"])
@assembly_page(SECRETARIAT)
def queue(request: HttpRequest, assembly: Assembly) -> HttpResponse:
    if request.method == "POST":
        action = request.POST.get("action")
        ids = [int(v) for v in request.POST.getlist("delegate") if v.isdigit()]
        target = {
            "approve": RegistrationState.APPROVED,
            "reject": RegistrationState.REJECTED,
            "waitlist": RegistrationState.WAITLISTED,
        }.get(action or "")
        if target is None or not ids:
            messages.error(request, _("Tick at least one registration and choose an action."))
        else:
            done, refused = services.bulk_change_state(
                assembly=assembly, delegate_ids=ids, to_state=target, by=request.user
            )
            if done:
                messages.success(request, _("%(n)s registrations changed.") % {"n": len(done)})
            for delegate, reason in refused:
                messages.error(request, f"{delegate.full_name}: {reason}")
        return redirect(request.get_full_path())
    form, filters = filters_from(request)
    delegates = selectors.registrations_list(assembly=assembly, filters=filters)
    # An out-of-range page (the last rows approved away) shows the last page, not an error.
    page = Paginator(delegates, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "registration/queue.html",
        {
            "assembly": assembly,
            "form": form,
            "page": page,
            "counts": selectors.registration_counts(assembly),
            "query": filters_query(request),
        },
    )


def filters_query(request: HttpRequest) -> str:
    """The page's filters and search as a query string, without its page number."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@assembly_page(SECRETARIAT)
def export_csv(request: HttpRequest, assembly: Assembly) -> StreamingHttpResponse:
    _form, filters = filters_from(request)
    delegates = selectors.registrations_list(assembly=assembly, filters=filters)
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    return csv_response(
        imports.export_rows(delegates), f"registrations-{assembly.slug}-{stamp}.csv"
    )


@assembly_page(SECRETARIAT)
def detail(request: HttpRequest, assembly: Assembly, delegate_id: int) -> HttpResponse:
    try:
        delegate = services.get_delegate(assembly=assembly, delegate_id=delegate_id)
    except DomainError as error:
        return render(request, "errors/message.html", {"message": error.detail}, status=404)
    return render(
        request,
        "registration/detail.html",
        {
            "assembly": assembly,
            "delegate": delegate,
            "events": delegate.events.select_related("by"),
            "next_states": sorted(services.TRANSITIONS.get(delegate.state, set())),
            "state_labels": dict(RegistrationState.choices),
            "letter": VisaLetter.objects.filter(delegate=delegate).first(),
            "accreditations": delegate.accreditations.order_by("-granted_at"),
            "signups": selectors.tour_signups_for(delegate),
        },
    )


@require_POST
@assembly_page(SECRETARIAT)
def detail_state(request: HttpRequest, assembly: Assembly, delegate_id: int) -> HttpResponse:
    try:
        delegate = services.get_delegate(assembly=assembly, delegate_id=delegate_id)
        services.change_state(
            delegate=delegate,
            to_state=request.POST.get("to_state", ""),
            by=request.user,
            note=request.POST.get("note", "")[:300],
        )
    except DomainError as error:
        messages.error(request, error.detail)
    else:
        messages.success(request, _("The registration is updated and the delegate emailed."))
    return redirect("registration:detail", assembly.slug, delegate_id)


@require_POST
@assembly_page(SECRETARIAT)
def issue_letter(request: HttpRequest, assembly: Assembly, delegate_id: int) -> HttpResponse:
    try:
        delegate = services.get_delegate(assembly=assembly, delegate_id=delegate_id)
        services.issue_visa_letter(delegate=delegate, by=request.user)
    except DomainError as error:
        messages.error(request, error.detail)
    else:
        messages.success(request, _("The visa letter is issued and the delegate emailed."))
    return redirect("registration:detail", assembly.slug, delegate_id)


@assembly_page(SECRETARIAT)
def letter_pdf(request: HttpRequest, assembly: Assembly, delegate_id: int) -> HttpResponse:
    letter = (
        VisaLetter.objects.filter(delegate__assembly=assembly, delegate__pk=delegate_id)
        .select_related("delegate__assembly")
        .first()
    )
    if letter is None:
        raise Http404
    return pdf_response(letters.visa_letter_pdf(letter), f"{letter.reference}.pdf")


@require_http_methods(["GET", "POST"])
@assembly_page(SECRETARIAT)
def invitations(request: HttpRequest, assembly: Assembly) -> HttpResponse:
    in_a_month = timezone.localtime() + timedelta(days=30)
    initial = {"expires_at": in_a_month.strftime("%Y-%m-%dT%H:%M")}
    form = rforms.InvitationPickForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            invitation = services.issue_invitation(
                assembly=assembly,
                member=data["member"],
                places=data["places"],
                expires_at=data["expires_at"],
                by=request.user,
                contact_email=data["contact_email"],
                auto_approve=data["auto_approve"],
            )
        except DomainError as error:
            form.add_error(None, error.detail)
        else:
            messages.success(request, issued_message(invitation))
            return redirect("registration:invitations", assembly.slug)
    rows = [
        {"invitation": inv, "url": services.invitation_url(inv)}
        for inv in Invitation.objects.filter(assembly=assembly).select_related("member")
    ]
    return render(
        request,
        "registration/invitations.html",
        {
            "assembly": assembly,
            "form": form,
            "rows": rows,
            "now": timezone.now(),
            "public_url": request.build_absolute_uri(
                reverse("registration:public-register", args=[assembly.slug])
            ),
        },
    )


def issued_message(invitation: Invitation) -> str:
    """The link of a new invitation, and to whom it was emailed (or that it was not)."""
    issued = {"m": invitation.member.name, "url": services.invitation_url(invitation)}
    if invitation.contact_email:
        return _("Invitation for %(m)s, emailed to %(to)s: %(url)s") % {
            **issued,
            "to": invitation.contact_email,
        }
    return _("Invitation for %(m)s: %(url)s (not emailed: no contact email; send the link).") % (
        issued
    )


@require_POST
@assembly_page(SECRETARIAT)
def invitation_revoke(request: HttpRequest, assembly: Assembly, invitation_id: int) -> HttpResponse:
    invitation = Invitation.objects.filter(assembly=assembly, pk=invitation_id).first()
    if invitation is None:
        raise Http404
    services.revoke_invitation(invitation=invitation, by=request.user)
    messages.success(request, _("The invitation link no longer works."))
    return redirect("registration:invitations", assembly.slug)


ACCREDITATION_PAGE_SIZE = 25  # members, each a card with its form
ACCREDITATION_LISTING = ("q", "status", "region", "page")  # what a saved form returns to


def _accreditation_filters(
    request: HttpRequest,
) -> tuple[selectors.AccreditationFilters, dict[str, str]]:
    """The accreditation page's filters from its query, and their values for the form."""
    search = (request.GET.get("q") or "").strip()
    status = request.GET.get("status") or ""
    status = status if status in ("pending", "accredited") else ""
    region = request.GET.get("region") or ""
    region = region if region in Region.values else ""
    filters = selectors.AccreditationFilters(
        search=search or None,
        accredited={"pending": False, "accredited": True}.get(status),
        region=region or None,
    )
    return filters, {"q": search, "status": status, "region": region}


@require_http_methods(["GET", "POST"])
@assembly_page(SECRETARIAT)
def accreditation(request: HttpRequest, assembly: Assembly) -> HttpResponse:
    """One page of members, found by name, status and region; each card accredits a delegate
    and comes back to the same page of the same search."""
    if request.method == "POST":
        form = rforms.AccreditForm(request.POST)
        if form.is_valid():
            delegate = (
                Delegate.objects.filter(
                    assembly=assembly, pk=form.cleaned_data["delegate"], member__isnull=False
                )
                .select_related("member")
                .first()
            )
            if delegate is None:
                messages.error(request, _("No such delegate."))
            else:
                try:
                    services.accredit(
                        assembly=assembly,
                        member=delegate.member,
                        delegate=delegate,
                        kind=form.cleaned_data["kind"],
                        by=request.user,
                        reason=form.cleaned_data["reason"],
                    )
                except DomainError as error:
                    messages.error(request, error.detail)
                else:
                    messages.success(
                        request,
                        _("%(d)s is accredited for %(m)s.")
                        % {"d": delegate.full_name, "m": delegate.member.name},
                    )
        else:
            messages.error(request, _("Choose a delegate and a kind."))
        url = reverse("registration:accreditation", args=[assembly.slug])
        return back_to_listing(request, url, ACCREDITATION_LISTING)
    filters, selected = _accreditation_filters(request)
    members = selectors.accreditation_members(assembly=assembly, filters=filters)
    page = Paginator(members, ACCREDITATION_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "registration/accreditation.html",
        {
            "assembly": assembly,
            "rows": selectors.accreditation_rows(assembly=assembly, members=page.object_list),
            "page_obj": page,
            "selected": selected,
            "regions": used_choices(Region, "region"),
        },
    )


@assembly_page(SECRETARIAT)
def tour_admin(request: HttpRequest, assembly: Assembly) -> HttpResponse:
    return render(
        request,
        "registration/tour_admin.html",
        {
            "assembly": assembly,
            "rows": selectors.tours_with_my_signups(assembly=assembly, delegate=None),
        },
    )


@require_http_methods(["GET", "POST"])
@assembly_page(SECRETARIAT)
def roster(request: HttpRequest, assembly: Assembly, code: str) -> HttpResponse:
    try:
        tour = selectors.tour_by_code(assembly=assembly, code=code)
    except DomainError as error:
        return render(request, "errors/message.html", {"message": error.detail}, status=404)
    if request.method == "POST":
        form = rforms.WaitlistMoveForm(request.POST)
        if form.is_valid():
            signup = TourSignup.objects.filter(tour=tour, pk=form.cleaned_data["signup"]).first()
            try:
                if signup is None:
                    raise tours.NotSignedUp()
                tours.move_in_waiting_list(
                    signup=signup,
                    to_position=form.cleaned_data["position"],
                    reason=form.cleaned_data["reason"],
                    by=request.user,
                )
            except DomainError as error:
                messages.error(request, error.detail)
            else:
                messages.success(request, _("The waiting list is reordered."))
        else:
            messages.error(request, _("Give a position and a reason."))
        return redirect("registration:roster", assembly.slug, code)
    lists = selectors.tour_roster(tour)
    return render(
        request,
        "registration/roster.html",
        {
            "assembly": assembly,
            "tour": tour,
            "confirmed": lists["confirmed"],
            "waitlisted": lists["waitlisted"],
            "moves": tours.WaitlistMove.objects.filter(signup__tour=tour).select_related(
                "signup__delegate", "by"
            ),
        },
    )


def roster_rows(tour: object, lists: dict) -> object:
    yield [
        "status",
        "position",
        "name",
        "organization",
        "email",
        "phone",
        "places",
        "dietary_needs",
        "accessibility_needs",
    ]
    for status, signups in (("confirmed", lists["confirmed"]), ("waitlisted", lists["waitlisted"])):
        for index, s in enumerate(signups, start=1):
            d = s.delegate
            yield [
                status,
                str(index),
                d.full_name,
                d.organization_label,
                d.email,
                d.phone,
                str(s.places),
                d.dietary_needs,
                d.accessibility_needs,
            ]


@assembly_page(SECRETARIAT)
def roster_csv(request: HttpRequest, assembly: Assembly, code: str) -> StreamingHttpResponse:
    try:
        tour = selectors.tour_by_code(assembly=assembly, code=code)
    except DomainError as exc:
        raise Http404 from exc
    return csv_response(roster_rows(tour, selectors.tour_roster(tour)), f"tour-{code}.csv")


@assembly_page(SECRETARIAT)
def roster_pdf_view(request: HttpRequest, assembly: Assembly, code: str) -> HttpResponse:
    try:
        tour = selectors.tour_by_code(assembly=assembly, code=code)
    except DomainError as exc:
        raise Http404 from exc
    lists = selectors.tour_roster(tour)
    data = letters.roster_pdf(
        tour=tour, confirmed=lists["confirmed"], waitlisted=lists["waitlisted"]
    )
    return pdf_response(data, f"tour-{code}.pdf")
