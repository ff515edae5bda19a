"""Admin for the programme; saving a session goes through the services (clashes, emails)."""

from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assembly.errors import DomainError
from assembly.models import Assembly
from sessions import services
from sessions.models import AgendaItem, Room, Session, SessionStatus, Speaker


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ["name", "assembly", "capacity", "checkpoint", "order"]
    list_filter = ["assembly"]
    search_fields = ["name", "code"]


@admin.register(Speaker)
class SpeakerAdmin(admin.ModelAdmin):
    list_display = ["name", "title", "organization", "assembly"]
    list_filter = ["assembly"]
    search_fields = ["name", "organization"]


class AgendaItemInline(admin.TabularInline):
    model = AgendaItem
    extra = 0
    fields = ["order", "number", "title", "description"]


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "assembly",
        "kind",
        "room",
        "starts_at",
        "ends_at",
        "status",
        "sequence",
    ]
    list_filter = ["assembly", "kind", "status", "visibility", "room"]
    search_fields = ["title", "code"]
    filter_horizontal = ["speakers"]
    inlines = [AgendaItemInline]
    readonly_fields = ["uid", "sequence", "changed_at"]
    actions = ["cancel_selected"]

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        # Show and read times in the assembly's own zone, not the server's UTC.
        zone = self.assembly_zone(request, object_id)
        if zone is not None:
            timezone.activate(zone)
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        finally:
            timezone.deactivate()

    @staticmethod
    def assembly_zone(request: HttpRequest, object_id: str | None) -> ZoneInfo | None:
        """The zone of the session's assembly, the one chosen in the form, or the only one."""
        if object_id:
            session = Session.objects.filter(pk=object_id).select_related("assembly").first()
            return session.assembly.zone if session else None
        chosen = request.POST.get("assembly") or request.GET.get("assembly") or ""
        if chosen and not chosen.isdigit():
            return None
        assemblies = Assembly.objects.filter(pk=chosen) if chosen else Assembly.objects.all()
        candidates = list(assemblies[:2])
        return candidates[0].zone if len(candidates) == 1 else None

    def save_model(self, request: HttpRequest, obj: Session, form: Any, change: bool) -> None:
        """Route every save through a service; their refusals become form errors upstream."""
        data = form.cleaned_data
        if not change:
            created = services.create_session(
                assembly=obj.assembly,
                code=obj.code,
                title=obj.title,
                kind=obj.kind,
                room=obj.room,
                starts_at=obj.starts_at,
                ends_at=obj.ends_at,
                description=obj.description,
                visibility=obj.visibility,
            )
            obj.pk = created.pk
            obj.uid, obj.sequence, obj.changed_at = (
                created.uid,
                created.sequence,
                created.changed_at,
            )
            obj._state.adding = False
            return
        before = Session.objects.get(pk=obj.pk)
        when_changed = {"starts_at", "ends_at", "room"} & set(form.changed_data)
        if data["status"] == SessionStatus.CANCELLED and before.status != SessionStatus.CANCELLED:
            services.cancel_session(session=before)
        elif when_changed or (
            before.status == SessionStatus.CANCELLED and data["status"] != SessionStatus.CANCELLED
        ):
            services.move_session(
                session=before, starts_at=obj.starts_at, ends_at=obj.ends_at, room=obj.room
            )
        details = {"title", "kind", "description", "visibility", "speakers"} & set(
            form.changed_data
        )
        if details:
            services.update_session_details(
                session=Session.objects.get(pk=obj.pk),
                title=obj.title,
                kind=obj.kind,
                description=obj.description,
                visibility=obj.visibility,
                speakers=data["speakers"] if "speakers" in details else None,
            )
        obj.refresh_from_db()

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # Speakers went through the service for existing sessions; new ones get them here.
        if not change:
            form.instance.speakers.set(form.cleaned_data["speakers"])
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    @admin.action(description=_("Cancel the selected sessions (delegates are emailed)"))
    def cancel_selected(self, request: HttpRequest, queryset: Any) -> None:
        cancelled = 0
        for session in queryset:
            try:
                services.cancel_session(session=session)
                cancelled += 1
            except DomainError as error:
                self.message_user(request, f"{session}: {error.detail}", messages.WARNING)
        self.message_user(request, _("%(n)d sessions cancelled.") % {"n": cancelled})

    def has_delete_permission(self, request: HttpRequest, obj: Session | None = None) -> bool:
        # A deleted session would linger in subscribers' calendars; a cancelled one is removed.
        return False
