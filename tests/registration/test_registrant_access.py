"""Only an approved registration holds the delegate role. A submitted, waitlisted or rejected
registrant reaches their own registration and the public programme, none of the members' data."""

import re

import pytest
from django.urls import reverse

from assembly.models import Role
from assembly.selectors import roles_for
from assembly.services import magic_link_url
from registration.models import Delegate
from sessions.calendar import personal_feed_token
from sessions.models import Visibility
from sessions.selectors import personal_feed_of
from tests.agenda.factories import RoomFactory, SessionFactory, local
from tests.conftest import client_for
from tests.registration.test_invitations import details

pytestmark = pytest.mark.django_db

NOT_APPROVED = ["submitted", "waitlisted", "rejected"]

MEMBERS_API = [
    "/api/v1/assemblies/ga",
    "/api/v1/assemblies/ga/members",
    "/api/v1/assemblies/ga/quorum",
    "/api/v1/assemblies/ga/motions",
    "/api/v1/assemblies/ga/polls",
    "/api/v1/assemblies/ga/audit",
]


@pytest.fixture
def workshop(assembly):
    room = RoomFactory(assembly=assembly, code="room-327", name="Room 327")
    return SessionFactory(
        assembly=assembly,
        room=room,
        code="workshop",
        title="Solutions Meets Cities",
        starts_at=local(assembly, 0, "14:00"),
        ends_at=local(assembly, 0, "16:30"),
    )


@pytest.fixture
def excom(workshop):
    return SessionFactory(
        assembly=workshop.assembly,
        room=workshop.room,
        code="excom",
        title="Executive Committee meeting",
        visibility=Visibility.MEMBERS,
        starts_at=local(workshop.assembly, 0, "09:30"),
        ends_at=local(workshop.assembly, 0, "11:30"),
    )


@pytest.fixture
def press_client(client, assembly):
    """Someone who sent the public form as press and followed the login link of their email."""
    client.post(
        reverse("registration:public-register", args=[assembly.slug]),
        details(role="press", email="reporter@news.example", full_name="Lee Reporter"),
    )
    registrant = Delegate.objects.get(email="reporter@news.example")
    assert registrant.state == "submitted"
    token = re.search(r"token=([^&]+)", magic_link_url(user=registrant.user, assembly=assembly))
    login = client.post(reverse("magic-link"), {"token": token.group(1), "assembly": "ga"})
    assert login["Location"] == reverse("delegate-home", args=["ga"])
    return client


@pytest.mark.parametrize("state", NOT_APPROVED)
def test_a_registration_not_approved_holds_no_role(make_delegate, assembly, state):
    registrant = make_delegate(state=state)
    assert roles_for(user=registrant.user, assembly=assembly) == frozenset()


def test_an_approved_registration_holds_the_delegate_role(delegate, assembly):
    assert roles_for(user=delegate.user, assembly=assembly) == {Role.DELEGATE}


def test_a_submitted_registrant_is_no_one_at_the_assembly_in_the_api(press_client):
    assert press_client.get("/api/v1/me").json()["roles"] == {}
    assert press_client.get("/api/v1/assemblies").json() == []
    for path in MEMBERS_API:
        response = press_client.get(path)
        assert response.status_code == 403, path
        assert response.json()["code"] == "forbidden"


@pytest.mark.parametrize("state", ["waitlisted", "rejected"])
def test_a_waitlisted_or_rejected_registrant_reads_no_members_data(make_delegate, state):
    client = client_for(make_delegate(state=state).user)
    for path in MEMBERS_API:
        assert client.get(path).status_code == 403, path


def test_an_approved_delegate_still_reads_the_members_data(delegate_client):
    assert delegate_client.get("/api/v1/me").json()["roles"] == {"ga": ["delegate"]}
    for path in MEMBERS_API:
        assert delegate_client.get(path).status_code == 200, path


def test_a_submitted_registrant_sees_and_edits_their_own_registration(press_client, assembly):
    home = press_client.get(reverse("delegate-home", args=["ga"]))
    assert home.status_code == 200
    body = home.content.decode()
    assert "Lee Reporter" in body
    assert "awaits the secretariat" in body
    assert reverse("voting-ballot", args=["ga"]) not in body
    assert reverse("agenda:my-agenda", args=["ga"]) not in body
    assert press_client.get(reverse("registration:my-registration", args=["ga"])).status_code == 200
    mine = press_client.get("/api/v1/assemblies/ga/registration/me").json()
    assert (mine["state"], mine["editable"]) == ("submitted", True)
    changed = press_client.patch(
        "/api/v1/assemblies/ga/registration/me",
        {"dietary_needs": "vegetarian"},
        content_type="application/json",
    )
    assert changed.status_code == 200
    assert changed.json()["dietary_needs"] == "vegetarian"


def test_a_submitted_registrant_can_withdraw(press_client):
    response = press_client.post(reverse("registration:my-cancel", args=["ga"]), {"confirm": "yes"})
    assert response.status_code == 302
    assert Delegate.objects.get(email="reporter@news.example").state == "cancelled"


def test_a_rejected_registrant_sees_the_state_and_may_withdraw(make_delegate):
    registrant = make_delegate(state="rejected")
    client = client_for(registrant.user)
    page = client.get(reverse("registration:my-registration", args=["ga"])).content.decode()
    assert "Rejected" in page
    assert reverse("registration:my-cancel", args=["ga"]) in page
    client.post(reverse("registration:my-cancel", args=["ga"]), {"confirm": "yes"})
    registrant.refresh_from_db()
    assert registrant.state == "cancelled"


def test_the_delegate_pages_stay_closed_to_a_submitted_registrant(press_client):
    for name in ("voting-ballot", "agenda:my-agenda"):
        assert press_client.get(reverse(name, args=["ga"])).status_code == 403, name


def test_the_nav_leads_a_registrant_back_to_their_registration(press_client):
    body = press_client.get(reverse("assembly-home", args=["ga"])).content.decode()
    assert reverse("delegate-home", args=["ga"]) in body
    assert "You have no role at this assembly." not in body


def test_a_submitted_registrant_gets_the_public_programme_only(press_client, workshop, excom):
    page = press_client.get(reverse("agenda:programme", args=["ga"])).content.decode()
    assert workshop.title in page
    assert excom.title not in page
    assert press_client.get(reverse("agenda:session", args=["ga", "excom"])).status_code == 404
    assert press_client.get(reverse("agenda:session-ics", args=["ga", "excom"])).status_code == 404
    feed = press_client.get(reverse("agenda:programme-feed", args=["ga"])).content.decode()
    assert "Solutions Meets Cities" in feed
    assert "Executive Committee" not in feed


def test_a_submitted_registrant_is_given_no_members_feed(press_client):
    links = press_client.get("/api/v1/assemblies/ga/feeds").json()
    assert {name for name, url in links.items() if url} == {"public", "public_webcal"}


@pytest.mark.parametrize("state", NOT_APPROVED)
def test_the_feed_tokens_of_a_registration_not_approved_answer_404(
    client, make_delegate, excom, state
):
    registrant = make_delegate(state="approved")
    token = personal_feed_token(personal_feed_of(registrant))
    members = reverse("agenda:members-feed", args=["ga", token])
    personal = reverse("agenda:personal-feed", args=["ga", token])
    assert client.get(members).status_code == 200
    assert client.get(personal).status_code == 200
    Delegate.objects.filter(pk=registrant.pk).update(state=state)
    assert client.get(members).status_code == 404
    assert client.get(personal).status_code == 404
