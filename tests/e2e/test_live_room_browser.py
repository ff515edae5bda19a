"""The live room in browsers: chair opens, a half-filled ballot survives, the projector counts."""

import threading

import pytest
from django.conf import settings as django_settings
from django.db import connections
from django.test import Client
from django.utils import timezone

from tests.voting.factories import draft_poll, election, electorate_of, ga_body
from voting import live
from voting.presence import record_hall_entry

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 800}


def in_thread(fn):
    """Run fn outside Playwright's event loop (its broadcasts need a thread of their own)."""
    made = []

    def run():
        made.append(fn())
        connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    return made[0]


def page_for(browser, server, user=None, viewport=DESKTOP, **options):
    context = browser.new_context(viewport=viewport, locale="en-GB", **options)
    if user is not None:
        client = Client()
        client.force_login(user)
        cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
        context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": server}])
    return context.new_page()


@pytest.fixture
def hall(assembly, chair_user, secretariat_user):
    """Six voting members, five in the hall; a two-seat election as a draft; a projector link."""

    def setup():
        voters = electorate_of(assembly, 6)
        body = ga_body(assembly)
        for delegate in voters[:5]:
            record_hall_entry(delegate=delegate, at=timezone.now())
        poll = draft_poll(election(body, names=["Kampala", "Seoul", "Lyon"], seats=2))
        return voters, poll, live.projector_token(assembly)

    return in_thread(setup)


def test_the_room_moves_live_on_phone_console_and_projector(
    asgi_server, browser, assembly, hall, chair_user, secretariat_user
):
    voters, _poll, token = hall
    base = f"{asgi_server}/a/{assembly.slug}"
    phone_size = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
    phone = page_for(browser, asgi_server, voters[0].user, **phone_size)
    other_phone = page_for(browser, asgi_server, voters[1].user, **phone_size)
    chair = page_for(browser, asgi_server, chair_user)
    secretariat = page_for(browser, asgi_server, secretariat_user)
    projector = page_for(browser, asgi_server, None, viewport={"width": 1920, "height": 1080})

    projector.goto(f"{base}/projector/?projector={token}")
    projector.get_by_text("No poll is open.").wait_for()
    projector.get_by_text("5 of 6 voting members present").wait_for()
    for page in (phone, other_phone):
        page.goto(f"{base}/vote/")
        page.get_by_text("No poll is open for you right now.").wait_for()
    chair.goto(f"{base}/polls/console/")

    # The chair opens the poll: the ballot appears on the phones without a reload.
    chair.get_by_role("button", name="Open the poll").click()
    chair.get_by_text("The poll is open.").wait_for()
    question = phone.get_by_role("heading", name="Elect the Vice President Cities")
    question.wait_for(timeout=5000)
    other_phone.get_by_role("heading", name="Elect the Vice President Cities").wait_for()
    projector.get_by_text("0 of 6 voting members have voted").wait_for()
    assert "Electorate: 6 members" in projector.locator("#projector-poll").inner_text()

    # Half-filled: one of two choices ticked; then a quorum change arrives.
    kampala = phone.get_by_role("checkbox", name="Kampala")
    kampala.check()
    secretariat.goto(f"{base}/presence/")
    absent = secretariat.locator("tr", has_text=voters[5].full_name)
    absent.get_by_role("button", name="Confirm online").click()
    phone.locator("#phone-quorum").get_by_text("6 of 6 voting members present").wait_for()
    projector.get_by_text("6 of 6 voting members present").wait_for()
    chair.locator("#console-quorum").get_by_text("6 of 6 voting members present").wait_for()
    assert kampala.is_checked()
    assert phone.get_by_role("checkbox", name="Seoul").is_enabled()

    # Casting: confirmation, then the receipt; the projector and console count the ballot.
    phone.get_by_role("checkbox", name="Seoul").check()
    phone.get_by_role("button", name="Continue").click()
    phone.get_by_role("button", name="Confirm: Kampala, Seoul").click()
    phone.get_by_role("heading", name="Your vote is recorded").wait_for()
    assert len(phone.locator(".receipt-code").inner_text().strip()) >= 8
    projector.get_by_text("1 of 6 voting members have voted").wait_for()
    chair.get_by_text("1 of 6 have voted").wait_for()

    # The chair closes: the other phone's ballot is disabled with a message, no counts shown.
    chair.goto(f"{base}/polls/console/")
    chair.get_by_role("button", name="Close the poll").click()
    other_phone.get_by_text("This poll is closed: the ballot can no longer be cast.").wait_for()
    assert other_phone.get_by_role("checkbox", name="Kampala").is_disabled()
    projector.get_by_text("The result will be shown when the chair publishes it.").wait_for()
    assert "Kampala" not in projector.locator("#projector-poll").inner_text()

    # Publication: the projector shows the bars and the outcome in words.
    chair.get_by_role("button", name="Publish the result").click()
    projector.locator(".result-sentence").wait_for()
    assert "Kampala" in projector.locator(".result-bars").inner_text()
    assert projector.locator("#live-status").is_hidden()
    for page in (phone, other_phone, chair, secretariat, projector):
        page.context.close()


