"""Admin for delegates and their registrations."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assembly.admin import (
    AssemblyScopedAdmin,
    AssemblyScopedForm,
    AssemblyZoneAdmin,
    ReadOnlyAdmin,
)
from registration.errors import AccreditationRefused, TourClash, TourNotOpen
from registration.models import (
    Accreditation,
    AccreditationKind,
    Delegate,
    Invitation,
    RegistrationEvent,
    RegistrationSettings,
    RegistrationState,
    Tour,
    TourSignup,
    VisaLetter,
    WaitlistMove,
)
from registration.normal import NormalEmailField, normal_email
from registration.services import accredit, check_accreditation, end_accreditation
from registration.tours import describe_overlaps, overlaps_made, revise_tour, set_tour_capacity


class DelegateForm(AssemblyScopedForm):
    """The address in normal_email, as registration stores it, and never another person's:
    a login link goes to the account whose registration has the address."""

    email = NormalEmailField(label=gettext_lazy("email"))

    class Meta:
        model = Delegate
        fields = "__all__"  # the admin edits the whole registration

    def clean_email(self) -> str:
        email = self.cleaned_data["email"]
        delegate = self.instance
        user = self.cleaned_data.get("user", delegate.user)  # the login, changed here or not
        for other in same_address(email, but=delegate):
            if other.assembly_id == delegate.assembly_id:
                raise forms.ValidationError(
                    _(
                        "%(name)s is already registered at this assembly with %(email)s: two "
                        "registrations cannot share one address."
                    )
                    % {"name": other.full_name, "email": email}
                )
            if other.user_id != (user.pk if user else None):
                raise forms.ValidationError(
                    _(
                        "%(email)s is the login address of %(name)s (registered at %(assembly)s): "
                        "a login link sent to it would open their account, not this one."
                    )
                    % {"email": email, "name": other.full_name, "assembly": other.assembly}
                )
        return email


def same_address(email: str, *, but: Delegate) -> list[Delegate]:
    """The live registrations with this address however it was typed when stored (case,
    full-width letters), but this one."""
    found = (
        Delegate.objects.filter(email__iexact=email)
        .exclude(state=RegistrationState.CANCELLED)
        .select_related("assembly")
    )
    if but.pk is not None:
        found = found.exclude(pk=but.pk)
    return [other for other in found if normal_email(other.email) == email]


@admin.register(Delegate)
class DelegateAdmin(AssemblyScopedAdmin):
    form = DelegateForm
    list_display = ["full_name", "member", "role", "attendance", "state", "email", "assembly"]
    list_filter = ["assembly", "state", "role", "attendance", "member__region"]
    search_fields = ["full_name", "email", "member__name", "organization_name"]
    autocomplete_fields = ["member", "user"]
    list_select_related = ["member", "assembly"]

    def get_readonly_fields(self, request: HttpRequest, obj: Delegate | None = None) -> list[str]:
        readonly = super().get_readonly_fields(request, obj)
        if obj is not None:
            # Approval, refusal and cancellation go through the registration pages (emails,
            # invitation places, accreditations ended).
            readonly.append("state")
        if obj is not None and obj.accreditations.filter(ended_at__isnull=True).exists():
            # Whom an accredited delegate represents, and as what, changes by ending it first.
            readonly += ["member", "role"]
        return readonly

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # a registration comes through its form, an invitation or the import


class AccreditationForm(AssemblyScopedForm):
    class Meta:
        model = Accreditation
        fields = ["assembly", "member", "delegate", "kind", "reason"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        parts = ["assembly", "member", "delegate", "kind"]
        if self.instance.pk is None and all(cleaned.get(name) for name in parts):
            try:
                check_accreditation(**{name: cleaned[name] for name in parts})
            except AccreditationRefused as error:
                raise forms.ValidationError(error.detail) from None
        return cleaned


@admin.register(Accreditation)
class AccreditationAdmin(AssemblyScopedAdmin):
    """Granted through the accreditation service (replacing, presence, quorum); kept as a record:
    an accreditation is ended, never edited or deleted."""

    form = AccreditationForm
    list_display = ["member", "delegate", "kind", "granted_at", "ended_at", "reason"]
    list_filter = ["assembly", "kind"]
    search_fields = ["member__name", "delegate__full_name"]
    actions = ["end_selected"]

    def get_readonly_fields(self, request: HttpRequest, obj: Accreditation | None = None) -> Any:
        if obj is None:
            return ["granted_at", "granted_by", "ended_at", "ended_by"]
        return [field.name for field in Accreditation._meta.fields if field.name != "id"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(
        self, request: HttpRequest, obj: Accreditation, form: forms.ModelForm, change: bool
    ) -> None:
        if change:
            return  # nothing is editable
        before = Accreditation.objects.filter(
            assembly=obj.assembly,
            member=obj.member,
            kind=AccreditationKind.VOTING,
            ended_at__isnull=True,
        ).first()
        granted = accredit(
            assembly=obj.assembly,
            member=obj.member,
            delegate=obj.delegate,
            kind=obj.kind,
            by=request.user,
            reason=obj.reason,
        )
        obj.pk, obj.granted_at, obj.granted_by = granted.pk, granted.granted_at, granted.granted_by
        obj._state.adding = False
        replaced = before is not None and before.delegate_id != granted.delegate_id
        if replaced and obj.kind == AccreditationKind.VOTING:
            self.message_user(
                request,
                _("%(new)s replaces %(old)s as the voting delegate of %(member)s.")
                % {"new": granted.delegate, "old": before.delegate, "member": obj.member},
                messages.WARNING,
            )

    @admin.action(
        description=gettext_lazy("End the selected accreditations"), permissions=["change"]
    )
    def end_selected(self, request: HttpRequest, queryset: QuerySet[Accreditation]) -> None:
        for accreditation in queryset.filter(ended_at__isnull=True):
            end_accreditation(
                accreditation=accreditation, by=request.user, reason=_("Ended in the admin")
            )


@admin.register(Invitation)
class InvitationAdmin(AssemblyZoneAdmin):
    list_display = ["member", "places_used", "places", "expires_at", "revoked_at", "assembly"]
    list_filter = ["assembly"]
    search_fields = ["member__name"]
    readonly_fields = ["places_used", "nonce", "created_by"]


@admin.register(RegistrationSettings)
class RegistrationSettingsAdmin(AssemblyZoneAdmin):
    list_display = ["assembly", "edit_cutoff"]


class TourForm(AssemblyScopedForm):
    class Meta:
        model = Tour
        fields = "__all__"  # the admin edits the whole tour

    def clean_capacity(self) -> int:
        capacity = self.cleaned_data["capacity"]
        if self.instance.pk is None:
            return capacity
        taken = self.confirmed_places()
        if capacity < taken:
            raise forms.ValidationError(_("%(n)s places are already confirmed.") % {"n": taken})
        return capacity

    def clean(self) -> dict[str, Any]:
        """A move that would give one of the tour's delegates two tours at once is refused,
        as their sign-up would be (the tour service checks again under the lock)."""
        cleaned = super().clean()
        starts_at, ends_at = cleaned.get("starts_at"), cleaned.get("ends_at")
        moved = {"starts_at", "ends_at"} & set(self.changed_data)
        if self.instance.pk is not None and moved and starts_at and ends_at:
            clashes = overlaps_made(tour=self.instance, starts_at=starts_at, ends_at=ends_at)
            if clashes:
                raise forms.ValidationError(describe_overlaps(clashes), code="tour_clash")
        return cleaned

    def confirmed_places(self) -> int:
        """The places confirmed now, not when the page was read: in the admin's transaction the
        tour's row stays locked until the save, so no sign-up takes one in between."""
        tours = Tour.objects.filter(pk=self.instance.pk)
        if transaction.get_connection().in_atomic_block:
            tours = tours.select_for_update()
        return tours.values_list("taken", flat=True).first() or 0


