"""Flaky venue wifi on a phone: nothing typed is lost to an offline tap or an ended session."""

from importlib import import_module

import pytest
from django.conf import settings as django_settings

from registration.models import Delegate
from tests.e2e.test_badges_desk import login_cookie
from tests.factories import DelegateFactory
from tests.registration.conftest import image_bytes

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}
OFFLINE_NOTE = "You are offline: nothing was sent."
RESTORED_NOTE = "Restored what you typed before: check it and send again."


def phone_for(browser, live_server, user=None):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="en-GB")
    if user is not None:
        context.add_cookies([login_cookie(user, live_server)])
    return context, context.new_page()


def end_session_on_the_server(context):
    """Logged out in another tab, or expired: the server forgets the session, the cookie stays."""
    cookie = next(c for c in context.cookies() if c["name"] == django_settings.SESSION_COOKIE_NAME)
    import_module(django_settings.SESSION_ENGINE).SessionStore(cookie["value"]).delete()


def test_an_offline_tap_on_register_keeps_the_form_and_sends_once_back_online(
    live_server, browser, assembly, tmp_path
):
    photo = tmp_path / "me.jpg"
    photo.write_bytes(image_bytes((900, 1200)))
    context, page = phone_for(browser, live_server)
    url = f"{live_server.url}/a/{assembly.slug}/register/"
    page.goto(url)
    page.get_by_label("Name on the badge").fill("Ana Pereira")
    page.get_by_label("Email").fill("ana@porto.example")
    page.get_by_label("Photo for your badge").set_input_files(str(photo))
    page.get_by_label("In person").check()
    context.set_offline(True)
    page.get_by_role("button", name="Register").click()

    note = page.get_by_role("status").filter(has_text=OFFLINE_NOTE)
    note.wait_for()
    assert page.url == url
    assert page.get_by_label("Name on the badge").input_value() == "Ana Pereira"
    assert page.evaluate("document.getElementById('photo').files.length") == 1
    assert page.get_by_role("button", name="Register").is_disabled()
    assert not Delegate.objects.exists()

    context.set_offline(False)
    page.get_by_text("Back online: you can send now.").wait_for()
    page.get_by_role("button", name="Register").click()
    page.get_by_role("heading", name="Registration received").wait_for()
    delegate = Delegate.objects.get(email="ana@porto.example")
    assert (delegate.full_name, bool(delegate.photo)) == ("Ana Pereira", True)
    context.close()


def test_details_sent_after_the_session_ended_come_back_typed_after_logging_in(
    live_server, browser, assembly, member
):
    delegate = DelegateFactory(assembly=assembly, member=member, dietary_needs="")
    context, page = phone_for(browser, live_server, delegate.user)
    url = f"{live_server.url}/a/{assembly.slug}/me/registration/"
    page.goto(url)
    page.get_by_label("Dietary needs").fill("No peanuts, please")
    end_session_on_the_server(context)
    page.get_by_role("button", name="Save my details").click()
    page.wait_for_url("**/login/?unsaved=1**")

    page.get_by_label("Username").fill(delegate.user.username)
    page.get_by_label("Password").fill("pw-for-tests")
    page.get_by_role("button", name="Log in with a password").click()
    page.wait_for_url(url)
    assert page.get_by_text(RESTORED_NOTE).is_visible()
    assert page.get_by_label("Dietary needs").input_value() == "No peanuts, please"

    page.get_by_role("button", name="Save my details").click()
    page.get_by_text("Your details are saved.").wait_for()
    delegate.refresh_from_db()
    assert delegate.dietary_needs == "No peanuts, please"
    context.close()


def test_a_draft_comes_back_until_saved_and_never_over_what_the_server_shows_after(
    live_server, browser, assembly, member
):
    delegate = DelegateFactory(assembly=assembly, member=member, dietary_needs="")
    context, page = phone_for(browser, live_server, delegate.user)
    url = f"{live_server.url}/a/{assembly.slug}/me/registration/"
    page.goto(url)
    page.get_by_label("Dietary needs").fill("Halal")
    page.get_by_role("link", name="My assembly").first.click()
    page.goto(url)  # a new visit, not the back-forward cache's copy of the page
    assert page.get_by_text(RESTORED_NOTE).is_visible()
    assert page.get_by_label("Dietary needs").input_value() == "Halal"

    page.get_by_role("button", name="Save my details").click()
    page.get_by_text("Your details are saved.").wait_for()
    assert page.get_by_text(RESTORED_NOTE).count() == 0
    # The secretariat corrects it meanwhile: the page shows theirs, never the old draft.
    Delegate.objects.filter(pk=delegate.pk).update(dietary_needs="Halal, no shellfish")
    page.reload()
    assert page.get_by_label("Dietary needs").input_value() == "Halal, no shellfish"
    assert page.get_by_text(RESTORED_NOTE).count() == 0
    context.close()


def test_the_badge_page_shown_offline_says_it_is_a_saved_copy(
    live_server, browser, assembly, member
):
    from badges.services import ensure_badge_rendered

    delegate = DelegateFactory(assembly=assembly, member=member)
    ensure_badge_rendered(delegate=delegate)
    context, page = phone_for(browser, live_server, delegate.user)
    url = f"{live_server.url}/a/{assembly.slug}/badges/my/"
    page.goto(url)
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    note = page.locator("#saved-copy")
    assert not note.is_visible()

    context.set_offline(True)
    page.reload()
    assert note.is_visible()
    assert note.inner_text().startswith("Saved copy from ")
    assert "if your badge was reprinted since, open this page online" in note.inner_text()

    context.set_offline(False)
    page.reload()
    assert not note.is_visible()
    context.close()


def test_the_badge_page_from_the_cache_on_wifi_that_reaches_nothing_says_it_is_a_saved_copy(
    live_server, browser, assembly, member
):
    # Venue wifi that is up but goes nowhere: navigator.onLine stays true.
    from badges.services import ensure_badge_rendered

    delegate = DelegateFactory(assembly=assembly, member=member)
    ensure_badge_rendered(delegate=delegate)
    context, page = phone_for(browser, live_server, delegate.user)
    url = f"{live_server.url}/a/{assembly.slug}/badges/my/"
    page.goto(url)
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    context.route("**/badges/my/", lambda route: route.abort("internetdisconnected"))
    page.reload()
    assert page.evaluate("navigator.onLine")
    assert page.locator("#saved-copy").is_visible()
    context.close()
