"""Invitations: signed links with places and an expiry; registering through them."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from registration.errors import (
    AlreadyRegistered,
    InvitationExpired,
    InvitationInvalid,
    InvitationRevoked,
    PlacesExhausted,
)
from registration.models import Delegate, RegistrationEvent, RegistrationSource
from registration.services import (
    DelegateDetails,
    invitation_from_token,
    invitation_token,
    invitation_url,
    issue_invitation,
    register_delegate,
    revoke_invitation,
)
from tests.registration.conftest import image_bytes, upload

pytestmark = pytest.mark.django_db


def details(**overrides):
    data = {
        "full_name": "김서연 Kim Seo-yeon",
        "email": "kim@seoul.example",
        "role": "voting_delegate",
        "attendance": "in_person",
        "country": "Korea",
    }
    data.update(overrides)
    return data


def register(client, assembly, invitation, **overrides):
    url = reverse("registration:invitation", args=[assembly.slug, invitation_token(invitation)])
    return client.post(url, details(**overrides))


def test_issued_invitation_link_opens_the_form_and_says_how_many_places_remain(
    client, assembly, member, secretariat_user
):
    invitation = issue_invitation(
        assembly=assembly,
        member=member,
        places=3,
        expires_at=timezone.now() + timedelta(days=7),
        by=secretariat_user,
    )
    url = invitation_url(invitation)
    response = client.get(url.replace("http://testserver", ""))
    assert response.status_code == 200
    assert "3 delegate places left" in response.content.decode()
    assert "Register for Seoul" in response.content.decode()


def test_registering_through_an_invitation_creates_a_submitted_registration_and_emails(
    client, assembly, invitation, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = register(client, assembly, invitation)
    assert response.status_code == 302
    delegate = Delegate.objects.get(email="kim@seoul.example")
    assert delegate.state == "submitted"
    assert delegate.member == invitation.member
    assert delegate.source == RegistrationSource.INVITATION
    assert not delegate.user.has_usable_password()
    invitation.refresh_from_db()
    assert invitation.places_used == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["kim@seoul.example"]
    assert "We received your registration" in message.subject
    assert message.alternatives[0][1] == "text/html"
    assert "/login/link/?token=" in message.body
    assert RegistrationEvent.objects.filter(delegate=delegate, to_state="submitted").count() == 1


def test_email_is_sent_only_after_commit(assembly, invitation, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        register_delegate(
            assembly=assembly,
            details=DelegateDetails.from_data(details()),
            source=RegistrationSource.INVITATION,
            invitation=invitation,
        )
    assert mail.outbox == []
    assert len(callbacks) == 1


def test_form_shows_remaining_places_after_one_is_used(client, assembly, invitation):
    register(client, assembly, invitation)
    url = reverse("registration:invitation", args=[assembly.slug, invitation_token(invitation)])
    assert "1 delegate place left" in client.get(url).content.decode()


def test_invitation_refuses_registrations_beyond_its_places(assembly, invitation):
    for n in range(2):
        register_delegate(
            assembly=assembly,
            details=DelegateDetails.from_data(details(email=f"d{n}@x.example")),
            source=RegistrationSource.INVITATION,
            invitation=invitation,
        )
    with pytest.raises(PlacesExhausted) as exc:
        register_delegate(
            assembly=assembly,
            details=DelegateDetails.from_data(details(email="third@x.example")),
            source=RegistrationSource.INVITATION,
            invitation=invitation,
        )
    assert exc.value.code == "places_exhausted"
    assert Delegate.objects.count() == 2


def test_page_says_places_are_exhausted_and_hides_the_form(client, assembly, invitation):
    invitation.places_used = invitation.places
    invitation.save()
    url = reverse("registration:invitation", args=[assembly.slug, invitation_token(invitation)])
    body = client.get(url).content.decode()
    assert "Every delegate place of this invitation is taken." in body
    assert 'type="submit"' not in body.split("<main")[1]


def test_tampered_invitation_link_is_refused_and_nothing_written(client, assembly, invitation):
    token = invitation_token(invitation)[:-2] + "xx"
    url = reverse("registration:invitation", args=[assembly.slug, token])
    response = client.post(url, details())
    assert response.status_code == 404
    assert "not valid" in response.content.decode()
    assert Delegate.objects.count() == 0


def test_invitation_of_another_assembly_is_refused(assembly, other_assembly, invitation):
    with pytest.raises(InvitationInvalid):
        invitation_from_token(assembly=other_assembly, token=invitation_token(invitation))


def test_expired_invitation_is_refused_with_its_reason(client, assembly, invitation):
    invitation.expires_at = timezone.now() - timedelta(minutes=1)
    invitation.save()
    with pytest.raises(InvitationExpired):
        invitation_from_token(assembly=assembly, token=invitation_token(invitation))
    response = register(client, assembly, invitation)
    assert response.status_code == 410
    assert "expired" in response.content.decode()
    assert Delegate.objects.count() == 0


def test_revoked_invitation_stops_working_at_once(client, assembly, invitation):
    revoke_invitation(invitation=invitation, by=None)
    with pytest.raises(InvitationRevoked) as exc:
        invitation_from_token(assembly=assembly, token=invitation_token(invitation))
    assert exc.value.code == "invitation_revoked"
    assert register(client, assembly, invitation).status_code == 410


def test_same_email_cannot_register_twice(assembly, invitation):
    register_delegate(
        assembly=assembly,
        details=DelegateDetails.from_data(details()),
        source=RegistrationSource.INVITATION,
        invitation=invitation,
    )
    with pytest.raises(AlreadyRegistered):
        register_delegate(
            assembly=assembly,
            details=DelegateDetails.from_data(details(email="KIM@seoul.example")),
            source=RegistrationSource.INVITATION,
            invitation=invitation,
        )
    invitation.refresh_from_db()
    assert invitation.places_used == 1  # the refused attempt gave its place back


def test_form_shows_field_errors_and_writes_nothing(client, assembly, invitation):
    response = register(
        client,
        assembly,
        invitation,
        full_name="",
        email="not-an-email",
        needs_visa_letter="on",
        arrival_date="2030-05-05",
        departure_date="2030-05-01",
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert set(form.errors) >= {
        "full_name",
        "email",
        "departure_date",
        "passport_number",
        "nationality",
    }
    assert Delegate.objects.count() == 0
    invitation.refresh_from_db()
    assert invitation.places_used == 0


def test_registration_with_photo_keeps_the_processed_photo(client, assembly, invitation):
    url = reverse("registration:invitation", args=[assembly.slug, invitation_token(invitation)])
    data = details()
    data["photo_upload"] = upload(image_bytes((1200, 900)))
    assert client.post(url, data).status_code == 302
    delegate = Delegate.objects.get()
    assert delegate.photo.name.endswith(".jpg")
    assert (delegate.photo.width, delegate.photo.height) == (600, 800)


def test_fake_photo_on_the_form_is_refused_with_reason_and_nothing_written(
    client, assembly, invitation
):
    url = reverse("registration:invitation", args=[assembly.slug, invitation_token(invitation)])
    data = details()
    data["photo_upload"] = upload(b"<?php echo 'hi'; ?>" * 20, name="me.jpg")
    response = client.post(url, data)
    assert response.status_code == 400
    assert response.context["form"].errors["photo_upload"]
    assert Delegate.objects.count() == 0


def test_public_form_registers_observers_for_approval_only(client, assembly):
    url = reverse("registration:public-register", args=[assembly.slug])
    form = client.get(url).context["form"]
    assert {value for value, _label in form.fields["role"].choices} == {
        "observer",
        "guest",
        "press",
    }
    response = client.post(url, details(role="voting_delegate"))
    assert response.status_code == 400
    assert Delegate.objects.count() == 0
    response = client.post(url, details(role="observer", full_name="Ольга Смирнова"))
    assert response.status_code == 302
    delegate = Delegate.objects.get()
    assert (delegate.state, delegate.member, delegate.full_name) == (
        "submitted",
        None,
        "Ольга Смирнова",
    )


def test_auto_approving_invitation_approves_at_once(assembly, invitation):
    invitation.auto_approve = True
    invitation.save()
    delegate = register_delegate(
        assembly=assembly,
        details=DelegateDetails.from_data(details()),
        source=RegistrationSource.INVITATION,
        invitation=invitation,
    )
    assert delegate.state == "approved"
    assert [e.to_state for e in delegate.events.all()] == ["submitted", "approved"]


def test_a_name_broken_over_lines_is_refused_and_a_persian_name_with_zwnj_is_kept(
    client, assembly, invitation
):
    response = register(client, assembly, invitation, full_name="Kim\u2028Seo-yeon")
    assert response.status_code == 400
    assert "Remove the line breaks, tabs and control characters." in response.content.decode()
    assert not Delegate.objects.exists()
    # ZWNJ (U+200C) is part of how Persian writes this name: it stays.
    persian = "مهدی\u200cزاده"  # noqa: RUF001
    response = register(client, assembly, invitation, full_name=persian)
    assert response.status_code == 302
    assert Delegate.objects.get().full_name == persian


def test_a_hall_on_one_network_registers_its_walk_ins(client, assembly):
    # A venue's wifi is one address: the form took 30 an hour from it, then refused everyone.
    from django.core.cache import cache

    cache.clear()
    url = reverse("registration:public-register", args=[assembly.slug])
    for n in range(40):
        data = details(role="observer", full_name=f"Walk-in {n}", email=f"walkin{n}@x.example")
        response = client.post(url, data)
        assert response.status_code == 302, n
    assert Delegate.objects.count() == 40
    cache.clear()