@admin.register(Tour)
class TourAdmin(AssemblyZoneAdmin):
    form = TourForm
    list_display = ["title", "starts_at", "capacity", "taken", "assembly"]
    list_filter = ["assembly"]
    # Places are changed only through the sign-up services, under the tour's lock.
    readonly_fields = ["taken", "waiting", "next_number"]

    def save_model(self, request: HttpRequest, obj: Tour, form: forms.ModelForm, change: bool):
        """Only the fields edited here are written (places move under the tour's lock
        meanwhile); a new capacity goes through the tour service, which promotes who waits."""
        if not change:
            super().save_model(request, obj, form, change)
            return
        edited = [name for name in form.changed_data if name != "capacity"]
        if edited:
            try:
                revise_tour(tour=obj, changes={name: getattr(obj, name) for name in edited})
            except TourClash as refused:  # a sign-up between the form's check and the save
                self.message_user(
                    request,
                    _("The tour was not moved: %(reason)s") % {"reason": refused.detail},
                    messages.ERROR,
                )
                request.tour_move_refused = True  # response_change: back to the form
            else:
                obj.refresh_from_db(fields=["sequence", "changed_at"])
        if "capacity" in form.changed_data:
            try:
                set_tour_capacity(tour=obj, capacity=form.cleaned_data["capacity"])
            except TourNotOpen as refused:  # a form used outside the admin's transaction
                self.message_user(
                    request,
                    _("The places were not changed: %(reason)s") % {"reason": refused.detail},
                    messages.ERROR,
                )

    def response_change(self, request: HttpRequest, obj: Tour) -> HttpResponse:
        """A refused move goes back to the form with its reason, not "changed successfully"."""
        if getattr(request, "tour_move_refused", False):
            return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)


@admin.register(TourSignup)
class TourSignupAdmin(ReadOnlyAdmin):
    list_display = ["tour", "delegate", "status", "places", "number", "created_at"]
    list_filter = ["tour__assembly", "tour", "status"]
    readonly_fields = ["tour", "delegate", "status", "places", "number", "confirmed_at"]


@admin.register(RegistrationEvent)
class RegistrationEventAdmin(ReadOnlyAdmin):
    list_display = ["delegate", "from_state", "to_state", "by", "at"]
    readonly_fields = ["delegate", "from_state", "to_state", "by", "note", "at"]


@admin.register(VisaLetter)
class VisaLetterAdmin(ReadOnlyAdmin):
    list_display = ["reference", "delegate", "issued_at"]
    readonly_fields = ["token", "issued_by"]


@admin.register(WaitlistMove)
class WaitlistMoveAdmin(ReadOnlyAdmin):
    list_display = ["signup", "from_position", "to_position", "reason", "by", "at"]
