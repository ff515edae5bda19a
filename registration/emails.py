"""Emails to delegates: HTML and text from templates, queued in the transaction that causes
them (the database queue), or sent after it commits (another backend)."""

import logging
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.module_loading import import_string
from mailer.backend import DbBackend
from mailer.models import Message

from assembly.mail import queue_messages
from assembly.services import magic_link_url
from registration.models import Delegate, Invitation

logger = logging.getLogger(__name__)


def site_link(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


@dataclass(frozen=True)
class DelegateEmail:
    """templates/emails/registration/<template>.{txt,html} for one delegate."""

    delegate: Delegate
    template: str
    subject: str
    context: dict[str, Any] = field(default_factory=dict)


def render_email(email: DelegateEmail) -> EmailMultiAlternatives:
    delegate, assembly = email.delegate, email.delegate.assembly
    user = delegate.user
    # Staff with a password log in with it: an emailed link must not bypass that.
    delegate_login = user is not None and not user.has_usable_password()
    full = {
        "delegate": delegate,
        "assembly": assembly,
        "home_url": site_link(reverse("delegate-home", args=[assembly.slug])),
        **email.context,
        "login_link": magic_link_url(user=user, assembly=assembly) if delegate_login else "",
    }
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=render_to_string(f"emails/registration/{email.template}.txt", full),
        to=[delegate.email],
        reply_to=[assembly.contact_email] if assembly.contact_email else None,
    )
    message.attach_alternative(
        render_to_string(f"emails/registration/{email.template}.html", full), "text/html"
    )
    return message


def email_delegate(
    *, delegate: Delegate, template: str, subject: str, context: dict[str, Any] | None = None
) -> int | None:
    """Queue templates/emails/registration/<template>.{txt,html} in the caller's transaction
    (queue_emails); the queued message's id, or None when mail is not queued."""
    email = DelegateEmail(
        delegate=delegate, template=template, subject=subject, context=context or {}
    )
    return next(iter(queue_emails([email])), None)


def queue_emails(emails: list[DelegateEmail]) -> list[int]:
    """Emails for a change (an approval, a promotion, an import's part): queued in the caller's
    transaction when mail goes through the database queue, so they are kept or dropped with
    the change itself (a server killed, or a template that hangs, after the commit loses
    none); written when sent, so the transaction renders nothing. The queued messages' ids.
    With another backend (the tests' outbox), sent after the commit, and no ids."""
    if not emails:
        return []
    if not mail_is_queued():
        transaction.on_commit(lambda: send_each(emails), robust=True)
        return []
    # The queue's own rule: many handed over at once (an import's part) wait behind a message
    # sent on its own (an approval), and both behind a login link.
    stored = queue_messages([WrittenWhenSent(email) for email in emails])
    return [message.pk for message in stored]


def withdraw_email(message_id: int) -> bool:
    """Take a queued message back before the sender sends it, in the caller's transaction;
    False when it has gone already. On PostgreSQL the sender holds the row of the message it
    is sending: this then waits, and finds it gone."""
    deleted, _by_model = Message.objects.filter(pk=message_id).delete()
    return bool(deleted)


def mail_is_queued() -> bool:
    return issubclass(import_string(settings.EMAIL_BACKEND), DbBackend)


class WrittenWhenSent(EmailMultiAlternatives):
    """A delegate's email stored with its addressee and subject; its text is written from
    the templates when the sender sends it (it reads the delegate as they are then)."""

    def __init__(self, email: DelegateEmail) -> None:
        delegate = email.delegate
        contact = delegate.assembly.contact_email
        super().__init__(
            subject=str(email.subject), to=[delegate.email], reply_to=[contact] if contact else None
        )
        self.delegate_id = delegate.pk
        self.template = email.template
        self.context = dict(email.context)
        self.written = False

    def write(self) -> None:
        if self.written:
            return
        delegate = Delegate.objects.select_related("assembly", "user").get(pk=self.delegate_id)
        text = render_email(
            DelegateEmail(
                delegate=delegate,
                template=self.template,
                subject=self.subject,
                context=self.context,
            )
        )
        self.body, self.alternatives = text.body, text.alternatives
        self.written = True

    def message(self, *args: Any, **kwargs: Any) -> Any:
        self.write()
        return super().message(*args, **kwargs)


def queue_invitation_email(*, invitation: Invitation, url: str) -> None:
    """Email an invitation's link to its contact address, in the caller's transaction (the
    database queue) or after it commits (another backend). Written now: it is one message,
    and the link is the one the page shows."""
    assembly = invitation.assembly
    context = {
        "invitation": invitation,
        "assembly": assembly,
        "member": invitation.member,
        "url": url,
    }
    message = EmailMultiAlternatives(
        subject=render_to_string("emails/registration/invitation_subject.txt", context).strip(),
        body=render_to_string("emails/registration/invitation.txt", context),
        to=[invitation.contact_email],
        reply_to=[assembly.contact_email] if assembly.contact_email else None,
    )
    message.attach_alternative(
        render_to_string("emails/registration/invitation.html", context), "text/html"
    )
    if mail_is_queued():
        queue_messages([message])
    else:
        transaction.on_commit(lambda: get_connection().send_messages([message]), robust=True)


def send_each(emails: list[DelegateEmail]) -> list[DelegateEmail]:
    """Send each email over one connection; returns those that failed, each logged with its
    address and reason while the rest still go."""
    failed = []
    outbox = get_connection()
    for email in emails:
        try:
            outbox.send_messages([render_email(email)])
        except Exception:
            logger.exception("Email %r to %s was not sent", email.template, email.delegate.email)
            failed.append(email)
    log = logger.error if failed else logger.info
    log("Delegate emails: %s sent, %s not sent", len(emails) - len(failed), len(failed))
    return failed
