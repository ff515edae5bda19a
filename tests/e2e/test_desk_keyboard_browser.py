"""The desk by keyboard and on small screens: the checkpoint list, the answer in sight, search."""

import pytest

from badges.models import Scan
from badges.services import ensure_badge_rendered, token_for
from tests.e2e.test_badges_desk import login_cookie, open_desk, search_for, wait_for
from tests.factories import CheckpointFactory, DelegateFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def more_checkpoints(assembly):
    # Badge tokens begin with "A": a scan's first key jumps the list to the Annex.
    for code, name in [("annex", "Annex"), ("main", "Main entrance"), ("side", "Side door")]:
        CheckpointFactory(assembly=assembly, code=code, name=name, kind="entrance")


def focused(page):
    return page.evaluate("document.activeElement.id")


def scan_recorded(count):
    assert wait_for(lambda: Scan.objects.count() == count)
    return Scan.objects.order_by("-pk").first()


def test_a_letter_typed_on_the_checkpoint_list_chooses_a_checkpoint_and_types_nothing(
    browser, live_server, desk_user, delegate, more_checkpoints
):
    token = token_for(ensure_badge_rendered(delegate=delegate))
    context, page = open_desk(browser, live_server, desk_user)
    page.focus("#checkpoint")
    page.keyboard.press("m")
    assert page.input_value("#checkpoint") == "main"
    assert focused(page) == "checkpoint"
    assert page.input_value("#wedge") == ""
    page.wait_for_timeout(500)  # the volunteer reads the choice; the next badge comes later
    page.keyboard.type(token, delay=10)
    page.keyboard.press("Enter")
    scan = scan_recorded(1)
    assert (scan.reason, scan.token, scan.checkpoint.code) == ("ok", token, "main")
    context.close()


def test_arrow_keys_walk_the_checkpoint_list_and_enter_goes_back_to_scanning(
    browser, live_server, desk_user, more_checkpoints
):
    context, page = open_desk(browser, live_server, desk_user, checkpoint="plenary")
    page.focus("#checkpoint")
    page.keyboard.press("ArrowDown")
    assert (page.input_value("#checkpoint"), focused(page)) == ("annex", "checkpoint")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert (page.input_value("#checkpoint"), focused(page)) == ("main", "checkpoint")
    page.keyboard.press("Enter")
    page.wait_for_function("document.activeElement.id === 'wedge'")
    assert page.input_value("#wedge") == ""
    assert page.input_value("#checkpoint") == "main"
    context.close()


@pytest.mark.parametrize("delay", [5, 20])
def test_a_scan_typed_on_the_checkpoint_list_lands_whole_and_keeps_the_checkpoint(
    browser, live_server, desk_user, delegate, more_checkpoints, delay
):
    token = token_for(ensure_badge_rendered(delegate=delegate))
    context, page = open_desk(browser, live_server, desk_user)
    page.focus("#checkpoint")
    page.keyboard.type(token, delay=delay)
    page.keyboard.press("Enter")
    scan = scan_recorded(1)
    assert (scan.reason, scan.token, scan.checkpoint.code) == ("ok", token, "entrance")
    page.wait_for_selector("#answer.green")
    assert page.input_value("#checkpoint") == "entrance"
    assert page.input_value("#wedge") == ""
    assert focused(page) == "wedge"
    context.close()


def open_desk_on(browser, live_server, user, viewport):
    context = browser.new_context(viewport=viewport, locale="en-GB", reduced_motion="reduce")
    context.add_cookies([login_cookie(user, live_server)])
    page = context.new_page()
    page.goto(f"{live_server.url}/a/ga/badges/desk/?checkpoint=entrance")
    page.wait_for_selector("#desk[data-ready=true]")
    return context, page


@pytest.mark.parametrize("viewport", [{"width": 640, "height": 400}, {"width": 320, "height": 568}])
def test_the_answer_comes_into_sight_after_a_scan_on_a_zoomed_or_small_screen(
    browser, live_server, desk_user, delegate, viewport
):
    token = token_for(ensure_badge_rendered(delegate=delegate))
    context, page = open_desk_on(browser, live_server, desk_user, viewport)
    page.keyboard.type(token)
    page.keyboard.press("Enter")
    page.wait_for_selector("#answer.green")
    page.wait_for_function(
        "(() => { const box = document.getElementById('answer').getBoundingClientRect();"
        " return box.top >= 0 && box.bottom <= window.innerHeight; })()"
    )
    box = page.locator("#answer").bounding_box()
    assert box["y"] >= 0
    assert box["y"] + box["height"] <= viewport["height"]
    assert focused(page) == "wedge"
    context.close()


def test_the_answer_does_not_move_a_large_screen(browser, live_server, desk_user, delegate):
    token = token_for(ensure_badge_rendered(delegate=delegate))
    context, page = open_desk(browser, live_server, desk_user)
    page.keyboard.type(token)
    page.keyboard.press("Enter")
    page.wait_for_selector("#answer.green")
    assert page.evaluate("window.scrollY") == 0
    context.close()


def test_search_buttons_name_the_delegate_and_a_summary_is_announced(
    browser, live_server, desk_user, delegate, assembly
):
    for person in [delegate, DelegateFactory(assembly=assembly, member=delegate.member)]:
        ensure_badge_rendered(delegate=person)
    context, page = open_desk(browser, live_server, desk_user)
    search_for(page, "Seoul")
    page.wait_for_function("document.querySelectorAll('#search-results li').length === 2")
    reprint = page.get_by_role("button", name="Reprint badge Kim Seo-yeon", exact=True)
    print_button = page.get_by_role("button", name="Print badge Kim Seo-yeon", exact=True)
    assert reprint.is_visible()
    assert print_button.is_visible()
    assert page.locator("#search-summary").text_content() == "2 delegates found"
    assert page.locator("#search-summary").get_attribute("role") == "status"
    assert page.locator("#search-results").get_attribute("aria-live") is None
    page.keyboard.press("Escape")
    assert page.locator("#search-summary").text_content() == ""
    context.close()
