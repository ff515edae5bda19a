"""A NUL in an address or query is a clear 400 on every page and endpoint, never a 500."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "address",
    [
        "/a/ga/members/?q=%00",
        "/a/ga/programme/?room=a%00b",
        "/a/ga/members/?page=1&q=ok&q=%00",
        "/a/ga/%00/",
    ],
)
def test_pages_refuse_a_nul_with_a_plain_400(secretariat_client, assembly, address):
    response = secretariat_client.get(address)
    assert response.status_code == 400
    assert "NUL" in response.content.decode()


def test_the_api_refuses_a_nul_in_its_error_shape(secretariat_client, assembly):
    response = secretariat_client.get("/api/v1/assemblies/ga/members?q=%00")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_input"


def test_an_ordinary_query_still_reaches_the_page(secretariat_client, assembly):
    assert secretariat_client.get("/a/ga/members/?q=Seoul").status_code == 200
