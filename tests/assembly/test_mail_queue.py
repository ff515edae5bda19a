"""Email waits in the database until it is delivered: a mail server that is down, or a server
that stops, loses no message."""

import smtplib
import threading
import time

import pytest
from django.core import mail
from django.core.mail import send_mail
from django.core.mail.backends import locmem
from mailer.models import RESULT_FAILURE, RESULT_SUCCESS, Message, MessageLog

from assembly import mail as outbox
from assembly.asgi import application
from registration.models import RegistrationState
from registration.services import change_state
from tests.factories import DelegateFactory

pytestmark = pytest.mark.django_db


class MailServerDown(locmem.EmailBackend):
    """Refuses every connection while `down` is set."""

    down = threading.Event()

    def send_messages(self, messages):
        if self.down.is_set():
            raise ConnectionRefusedError(111, "Connection refused")
        return super().send_messages(messages)


class RefusesBounce(locmem.EmailBackend):
    def send_messages(self, messages):
        if any("bounce@" in to for message in messages for to in message.to):
            raise smtplib.SMTPRecipientsRefused({"bounce@x.example": (550, b"No such user")})
        return super().send_messages(messages)


class ChokesOnPoison(locmem.EmailBackend):
    def send_messages(self, messages):
        if any("poison@" in to for message in messages for to in message.to):
            raise ValueError("a header the server cannot take")
        return super().send_messages(messages)


class SlowServer(locmem.EmailBackend):
    def send_messages(self, messages):
        time.sleep(0.05)
        return super().send_messages(messages)


@pytest.fixture
def queued(settings):
    """Mail goes through the queue, as served; the queue delivers to the test outbox."""
    settings.EMAIL_BACKEND = "assembly.mail.QueueBackend"
    settings.MAILER_EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return settings


def note(to: str) -> None:
    send_mail("Your programme", "See you in the plenary hall.", None, [to])


def test_an_approval_email_waits_in_the_queue_until_it_is_delivered(
    queued, django_capture_on_commit_callbacks
):
    delegate = DelegateFactory(state=RegistrationState.SUBMITTED, email="ana@lima.example")
    with django_capture_on_commit_callbacks(execute=True):
        change_state(delegate=delegate, to_state=RegistrationState.APPROVED, by=None)
    assert mail.outbox == []
    assert Message.objects.count() == 1

    assert outbox.deliver_queued() == 1

    [sent] = mail.outbox
    assert sent.to == ["ana@lima.example"]
    assert "approved" in sent.subject.lower()
    assert not Message.objects.exists()
    [logged] = MessageLog.objects.all()
    assert (logged.result, logged.log_message) == (RESULT_SUCCESS, "to ana@lima.example")
    assert logged.message_data is None  # a login link in it is not kept


def test_a_mail_server_that_is_down_loses_nothing_and_is_tried_again(queued, caplog):
    queued.MAILER_EMAIL_BACKEND = f"{__name__}.MailServerDown"
    MailServerDown.down.set()
    try:
        for n in range(3):
            note(f"person{n}@x.example")
        outbox.deliver_queued()
    finally:
        MailServerDown.down.clear()

    assert mail.outbox == []
    assert Message.objects.deferred().count() == 3
    failures = MessageLog.objects.filter(result=RESULT_FAILURE)
    assert sorted(f.log_message.split(":")[0] for f in failures) == [
        f"to person{n}@x.example" for n in range(3)
    ]
    assert "Connection refused" in failures[0].log_message
    assert "person0@x.example was not sent; it is kept to try again" in caplog.text

    Message.objects.retry_deferred()  # what the sender does every RETRY_SECONDS
    outbox.deliver_queued()

    assert sorted(m.to[0] for m in mail.outbox) == [f"person{n}@x.example" for n in range(3)]
    assert not Message.objects.exists()


def test_a_refused_address_does_not_hold_back_the_others(queued):
    queued.MAILER_EMAIL_BACKEND = f"{__name__}.RefusesBounce"
    for to in ("first@x.example", "bounce@x.example", "last@x.example"):
        note(to)

    outbox.deliver_queued()

    assert [m.to[0] for m in mail.outbox] == ["first@x.example", "last@x.example"]
    [kept] = Message.objects.all()
    assert kept.to_addresses == ["bounce@x.example"]
    assert kept.priority == Message.objects.deferred().get().priority


def test_a_message_that_breaks_the_sender_is_deferred_in_the_commands_sending_too(queued):
    # runmailer and the admin's action use django-mailer's loop, whose default re-raises
    # anything but an SMTP error: one such message stopped every message queued after it.
    from mailer.engine import send_all

    queued.MAILER_EMAIL_BACKEND = f"{__name__}.ChokesOnPoison"
    for to in ("poison@x.example", "next@x.example"):
        note(to)

    send_all()

    assert [m.to[0] for m in mail.outbox] == ["next@x.example"]
    assert Message.objects.deferred().get().to_addresses == ["poison@x.example"]


def test_retries_end_at_the_limit_and_the_message_stays_for_the_secretariat(queued):
    queued.MAILER_EMAIL_BACKEND = f"{__name__}.RefusesBounce"
    queued.MAILER_EMAIL_MAX_RETRIES = 2
    note("bounce@x.example")
    tries = 0
    while True:
        outbox.deliver_queued()
        tries += 1
        if not Message.objects.retry_deferred():
            break
    assert tries == 3  # the first try and two more
    assert Message.objects.deferred().count() == 1
    assert MessageLog.objects.filter(result=RESULT_FAILURE).count() == 3


@pytest.mark.django_db(transaction=True)
def test_the_running_sender_delivers_a_message_as_soon_as_it_is_committed(queued):
    outbox.start_email_sender()
    try:
        time.sleep(0.2)  # its first round finds the queue empty and sleeps
        started = time.monotonic()
        note("ana@lima.example")
        while not mail.outbox and time.monotonic() - started < 5:
            time.sleep(0.02)
        waited = time.monotonic() - started
    finally:
        outbox.stop_email_sender()
    assert [m.to[0] for m in mail.outbox] == ["ana@lima.example"]
    assert waited < outbox.IDLE_SECONDS / 2  # woken by the commit, not found by its next round
    assert not Message.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_stopping_server_keeps_what_it_has_not_sent(queued):
    queued.MAILER_EMAIL_BACKEND = f"{__name__}.SlowServer"
    for n in range(30):
        note(f"person{n}@x.example")
    outbox.start_email_sender()
    time.sleep(0.3)
    outbox.stop_email_sender()

    sent = {m.to[0] for m in mail.outbox}
    kept = {to for message in Message.objects.all() for to in message.to_addresses}
    assert 0 < len(sent) < 30
    assert sent.isdisjoint(kept)
    assert sent | kept == {f"person{n}@x.example" for n in range(30)}


def test_the_server_runs_the_sender_while_it_serves():
    assert outbox.start_email_sender in application.startup
    assert outbox.stop_email_sender in application.shutdown
