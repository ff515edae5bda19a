"""Admin for members, assemblies, checkpoints, staff roles and API tokens; the scoped admins."""

from datetime import timedelta
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from mailer.models import Message, MessageLog

from assembly.errors import DomainError
from assembly.models import (
    ApiToken,
    Assembly,
    Checkpoint,
    MemberKind,
    MemberOrganization,
    MembershipType,
    Role,
    StaffRole,
)
from assembly.text import refuse_unsafe_texts
from registration.imports import (
    MAX_IMPORT_BYTES,
    decode,
    decoding_note,
    import_members,
    preview_members,
    sign_import,
    unsign_import,
)
from voting.presence import recount_assembly_quorum

# Changing any of these changes who votes or how many must be present.
QUORUM_RULES = frozenset(
    {
        "voting_member_kinds",
        "voting_membership_types",
        "voting_requires_dues_paid",
        "quorum_kind",
        "quorum_fraction",
        "quorum_absolute",
        "online_presence_counts",
        "proxies_allowed",
    }
)

# A member's fields that decide whether it votes, or how the quorum breaks down.
MEMBER_ELECTORATE_FIELDS = frozenset(
    {"kind", "membership_type", "membership_status", "dues_paid", "region", "population"}
)


class OneLineTextsForm(forms.ModelForm):
    """What the secretariat types here stands on badges, desks, the projector and exports as
    typed: no line break in a one-line field, no text-direction override anywhere."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        refuse_unsafe_texts(self)
        return cleaned


class AssemblyScopedForm(OneLineTextsForm):
    """Refuses a related object of another assembly than the object's own; lists only its own."""

    # Related fields whose objects reach their assembly other than by an `assembly` field.
    assembly_lookups: ClassVar[dict[str, str]] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        assembly_id = self.instance.assembly_id or self.initial.get("assembly")
        if assembly_id and str(assembly_id).isdigit():
            for name, lookup in self.scoped_fields():
                field = self.fields[name]
                field.queryset = field.queryset.filter(**{lookup: assembly_id})

    def scoped_fields(self) -> list[tuple[str, str]]:
        """(field, lookup to its objects' assembly) for every choice of objects in an assembly."""
        scoped = []
        for name, field in self.fields.items():
            if not isinstance(field, forms.ModelChoiceField):
                continue
            lookup = self.assembly_lookups.get(name)
            if lookup is None and has_assembly(field.queryset.model):
                lookup = "assembly"
            if lookup is not None:
                scoped.append((name, lookup))
        return scoped

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        assembly = cleaned.get("assembly") if "assembly" in self.fields else None
        assembly_id = assembly.pk if assembly else self.instance.assembly_id
        if assembly_id is None:
            return cleaned
        for name, lookup in self.scoped_fields():
            model = self.fields[name].queryset.model
            chosen = model._default_manager.filter(pk__in=chosen_pks(cleaned.get(name)))
            for stray in chosen.exclude(**{lookup: assembly_id}):
                self.add_error(
                    name, _("%(object)s belongs to another assembly.") % {"object": stray}
                )
        return cleaned


def has_assembly(model: type[Model]) -> bool:
    return any(field.name == "assembly" for field in model._meta.get_fields())


