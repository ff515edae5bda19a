"""The phone ballot on a 360x740 touch screen, a slow network, a keyboard and a screen reader
(found by a tester): one Confirm per tap, a third tick stopped beside its ballot, names that fit
at 200% zoom, live regions that speak once, and the reconnecting mark on the network's word."""

import pytest
from django.utils import timezone

from tests.e2e.test_live_room_browser import in_thread, page_for
from tests.voting.factories import draft_poll, election, electorate_of, ga_body, resolution
from voting.presence import record_hall_entry
from voting.services import open_poll

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
