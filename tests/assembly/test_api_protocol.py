"""HTTP at the API's edges: bodies it cannot read, methods a path lacks, conditional requests,
each answered in the API's {code, detail} shape."""

import pytest
from django.middleware.csrf import get_token
from django.test import Client, RequestFactory

from tests.conftest import client_for

pytestmark = pytest.mark.django_db

SCANS = "/api/v1/assemblies/ga/scans"
ROSTER = "/api/v1/assemblies/ga/roster"


@pytest.fixture
def desk_browser(desk_user):
    """The desk page's session as a browser holds it: CSRF enforced, its token in the header."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(desk_user)
    token = get_token(RequestFactory().get("/"))
    client.cookies["csrftoken"] = token
    return client, {"HTTP_X_CSRFTOKEN": token}


def test_a_multipart_body_on_a_json_operation_is_415_not_a_server_error(assembly, desk_browser):
    client, csrf = desk_browser
    response = client.post(SCANS, {"token": "x", "checkpoint": "entrance"}, **csrf)
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"
    assert "application/json" in response.json()["detail"]


@pytest.mark.parametrize("content_type", ["text/plain", "application/xml", "multipart/mixed"])
def test_a_body_of_another_type_is_415_with_a_token_too(client, assembly, bearer, content_type):
    response = client.post(SCANS, "{}", content_type=content_type, **bearer)
    assert response.status_code == 415
    assert set(response.json()) == {"code", "detail"}


def test_json_and_form_urlencoded_bodies_keep_their_answers(assembly, desk_browser):
    client, csrf = desk_browser
    scan = '{"token": "garbage", "checkpoint": "entrance", "idempotency_key": "desk1-0001"}'
    json_answer = client.post(SCANS, scan, content_type="application/json", **csrf)
    assert json_answer.status_code == 200
    assert json_answer.json()["reason"] == "invalid"
    form = client.post(
        SCANS, "token=garbage", content_type="application/x-www-form-urlencoded", **csrf
    )
    assert form.status_code == 400
    assert form.json()["code"] == "bad_request"


def test_an_operation_without_a_body_still_takes_a_form_post(delegate, desk_user):
    from assembly.services import issue_api_token

    token, _raw = issue_api_token(user=desk_user, name="Old laptop")
    response = client_for(desk_user).post(f"/api/v1/tokens/{token.pk}/revoke")  # multipart
    assert response.status_code == 200


def test_a_method_the_path_lacks_is_405_in_the_error_shape(client, assembly, bearer):
    response = client.delete(SCANS, **bearer)
    assert response.status_code == 405
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "method_not_allowed"
    assert "POST" in response.json()["detail"]
    assert response["Allow"] == "POST"


def test_the_roster_answers_304_only_for_its_own_entity_tag(client, assembly, bearer):
    etag = client.get(ROSTER, **bearer)["ETag"]
    assert client.get(ROSTER, HTTP_IF_NONE_MATCH=etag, **bearer).status_code == 304
    listed = f'"stale", {etag}'
    assert client.get(ROSTER, HTTP_IF_NONE_MATCH=listed, **bearer).status_code == 304
    assert client.get(ROSTER, HTTP_IF_NONE_MATCH=f"W/{etag}", **bearer).status_code == 304
    for header in (f"xx{etag}yy", '"stale"', etag.strip('"')):
        assert client.get(ROSTER, HTTP_IF_NONE_MATCH=header, **bearer).status_code == 200, header


def test_the_roster_answers_304_to_any_tag(client, assembly, bearer):
    response = client.get(ROSTER, HTTP_IF_NONE_MATCH="*", **bearer)
    assert response.status_code == 304
    assert response["ETag"]
