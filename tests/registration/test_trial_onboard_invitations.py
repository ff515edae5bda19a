"""An invitation says what happened: approved at once when it approves, and its link is
emailed to the contact address it names."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from registration.models import Delegate
from registration.services import invitation_token
from tests.registration.test_invitations import details

pytestmark = pytest.mark.django_db


def register_in_browser(client, assembly, invitation, **overrides):
    """As a phone does it: open the form (its CSRF cookie marks the browser), then send it."""
    url = reverse("registration:invitation", args=[assembly.slug, invitation_token(invitation)])
    client.get(url)
    return client.post(url, details(**overrides), follow=True).content.decode()


def test_an_approving_invitation_says_the_registration_is_approved_and_who_accredits(
    client, assembly, invitation, django_capture_on_commit_callbacks
):
    invitation.auto_approve = True
    invitation.save()
    with django_capture_on_commit_callbacks(execute=True):
        page = register_in_browser(client, assembly, invitation)
    assert Delegate.objects.get().state == "approved"
    assert "Registration approved" in page
    assert "The secretariat reviews your registration" not in page
    assert "the secretariat accredits one voting delegate (and alternates) for Seoul" in page
    (approved,) = [m for m in mail.outbox if "approved" in m.subject.lower()]
    assert "the secretariat accredits one voting delegate" in approved.body


def test_an_invitation_that_waits_for_approval_still_says_the_secretariat_reviews(
    client, assembly, invitation
):
    page = register_in_browser(client, assembly, invitation)
    assert Delegate.objects.get().state == "submitted"
    assert "The secretariat reviews your registration" in page
    assert "Registration approved" not in page


def test_the_page_shows_no_state_to_someone_typing_an_address_into_the_query(
    client, assembly, invitation
):
    invitation.auto_approve = True
    invitation.save()
    register_in_browser(client, assembly, invitation)
    stranger = client.__class__()
    url = reverse("registration:registered", args=[assembly.slug])
    page = stranger.get(url, {"email": "kim@seoul.example"}).content.decode()
    assert "Registration approved" not in page


def issue(client, assembly, member, **extra):
    url = reverse("registration:invitations", args=[assembly.slug])
    data = {"member": member.pk, "places": 2, "expires_at": "2099-01-01T12:00", **extra}
    return client.post(url, data, follow=True).content.decode()


def test_an_invitation_with_a_contact_email_is_emailed_and_the_page_says_so(
    secretariat_client, assembly, member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        page = issue(secretariat_client, assembly, member, contact_email="sec@rowing.example")
    (sent,) = mail.outbox
    assert sent.to == ["sec@rowing.example"]
    assert "Invitation to register" in sent.subject
    link = sent.body.split("http://testserver", 1)[1].split()[0]
    assert "Register for Seoul" in Client().get(link).content.decode()
    assert "emailed to sec@rowing.example" in page


def test_an_invitation_without_any_contact_email_says_it_was_not_emailed(
    secretariat_client, assembly, member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        page = issue(secretariat_client, assembly, member)
    assert mail.outbox == []
    assert "not emailed: no contact email" in page
