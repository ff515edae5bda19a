"""Admin for delegates and their registrations."""

from django.contrib import admin

from registration.models import Delegate


@admin.register(Delegate)
class DelegateAdmin(admin.ModelAdmin):
    list_display = ["full_name", "member", "role", "attendance", "state", "email", "assembly"]
    list_filter = ["assembly", "state", "role", "attendance", "member__region"]
    search_fields = ["full_name", "email", "member__name", "organization_name"]
    autocomplete_fields = ["member", "user"]
    list_select_related = ["member", "assembly"]
