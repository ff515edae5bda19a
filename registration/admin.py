"""Admin for delegates and their registrations."""

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext as _

from registration.models import (
    Accreditation,
    Delegate,
    Invitation,
    RegistrationEvent,
    RegistrationSettings,
    Tour,
    TourSignup,
    VisaLetter,
    WaitlistMove,
)
from registration.tours import set_tour_capacity


@admin.register(Delegate)
class DelegateAdmin(admin.ModelAdmin):
    list_display = ["full_name", "member", "role", "attendance", "state", "email", "assembly"]
    list_filter = ["assembly", "state", "role", "attendance", "member__region"]
    search_fields = ["full_name", "email", "member__name", "organization_name"]
    autocomplete_fields = ["member", "user"]
    list_select_related = ["member", "assembly"]


@admin.register(Accreditation)
class AccreditationAdmin(admin.ModelAdmin):
    list_display = ["member", "delegate", "kind", "granted_at", "ended_at", "reason"]
    list_filter = ["assembly", "kind"]
    search_fields = ["member__name", "delegate__full_name"]
    readonly_fields = ["granted_at", "granted_by", "ended_by"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["member", "places_used", "places", "expires_at", "revoked_at", "assembly"]
    list_filter = ["assembly"]
    search_fields = ["member__name"]
    readonly_fields = ["places_used", "nonce", "created_by"]


@admin.register(RegistrationSettings)
class RegistrationSettingsAdmin(admin.ModelAdmin):
    list_display = ["assembly", "edit_cutoff"]


class TourForm(forms.ModelForm):
    class Meta:
        model = Tour
        fields = "__all__"  # noqa: DJ007 - the admin edits the whole tour

    def clean_capacity(self) -> int:
        capacity = self.cleaned_data["capacity"]
        if self.instance.pk and capacity < self.instance.taken:
            raise forms.ValidationError(
                _("%(n)s places are already confirmed.") % {"n": self.instance.taken}
            )
        return capacity


@admin.register(Tour)
class TourAdmin(admin.ModelAdmin):
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
            obj.save(update_fields=edited)
        if "capacity" in form.changed_data:
            set_tour_capacity(tour=obj, capacity=form.cleaned_data["capacity"])


@admin.register(TourSignup)
class TourSignupAdmin(admin.ModelAdmin):
    list_display = ["tour", "delegate", "status", "places", "number", "created_at"]
    list_filter = ["tour__assembly", "tour", "status"]
    readonly_fields = ["tour", "delegate", "status", "places", "number", "confirmed_at"]


@admin.register(RegistrationEvent)
class RegistrationEventAdmin(admin.ModelAdmin):
    list_display = ["delegate", "from_state", "to_state", "by", "at"]
    readonly_fields = ["delegate", "from_state", "to_state", "by", "note", "at"]


@admin.register(VisaLetter)
class VisaLetterAdmin(admin.ModelAdmin):
    list_display = ["reference", "delegate", "issued_at"]
    readonly_fields = ["token", "issued_by"]


@admin.register(WaitlistMove)
class WaitlistMoveAdmin(admin.ModelAdmin):
    list_display = ["signup", "from_position", "to_position", "reason", "by", "at"]
