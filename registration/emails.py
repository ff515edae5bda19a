"""Emails to delegates: HTML and text from templates, sent only after the transaction commits."""

from typing import Any

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

from assembly.services import magic_link_url
from registration.models import Delegate


def site_link(path: str) -> str:
    from django.conf import settings

    return f"{settings.SITE_URL}{path}"


def email_delegate_on_commit(
    *, delegate: Delegate, template: str, subject: str, context: dict[str, Any] | None = None
) -> None:
    """Queue templates/emails/registration/<template>.{txt,html} for after the commit."""
    assembly = delegate.assembly
    base = {
        "delegate": delegate,
        "assembly": assembly,
        "home_url": site_link(reverse("delegate-home", args=[assembly.slug])),
        **(context or {}),
    }

    def send() -> None:
        user = delegate.user
        # Staff with a password log in with it: an emailed link must not bypass that.
        delegate_login = user is not None and not user.has_usable_password()
        login = magic_link_url(user=user, assembly=assembly) if delegate_login else ""
        full = {**base, "login_link": login}
        message = EmailMultiAlternatives(
            subject=subject,
            body=render_to_string(f"emails/registration/{template}.txt", full),
            to=[delegate.email],
            reply_to=[assembly.contact_email] if assembly.contact_email else None,
        )
        message.attach_alternative(
            render_to_string(f"emails/registration/{template}.html", full), "text/html"
        )
        message.send()

    transaction.on_commit(send, robust=True)
