"""Outgoing email waits in the database until a server's sender has delivered it: a mail server
that is down, or an app server that stops, loses no message."""

# EMAIL_BACKEND is QueueBackend: Django's mail functions store each message (django-mailer's
# Message) and wake this process's sender once the transaction commits. The sender delivers
# through MAILER_EMAIL_BACKEND (SMTP in production). On SQLite it sends outside any transaction,
# so a slow mail server never holds the database's write lock; on PostgreSQL each message is
# taken under a row lock that other processes skip, so two servers never send one message. A
# message that fails is logged (the log and the admin's message log), deferred, and tried again
# every RETRY_SECONDS, at most MAILER_EMAIL_MAX_RETRIES times; what is left shows in the admin.
#
# Messages go by django-mailer's priorities, then oldest first: high for a message someone waits
# for at a screen (a login link: urgent_connection()), medium for one sent on its own (a
# registration's state), low for many handed over at once (an import's, an agenda change's). A
# login link asked for after a 20,000-row import had waited behind all of it (139 s on SQLite,
# 770 s on PostgreSQL); a round of bulk mail now stops for it when it is committed.

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Sequence

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection, transaction
from django.db.models import QuerySet
from mailer.backend import DbBackend
from mailer.engine import ensure_message_id
from mailer.models import (
    PRIORITY_HIGH,
    PRIORITY_LOW,
    PRIORITY_MEDIUM,
    RESULT_FAILURE,
    RESULT_SUCCESS,
    Message,
    MessageLog,
)

from assembly.background import RoundThread

logger = logging.getLogger(__name__)
IDLE_SECONDS = 10.0  # how soon a message queued by another process (or a command) goes
RETRY_SECONDS = 300.0
ROUND_SIZE = 100


