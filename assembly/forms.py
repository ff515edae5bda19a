"""Forms of the core pages: login-link requests and API tokens."""

from django import forms
from django.utils.translation import gettext_lazy as _


class MagicLinkRequestForm(forms.Form):
    email = forms.EmailField(
        label=_("Your email address"),
        help_text=_("The address you registered with. We email you a login link."),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name of the device or script"),
        max_length=100,
        help_text=_("For example “Desk 3 laptop”."),
    )
