"""A delegate votes on a phone in two taps, by touch and by keyboard, as a screen reader sees it."""

import re
import threading

import pytest
from django.conf import settings as django_settings
from django.db import connections
from django.test import Client
from django.utils import timezone

from tests.voting.factories import draft_poll, electorate_of, ga_body, resolution
from voting.models import Ballot
from voting.presence import record_hall_entry
from voting.services import open_poll
from voting.verify import receipt_hash

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def log_in(page, live_server, user):
    client = Client()
    client.force_login(user)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


@pytest.fixture
def open_poll_with_voters(assembly, chair_user):
    made = []

    def setup():
        # Another thread: Playwright's loop runs in this one, and broadcasts need their own.
        voters = electorate_of(assembly, 3)
        body = ga_body(assembly)
        for delegate in voters:
            record_hall_entry(delegate=delegate, at=timezone.now())
        made.append((open_poll(poll=draft_poll(resolution(body)), by=chair_user), voters))
        connections.close_all()

    thread = threading.Thread(target=setup)
    thread.start()
    thread.join()
    return made[0]


def test_delegate_votes_in_two_taps_on_a_phone_and_gets_a_receipt(
    live_server, phone, open_poll_with_voters
):
    poll, voters = open_poll_with_voters
    log_in(phone, live_server, voters[0].user)
    phone.goto(f"{live_server.url}/a/ga/vote/")
    question = phone.get_by_role("heading", name="Adopt the agenda")
    no = phone.get_by_role("button", name="No on “Adopt the agenda”", exact=True)
    # The question and every choice are on the first screen, each button >= 48 px tall.
    assert question.bounding_box()["y"] < no.bounding_box()["y"] < 844
    for name in ("Yes", "No", "Abstain"):
        box = phone.get_by_role("button", name=f"{name} on “Adopt the agenda”").bounding_box()
        assert box["height"] >= 48
        assert box["width"] >= 300
    no.tap()
    confirm = phone.get_by_role("button", name="Confirm: No")
    confirm.wait_for()
    assert phone.get_by_text(voters[0].member.name).is_visible()
    confirm.tap()
    status = phone.get_by_role("status").filter(has_text="Recorded for")
    status.wait_for()
    assert f"Recorded for {voters[0].member.name}: No." in status.inner_text()
    code = re.search(r"[A-Z2-9]{5}-[A-Z2-9]{5}-[A-Z2-9]{5}", status.inner_text()).group(0)
    assert Ballot.objects.get(poll=poll, receipt_hash=receipt_hash(code)).choices == ["no"]
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390


def test_screen_reader_user_votes_with_the_keyboard(live_server, browser, open_poll_with_voters):
    poll, voters = open_poll_with_voters
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    log_in(page, live_server, voters[1].user)
    page.goto(f"{live_server.url}/a/ga/vote/")
    tree = page.locator("main").aria_snapshot()
    assert 'heading "Adopt the agenda"' in tree
    # Each choice names its poll: two polls' "Abstain" are told apart out of context.
    for name in ("Yes", "No", "Abstain"):
        assert f'button "{name} on “Adopt the agenda”"' in tree
    page.get_by_role("button", name="Yes on “Adopt the agenda”").focus()
    page.keyboard.press("Enter")
    # The confirmation takes focus and says the choice in words.
    page.wait_for_selector("text=You are voting:")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Confirm: Yes"
    page.keyboard.press("Enter")
    page.get_by_role("status").filter(has_text="Recorded for").wait_for()
    assert Ballot.objects.filter(poll=poll).count() == 1
    context.close()


def test_presence_page_fits_a_phone_when_the_absolute_quorum_exceeds_the_body(
    live_server, browser, assembly, secretariat_user
):
    from assembly.models import QuorumKind

    def setup():
        electorate_of(assembly, 4)
        assembly.quorum_kind = QuorumKind.ABSOLUTE
        assembly.quorum_absolute = 12
        assembly.save()
        ga_body(assembly)
        connections.close_all()

    thread = threading.Thread(target=setup)
    thread.start()
    thread.join()
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="en-GB")
    phone = context.new_page()
    log_in(phone, live_server, secretariat_user)
    phone.goto(f"{live_server.url}/a/{assembly.slug}/presence/")
    phone.get_by_text("0 of 4 voting members present, 12 needed").first.wait_for()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    context.close()
