"""Emails to delegates: HTML and text from templates, queued only after the transaction commits."""

import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.urls import reverse

from assembly.services import magic_link_url
from registration.models import Delegate

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


def email_delegate_on_commit(
    *, delegate: Delegate, template: str, subject: str, context: dict[str, Any] | None = None
) -> None:
    """Queue templates/emails/registration/<template>.{txt,html} for after the commit."""
    send_on_commit(
        DelegateEmail(delegate=delegate, template=template, subject=subject, context=context or {})
    )


def send_on_commit(email: DelegateEmail) -> None:
    transaction.on_commit(lambda: render_email(email).send(), robust=True)


def email_delegates_on_commit(emails: list[DelegateEmail]) -> None:
    """After the commit, write and queue many emails, in a background thread unless
    EMAIL_BATCH_IN_BACKGROUND is off: a 10,000-row import must not wait for them."""
    if not emails:
        return
    if settings.EMAIL_BATCH_IN_BACKGROUND:
        transaction.on_commit(lambda: start_sending(emails), robust=True)
    else:
        transaction.on_commit(lambda: send_batch(emails), robust=True)


# The batches still being written in this process, and the signal a stopping server gives them:
# a daemon thread dies with the process, and the emails it had not queued would go unsaid.
_batches: set[threading.Thread] = set()
_batches_lock = threading.Lock()
_stopping = threading.Event()
SHUTDOWN_SECONDS = 20.0


def start_sending(emails: list[DelegateEmail]) -> None:
    thread = threading.Thread(
        target=send_batch_in_thread, args=(emails,), name="delegate-emails", daemon=True
    )
    with _batches_lock:
        _batches.add(thread)
    thread.start()


def send_batch_in_thread(emails: list[DelegateEmail]) -> None:
    try:
        send_batch(emails, stop=_stopping)
    finally:
        connection.close()  # a template may have read the database in this thread
        with _batches_lock:
            _batches.discard(threading.current_thread())


def finish_email_batches(timeout: float = SHUTDOWN_SECONDS) -> None:
    """The server stops (ASGI lifespan): let the batches being queued finish for up to
    `timeout` seconds, then stop them; each email not queued is logged with its address."""
    deadline = time.monotonic() + timeout
    with _batches_lock:
        running = list(_batches)
    for thread in running:
        thread.join(max(0.0, deadline - time.monotonic()))
    _stopping.set()
    try:
        for thread in running:
            thread.join(5.0)  # the chunk being queued, then the log lines
    finally:
        _stopping.clear()


QUEUE_CHUNK = 100


def send_batch(
    emails: list[DelegateEmail], stop: threading.Event | None = None
) -> list[DelegateEmail]:
    """Write each email and hand them to the mail queue, a chunk at a time; returns those that
    failed.

    A failure is logged with its address and the reason, and the rest still go. Once `stop`
    is set (the server is stopping) the rest are logged as not queued.
    """
    logger.info("Queueing %s delegate emails", len(emails))
    failed: list[DelegateEmail] = []
    outbox = get_connection()
    for start in range(0, len(emails), QUEUE_CHUNK):
        chunk = emails[start : start + QUEUE_CHUNK]
        if stop is not None and stop.is_set():
            for email in chunk:
                logger.error(
                    "Email %r to %s was not queued: the server stopped",
                    email.template,
                    email.delegate.email,
                )
            failed.extend(chunk)
            continue
        failed.extend(queue_chunk(outbox, chunk))
    log = logger.error if failed else logger.info
    log("Delegate emails: %s queued, %s not queued", len(emails) - len(failed), len(failed))
    return failed


def queue_chunk(outbox: BaseEmailBackend, chunk: list[DelegateEmail]) -> list[DelegateEmail]:
    """Queue the chunk in one write; if that fails, each email alone, to name the one at fault."""
    written, failed = [], []
    for email in chunk:
        try:
            written.append((email, render_email(email)))
        except Exception:
            logger.exception("Email %r to %s was not queued", email.template, email.delegate.email)
            failed.append(email)
    try:
        outbox.send_messages([message for _, message in written])
    except Exception:  # all or nothing: find the one at fault
        failed.extend(queue_one_by_one(outbox, written))
    return failed


def queue_one_by_one(
    outbox: BaseEmailBackend, written: list[tuple[DelegateEmail, EmailMultiAlternatives]]
) -> list[DelegateEmail]:
    failed = []
    for email, message in written:
        try:
            outbox.send_messages([message])
        except Exception:
            logger.exception("Email %r to %s was not queued", email.template, email.delegate.email)
            failed.append(email)
    return failed
