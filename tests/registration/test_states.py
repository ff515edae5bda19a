"""Registration states: only allowed moves, each recorded and emailed; editing until a cutoff."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from registration.errors import EditingClosed, TransitionNotAllowed
from registration.models import Accreditation, RegistrationSettings, TourSignup
from registration.services import (
    DelegateDetails,
    accredit,
    bulk_change_state,
    change_state,
    update_registration,
)
from registration.tours import sign_up
from tests.registration.factories import InvitationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(make_delegate):
    return make_delegate(state="submitted", full_name="Grace Namukasa")


@pytest.mark.parametrize("target", ["approved", "waitlisted", "rejected", "cancelled"])
def test_submitted_registration_can_move_to_every_next_state(
    submitted, secretariat_user, target, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        delegate = change_state(delegate=submitted, to_state=target, by=secretariat_user)
    assert delegate.state == target
    event = delegate.events.get()
    assert (event.from_state, event.to_state, event.by) == ("submitted", target, secretariat_user)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [submitted.email]
    assert mail.outbox[0].alternatives


@pytest.mark.parametrize(
    ("start", "target"),
    [
        ("approved", "rejected"),
        ("approved", "submitted"),
        ("rejected", "approved"),
        ("cancelled", "approved"),
        ("cancelled", "cancelled"),
        ("submitted", "bogus"),
    ],
)
def test_forbidden_transitions_are_refused_and_change_nothing(make_delegate, start, target):
    delegate = make_delegate(state=start)
    with pytest.raises(TransitionNotAllowed) as exc:
        change_state(delegate=delegate, to_state=target, by=None)
    assert exc.value.code == "transition_not_allowed"
    delegate.refresh_from_db()
    assert delegate.state == start
    assert not delegate.events.exists()
    assert mail.outbox == []


def test_bulk_approve_moves_the_allowed_and_reports_the_rest(
    assembly, make_delegate, secretariat_user
):
    a, b = make_delegate(state="submitted"), make_delegate(state="waitlisted")
    c = make_delegate(state="rejected")
    done, refused = bulk_change_state(
        assembly=assembly, delegate_ids=[a.pk, b.pk, c.pk], to_state="approved", by=secretariat_user
    )
    assert {d.pk for d in done} == {a.pk, b.pk}
    assert [d.pk for d, _reason in refused] == [c.pk]


def test_bulk_approve_ignores_other_assemblies(other_assembly, make_delegate):
    mine = make_delegate(state="submitted")
    done, refused = bulk_change_state(
        assembly=other_assembly, delegate_ids=[mine.pk], to_state="approved", by=None
    )
    assert (done, refused) == ([], [])
    mine.refresh_from_db()
    assert mine.state == "submitted"


def test_queue_page_bulk_approves_ticked_registrations(
    secretariat_client, assembly, submitted, make_delegate
):
    other = make_delegate(state="submitted")
    url = reverse("registration:queue", args=[assembly.slug]) + "?state=submitted"
    page = secretariat_client.get(url)
    assert "Grace Namukasa" in page.content.decode()
    response = secretariat_client.post(url, {"action": "approve", "delegate": [submitted.pk]})
    assert response.status_code == 302
    submitted.refresh_from_db()
    other.refresh_from_db()
    assert (submitted.state, other.state) == ("approved", "submitted")


def test_queue_filters_by_state_and_text(secretariat_client, assembly, submitted, make_delegate):
    make_delegate(state="approved", full_name="Approved Person")
    url = reverse("registration:queue", args=[assembly.slug])
    body = secretariat_client.get(url, {"state": "submitted"}).content.decode()
    assert "Grace Namukasa" in body
    assert "Approved Person" not in body
    body = secretariat_client.get(url, {"q": "approved pers"}).content.decode()
    assert "Approved Person" in body
    assert "Grace Namukasa" not in body


def test_queue_and_detail_are_for_the_secretariat_only(
    delegate_client, desk_client, assembly, submitted
):
    for client in (delegate_client, desk_client):
        assert client.get(reverse("registration:queue", args=[assembly.slug])).status_code == 403
        url = reverse("registration:detail", args=[assembly.slug, submitted.pk])
        assert client.get(url).status_code == 403
        response = client.post(
            reverse("registration:state", args=[assembly.slug, submitted.pk]),
            {"to_state": "approved"},
        )
        assert response.status_code == 403
    submitted.refresh_from_db()
    assert submitted.state == "submitted"


def test_cancelling_gives_back_the_invitation_place_accreditation_and_tours(
    assembly, member, make_delegate, tour
):
    invitation = InvitationFactory(assembly=assembly, member=member, places=1, places_used=1)
    delegate = make_delegate(invitation=invitation)
    accredit(assembly=assembly, member=member, delegate=delegate, kind="voting", by=None)
    sign_up(tour=tour, delegate=delegate)
    change_state(delegate=delegate, to_state="cancelled", by=delegate.user)
    invitation.refresh_from_db()
    tour.refresh_from_db()
    assert invitation.places_used == 0
    assert tour.taken == 0
    assert not Accreditation.objects.filter(delegate=delegate, ended_at__isnull=True).exists()
    assert TourSignup.objects.get(delegate=delegate).status == "cancelled"


def test_delegate_cancels_their_own_registration_from_the_page(delegate_client, assembly, delegate):
    response = delegate_client.post(
        reverse("registration:my-cancel", args=[assembly.slug]), {"confirm": "yes"}
    )
    assert response.status_code == 302
    delegate.refresh_from_db()
    assert delegate.state == "cancelled"
    assert delegate.events.get().by == delegate.user


def details_of(delegate, **changes):
    data = {name: getattr(delegate, name) for name in DelegateDetails.names()}
    data.update(changes)
    return DelegateDetails.from_data(data)


def test_delegate_edits_details_until_the_cutoff(assembly, delegate):
    RegistrationSettings.objects.create(
        assembly=assembly, edit_cutoff=timezone.now() + timedelta(hours=1)
    )
    update_registration(
        delegate=delegate, details=details_of(delegate, title="Mayor"), by=delegate.user
    )
    delegate.refresh_from_db()
    assert delegate.title == "Mayor"


def test_delegate_cannot_edit_after_the_cutoff_but_the_secretariat_can(
    assembly, delegate, secretariat_user, delegate_client
):
    RegistrationSettings.objects.create(
        assembly=assembly, edit_cutoff=timezone.now() - timedelta(minutes=1)
    )
    with pytest.raises(EditingClosed):
        update_registration(
            delegate=delegate, details=details_of(delegate, title="Mayor"), by=delegate.user
        )
    url = reverse("registration:my-registration", args=[assembly.slug])
    delegate_client.post(url, {"full_name": "Changed", "attendance": "online"})
    delegate.refresh_from_db()
    assert delegate.full_name == "Kim Seo-yeon"
    update_registration(
        delegate=delegate,
        details=details_of(delegate, title="Mayor"),
        by=secretariat_user,
        by_secretariat=True,
    )
    delegate.refresh_from_db()
    assert delegate.title == "Mayor"


def test_delegate_cannot_change_their_own_role_or_email(assembly, delegate):
    update_registration(
        delegate=delegate,
        details=details_of(delegate, role="staff", email="new@example.org"),
        by=delegate.user,
    )
    delegate.refresh_from_db()
    assert (delegate.role, delegate.email) != ("staff", "new@example.org")


def test_my_registration_page_saves_details(delegate_client, assembly, delegate):
    url = reverse("registration:my-registration", args=[assembly.slug])
    response = delegate_client.post(
        url,
        {
            "full_name": "김서연 Kim Seo-yeon",
            "title": "Director",
            "attendance": "in_person",
            "dietary_needs": "Vegan",
        },
    )
    assert response.status_code == 302
    delegate.refresh_from_db()
    assert (delegate.full_name, delegate.dietary_needs) == ("김서연 Kim Seo-yeon", "Vegan")
