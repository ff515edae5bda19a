"""Back office for the voting app; ballots and who-voted rows are deliberately not here."""

from typing import Any

from django import forms
from django.contrib import admin
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from assembly.admin import AssemblyScopedAdmin, OneLineTextsForm, ReadOnlyAdmin
from assembly.errors import InvalidInput
from voting.models import (
    AuditEntry,
    BodyQuorum,
    BodySeat,
    Candidate,
    DelegatePresence,
    GoverningBody,
    Motion,
    Poll,
    PollState,
    Proxy,
)
from voting.presence import recount_quorum
from voting.selectors import with_live_turnout
from voting.services import check_motion_shape, create_motion, record_motion_change

# What a poll's result is computed from: fixed once a poll of the motion has opened.
VOTING_FIELDS = ["body", "kind", "majority", "abstentions_in_base", "seats", "runoff_rule"]


def voted_on(motion: Motion | None) -> bool:
    """Whether a poll of the motion has left draft (opened, closed or published)."""
    if motion is None or motion.pk is None:
        return False
    return motion.polls.exclude(state=PollState.DRAFT).exists()


class BodySeatInline(admin.TabularInline):
    model = BodySeat
    autocomplete_fields = ["member"]
    extra = 0


@admin.register(GoverningBody)
class GoverningBodyAdmin(AssemblyScopedAdmin):
    list_display = ["name", "assembly", "kind", "presence_required"]
    list_filter = ["assembly", "kind"]
    inlines = [BodySeatInline]

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        # Seats are saved by now: the console shows the new figures without waiting for a scan.
        recount_quorum(body=form.instance)


class CandidateFormSet(BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        if voted_on(self.instance):
            return  # the candidates are shown, not edited
        kept = [
            form
            for form in self.forms
            if getattr(form, "cleaned_data", {}).get("name") and not self._should_delete_form(form)
        ]
        try:
            check_motion_shape(
                kind=self.instance.kind, seats=self.instance.seats or 0, candidates=len(kept)
            )
        except InvalidInput as error:
            raise forms.ValidationError(error.detail) from None


class CandidateInline(admin.TabularInline):
    form = OneLineTextsForm
    model = Candidate
    formset = CandidateFormSet
    autocomplete_fields = ["member"]
    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: Motion | None = None) -> bool:
        return not voted_on(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Motion | None = None) -> bool:
        return not voted_on(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Motion | None = None) -> bool:
        return not voted_on(obj) and super().has_delete_permission(request, obj)


@admin.register(Motion)
class MotionAdmin(AssemblyScopedAdmin):
    """Motions are made by the voting service and every change is audited; once a poll has
    opened, what the result is computed from is shown, not edited."""

    list_display = ["title", "body", "kind", "majority", "seats", "agenda_item_number"]
    list_filter = ["assembly", "body", "kind"]
    search_fields = ["title", "code"]
    inlines = [CandidateInline]
    assembly_lookups = {"agenda_item": "session__assembly"}

    def get_readonly_fields(self, request: HttpRequest, obj: Motion | None = None) -> list[str]:
        readonly = super().get_readonly_fields(request, obj)
        if voted_on(obj):
            readonly += [name for name in VOTING_FIELDS if name not in readonly]
        return readonly

    def has_delete_permission(self, request: HttpRequest, obj: Motion | None = None) -> bool:
        # Deleting a motion would delete its polls, which the audit log names: the verifiers
        # would then report them as deleted from the database.
        if obj is not None and obj.polls.exists():
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request: HttpRequest) -> dict:
        # The bulk delete asks no motion whether it has polls.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def save_model(self, request: HttpRequest, obj: Motion, form: Any, change: bool) -> None:
        # A new motion is made in save_related, once its candidates are known.
        if change:
            super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        if not change:
            self.create(form, formsets)
            return
        super().save_related(request, form, formsets, change)
        changed = list(form.changed_data)
        if any(formset.has_changed() for formset in formsets):
            changed.append("candidates")
        if changed:
            record_motion_change(motion=form.instance, changed=changed)

    @staticmethod
    def create(form: Any, formsets: Any) -> None:
        data = form.cleaned_data
        candidates = sorted(
            (candidate["position"], candidate["name"], candidate.get("member"))
            for formset in formsets
            for candidate in formset.cleaned_data
            if candidate.get("name") and not candidate.get("DELETE")
        )
        motion = create_motion(
            body=data["body"],
            code=data["code"],
            kind=data["kind"],
            title=data["title"],
            text=data["text"],
            majority=data["majority"],
            abstentions_in_base=data["abstentions_in_base"],
            seats=data["seats"],
            candidates=[(name, member) for _position, name, member in candidates],
            agenda_item_number=data["agenda_item_number"],
            agenda_item=data["agenda_item"],
        )
        if motion.runoff_rule != data["runoff_rule"]:
            motion.runoff_rule = data["runoff_rule"]
            motion.save(update_fields=["runoff_rule"])
        form.instance.pk, form.instance.created_at = motion.pk, motion.created_at
        form.instance._state.adding = False
        for formset in formsets:  # what the admin's history says was added with it
            formset.new_objects = list(motion.candidates.all())
            formset.changed_objects, formset.deleted_objects = [], []


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