def test_the_client_drops_messages_older_than_what_it_shows(asgi_server, browser, assembly, hall):
    _voters, _poll, token = hall
    page = page_for(browser, asgi_server, None)
    page.goto(f"{asgi_server}/a/{assembly.slug}/projector/?projector={token}")
    seen = page.evaluate(
        """() => {
          const seen = [];
          const c = new window.PlenaryLive.LiveConnection({
            onSnapshot: (p) => seen.push("snapshot " + p.n),
            onEvent: (type, p) => seen.push(type + " " + p.poll + " " + p.turnout),
          });
          c.accept({type: "snapshot", seq: 100, payload: {n: 1}});
          c.accept({type: "poll.turnout", seq: 90, payload: {poll: 1, turnout: 3}});
          c.accept({type: "poll.turnout", seq: 120, payload: {poll: 1, turnout: 5}});
          c.accept({type: "poll.turnout", seq: 110, payload: {poll: 1, turnout: 4}});
          c.accept({type: "poll.turnout", seq: 115, payload: {poll: 2, turnout: 1}});
          c.accept({type: "snapshot", seq: 105, payload: {n: 2}});
          c.accept({type: "snapshot", seq: 130, payload: {n: 3}});
          c.accept({type: "poll.turnout", seq: 125, payload: {poll: 1, turnout: 6}});
          c.accept({type: "batch", seq: 150, payload: [
            {type: "poll.turnout", seq: 128, payload: {poll: 1, turnout: 6}},
            {type: "poll.turnout", seq: 140, payload: {poll: 1, turnout: 7}},
            {type: "poll.turnout", seq: 150, payload: {poll: 2, turnout: 2}},
          ]});
          return seen;
        }"""
    )
    assert seen == [
        "snapshot 1",
        "poll.turnout 1 5",
        "poll.turnout 2 1",
        "snapshot 3",
        "poll.turnout 1 7",
        "poll.turnout 2 2",
    ]
    page.context.close()


def test_a_replaced_projector_link_shows_a_refusal(
    asgi_server, browser, assembly, hall, chair_user
):
    _voters, _poll, token = hall
    in_thread(lambda: live.rotate_projector_links(assembly=assembly, by=chair_user))
    page = page_for(browser, asgi_server, None)
    response = page.goto(f"{asgi_server}/a/{assembly.slug}/projector/?projector={token}")
    assert response.status == 403
    assert "not valid" in page.content()
    page.context.close()


def committee_beside_the_assembly(assembly):
    """Four voters, three in the hall; a committee of two of them (one present)."""
    from voting.models import BodyKind
    from voting.services import create_body

    voters = electorate_of(assembly, 4)
    ga_body(assembly)
    for delegate in voters[:3]:
        record_hall_entry(delegate=delegate, at=timezone.now())
    committee = create_body(
        assembly=assembly,
        code="excom",
        name="Executive Committee",
        kind=BodyKind.LISTED,
        members=[voters[0].member, voters[3].member],
    )
    return voters, committee


def test_the_phone_shows_the_quorum_of_the_body_whose_poll_is_open(
    asgi_server, browser, assembly, chair_user
):
    from tests.voting.factories import resolution
    from voting.services import open_poll

    def setup():
        voters, committee = committee_beside_the_assembly(assembly)
        return voters, open_poll(poll=draft_poll(resolution(committee)), by=chair_user)

    voters, _poll = in_thread(setup)
    phone = page_for(browser, asgi_server, voters[0].user, viewport={"width": 390, "height": 844})
    phone.goto(f"{asgi_server}/a/{assembly.slug}/vote/")
    line = phone.locator("#phone-quorum")
    line.get_by_text("Executive Committee: 1 of 2 voting members present").wait_for()
    phone.context.close()


def test_the_projector_follows_the_quorum_of_the_body_whose_poll_opens(
    asgi_server, browser, assembly, chair_user
):
    from tests.voting.factories import resolution
    from voting.services import open_poll

    def setup():
        _voters, committee = committee_beside_the_assembly(assembly)
        return draft_poll(resolution(committee))

    poll = in_thread(setup)
    projector = page_for(browser, asgi_server, None, viewport={"width": 1920, "height": 1080})
    projector.goto(f"{asgi_server}/a/{assembly.slug}/projector/?{live_token(assembly)}")
    quorum = projector.locator("#projector-quorum")
    quorum.get_by_text("General Assembly").wait_for()
    in_thread(lambda: open_poll(poll=poll, by=chair_user))
    quorum.get_by_text("Executive Committee").wait_for()
    assert "1 of 2 voting members present" in quorum.inner_text()
    projector.context.close()


def live_token(assembly):
    return "projector=" + in_thread(lambda: live.projector_token(assembly))
