"""Admin for members, assemblies, checkpoints, staff roles and API tokens."""

from django.contrib import admin

from assembly.models import ApiToken, Assembly, Checkpoint, MemberOrganization, StaffRole


@admin.register(MemberOrganization)
class MemberOrganizationAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "kind",
        "country",
        "region",
        "membership_type",
        "membership_status",
        "dues_paid",
        "population",
    ]
    list_filter = ["kind", "region", "membership_type", "membership_status", "dues_paid"]
    search_fields = ["name", "country", "contact_email"]
    list_per_page = 100


class CheckpointInline(admin.TabularInline):
    model = Checkpoint
    extra = 0


class StaffRoleInline(admin.TabularInline):
    model = StaffRole
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Assembly)
class AssemblyAdmin(admin.ModelAdmin):
    list_display = ["name", "city", "start_date", "end_date", "time_zone"]
    list_filter = ["quorum_kind", "proxies_allowed", "online_presence_counts"]
    search_fields = ["name", "city", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [CheckpointInline, StaffRoleInline]
    fieldsets = [
        (None, {"fields": ["name", "slug", "organisation", "contact_email"]}),
        (
            "Where and when",
            {
                "fields": [
                    "city",
                    "country",
                    "venue",
                    "venue_address",
                    "time_zone",
                    "start_date",
                    "end_date",
                ]
            },
        ),
        (
            "Who votes",
            {
                "fields": [
                    "voting_member_kinds",
                    "voting_membership_types",
                    "voting_requires_dues_paid",
                ]
            },
        ),
        (
            "Quorum and proxies",
            {
                "fields": [
                    "quorum_kind",
                    "quorum_fraction",
                    "quorum_absolute",
                    "online_presence_counts",
                    "proxies_allowed",
                    "max_proxies_per_holder",
                ]
            },
        ),
    ]


@admin.register(Checkpoint)
class CheckpointAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "is_voting", "assembly"]
    list_filter = ["assembly", "kind", "is_voting"]
    search_fields = ["name", "code"]


@admin.register(StaffRole)
class StaffRoleAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "assembly", "granted_at"]
    list_filter = ["assembly", "role"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    autocomplete_fields = ["user"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "user",
        "prefix",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    ]
    list_filter = ["revoked_at"]
    search_fields = ["name", "user__username", "prefix"]
    readonly_fields = ["prefix", "created_at", "last_used_at"]

    def has_add_permission(self, request: object) -> bool:
        # Tokens are issued on the tokens page, where the raw value is shown once.
        return False
