"""Admin for delegates and their registrations."""

from django.contrib import admin

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


@admin.register(Tour)
class TourAdmin(admin.ModelAdmin):
    list_display = ["title", "starts_at", "capacity", "taken", "assembly"]
    list_filter = ["assembly"]
    # Places are changed only through the sign-up services, under the tour's lock.
    readonly_fields = ["taken", "next_number"]


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
