"""The API: bearer tokens, the session, the one error shape, role checks and isolation."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from assembly.models import ApiToken
from assembly.services import issue_api_token, revoke_api_token
from tests.factories import AssemblyFactory, MemberFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_bearer_token_reads_the_assembly_with_member_counts(client, assembly, bearer):
    MemberFactory(name="Kampala", region="africa")
    MemberFactory(name="Acme", kind="corporation", region="europe")
    response = client.get("/api/v1/assemblies/ga", **bearer)
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Test General Assembly"
    assert body["members"]["total"] == 2
    assert body["members"]["by_region"]["africa"] == 1
    assert body["members"]["voting_members"] == 1  # corporations do not vote by default
    assert body["your_roles"] == ["desk"]
    assert [c["code"] for c in body["checkpoints"] if c["is_voting"]] == ["plenary"]


def test_token_is_stored_only_as_a_hash(desk_user):
    token, raw = issue_api_token(user=desk_user, name="Desk laptop")
    assert raw not in {token.key_hash, token.prefix}
    assert not ApiToken.objects.filter(key_hash=raw).exists()


def test_revoked_token_is_refused(client, assembly, desk_user):
    token, raw = issue_api_token(user=desk_user, name="Desk 2")
    revoke_api_token(token_id=token.pk, by=desk_user)
    response = client.get("/api/v1/assemblies/ga", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_a_token_revoked_after_use_is_refused_at_once(client, assembly, desk_user):
    token, raw = issue_api_token(user=desk_user, name="Desk 3")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert client.get("/api/v1/assemblies/ga", **auth).status_code == 200
    revoke_api_token(token_id=token.pk, by=desk_user)
    assert client.get("/api/v1/assemblies/ga", **auth).status_code == 401


def test_a_token_revoked_by_another_process_stops_after_the_trust_window(
    client, assembly, desk_user, monkeypatch
):
    token, raw = issue_api_token(user=desk_user, name="Desk 4")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert client.get("/api/v1/assemblies/ga", **auth).status_code == 200
    # Another worker revokes it: no signal reaches this process, only the window ends.
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
    assert client.get("/api/v1/assemblies/ga", **auth).status_code == 200
    monkeypatch.setattr("assembly.services.TOKEN_TTL", 0.0)
    assert client.get("/api/v1/assemblies/ga", **auth).status_code == 401


def test_a_deactivated_user_loses_token_access_at_once(client, assembly, desk_user):
    _token, raw = issue_api_token(user=desk_user, name="Desk 5")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert client.get("/api/v1/assemblies/ga", **auth).status_code == 200
    desk_user.is_active = False
    desk_user.save()
    assert client.get("/api/v1/assemblies/ga", **auth).status_code == 401


def test_expired_token_is_refused(client, assembly, desk_user):
    token, raw = issue_api_token(user=desk_user, name="Old desk")
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.get("/api/v1/assemblies/ga", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 401


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer nonsense", "Basic dXNlcjpwdw=="])
def test_missing_or_garbage_credentials_get_401_in_the_error_shape(client, assembly, header):
    extra = {"HTTP_AUTHORIZATION": header} if header else {}
    response = client.get("/api/v1/assemblies/ga", **extra)
    assert response.status_code == 401
    assert set(response.json()) == {"code", "detail"}


def test_only_staff_can_hold_tokens(delegate):
    from assembly.errors import Forbidden

    with pytest.raises(Forbidden) as exc:
        issue_api_token(user=delegate.user, name="mine")
    assert exc.value.code == "forbidden"


def test_a_user_cannot_revoke_someone_elses_token(desk_user, chair_user):
    from assembly.errors import NotFound

    token, _raw = issue_api_token(user=desk_user, name="Desk 1")
    with pytest.raises(NotFound):
        revoke_api_token(token_id=token.pk, by=chair_user)
    token.refresh_from_db()
    assert token.revoked_at is None


def test_unknown_assembly_is_404_in_the_error_shape(client, bearer):
    response = client.get("/api/v1/assemblies/nowhere", **bearer)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_staff_of_another_assembly_gets_403(client, assembly, other_assembly):
    from tests.conftest import staff_user

    outsider = staff_user(other_assembly, "desk", "outsider")
    _token, raw = issue_api_token(user=outsider, name="elsewhere")
    response = client.get("/api/v1/assemblies/ga", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 403
    assert response.json() == {"code": "forbidden", "detail": "Your role does not allow this."}


def test_invalid_filter_is_422_with_code_and_detail(client, assembly, bearer):
    response = client.get("/api/v1/assemblies/ga/members?region=atlantis", **bearer)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_input"
    assert "region" in body["detail"]


def test_members_are_paginated_and_filtered_by_region_and_kind(client, assembly, bearer):
    for n in range(60):
        MemberFactory(name=f"Town {n:02}", region="africa")
    MemberFactory(name="Paris", region="europe")
    MemberFactory(name="FIWARE Foundation", region="europe", kind="institution")
    page1 = client.get("/api/v1/assemblies/ga/members?region=africa", **bearer).json()
    assert page1["count"] == 60
    assert len(page1["items"]) == 50
    page2 = client.get("/api/v1/assemblies/ga/members?region=africa&page=2", **bearer).json()
    assert len(page2["items"]) == 10
    europe = client.get(
        "/api/v1/assemblies/ga/members?region=europe&kind=institution", **bearer
    ).json()
    assert [m["name"] for m in europe["items"]] == ["FIWARE Foundation"]


def test_session_auth_works_for_a_logged_in_delegate(delegate_client, assembly):
    response = delegate_client.get("/api/v1/assemblies/ga")
    assert response.status_code == 200
    assert response.json()["your_roles"] == ["delegate"]


def test_a_password_change_elsewhere_logs_the_session_out(delegate_client, delegate, assembly):
    assert delegate_client.get("/api/v1/assemblies/ga").status_code == 200
    delegate.user.set_password("a new and long password")
    delegate.user.save()
    assert delegate_client.get("/api/v1/assemblies/ga").status_code == 401
    # Logged out for good: the session is flushed, not just refused once.
    assert "_auth_user_id" not in delegate_client.session


def test_a_deactivated_user_loses_the_session(delegate_client, delegate, assembly):
    delegate.user.is_active = False
    delegate.user.save()
    assert delegate_client.get("/api/v1/assemblies/ga").status_code == 401


def test_a_session_opened_by_a_magic_link_reads_the_api(delegate, assembly):
    client = Client()
    client.force_login(delegate.user, backend="sesame.backends.ModelBackend")
    response = client.get("/api/v1/assemblies/ga")
    assert response.status_code == 200
    assert response.json()["your_roles"] == ["delegate"]


def test_session_writes_need_the_csrf_token(assembly, desk_user):
    token, _raw = issue_api_token(user=desk_user, name="Desk 1")
    client = Client(enforce_csrf_checks=True)
    client.force_login(desk_user)
    response = client.post(f"/api/v1/tokens/{token.pk}/revoke")
    assert response.status_code in {401, 403}
    assert set(response.json()) == {"code", "detail"}
    token.refresh_from_db()
    assert token.revoked_at is None


def test_bearer_token_can_revoke_itself(client, desk_user):
    token, raw = issue_api_token(user=desk_user, name="Lost laptop")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    response = client.post(f"/api/v1/tokens/{token.pk}/revoke", **auth)
    assert response.status_code == 200
    assert client.get("/api/v1/me", **auth).status_code == 401


def test_me_lists_roles_per_assembly(client, assembly, bearer):
    response = client.get("/api/v1/me", **bearer)
    assert response.json()["roles"] == {"ga": ["desk"]}


def test_me_does_not_name_assemblies_where_the_caller_has_no_role(client, assembly, bearer):
    # Found by a tester: another association's staff saw {"ga": []}, this assembly's slug.
    AssemblyFactory(slug="other-agm")
    response = client.get("/api/v1/me", **bearer)
    assert response.json()["roles"] == {"ga": ["desk"]}


def test_openapi_document_and_docs_page_are_served(client):
    schema = client.get("/api/v1/openapi.json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/assemblies/{slug}" in paths
    assert "/api/v1/assemblies/{slug}/members" in paths
    assert client.get("/api/v1/docs").status_code == 200


def test_user_without_any_role_sees_no_assemblies(client, assembly):
    loner = UserFactory(username="loner")
    client.force_login(loner)
    assert client.get("/api/v1/assemblies").json() == []


def test_a_page_number_beyond_any_database_offset_is_422_not_a_server_error(
    client, assembly, bearer
):
    response = client.get(f"/api/v1/assemblies/ga/members?page={2**63}", **bearer)
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"
    assert "page" in response.json()["detail"]


def test_an_address_no_operation_has_answers_in_the_apis_error_shape(client, bearer):
    from django.test import Client

    for path in ("/api/v1/assemblies/ga/badge-batches/", "/api/v2/assemblies", "/api/nothing"):
        response = client.get(path, **bearer)
        assert response.status_code == 404, path
        assert response.json()["code"] == "not_found"
    posted = Client(enforce_csrf_checks=True).post("/api/v1/assemblies/ga/scan", {})
    assert posted.status_code == 404
    assert posted.json()["code"] == "not_found"
