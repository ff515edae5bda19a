"""The delegate's pages on a phone: a double tap sends once, messages are seen and read out."""

import pytest

from registration.tours import sign_up
from tests.e2e.test_badges_desk import login_cookie
from tests.factories import DelegateFactory
from tests.registration.factories import TourFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}


def phone_for(browser, live_server, user):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="en-GB")
    context.add_cookies([login_cookie(user, live_server)])
    return context, context.new_page()


def test_a_double_tap_sends_the_form_once_and_back_brings_the_button_back(
    live_server, browser, assembly, member
):
    delegate = DelegateFactory(assembly=assembly, member=member)
    context, page = phone_for(browser, live_server, delegate.user)
    page.goto(f"{live_server.url}/a/{assembly.slug}/me/registration/")
    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    with page.expect_navigation():
        page.evaluate(
            """() => {
                const button = [...document.querySelectorAll('button')]
                    .find(b => b.textContent.includes('Save my details'));
                button.click(); button.click();
            }"""
        )
    assert len(posts) == 1
    page.go_back()
    save = page.get_by_role("button", name="Save my details")
    assert save.is_enabled()
    context.close()


def test_a_refusal_far_down_the_tours_is_shown_beside_the_tour_and_focused(
    live_server, browser, assembly, member
):
    delegate = DelegateFactory(
        assembly=assembly, member=member, state="approved", attendance="in_person"
    )
    tours = [
        TourFactory(assembly=assembly, code=f"t{n}", title=f"Tour {n}", capacity=5)
        for n in range(8)
    ]
    sign_up(tour=tours[0], delegate=delegate)  # all at the same time: the last one overlaps
    context, page = phone_for(browser, live_server, delegate.user)
    page.goto(f"{live_server.url}/a/{assembly.slug}/tours/")
    last = page.locator("#tour-t7")
    last.get_by_role("button", name="Sign up").click()
    page.wait_for_url("**#tour-t7")
    message = page.locator("#tour-t7 #messages")
    message.wait_for()
    assert page.evaluate("document.activeElement.id") == "messages"
    box = message.bounding_box()
    assert 0 <= box["y"] < PHONE["height"]
    assert page.locator("#messages [role=alert]").count() == 1
    context.close()


def test_the_registration_form_fits_a_360_px_phone_at_200_percent_zoom(
    live_server, browser, assembly
):
    # 200 % zoom on a 360 px phone leaves 180 CSS pixels.
    context = browser.new_context(viewport={"width": 180, "height": 370}, locale="en-GB")
    page = context.new_page()
    page.goto(f"{live_server.url}/a/{assembly.slug}/register/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 180
    for selector in ("fieldset", "input[type=file]"):
        widest = page.evaluate(
            f"Math.max(...[...document.querySelectorAll('{selector}')]"
            ".map(e => e.getBoundingClientRect().right))"
        )
        assert widest <= 180, selector
    context.close()


def test_the_badge_qr_fits_its_card_centred_and_full_screen_can_be_left(
    live_server, browser, assembly, member
):
    from badges.services import ensure_badge_rendered

    delegate = DelegateFactory(assembly=assembly, member=member, state="approved")
    ensure_badge_rendered(delegate=delegate)
    context = browser.new_context(viewport={"width": 320, "height": 640}, locale="en-GB")
    context.add_cookies([login_cookie(delegate.user, live_server)])
    page = context.new_page()
    page.goto(f"{live_server.url}/a/{assembly.slug}/badges/my/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    card = page.locator(".my-badge").bounding_box()
    qr = page.locator(".my-badge .qr svg").bounding_box()
    assert card["x"] <= qr["x"]
    assert qr["x"] + qr["width"] <= card["x"] + card["width"]
    left, right = qr["x"] - card["x"], card["x"] + card["width"] - qr["x"] - qr["width"]
    assert abs(left - right) <= 1
    button = page.locator("#fullscreen")
    # The label follows the browser's fullscreenchange event, which may come a moment after
    # fullscreenElement is set: wait for it rather than read it at once.
    label = "document.querySelector('#fullscreen').textContent.trim() === {!r}"
    button.click()
    page.wait_for_function("document.fullscreenElement !== null")
    page.wait_for_function(label.format("Leave full screen"), timeout=5000)
    button.click()
    page.wait_for_function("document.fullscreenElement === null")
    page.wait_for_function(label.format("Full screen"), timeout=5000)
    context.close()
