"""The delegate's pages as testers used them on a phone: confirmations, repeats, messages."""

from django.urls import reverse

from registration.tours import sign_up
from tests.conftest import client_for


def test_cancel_my_registration_asks_first_and_changes_nothing(delegate_client, assembly, delegate):
    url = reverse("registration:my-cancel", args=[assembly.slug])
    page = delegate_client.post(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Cancel your registration?" in html
    assert 'name="confirm" value="yes"' in html
    assert reverse("registration:my-registration", args=[assembly.slug]) in html
    delegate.refresh_from_db()
    assert delegate.state != "cancelled"
    done = delegate_client.post(url, {"confirm": "yes"})
    assert done.status_code == 302
    delegate.refresh_from_db()
    assert delegate.state == "cancelled"


def test_cancel_my_place_on_a_full_tour_asks_first(assembly, tour, make_delegate):
    delegate = make_delegate(state="approved", attendance="in_person")
    sign_up(tour=tour, delegate=delegate)
    client = client_for(delegate.user)
    url = reverse("registration:tour-cancel", args=[assembly.slug, tour.code])
    page = client.post(url)
    assert page.status_code == 200
    assert "Cancel your place on" in page.content.decode()
    assert delegate.tour_signups.get().status == "confirmed"
    client.post(url, {"confirm": "yes"})
    assert delegate.tour_signups.get().status == "cancelled"


def test_get_a_new_feed_address_asks_first(assembly, delegate):
    from sessions.models import PersonalFeed

    client = client_for(delegate.user)
    url = reverse("agenda:reset-feed", args=[assembly.slug])
    page = client.post(url)
    assert page.status_code == 200
    assert "Get a new address for your calendar feed?" in page.content.decode()
    assert not PersonalFeed.objects.filter(delegate=delegate, reset_at__isnull=False).exists()
    client.post(url, {"confirm": "yes"})
    assert PersonalFeed.objects.get(delegate=delegate).reset_at is not None


def test_a_double_tap_on_register_shows_the_received_page_not_an_error(client, assembly):
    from django.core.cache import cache

    from registration.models import Delegate
    from tests.registration.test_invitations import details

    cache.clear()
    url = reverse("registration:public-register", args=[assembly.slug])
    client.get(url)  # the form page sets the browser's CSRF cookie
    data = details(role="observer", email="double@tap.example")
    first = client.post(url, data)
    second = client.post(url, data)
    assert first.status_code == second.status_code == 302
    assert second.url == first.url
    assert "registered" in second.url
    assert Delegate.objects.filter(email="double@tap.example").count() == 1
    cache.clear()


def test_another_browser_registering_the_same_address_is_still_refused(client, assembly):
    from django.core.cache import cache
    from django.test import Client

    from tests.registration.test_invitations import details

    cache.clear()
    url = reverse("registration:public-register", args=[assembly.slug])
    client.get(url)
    client.post(url, details(role="observer", email="double@tap.example"))
    stranger = Client()
    stranger.get(url)
    response = stranger.post(url, details(role="observer", email="double@tap.example"))
    assert response.status_code == 400
    assert "already registered" in response.content.decode()
    cache.clear()


def test_my_details_load_without_autofocus_and_errors_get_a_focused_summary(
    delegate_client, assembly
):
    import re

    url = reverse("registration:my-registration", args=[assembly.slug])
    assert "autofocus" not in delegate_client.get(url).content.decode()
    page = delegate_client.post(url, {"full_name": "", "attendance": "in_person"})
    html = page.content.decode()
    assert page.status_code == 400
    assert re.search(r"<title>Error: My registration · Test General Assembly</title>", html)
    summary = re.search(r'<div class="error-summary[^>]*>(.*?)</div>', html, re.S)
    assert 'role="alert"' in summary.group(0)
    assert 'href="#id_full_name"' in summary.group(1)
    assert "autofocus" not in html


def test_the_public_form_titles_its_errors_and_lists_them(client, assembly):
    url = reverse("registration:public-register", args=[assembly.slug])
    html = client.post(url, {"full_name": ""}).content.decode()
    assert "<title>Error: Register" in html
    assert 'id="error-summary"' in html


def test_a_rejected_delegate_is_not_asked_for_a_badge_photo(make_delegate, assembly):
    rejected = make_delegate(state="rejected")
    client = client_for(rejected.user)
    for name in ("delegate-home", "registration:my-registration"):
        page = client.get(reverse(name, args=[assembly.slug])).content.decode()
        assert "Add a photo for your badge" not in page, name
        assert "Badge photo" not in page, name


def test_the_registration_rate_limit_says_how_long_to_wait(client, assembly, settings):
    from django.core.cache import cache

    from tests.registration.test_invitations import details

    cache.clear()
    settings.REGISTRATION_NETWORK_RATE = "1/h"
    url = reverse("registration:public-register", args=[assembly.slug])
    client.post(url, details(role="observer", email="one@x.example"))
    page = client.post(url, details(role="observer", email="two@x.example")).content.decode()
    assert "Please wait an hour and try again." in page
    cache.clear()
