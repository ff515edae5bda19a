"""Forms of the registration pages: phone first, short, with errors next to each field."""

from django import forms
from django.utils.translation import gettext_lazy as _

from assembly.models import Region
from assembly.picks import Pick, members_matching, short_list
from assembly.text import refuse_broken_lines
from registration.models import Attendance, Delegate, DelegateRole, RegistrationState
from registration.normal import NormalEmailField
from registration.photos import MAX_BYTES
from registration.services import INVITED_ROLES, PUBLIC_ROLES

DETAIL_FIELDS = [
    "full_name",
    "title",
    "organization_name",
    "email",
    "phone",
    "country",
    "attendance",
    "role",
    "dietary_needs",
    "accessibility_needs",
    "arrival_date",
    "departure_date",
    "needs_visa_letter",
    "passport_name",
    "passport_number",
    "nationality",
    "date_of_birth",
]
PASSPORT_FIELDS = ["passport_name", "passport_number", "nationality", "date_of_birth"]


class DateInput(forms.DateInput):
    input_type = "date"


class DelegateForm(forms.ModelForm):
    """The registration form; roles offered depend on how the person came."""

    email = NormalEmailField(
        label=_("Email"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    photo_upload = forms.ImageField(
        label=_("Photo for your badge"),
        required=False,
        help_text=_("JPEG, PNG or WebP, up to %(mb)s MB. We crop it to 3:4.")
        % {"mb": MAX_BYTES // 1_048_576},
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )

    class Meta:
        model = Delegate
        fields = DETAIL_FIELDS
        widgets = {
            "full_name": forms.TextInput(attrs={"autocomplete": "name", "autofocus": True}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
            "country": forms.TextInput(attrs={"autocomplete": "country-name"}),
            "organization_name": forms.TextInput(attrs={"autocomplete": "organization"}),
            "title": forms.TextInput(attrs={"autocomplete": "organization-title"}),
            "attendance": forms.RadioSelect,
            "arrival_date": DateInput,
            "departure_date": DateInput,
            "date_of_birth": DateInput,
        }
        help_texts = {
            "full_name": _("As it should appear on your badge, in any script."),
            "dietary_needs": _("For example vegetarian, halal, no nuts."),
            "accessibility_needs": _("For example wheelchair access, sign language."),
            "passport_name": _("Only the secretariat sees the passport details."),
        }

    def __init__(self, *args: object, roles: set[str] | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        allowed = roles or set(DelegateRole.values)
        self.fields["role"].choices = [c for c in DelegateRole.choices if c[0] in allowed]
        self.fields["attendance"].choices = Attendance.choices
        self.fields["photo_upload"].widget.attrs["id"] = "photo"
        if self.instance.pk is None and not self.initial.get("role"):
            self.initial["role"] = self.fields["role"].choices[0][0]

    def clean(self) -> dict:
        data = super().clean()
        refuse_broken_lines(self, data)
        arrival, departure = data.get("arrival_date"), data.get("departure_date")
        if arrival and departure and departure < arrival:
            self.add_error("departure_date", _("Departure cannot be before arrival."))
        if data.get("needs_visa_letter"):
            for name in PASSPORT_FIELDS:
                if not data.get(name):
                    self.add_error(name, _("Needed for the visa letter."))
        return data


def invitation_form(*args: object, **kwargs: object) -> DelegateForm:
    return DelegateForm(*args, roles=INVITED_ROLES, **kwargs)


def public_form(*args: object, **kwargs: object) -> DelegateForm:
    return DelegateForm(*args, roles=PUBLIC_ROLES, **kwargs)


class PhotoForm(forms.Form):
    photo = forms.FileField(
        label=_("New photo"),
        help_text=_("JPEG, PNG or WebP, up to %(mb)s MB.") % {"mb": MAX_BYTES // 1_048_576},
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )


def choices_with_any(choices: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [("", _("Any")), *choices]


class RegistrationFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("State"), required=False, choices=choices_with_any(RegistrationState.choices)
    )
    role = forms.ChoiceField(
        label=_("Role"), required=False, choices=choices_with_any(DelegateRole.choices)
    )
    attendance = forms.ChoiceField(
        label=_("Attendance"), required=False, choices=choices_with_any(Attendance.choices)
    )
    region = forms.ChoiceField(
        label=_("Region"), required=False, choices=choices_with_any(Region.choices)
    )
    q = forms.CharField(label=_("Search"), required=False, max_length=100)


class InvitationForm(forms.Form):
    member = forms.ModelChoiceField(queryset=None, label=_("Member organization"))
    places = forms.IntegerField(label=_("Delegate places"), min_value=1, max_value=50, initial=2)
    expires_at = forms.DateTimeField(
        label=_("Expires"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    contact_email = forms.EmailField(label=_("Contact email"), required=False)
    auto_approve = forms.BooleanField(label=_("Approve its registrations at once"), required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        from assembly.models import MemberOrganization

        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = MemberOrganization.objects.order_by("name")


class AccreditForm(forms.Form):
    delegate = forms.IntegerField(widget=forms.HiddenInput)
    kind = forms.ChoiceField(
        choices=[("voting", _("Voting delegate")), ("alternate", _("Alternate"))]
    )
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("UTF-8 (with or without BOM), separated by commas or semicolons."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )


class WaitlistMoveForm(forms.Form):
    signup = forms.IntegerField(widget=forms.HiddenInput)
    position = forms.IntegerField(label=_("New position"), min_value=1)
    reason = forms.CharField(label=_("Reason"), max_length=300)


class SettingsForm(forms.Form):
    edit_cutoff = forms.DateTimeField(
        label=_("Delegates may edit until"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )


class InvitationPickForm(InvitationForm):
    """The invitation form with its member chosen from a short list, or typed: a name naming
    one member is that member; one naming several offers them (self.pick) to choose from."""

    member_name = forms.CharField(label=_("Member: name"), required=False, max_length=200)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].required = False
        text = str(self.data.get("member_name", "")).strip() if self.is_bound else ""
        options = None if text else short_list(self.fields["member"].queryset)
        self.pick = Pick(
            name="member",
            label=_("Member organization") if options is not None else _("Member: name"),
            options=options,
            kind="member",
            text=text,
        )

    def clean(self) -> dict:
        data = super().clean()
        if "member" in self.errors:
            self.pick.error = " ".join(self.errors["member"])
        elif data.get("member") is None and self.pick.options is not None:
            self.pick.error = str(_("Choose a member organization."))
            self.add_error("member", self.pick.error)
        elif data.get("member") is None:
            members = self.fields["member"].queryset
            data["member"] = self.pick.resolve(
                members_matching(members=members, text=self.pick.text)
            )
            if data["member"] is None:
                self.add_error("member_name", self.pick.error)
        return data
