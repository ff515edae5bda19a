"""The phone ballot's two taps as a test client takes them: choose, then Confirm, both by POST."""

import re

from django.http import HttpResponse
from django.urls import reverse


def confirm_url(poll) -> str:
    return reverse("voting-confirm", args=[poll.assembly.slug, poll.pk])


def choose(client, poll, choices) -> HttpResponse:
    """The first tap: the choice sent from the ballot; answers the confirm page."""
    return client.post(confirm_url(poll), {"choice": choices})


def confirm_fields(html: str) -> dict[str, list[str]]:
    """What the confirm page's form sends: its token, the choice and the members shown."""
    form = re.search(r'<form[^>]*class="confirm-form".*?</form>', html, re.S).group(0)
    fields: dict[str, list[str]] = {}
    for name, value in re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form):
        fields.setdefault(name, []).append(value)
    return fields


def confirm(client, poll, choices, **options) -> HttpResponse:
    """Both taps: choose, then send the confirm page's form."""
    fields = confirm_fields(choose(client, poll, choices).content.decode())
    return client.post(confirm_url(poll), fields, **options)