class QueueBackend(DbBackend):
    """Stores the messages; this process's sender delivers them once the transaction commits.

    At `priority` when the connection was made with one (urgent_connection), else medium for
    a message handed over on its own and low for many at once (bulk).
    """

    def __init__(self, *, priority: int | None = None, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.priority = priority

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        return len(queue_messages(list(email_messages), priority=self.priority))


def queue_messages(emails: list[EmailMessage], *, priority: int | None = None) -> list[Message]:
    """Store the messages in the caller's transaction; the sender is woken once it commits.

    At `priority` when given, else medium for a message handed over on its own and low for
    many at once (bulk).
    """
    priority = priority or (PRIORITY_LOW if len(emails) > 1 else PRIORITY_MEDIUM)
    for email in emails:
        ensure_message_id(email)  # kept with the message: its log lines follow its tries
    queued = Message.objects.bulk_create(
        [Message(email=email, priority=priority) for email in emails],
        getattr(settings, "MAILER_MESSAGES_BATCH_SIZE", None),
    )
    transaction.on_commit(_sender.wake)
    return queued


def urgent_connection() -> BaseEmailBackend:
    """A connection for a message someone waits for at a screen (a login link): the queue
    sends it before anything else. Other backends (the tests' outbox) ignore the priority."""
    return get_connection(priority=PRIORITY_HIGH)


def sender_rounds() -> Callable[[threading.Event], float]:
    """The sender's round: put the deferred back when due (at once at a server's start, then
    every RETRY_SECONDS), send a round; the seconds until the next round."""
    retried_at = float("-inf")

    def sender_round(stop: threading.Event) -> float:
        nonlocal retried_at
        if time.monotonic() - retried_at >= RETRY_SECONDS:
            retried_at = time.monotonic()
            Message.objects.retry_deferred()
        taken = deliver_queued(stop=stop, woken=_sender.woken)
        return 0.0 if taken == ROUND_SIZE else IDLE_SECONDS  # a full round: more may wait

    return sender_round


_sender = RoundThread("email-sender", sender_rounds(), retry=IDLE_SECONDS)
start_email_sender = _sender.start


def stop_email_sender() -> None:
    """The message being sent goes; the others stay queued for the next start."""
    _sender.stop(timeout=10.0)


def send_again_now(messages: QuerySet[Message]) -> int:
    """The secretariat's "send again now": the deferred ones back in the queue, the sender
    woken; how many. The sending itself stays the sender's, outside the request."""
    count = messages.update(priority=PRIORITY_MEDIUM)
    transaction.on_commit(_sender.wake)
    return count


def deliver_queued(
    stop: threading.Event | None = None, woken: Callable[[], bool] | None = None
) -> int:
    """Send up to ROUND_SIZE queued messages, the most urgent first, then the oldest, over one
    connection; how many were taken (sent or deferred).

    When woken() says new mail was committed meanwhile, the round ends before its next message
    that is not high priority, so that a login link goes next rather than after the round.
    """
    queued = list(
        Message.objects.non_deferred()
        .order_by("priority", "when_added", "pk")
        .values_list("pk", "priority")[:ROUND_SIZE]
    )
    smtp = get_connection(settings.MAILER_EMAIL_BACKEND)
    sent: list[tuple[Message, str]] = []  # on SQLite, forgotten FORGET_AT_ONCE to a write
    taken = 0
    try:
        for pk, priority in queued:
            if stop is not None and stop.is_set():
                break
            if taken and priority != PRIORITY_HIGH and woken is not None and woken():
                break
            if not deliver_one(pk, smtp, sent):
                close_quietly(smtp)  # a refused message may have broken the connection
            taken += 1
            if len(sent) >= FORGET_AT_ONCE:
                forget_sent(sent)
    finally:
        close_quietly(smtp)
        forget_sent(sent)
    return taken


FORGET_AT_ONCE = 20


def deliver_one(pk: int, smtp: BaseEmailBackend, sent: list[tuple[Message, str]]) -> bool:
    """Send one queued message; False when it failed (it is then deferred).

    On PostgreSQL it is forgotten in the transaction that holds its row; on SQLite it joins
    `sent`, forgotten with others in one short write (a write per message kept the desks
    waiting for the lock). A server killed in between sends it again: at least once.
    """
    if connection.vendor == "postgresql":
        with transaction.atomic():
            message = Message.objects.select_for_update(skip_locked=True).filter(pk=pk).first()
            if message is None:
                return True
            to = send_or_defer(message, smtp)
            if to is not None:
                forget_sent([(message, to)])
            return to is not None
    message = Message.objects.filter(pk=pk).first()
    if message is None:
        return True
    to = send_or_defer(message, smtp)
    if to is not None:
        sent.append((message, to))
    return to is not None


def send_or_defer(message: Message, smtp: BaseEmailBackend) -> str | None:
    """Hand the message to the mail server: the addresses it went to, or None when it
    failed (it is then deferred and logged)."""
    email = message.email
    if email is None:  # kept, in sight in the admin, rather than dropped
        defer_failed(message, ValueError("the stored message cannot be read"))
        return None
    try:
        smtp.open()  # nothing to do while the connection is open
        smtp.send_messages([email])
    except Exception as exc:
        defer_failed(message, exc)
        return None
    return ", ".join(email.to)


def forget_sent(sent: list[tuple[Message, str]]) -> None:
    """Log the sent messages and take them off the queue, in one write; empties `sent`."""
    if not sent:
        return
    with transaction.atomic():
        for message, to in sent:
            MessageLog.objects.log(message, RESULT_SUCCESS, log_message=f"to {to}")
        Message.objects.filter(pk__in=[message.pk for message, _to in sent]).delete()
    sent.clear()


def defer_failed(message: Message, exc: Exception) -> None:
    """Log the failure with the address and keep the message to try again."""
    email = message.email
    to = ", ".join(email.to) if email is not None else "?"
    subject = email.subject if email is not None else "?"
    logger.error("Email %r to %s was not sent; it is kept to try again", subject, to, exc_info=exc)
    failure = f"to {to}: {type(exc).__name__}: {exc}"
    MessageLog.objects.log(message, RESULT_FAILURE, log_message=failure)
    message.defer()


def mailer_error_handler(
    connection: BaseEmailBackend | None, message: Message, exc: Exception
) -> tuple[None, str]:
    """django-mailer's own sending (`runmailer`, `send_mail`) defers any failure too:
    its default re-raises all but SMTP errors, and one bad message then stops the queue."""
    defer_failed(message, exc)
    return None, "deferred"


def close_quietly(smtp: BaseEmailBackend) -> None:
    with contextlib.suppress(Exception):  # a broken connection may refuse even to say goodbye
        smtp.close()
