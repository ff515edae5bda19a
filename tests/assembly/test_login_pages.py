"""Logging in again after a lapsed session: the delegate's way first, `next` kept, links once."""

import re
import threading
import time

import pytest
from django.core import mail
from django.core.cache import cache
from django.db import connections
from django.test import Client
from django.urls import reverse

from assembly.services import magic_link_url
from tests.conftest import requires_postgres


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def token_of(url: str) -> str:
    return re.search(r"token=([^&]+)", url).group(1)


@pytest.mark.django_db
def test_a_lapsed_delegate_is_offered_a_login_link_that_brings_them_back(
    client, delegate, assembly
):
    target = reverse("registration:my-registration", args=[assembly.slug])
    login_page = client.get(target, follow=True)
    html = login_page.content.decode()
    assert "Email me a login link" in html
    assert html.index("Email me a login link") < html.index('name="password"')
    assert "Log in to continue" in html  # a first visit lost nothing (not "not saved")
    assert f'name="next" value="{target}"' in html
    client.post(reverse("magic-link-request"), {"email": delegate.email, "next": target})
    link = re.search(r"http://testserver(\S+)", mail.outbox[0].body).group(1)
    confirm = client.get(link).content.decode()
    assert f'name="next" value="{target}"' in confirm
    response = client.post(
        reverse("magic-link"), {"token": token_of(link), "assembly": "ga", "next": target}
    )
    assert response["Location"] == target


@pytest.mark.django_db
def test_a_login_link_never_sends_a_delegate_off_the_site(client, delegate, assembly):
    url = magic_link_url(user=delegate.user, assembly=assembly)
    response = client.post(
        reverse("magic-link"),
        {"token": token_of(url), "assembly": "ga", "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("delegate-home", args=["ga"])


@pytest.mark.django_db
def test_an_old_tab_posting_after_a_new_login_explains_in_plain_words(delegate, assembly):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(delegate.user)
    url = reverse("registration:my-registration", args=[assembly.slug])
    browser.get(url)
    response = browser.post(url, {"full_name": "X", "csrfmiddlewaretoken": "stale" * 8})
    assert response.status_code == 403
    html = response.content.decode()
    assert "Your page had expired; nothing was saved. Go back, reload, and send again." in html
    assert "CSRF verification failed" not in html
    assert '<link rel="stylesheet"' in html
    assert "Go back to the page" in html


@pytest.mark.django_db
def test_link_requests_with_full_width_letters_count_against_the_same_address(
    client, delegate, settings
):
    settings.MAGIC_LINK_RATE = "2/h"
    local, domain = delegate.email.split("@")
    wide = local + "@" + "".join(chr(ord(c) + 0xFEE0) if c.isalpha() else c for c in domain)
    statuses = [
        client.post(reverse("magic-link-request"), {"email": email}).status_code
        for email in (delegate.email, wide, wide.upper())
    ]
    assert statuses == [200, 200, 429]


@pytest.mark.django_db
def test_a_login_link_used_twice_in_turn_logs_in_once(delegate, assembly):
    token = token_of(magic_link_url(user=delegate.user, assembly=assembly))
    first = Client().post(reverse("magic-link"), {"token": token})
    second = Client().post(reverse("magic-link"), {"token": token})
    assert (first.status_code, second.status_code) == (302, 400)
    assert "already been used" in second.content.decode()


@pytest.mark.postgres
@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_a_login_link_confirmed_on_two_phones_at_once_logs_in_one(delegate, assembly):
    from django.contrib.auth import get_user_model
    from django.db import transaction

    token = token_of(magic_link_url(user=delegate.user, assembly=assembly))
    phones = [Client(), Client()]
    statuses = []

    def confirm(phone):
        try:
            statuses.append(phone.post(reverse("magic-link"), {"token": token}).status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=confirm, args=(p,)) for p in phones]
    # Hold the user's row so both phones have checked the link before either can write: the
    # window in which, before the fix, both logged in.
    with transaction.atomic():
        get_user_model().objects.select_for_update().get(pk=delegate.user.pk)
        for thread in threads:
            thread.start()
        time.sleep(1.5)
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(statuses) == [302, 400]
    assert sum("_auth_user_id" in p.session for p in phones) == 1