def chosen_pks(value: object) -> list[Any]:
    """The keys of a choice field's cleaned value: one object, a queryset of them, or none."""
    if isinstance(value, Model):
        return [value.pk]
    if isinstance(value, QuerySet):
        return list(value.values_list("pk", flat=True))
    return []


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records that change only through the services and pages (and their audit rows)."""

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


def office_assemblies(request: HttpRequest) -> QuerySet[Assembly]:
    """The assemblies whose back office this user runs: every one for a superuser, else those
    where they are secretariat (model permissions alone do not open another assembly)."""
    if request.user.is_superuser:
        return Assembly.objects.all()
    return Assembly.objects.filter(
        staff_roles__user=request.user, staff_roles__role=Role.SECRETARIAT
    ).distinct()


class AssemblyScopedAdmin(admin.ModelAdmin):
    """Admin of a model that belongs to one assembly: its links stay inside that assembly, and
    a staff member sees and edits only the assemblies where they are secretariat.

    The assembly itself is fixed once the object exists (objects of the old one may point at it).
    """

    form = AssemblyScopedForm
    assembly_lookups: ClassVar[dict[str, str]] = {}

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        found = super().get_queryset(request)
        if request.user.is_superuser:
            return found
        return found.filter(assembly__in=office_assemblies(request))

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "assembly":
            kwargs["queryset"] = office_assemblies(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_form(self, request: HttpRequest, obj: Model | None = None, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, **kwargs)
        form.assembly_lookups = self.assembly_lookups
        return form

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> list[str]:
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None and "assembly" not in readonly:
            readonly.append("assembly")
        return readonly


class AssemblyZoneAdmin(AssemblyScopedAdmin):
    """Shows and reads the form's times in the assembly's own zone, not the server's UTC."""

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        zone = self.assembly_zone(request, object_id)
        if zone is None:
            return super().changeform_view(request, object_id, form_url, extra_context)
        with timezone.override(zone):
            response = super().changeform_view(request, object_id, form_url, extra_context)
            # A TemplateResponse renders later, after the zone would be gone: render it here.
            if hasattr(response, "render"):
                response.render()
        return response

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """The list in the zone of the one assembly it shows (filtered to it, or the only one
        this user runs); across several zones it stays in UTC."""
        chosen = request.GET.get("assembly__id__exact", "")
        assemblies = office_assemblies(request)
        if chosen.isdigit():
            assemblies = assemblies.filter(pk=chosen)
        zones = {assembly.time_zone for assembly in assemblies[:50]}
        if len(zones) != 1:
            return super().changelist_view(request, extra_context)
        with timezone.override(ZoneInfo(zones.pop())):
            response = super().changelist_view(request, extra_context)
            if hasattr(response, "render"):
                response.render()
        return response

    def assembly_zone(self, request: HttpRequest, object_id: str | None) -> ZoneInfo | None:
        """The zone of the object's assembly, the one chosen in the form, or the only one."""
        if object_id:
            found = self.model._default_manager.filter(pk=object_id).select_related("assembly")
            obj = found.first() if str(object_id).isdigit() else None
            return obj.assembly.zone if obj else None
        chosen = request.POST.get("assembly") or request.GET.get("assembly") or ""
        if chosen and not chosen.isdigit():
            return None
        assemblies = Assembly.objects.filter(pk=chosen) if chosen else Assembly.objects.all()
        candidates = list(assemblies[:2])
        return candidates[0].zone if len(candidates) == 1 else None


class MemberImportForm(forms.Form):
    file = forms.FileField(
        label=_lazy("CSV file"),
        help_text=_lazy(
            "UTF-8 or Windows-1252, separated by commas or semicolons. Required column: name. "
            "Optional: kind, country, region, membership_type, membership_status, dues_paid "
            "(yes/no), population, contact_email."
        ),
    )
    kind = forms.ChoiceField(
        label=_lazy("Kind for rows without one"), choices=MemberOrganization.kind.field.choices
    )
    region = forms.ChoiceField(
        label=_lazy("Region for rows without one"), choices=MemberOrganization.region.field.choices
    )


def recount_current_quorums() -> None:
    """Members changed: the quorum of assemblies not yet over follows."""
    # The UTC date runs up to a day ahead of an assembly's own (west of UTC).
    yesterday = timezone.localdate() - timedelta(days=1)
    for assembly in Assembly.objects.filter(end_date__gte=yesterday):
        if assembly.local_today() <= assembly.end_date:
            recount_assembly_quorum(assembly=assembly)


