"""Production error pages (DEBUG off) fit a phone, say what happened and lead back home."""

import re

import pytest
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.test import Client, override_settings
from django.urls import path

from assembly.urls import urlpatterns as site_urls


def breaks(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


def refuses(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied


urlpatterns = [path("test/breaks/", breaks), path("test/refuses/", refuses), *site_urls]

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


def assert_phone_page_with_a_way_home(html: str) -> None:
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert re.search(r'<a class="button" href="/">Go to the start page</a>', html)


@override_settings(DEBUG=False)
def test_a_missing_page_is_a_phone_page_with_a_way_home(client):
    response = client.get("/no/such/page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "<h1>Page not found</h1>" in html
    assert_phone_page_with_a_way_home(html)


@override_settings(DEBUG=False)
def test_a_refused_page_is_a_phone_page_with_a_way_home(client):
    response = client.get("/test/refuses/")
    html = response.content.decode()
    assert response.status_code == 403
    assert "You cannot open this page" in html
    assert_phone_page_with_a_way_home(html)


@override_settings(DEBUG=False)
def test_a_server_error_is_a_phone_page_with_a_way_home():
    response = Client(raise_request_exception=False).get("/test/breaks/")
    html = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong on our side" in html
    assert "/static/css/plenary.css" in html
    assert_phone_page_with_a_way_home(html)


@override_settings(DEBUG=False, ALLOWED_HOSTS=["testserver"])
def test_a_bad_request_is_a_phone_page_with_a_way_home(client):
    response = client.get("/", headers={"host": "elsewhere.example"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "This request could not be read" in html
    assert_phone_page_with_a_way_home(html)


@override_settings(DEBUG=False)
def test_a_missing_page_reads_no_session_or_database(secretariat_client, django_assert_num_queries):
    # A bot's random addresses, or a socket asked of a server without sockets, cost nothing.
    with django_assert_num_queries(0):
        response = secretariat_client.get("/ws/a/ga/room/")
    assert response.status_code == 404
