"""Admin for badges, their history, scans and batches: read-mostly evidence for the secretariat."""

from django.contrib import admin
from django.http import HttpRequest

from assembly.admin import AssemblyScopedAdmin
from badges.models import Badge, BadgeBatch, BadgeEvent, Scan


class BadgeEventInline(admin.TabularInline):
    model = BadgeEvent
    extra = 0
    can_delete = False
    readonly_fields = ["kind", "version", "by", "desk", "reason", "at"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Badge)
class BadgeAdmin(AssemblyScopedAdmin):
    list_display = ["delegate", "assembly", "version", "revoked_at", "rendered_at", "printed_at"]
    list_filter = ["assembly", "revoked_at"]
    search_fields = ["delegate__full_name", "delegate__email"]
    readonly_fields = [
        "delegate",
        "assembly",
        "version",
        "revoked_at",
        "pdf",
        "fingerprint",
        "rendered_at",
        "printed_at",
    ]
    inlines = [BadgeEventInline]
    list_select_related = ["delegate", "assembly"]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Scan)
class ScanAdmin(admin.ModelAdmin):
    """Scans are evidence for presence and quorum: nobody edits or deletes them here."""

    list_display = [
        "effective_at",
        "checkpoint",
        "direction",
        "reason",
        "delegate",
        "desk",
        "offline",
        "conflict",
    ]
    list_filter = ["assembly", "checkpoint", "reason", "direction", "offline", "conflict"]
    search_fields = ["delegate__full_name", "desk", "idempotency_key"]
    list_select_related = ["checkpoint", "delegate"]
    date_hierarchy = "effective_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(BadgeBatch)
class BadgeBatchAdmin(AssemblyScopedAdmin):
    list_display = ["created_at", "assembly", "layout", "status", "done", "total", "created_by"]
    list_filter = ["assembly", "status", "layout"]
    readonly_fields = [
        "assembly",
        "layout",
        "filters",
        "status",
        "total",
        "done",
        "error",
        "pdf",
        "created_by",
        "created_at",
        "heartbeat_at",
        "finished_at",
    ]

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # a batch is started on the badges dashboard, which renders it
