"""The trial's desk findings in chromium: prefixed reads, Tab-ended scans, double print clicks."""

import contextlib

import pytest
from playwright.sync_api import Error as PlaywrightError

from badges.models import BadgeEvent, Scan
from badges.services import ensure_badge_rendered, token_for
from tests.e2e.test_badges_desk import open_desk, search_for, wait_for

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
    page.get_by_role("button", name="Print badge Kim Seo-yeon", exact=True).dblclick()
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


SEED_QUEUED_SCAN = """async ([token, key, checkpoint, user]) => {
  const { createStore, set } = await import('/static/vendor/idb-keyval/index.js');
  const item = {token, checkpoint, direction: 'in', desk: 'Desk 1', device: 'dev1',
    client_time: new Date().toISOString(), idempotency_key: key, offline_answer: 'ok'};
  if (user !== null) item.queued_by = user;
  await set(key, item, createStore('plenary-desk-queue-ga', 'scans'));
}"""
COUNT_QUEUED = """async () => {
  const { createStore, values } = await import('/static/vendor/idb-keyval/index.js');
  return (await values(createStore('plenary-desk-queue-ga', 'scans'))).length;
}"""


def test_a_scan_queued_by_the_desk_before_scans_named_their_user_still_goes_up(
    browser, live_server, desk_user, delegate
):
    token = token_for(ensure_badge_rendered(delegate=delegate))
    context, page = open_desk(browser, live_server, desk_user)
    # As the previous desk script stored it on a tablet: no queued_by.
    page.evaluate(SEED_QUEUED_SCAN, [token, "old-key-0001", "entrance", None])
    page.reload()
    page.wait_for_selector("#desk[data-ready=true]")
    page.wait_for_function(f"({COUNT_QUEUED})().then((count) => count === 0)")
    # The upload's answer reaches the desk as the server commits: read once it has.
    assert wait_for(lambda: Scan.objects.filter(idempotency_key="old-key-0001").count() == 1)
    assert page.locator("#others-queued").inner_text().strip() == ""
    context.close()


def test_a_logout_from_another_page_keeps_the_scans_still_waiting(
    browser, live_server, desk_user, delegate
):
    token = token_for(ensure_badge_rendered(delegate=delegate))
    context, page = open_desk(browser, live_server, desk_user)
    user = page.locator("#desk").get_attribute("data-user")
    # A queue the server refuses (a checkpoint renamed meanwhile) stays on the tablet.
    page.evaluate(SEED_QUEUED_SCAN, [token, "kept-key-0002", "renamed", user])
    page.wait_for_function("document.cookie.includes('plenary_desk_queue=1')", timeout=15_000)
    page.goto(f"{live_server.url}/a/ga/")
    with page.expect_navigation():
        page.get_by_role("button", name="Log out").click()
    assert page.evaluate(COUNT_QUEUED) == 1
    # The page after the logout drops the offline desk: it no longer opens without a login.
    page.wait_for_function("caches.keys().then((names) => names.length === 0)")
    page.wait_for_function(
        "navigator.serviceWorker.getRegistrations().then((found) => found.length === 0)"
    )
    context.close()


def test_an_unreadable_read_with_the_network_down_is_answered_once(
    browser, live_server, desk_user, delegate
):
    context, page = open_desk(browser, live_server, desk_user)
    page.evaluate(
        """() => {
          window.answers = 0;
          new MutationObserver(() => { window.answers += 1; }).observe(
            document.getElementById("answer"), { attributes: true, attributeFilter: ["class"] });
        }"""
    )
    context.set_offline(True)
    page.fill("#wedge", "hello world")
    page.press("#wedge", "Enter")
    page.wait_for_selector("#answer.red")
    page.wait_for_function(f"({COUNT_QUEUED})().then((count) => count === 1)")  # answered
    page.wait_for_timeout(300)
    assert page.evaluate("window.answers") == 1  # one answer, not "Not a badge" twice
    context.close()
