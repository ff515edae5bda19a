"""A bearer token works only while its user may hold one; whoever lost the role still sees and
revokes their tokens, and creates none."""

import pytest
from django.urls import reverse

from assembly.models import ApiToken, StaffRole
from assembly.services import issue_api_token
from tests.conftest import client_for
from tests.factories import DelegateFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk_delegate(assembly, desk_user):
    """A desk volunteer who is also an approved delegate of the assembly."""
    DelegateFactory(
        assembly=assembly, user=desk_user, email="desk@example.org", full_name="Park Desk"
    )
    return desk_user


def test_a_token_stops_working_when_its_users_staff_role_is_withdrawn(
    client, assembly, desk_delegate
):
    _token, raw = issue_api_token(user=desk_delegate, name="Desk laptop")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    mine = "/api/v1/assemblies/ga/registration/me"
    assert client.get("/api/v1/me", **auth).status_code == 200  # now trusted for TOKEN_TTL
    assert client.get(mine, **auth).status_code == 200
    StaffRole.objects.filter(user=desk_delegate).delete()
    me = client.get("/api/v1/me", **auth)
    assert me.status_code == 401
    assert me.json()["code"] == "not_authenticated"
    # Still an approved delegate, but not through a staff token, and without any CSRF check.
    changed = client.patch(mine, {"dietary_needs": "none"}, content_type="application/json", **auth)
    assert changed.status_code == 401


def test_a_token_works_again_only_with_a_staff_role(client, assembly, desk_user):
    _token, raw = issue_api_token(user=desk_user, name="Desk laptop")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    role = StaffRole.objects.get(user=desk_user)
    role.delete()
    assert client.get("/api/v1/me", **auth).status_code == 401
    StaffRole.objects.create(assembly=assembly, user=desk_user, role="chair")
    assert client.get("/api/v1/me", **auth).status_code == 200


def test_whoever_lost_the_role_sees_and_revokes_their_tokens_but_creates_none(
    assembly, desk_delegate
):
    token, _raw = issue_api_token(user=desk_delegate, name="Desk laptop")
    StaffRole.objects.filter(user=desk_delegate).delete()
    client = client_for(desk_delegate)
    page = client.get(reverse("api-tokens"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Desk laptop" in body
    assert "Create a token" not in body
    assert "You no longer have a staff role" in body

    refused = client.post(reverse("api-tokens"), {"name": "Another"})
    assert refused.status_code == 403
    assert ApiToken.objects.filter(user=desk_delegate).count() == 1

    client.post(reverse("api-token-revoke", args=[token.pk]))
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_a_delegate_who_never_held_a_token_still_cannot_open_the_page(delegate_client):
    response = delegate_client.get(reverse("api-tokens"))
    assert response.status_code == 403
    assert "Only staff members can hold API tokens." in response.content.decode()
