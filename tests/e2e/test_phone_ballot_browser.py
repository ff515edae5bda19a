"""The phone ballot on a 360x740 touch screen, a slow network, a keyboard and a screen reader
(found by a tester): one Confirm per tap, a third tick stopped beside its ballot, names that fit
at 200% zoom, live regions that speak once, and the reconnecting mark on the network's word."""

import pytest
from django.utils import timezone

from tests.e2e.test_live_room_browser import in_thread, page_for
from tests.voting.factories import draft_poll, election, electorate_of, ga_body, resolution
from voting.models import Ballot
from voting.presence import record_hall_entry
from voting.services import close_poll, open_poll
from voting.verify import receipt_hash

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE_360 = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}
AGENDA = "Adopt the agenda"
ELECTION = "Elect the Vice President Cities"


def hall_of(assembly, n=4, absent=0):
    """n voting members, all but the last `absent` of them in the hall; the General Assembly."""
    voters = electorate_of(assembly, n)
    body = ga_body(assembly)
    for delegate in voters[: n - absent]:
        record_hall_entry(delegate=delegate, at=timezone.now())
    return voters, body


def phone_on_ballot(browser, server, assembly, user, **options):
    phone = page_for(browser, server, user, **{**PHONE_360, **options})
    phone.goto(f"{server}/a/{assembly.slug}/vote/")
    phone.wait_for_function("document.getElementById('live-status').hidden")
    return phone


def record_changes(page, selector):
    """Collect every text written into the element (a live region speaks on each write)."""
    page.evaluate(
        """(selector) => {
          const node = document.querySelector(selector);
          window.written = [];
          new MutationObserver(() => window.written.push(node.textContent))
            .observe(node, {childList: true, characterData: true, subtree: true});
        }""",
        selector,
    )


def written(page):
    return page.evaluate("window.written")


def test_a_double_tap_on_confirm_sends_one_ballot_and_shows_its_code(
    asgi_server, browser, assembly, chair_user
):
    def setup():
        voters, body = hall_of(assembly)
        return voters, open_poll(poll=draft_poll(resolution(body)), by=chair_user)

    voters, poll = in_thread(setup)
    phone = phone_on_ballot(browser, asgi_server, assembly, voters[0].user)
    phone.get_by_role("button", name=f"Yes on “{AGENDA}”").tap()
    confirm = phone.get_by_role("button", name="Confirm: Yes")
    confirm.wait_for()

    # Slow 3G: the first tap's ballot is still on its way when the second tap comes.
    cdp = phone.context.new_cdp_session(phone)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 1500, "downloadThroughput": 50000, "uploadThroughput": 50000},
    )
    sent = []
    phone.on(
        "request",
        lambda r: sent.append(r) if r.method == "POST" and "form=" in (r.post_data or "") else 0,
    )
    after = confirm.evaluate(
        """async (button) => {
          button.click();
          button.click();
          await new Promise((done) => setTimeout(done, 20));
          return [button.disabled, document.querySelector('.sending-note').textContent];
        }"""
    )
    assert after == [True, "Sending your vote…"]
    phone.get_by_role("heading", name="Your vote is recorded").wait_for(timeout=15000)

    assert len(sent) == 1
    code = phone.locator(".receipt-code").inner_text().strip()
    assert Ballot.objects.get(poll=poll, receipt_hash=receipt_hash(code)).choices == ["yes"]
    phone.context.close()


def test_confirm_works_again_when_the_voter_comes_back_to_the_page(
    asgi_server, browser, assembly, chair_user
):
    def setup():
        voters, body = hall_of(assembly)
        return voters, open_poll(poll=draft_poll(resolution(body)), by=chair_user)

    voters, _poll = in_thread(setup)
    phone = phone_on_ballot(browser, asgi_server, assembly, voters[0].user)
    phone.get_by_role("button", name=f"No on “{AGENDA}”").tap()
    confirm = phone.get_by_role("button", name="Confirm: No")
    confirm.wait_for()
    # The answer never comes (the wifi dropped after the commit): the page stays, disabled.
    # (Here the form is held back after the page's own handler, so nothing leaves.)
    phone.evaluate(
        """() => document.querySelector('.confirm-form')
          .addEventListener('submit', (event) => event.preventDefault())"""
    )
    confirm.tap()
    phone.wait_for_function("document.querySelector('.confirm-form button').disabled")
    # Back on the page (the browser restores it from its cache): Confirm can be sent again.
    phone.evaluate("window.dispatchEvent(new PageTransitionEvent('pageshow', {persisted: true}))")
    assert confirm.is_enabled()
    assert phone.locator(".sending-note").inner_text() == ""
    phone.context.close()


def test_abstaining_after_ticking_a_candidate_abstains(asgi_server, browser, assembly, chair_user):
    def setup():
        voters, body = hall_of(assembly)
        motion = election(body, names=["Kampala", "Seoul", "Lyon"], seats=2)
        return voters, open_poll(poll=draft_poll(motion), by=chair_user)

    voters, _poll = in_thread(setup)
    phone = phone_on_ballot(browser, asgi_server, assembly, voters[0].user)
    phone.get_by_role("checkbox", name="Seoul").tap()
    phone.get_by_role("button", name=f"Abstain on “{ELECTION}”").tap()
    phone.get_by_role("button", name="Confirm: Abstain").wait_for()
    phone.context.close()


def test_when_the_poll_closes_on_the_confirm_page_the_focus_moves_to_the_notice(
    asgi_server, browser, assembly, chair_user
):
    def setup():
        voters, body = hall_of(assembly)
        return voters, open_poll(poll=draft_poll(resolution(body)), by=chair_user)

    voters, poll = in_thread(setup)
    phone = phone_on_ballot(browser, asgi_server, assembly, voters[0].user)
    phone.get_by_role("button", name=f"Yes on “{AGENDA}”").press("Enter")
    phone.get_by_role("button", name="Confirm: Yes").wait_for()
    phone.wait_for_function("document.getElementById('live-status').hidden")
    assert phone.evaluate("document.activeElement.textContent.trim()") == "Confirm: Yes"
    in_thread(lambda: close_poll(poll=poll, by=chair_user))
    phone.get_by_text("This poll is closed: the ballot can no longer be cast.").wait_for()
    phone.wait_for_function("document.activeElement.classList.contains('ballot-closed')")
    phone.context.close()


def test_each_polls_abstain_button_has_a_name_of_its_own(
    asgi_server, browser, assembly, chair_user
):
    def setup():
        voters, body = hall_of(assembly)
        open_poll(poll=draft_poll(resolution(body)), by=chair_user)
        motion = election(body, names=["Kampala", "Seoul", "Lyon"], seats=2)
        open_poll(poll=draft_poll(motion), by=chair_user)
        return voters

    voters = in_thread(setup)
    phone = phone_on_ballot(browser, asgi_server, assembly, voters[0].user)
    for title in (AGENDA, ELECTION):
        assert phone.get_by_role("button", name=f"Abstain on “{title}”", exact=True).count() == 1
    assert phone.get_by_role("button", name="Abstain", exact=True).count() == 0
    phone.context.close()
