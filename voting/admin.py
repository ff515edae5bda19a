"""Back office for the voting app; ballots and who-voted rows are deliberately not here."""

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from voting.models import (
    AuditEntry,
    BodyQuorum,
    BodySeat,
    Candidate,
    DelegatePresence,
    GoverningBody,
    Motion,
    Poll,
    Proxy,
)
from voting.selectors import with_live_turnout


class BodySeatInline(admin.TabularInline):
    model = BodySeat
    autocomplete_fields = ["member"]
    extra = 0


@admin.register(GoverningBody)
class GoverningBodyAdmin(admin.ModelAdmin):
    list_display = ["name", "assembly", "kind", "presence_required"]
    list_filter = ["assembly", "kind"]
    inlines = [BodySeatInline]


class CandidateInline(admin.TabularInline):
    model = Candidate
    autocomplete_fields = ["member"]
    extra = 0


@admin.register(Motion)
class MotionAdmin(admin.ModelAdmin):
    list_display = ["title", "body", "kind", "majority", "seats", "agenda_item_number"]
    list_filter = ["assembly", "body", "kind"]
    search_fields = ["title", "code"]
    inlines = [CandidateInline]


class ReadOnlyAdmin(admin.ModelAdmin):
    """States and figures change only through the services (and their audit rows)."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Poll)
class PollAdmin(ReadOnlyAdmin):
    list_display = ["motion", "round", "kind", "state", "voted", "opened_at", "closed_at"]
    list_filter = ["assembly", "state", "kind"]

    @admin.display(description=_("turnout"))
    def voted(self, poll: Poll) -> int:
        return with_live_turnout(poll).turnout


@admin.register(Proxy)
class ProxyAdmin(ReadOnlyAdmin):
    list_display = ["member", "holder", "state", "approved_at", "revoked_at"]
    list_filter = ["assembly", "state"]


@admin.register(DelegatePresence)
class DelegatePresenceAdmin(ReadOnlyAdmin):
    list_display = ["delegate", "in_hall", "online", "changed_at"]
    list_filter = ["assembly", "in_hall", "online"]


@admin.register(BodyQuorum)
class BodyQuorumAdmin(ReadOnlyAdmin):
    list_display = ["body", "present", "eligible", "status", "changed_at"]


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["seq", "event", "assembly", "hash"]
    list_filter = ["assembly", "event"]
