"""Delegate magic links: signed, single use, expiring, rate limited, and no address leaks."""

import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from assembly.services import magic_link_url

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def path_of(url: str) -> str:
    return url.removeprefix("http://testserver")


def test_magic_link_get_asks_to_continue_without_logging_in(client, delegate, assembly):
    response = client.get(path_of(magic_link_url(user=delegate.user, assembly=assembly)))
    assert response.status_code == 200
    assert "Continue to my assembly" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_magic_link_post_logs_the_delegate_in_and_opens_my_assembly(client, delegate, assembly):
    url = magic_link_url(user=delegate.user, assembly=assembly)
    token = re.search(r"token=([^&]+)", url).group(1)
    response = client.post(reverse("magic-link"), {"token": token, "assembly": assembly.slug})
    assert response.status_code == 302
    assert response["Location"] == reverse("delegate-home", args=[assembly.slug])
    page = client.get(response["Location"])
    assert "Kim Seo-yeon" in page.content.decode()


def test_magic_link_works_only_once(client, delegate, assembly):
    url = magic_link_url(user=delegate.user, assembly=assembly)
    token = re.search(r"token=([^&]+)", url).group(1)
    client.post(reverse("magic-link"), {"token": token})
    client.logout()
    again = client.post(reverse("magic-link"), {"token": token})
    assert again.status_code == 400
    assert "already been used" in again.content.decode()
    assert "_auth_user_id" not in client.session


def test_expired_magic_link_is_refused(client, delegate, assembly, settings):
    url = magic_link_url(user=delegate.user, assembly=assembly)
    settings.SESAME_MAX_AGE = -1
    response = client.get(path_of(url))
    assert response.status_code == 400
    assert "expired" in response.content.decode()


@pytest.mark.parametrize("token", ["", "garbage", "AAAABQz9U2j1QHrfBYLl_v7x", "x" * 500])
def test_wrong_magic_link_token_is_refused(client, delegate, token):
    response = client.post(reverse("magic-link"), {"token": token})
    assert response.status_code == 400
    assert "_auth_user_id" not in client.session


def test_magic_link_for_another_scope_does_not_log_in(client, delegate):
    from sesame.utils import get_query_string

    token = get_query_string(delegate.user, scope="something-else").split("token=")[1]
    response = client.post(reverse("magic-link"), {"token": token})
    assert response.status_code == 400


def test_requesting_a_link_emails_the_registered_delegate(client, delegate):
    response = client.post(reverse("magic-link-request"), {"email": delegate.email.upper()})
    assert response.status_code == 200
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [delegate.email]
    assert "/login/link/?token=" in message.body
    assert "/login/link/?token=" in message.alternatives[0][0]


def test_requesting_a_link_for_an_unknown_address_looks_the_same_and_sends_nothing(
    client, delegate
):
    known = client.post(reverse("magic-link-request"), {"email": delegate.email})
    unknown = client.post(reverse("magic-link-request"), {"email": "nobody@example.org"})
    assert unknown.status_code == known.status_code == 200
    assert "Check your email" in unknown.content.decode()
    assert len(mail.outbox) == 1


def test_link_requests_are_rate_limited_per_address(client, delegate, settings):
    settings.MAGIC_LINK_RATE = "3/h"
    statuses = [
        client.post(reverse("magic-link-request"), {"email": delegate.email}).status_code
        for _ in range(5)
    ]
    assert statuses == [200, 200, 200, 429, 429]
    assert len(mail.outbox) == 3


def test_a_bad_email_gets_a_field_error(client):
    response = client.post(reverse("magic-link-request"), {"email": "not-an-email"})
    assert response.status_code == 200
    assert "Enter a valid email address" in response.content.decode()
    assert mail.outbox == []


def test_a_hall_behind_one_address_logs_in_with_its_good_links(client, assembly):
    # Found by a tester: after 30 logins an hour from the venue's one address, every further
    # good link answered "Too many attempts from this network".
    from tests.factories import DelegateFactory

    for delegate in DelegateFactory.create_batch(100, assembly=assembly):
        url = magic_link_url(user=delegate.user, assembly=assembly)
        token = re.search(r"token=([^&]+)", url).group(1)
        assert client.get(path_of(url)).status_code == 200
        response = client.post(reverse("magic-link"), {"token": token, "assembly": assembly.slug})
        assert response.status_code == 302, response.content.decode()[:200]
        client.logout()


def test_failing_links_from_one_network_are_limited(client, delegate, assembly):
    statuses = {
        client.post(reverse("magic-link"), {"token": "garbage"}).status_code for _ in range(60)
    }
    assert statuses == {400}
    refused = client.post(reverse("magic-link"), {"token": "garbage"})
    assert refused.status_code == 429
    assert "Too many attempts from this network" in refused.content.decode()
    # A good link still works: it cannot be guessed, and the hall must not be locked out.
    url = magic_link_url(user=delegate.user, assembly=assembly)
    assert client.get(path_of(url)).status_code == 200


def test_a_hall_requests_its_links_from_one_address(client, assembly):
    from tests.factories import DelegateFactory

    delegates = DelegateFactory.create_batch(60, assembly=assembly)
    statuses = {
        client.post(reverse("magic-link-request"), {"email": d.email}).status_code
        for d in delegates
    }
    assert statuses == {200}
    assert len(mail.outbox) == 60


def test_a_link_asked_for_with_the_address_typed_another_way_is_sent(client, assembly):
    from tests.factories import DelegateFactory

    DelegateFactory(assembly=assembly, email="jose@müller.de")
    response = client.post(reverse("magic-link-request"), {"email": "JOSE@xn--mller-kva.de"})
    assert response.status_code == 200
    assert [m.to for m in mail.outbox] == [["jose@müller.de"]]


def test_the_plain_text_login_link_is_not_html_escaped(client, assembly):
    # Found by a tester: the text part read "…?token=…&amp;assembly=…", a broken link.
    from tests.factories import DelegateFactory

    DelegateFactory(assembly=assembly, email="ana@lima.example", full_name="Ana & Bo")
    client.post(reverse("magic-link-request"), {"email": "ana@lima.example"})
    [sent] = mail.outbox
    assert "&amp;" not in sent.body
    assert "Hello Ana & Bo," in sent.body
    assert f"&assembly={assembly.slug}" in sent.body
