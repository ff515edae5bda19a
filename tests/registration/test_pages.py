"""Back-office and delegate pages render for their role and do what their buttons say."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from registration.models import Invitation
from registration.tours import sign_up

pytestmark = pytest.mark.django_db


def test_secretariat_issues_and_revokes_an_invitation_from_the_page(
    secretariat_client, assembly, member
):
    url = reverse("registration:invitations", args=[assembly.slug])
    expires = (timezone.now() + timedelta(days=10)).strftime("%Y-%m-%dT%H:%M")
    response = secretariat_client.post(
        url, {"member": member.pk, "places": 3, "expires_at": expires}, follow=True
    )
    invitation = Invitation.objects.get()
    assert invitation.places == 3
    assert f"/a/{assembly.slug}/invitation/" in response.content.decode()
    revoke = reverse("registration:invitation-revoke", args=[assembly.slug, invitation.pk])
    body = secretariat_client.post(revoke, follow=True).content.decode()
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert "Revoked" in body


def test_invitation_with_past_expiry_is_refused_on_the_page(secretariat_client, assembly, member):
    url = reverse("registration:invitations", args=[assembly.slug])
    past = (timezone.now() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = secretariat_client.post(url, {"member": member.pk, "places": 2, "expires_at": past})
    assert "The expiry must be in the future." in response.content.decode()
    assert not Invitation.objects.exists()


def test_tour_overview_shows_fill_and_waiting(secretariat_client, assembly, tour, delegate):
    sign_up(tour=tour, delegate=delegate)
    body = secretariat_client.get(
        reverse("registration:tour-admin", args=[assembly.slug])
    ).content.decode()
    assert "City tour" in body
    assert "1/10" in body


def test_secretariat_dashboard_links_to_the_registration_back_office(secretariat_client, assembly):
    body = secretariat_client.get(reverse("secretariat-home", args=[assembly.slug])).content
    for name in ("queue", "invitations", "accreditation", "import", "tour-admin"):
        assert reverse(f"registration:{name}", args=[assembly.slug]).encode() in body


def test_my_assembly_lists_what_is_left_to_do_and_my_tours(delegate_client, assembly, tour):
    body = delegate_client.get(reverse("delegate-home", args=[assembly.slug])).content.decode()
    assert "Add a photo for your badge." in body
    assert "You have not signed up for any tour." in body


def test_submitted_delegate_sees_the_wait_and_cannot_sign_up(assembly, make_delegate, tour):
    from tests.conftest import client_for

    waiting = make_delegate(state="submitted")
    client = client_for(waiting.user)
    home = client.get(reverse("delegate-home", args=[assembly.slug])).content.decode()
    assert "awaits the secretariat" in home
    tours = client.get(reverse("registration:tours", args=[assembly.slug])).content.decode()
    assert "Only approved delegates attending in person can sign up" in tours
    assert 'action="/a/ga/tours/city-tour/signup/"' not in tours


def test_anonymous_visitors_are_sent_to_log_in_for_delegate_pages(client, assembly):
    for name in ("my-registration", "tours"):
        response = client.get(reverse(f"registration:{name}", args=[assembly.slug]))
        assert response.status_code == 302
        assert "/login/" in response["Location"]
