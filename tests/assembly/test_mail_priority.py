"""A login link someone waits for at a screen goes before bulk mail already in the queue."""

import time

import pytest
from django.core import mail
from django.core.mail.backends import locmem
from mailer.models import PRIORITY_HIGH, PRIORITY_LOW, PRIORITY_MEDIUM, Message

from assembly import mail as outbox
from assembly.services import send_magic_link
from registration.imports import import_registrations
from registration.models import RegistrationState
from registration.services import change_state
from tests.factories import DelegateFactory

pytestmark = pytest.mark.django_db

BULK = 500


class SlowServer(locmem.EmailBackend):
    """A mail server that takes 10 ms a message."""

    def send_messages(self, messages):
        time.sleep(0.01)
        return super().send_messages(messages)


@pytest.fixture
def queued(settings):
    """Mail goes through the queue, as served; the queue delivers to the test outbox."""
    settings.EMAIL_BACKEND = "assembly.mail.QueueBackend"
    settings.MAILER_EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return settings


def import_people(assembly, count: int) -> None:
    """An import of count registrations: one email each, queued in the import's transaction."""
    rows = "".join(f"Person {n},person{n}@bulk.example,observer\n" for n in range(count))
    import_registrations(assembly=assembly, text="full_name,email,role\n" + rows, by=None)


def test_a_login_link_asked_for_after_500_bulk_messages_is_sent_first(queued, assembly):
    import_people(assembly, BULK)
    ana = DelegateFactory(assembly=assembly, email="ana@lima.example")

    assert send_magic_link(email="ana@lima.example")
    outbox.deliver_queued()

    first = mail.outbox[0]
    assert first.to == [ana.email]
    assert "login link" in first.subject.lower()
    assert Message.objects.count() == BULK + 1 - outbox.ROUND_SIZE


def test_bulk_mail_waits_behind_a_message_sent_on_its_own(
    queued, assembly, django_capture_on_commit_callbacks
):
    import_people(assembly, 30)
    lee = DelegateFactory(assembly=assembly, state=RegistrationState.SUBMITTED)
    with django_capture_on_commit_callbacks(execute=True):
        change_state(delegate=lee, to_state=RegistrationState.APPROVED, by=None)

    priorities = sorted(Message.objects.values_list("priority", flat=True))
    assert priorities == [PRIORITY_MEDIUM] + [PRIORITY_LOW] * 30
    outbox.deliver_queued()
    assert mail.outbox[0].to == [lee.email]


def test_a_login_link_waits_for_no_one(queued, assembly):
    DelegateFactory(assembly=assembly, email="ana@lima.example")
    send_magic_link(email="ana@lima.example")
    assert Message.objects.get().priority == PRIORITY_HIGH


@pytest.mark.django_db(transaction=True)
def test_the_running_sender_sends_a_login_link_before_the_rest_of_its_round(queued, assembly):
    queued.MAILER_EMAIL_BACKEND = f"{__name__}.SlowServer"
    import_people(assembly, BULK)
    ana = DelegateFactory(assembly=assembly, email="ana@lima.example")
    outbox.start_email_sender()
    try:
        while len(mail.outbox) < 10:  # its first round of bulk mail is under way
            time.sleep(0.01)
        send_magic_link(email="ana@lima.example")
        asked = time.monotonic()
        while not any(message.to == [ana.email] for message in mail.outbox):
            assert time.monotonic() - asked < 5, "the login link was not sent"
            time.sleep(0.01)
        waited = time.monotonic() - asked
        position = next(n for n, m in enumerate(mail.outbox) if m.to == [ana.email])
    finally:
        outbox.stop_email_sender()
    assert waited < 1  # the README's "within a second"
    assert position < outbox.ROUND_SIZE  # not after the round the sender was sending
