"""Admin for the programme; saving a session goes through the services (clashes, emails)."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from assembly.admin import (
    AssemblyScopedAdmin,
    AssemblyScopedForm,
    AssemblyZoneAdmin,
    OneLineTextsForm,
)
from assembly.errors import DomainError
from sessions import services
from sessions.models import AgendaItem, Room, Session, SessionStatus, Speaker


@admin.register(Room)
class RoomAdmin(AssemblyScopedAdmin):
    list_display = ["name", "assembly", "capacity", "checkpoint", "order"]
    list_filter = ["assembly"]
    search_fields = ["name", "code"]


@admin.register(Speaker)
class SpeakerAdmin(AssemblyScopedAdmin):
    list_display = ["name", "title", "organization", "assembly"]
    list_filter = ["assembly"]
    search_fields = ["name", "organization"]


class AgendaItemInline(admin.TabularInline):
    form = OneLineTextsForm
    model = AgendaItem
    extra = 0
    fields = ["order", "number", "title", "description"]


class SessionForm(AssemblyScopedForm):
    def clean(self) -> dict[str, Any]:
        data = super().clean()
        cancelling = (
            self.instance.pk
            and data.get("status") == SessionStatus.CANCELLED
            and self.instance.status != SessionStatus.CANCELLED
        )
        if cancelling and {"starts_at", "ends_at", "room"} & set(self.changed_data):
            raise forms.ValidationError(
                _("Cancel the session or move it, not both in one save: the move would be lost.")
            )
        return data


@admin.register(Session)
class SessionAdmin(AssemblyZoneAdmin):
    form = SessionForm
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
        # Compared as instants, not as the form's wall times: a save that moves nothing
        # sends no "moved" notice.
        when_changed = (before.starts_at, before.ends_at, before.room_id) != (
            obj.starts_at,
            obj.ends_at,
            obj.room_id,
        )
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
