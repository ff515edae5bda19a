"""Registration emails are queued in the transaction that makes the change (found by a
tester: an approval committed and then a server killed, or a render that hung, lost its email),
and a promotion cancelled at the same moment is not announced."""

import pytest
from django.core import mail
from django.db import transaction
from mailer.models import Message

from assembly.mail import deliver_queued
from registration.models import RegistrationSource, SignupStatus, TourSignup
from registration.services import (
    DelegateDetails,
    change_state,
    issue_visa_letter,
    register_delegate,
)
from registration.tours import cancel_signup, sign_up
from tests.registration.factories import TourFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(settings):
    """Mail through the database queue, as served; the queue delivers to the test outbox."""
    settings.EMAIL_BACKEND = "assembly.mail.QueueBackend"
    settings.MAILER_EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def delivered() -> list[tuple[str, str]]:
    deliver_queued()
    return sorted((message.to[0], message.subject) for message in mail.outbox)


def test_an_approval_keeps_its_email_when_nothing_runs_after_the_commit(
    make_delegate, queued, django_capture_on_commit_callbacks
):
    kim = make_delegate(full_name="Kim Seo-yeon", email="kim@seoul.example", state="submitted")
    with django_capture_on_commit_callbacks(execute=False):  # the server dies at the commit
        change_state(delegate=kim, to_state="approved", by=None)
    assert Message.objects.count() == 1
    assert delivered() == [
        ("kim@seoul.example", "Your registration for Test General Assembly is approved")
    ]
    assert "Kim Seo-yeon" in mail.outbox[0].body  # written when sent, from the templates


def test_an_approval_rolled_back_queues_no_email(make_delegate, queued):
    kim = make_delegate(email="kim@seoul.example", state="submitted")
    with transaction.atomic():
        change_state(delegate=kim, to_state="approved", by=None)
        transaction.set_rollback(True)
    kim.refresh_from_db()
    assert kim.state == "submitted"
    assert not Message.objects.exists()


def test_a_registration_and_a_visa_letter_queue_their_emails_in_their_transactions(
    assembly, queued, django_capture_on_commit_callbacks
):
    details = DelegateDetails(
        full_name="Grace Namukasa",
        email="grace@kampala.example",
        role="observer",
        needs_visa_letter=True,
        passport_name="GRACE NAMUKASA",
        passport_number="B1234567",
        nationality="Uganda",
        date_of_birth=assembly.start_date.replace(year=1980),
    )
    with django_capture_on_commit_callbacks(execute=False):
        grace = register_delegate(
            assembly=assembly, details=details, source=RegistrationSource.PUBLIC, approve=True
        )
        issue_visa_letter(delegate=grace, by=None)
    assert [subject for _to, subject in delivered()] == [
        "Your registration for Test General Assembly is approved",
        "Your visa invitation letter for Test General Assembly is ready",
    ]


def test_with_a_mail_backend_outside_the_database_the_email_goes_after_the_commit(
    make_delegate, django_capture_on_commit_callbacks
):
    kim = make_delegate(email="kim@seoul.example", state="submitted")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        change_state(delegate=kim, to_state="approved", by=None)
    assert mail.outbox == []
    for callback in callbacks:
        callback()
    assert [message.to for message in mail.outbox] == [["kim@seoul.example"]]


# Found by a tester: a delegate who left the waiting list at the moment a place freed up was
# told "A place is yours", and their cancel then gave the place up.


@pytest.fixture
def full_tour(assembly, make_delegate):
    """One place, held by Ana; Kim first in line, Lee second."""
    tour = TourFactory(assembly=assembly, code="palace", title="Palace walk", capacity=1)
    ana, kim, lee = (
        make_delegate(full_name=name, email=f"{name.lower()}@x.example")
        for name in ("Ana", "Kim", "Lee")
    )
    for person in (ana, kim, lee):
        sign_up(tour=tour, delegate=person)
    return tour, ana, kim, lee


def test_a_promotion_cancelled_before_its_email_went_is_never_announced(full_tour, queued):
    tour, ana, kim, lee = full_tour
    cancel_signup(tour=tour, delegate=ana)  # Kim is promoted; her email waits in the queue
    cancel_signup(tour=tour, delegate=kim)  # her cancel, sent as she saw the waiting list
    assert delivered() == [("lee@x.example", "A place on “Palace walk” is yours")]
    assert TourSignup.objects.get(delegate=lee).status == SignupStatus.CONFIRMED
    tour.refresh_from_db()
    assert (tour.taken, tour.waiting) == (1, 0)


def test_a_promotion_email_already_sent_is_not_taken_back(full_tour, queued):
    tour, ana, kim, _lee = full_tour
    cancel_signup(tour=tour, delegate=ana)
    assert delivered() == [("kim@x.example", "A place on “Palace walk” is yours")]
    cancel_signup(tour=tour, delegate=kim)  # a later change of mind, not a race
    assert delivered()[-1] == ("lee@x.example", "A place on “Palace walk” is yours")