@admin.register(MemberOrganization)
class MemberOrganizationAdmin(admin.ModelAdmin):
    form = OneLineTextsForm
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
    change_list_template = "registration/admin_member_changelist.html"

    def get_urls(self) -> list:
        import_url = path(
            "import/",
            self.admin_site.admin_view(self.import_csv),
            name="assembly_memberorganization_import",
        )
        return [import_url, *super().get_urls()]

    def import_csv(self, request: HttpRequest) -> HttpResponse:
        """Import members from CSV: upload and preview (nothing written), then confirm."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = MemberImportForm(request.POST or None, request.FILES or None)
        context = {**self.admin_site.each_context(request), "opts": self.model._meta}
        context |= {"form": form, "title": _("Import members from CSV")}
        if request.method == "POST" and "confirm" in request.POST:
            try:
                _key, text = unsign_import(request.POST.get("payload", ""))
                created = import_members(
                    text=text,
                    kind=request.POST.get("kind", ""),
                    region=request.POST.get("region", ""),
                )
            except DomainError as error:
                context["error"] = error.detail
            else:
                recount_current_quorums()
                self.message_user(request, _("%(n)s members imported.") % {"n": len(created)})
                return redirect("admin:assembly_memberorganization_changelist")
        elif request.method == "POST" and form.is_valid():
            raw = form.cleaned_data["file"].read(MAX_IMPORT_BYTES + 1)
            try:
                text = decode(raw)
                preview = preview_members(
                    text=text, kind=form.cleaned_data["kind"], region=form.cleaned_data["region"]
                )
            except DomainError as error:
                context["error"] = error.detail
            else:
                if note := decoding_note(raw):
                    preview.notes.insert(0, note)
                context["preview"] = preview
                if preview.valid:
                    context["payload"] = sign_import(text)
        return TemplateResponse(request, "registration/admin_member_import.html", context)

    def save_model(
        self, request: HttpRequest, obj: MemberOrganization, form: Any, change: bool
    ) -> None:
        """Dues paid on the morning of the vote: the quorum of assemblies not yet over follows."""
        super().save_model(request, obj, form, change)
        if not change or MEMBER_ELECTORATE_FIELDS & set(form.changed_data):
            recount_current_quorums()


class CheckpointInline(admin.TabularInline):
    model = Checkpoint
    extra = 0


class StaffRoleInline(admin.TabularInline):
    model = StaffRole
    extra = 0
    autocomplete_fields = ["user"]


class AssemblyForm(OneLineTextsForm):
    """Who votes as boxes to tick: the rule is stored as lists, typed as JSON it refused "full"
    or a kind of one's own with only "Enter a valid JSON"."""

    voting_member_kinds = forms.MultipleChoiceField(
        label=Assembly._meta.get_field("voting_member_kinds").verbose_name,
        choices=MemberKind.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_lazy("Members of these kinds vote in the General Assembly."),
    )
    voting_membership_types = forms.MultipleChoiceField(
        label=Assembly._meta.get_field("voting_membership_types").verbose_name,
        choices=MembershipType.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_lazy("Members of these membership types vote in the General Assembly."),
    )

    class Meta:
        model = Assembly
        fields = "__all__"  # noqa: DJ007 - the admin's fieldsets choose what is shown


@admin.register(Assembly)
class AssemblyAdmin(admin.ModelAdmin):
    form = AssemblyForm
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

    def save_model(self, request: HttpRequest, obj: Assembly, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change and QUORUM_RULES & set(form.changed_data):
            recount_assembly_quorum(assembly=obj)


@admin.register(Checkpoint)
class CheckpointAdmin(AssemblyScopedAdmin):
    list_display = ["name", "code", "kind", "is_voting", "assembly"]
    list_filter = ["assembly", "kind", "is_voting"]
    search_fields = ["name", "code"]


@admin.register(StaffRole)
class StaffRoleAdmin(AssemblyScopedAdmin):
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
    # Only the revocation: a token moved to another user would act as that user.
    readonly_fields = ["name", "user", "prefix", "created_at", "expires_at", "last_used_at"]

    def has_add_permission(self, request: object) -> bool:
        # Tokens are issued on the tokens page, where the raw value is shown once.
        return False

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser  # an owner revokes their own on the tokens page

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return request.user.is_superuser

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return request.user.is_superuser


# --- the email queue ---------------------------------------------------------------------------
# django-mailer's own admin edits the stored message (a pickle the sender loads: whoever may
# edit it runs code on the server) and shows its body (a login link). Ours shows neither.

admin.site.unregister(Message)
admin.site.unregister(MessageLog)


@admin.register(Message)
class QueuedEmailAdmin(ReadOnlyAdmin):
    list_display = ["when_added", "to", "subject", "priority", "retry_count"]
    list_filter = ["priority"]
    fields = ["when_added", "to", "subject", "priority", "retry_count"]
    readonly_fields = fields
    actions = ["send_again_now"]

    @admin.display(description=_lazy("to"))
    def to(self, message: Message) -> str:
        return ", ".join(message.to_addresses) or "?"

    @admin.display(description=_lazy("subject"))
    def subject(self, message: Message) -> str:
        return message.subject or "?"

    @admin.action(description=_lazy("Send again now"), permissions=["view"])
    def send_again_now(self, request: HttpRequest, queryset: QuerySet) -> None:
        """Deferred ones go back in the queue and this server's sender goes at once."""
        from assembly.mail import send_again_now

        count = send_again_now(queryset)
        self.message_user(request, _("%(n)s messages go out again now.") % {"n": count})

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return request.user.is_superuser  # dropping a message unsent is not a volunteer's call


@admin.register(MessageLog)
class EmailLogAdmin(ReadOnlyAdmin):
    list_display = ["when_attempted", "result", "log_message"]
    list_filter = ["result"]
    search_fields = ["log_message"]
    fields = ["when_attempted", "result", "log_message", "message_id"]
    readonly_fields = fields
