"""The trial's desk findings in chromium: prefixed reads, Tab-ended scans, double print clicks."""

import contextlib

import pytest
from playwright.sync_api import Error as PlaywrightError

from badges.models import BadgeEvent, Scan
from badges.services import ensure_badge_rendered, token_for
from tests.e2e.test_badges_desk import open_desk, search_for

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("prefix", ["\x1d", "\x1e", "\x1c", "\x85"])
def test_a_gs1_prefixed_read_of_a_badge_is_green_at_the_desk(
    browser, live_server, desk_user, delegate, prefix
):
    token = token_for(ensure_badge_rendered(delegate=delegate))
    context, page = open_desk(browser, live_server, desk_user)
    page.fill("#wedge", prefix + token)
    page.press("#wedge", "Enter")
    page.wait_for_selector("#answer.green")
    assert page.locator("#answer-name").inner_text() == "Kim Seo-yeon"
    assert Scan.objects.get().reason == "ok"
    context.close()


def test_a_scan_ended_by_tab_is_answered(browser, live_server, desk_user, delegate):
    token = token_for(ensure_badge_rendered(delegate=delegate))
    context, page = open_desk(browser, live_server, desk_user)
    page.keyboard.type(token)
    page.keyboard.press("Tab")
    page.wait_for_selector("#answer.green")
    assert page.evaluate("document.activeElement.id") == "wedge"
    context.close()


def test_a_double_click_on_print_records_one_print_and_opens_one_tab(
    browser, live_server, desk_user, delegate
):
    ensure_badge_rendered(delegate=delegate)
    context, page = open_desk(browser, live_server, desk_user)
    search_for(page, "Kim")
    tabs = []
    context.on("page", lambda tab: tabs.append(tab))
    page.get_by_role("button", name="Print badge", exact=True).dblclick()
    page.wait_for_function("document.activeElement.id === 'wedge'")
    page.wait_for_timeout(1000)
    assert BadgeEvent.objects.filter(kind="printed").count() == 1
    assert len(tabs) == 1
    context.close()


def test_after_logout_the_tablet_keeps_no_desk_to_open_offline(
    browser, live_server, desk_user, delegate
):
    context, page = open_desk(browser, live_server, desk_user)
    page.wait_for_function("navigator.serviceWorker.getRegistrations().then((r) => r.length > 0)")
    page.wait_for_function("caches.keys().then((names) => names.length > 0)")
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(lambda url: "/badges/desk/" not in url)
    # Cleared by the logout's Clear-Site-Data: no cached pages, roster or service worker.
    assert page.evaluate("caches.keys()") == []
    assert page.evaluate("navigator.serviceWorker.getRegistrations().then((r) => r.length)") == 0
    context.set_offline(True)
    with contextlib.suppress(PlaywrightError):  # the browser's own offline page: nothing to open
        page.goto(f"{live_server.url}/a/ga/badges/desk/?checkpoint=entrance")
    assert page.locator("#desk[data-ready=true]").count() == 0
    context.close()
