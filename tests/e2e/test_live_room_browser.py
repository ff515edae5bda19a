"""The live room in browsers: chair opens, a half-filled ballot survives, the projector counts."""

import itertools
import os
import threading
from datetime import timedelta

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


# --- a full hall (found by a tester) ----------------------------------------------------------

PHONE_360 = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}


def present_hall(assembly, n):
    """n voting members of the General Assembly, all in the hall; returns (voters, body)."""
    voters = electorate_of(assembly, n)
    body = ga_body(assembly)
    for delegate in voters:
        record_hall_entry(delegate=delegate, at=timezone.now())
    return voters, body


def test_a_show_of_hands_gives_phones_no_ballot_and_the_projector_no_turnout(
    asgi_server, browser, assembly, chair_user, secretariat_user
):
    from tests.voting.factories import resolution
    from voting.models import PollKind
    from voting.services import (
        close_poll,
        confirm_hand_counts,
        enter_hand_counts,
        open_poll,
        publish_poll,
    )

    def setup():
        voters, body = present_hall(assembly, 4)
        return voters, draft_poll(resolution(body), kind=PollKind.HAND)

    voters, poll = in_thread(setup)
    base = f"{asgi_server}/a/{assembly.slug}"
    phone = page_for(browser, asgi_server, voters[0].user, **PHONE_360)
    projector = page_for(browser, asgi_server, None, viewport={"width": 1920, "height": 1080})
    phone.goto(f"{base}/vote/")
    projector.goto(f"{base}/projector/?{live_token(assembly)}")
    projector.get_by_text("No poll is open.").wait_for()

    in_thread(lambda: open_poll(poll=poll, by=chair_user))
    phone.get_by_text("Vote by show of hands in the room.").wait_for()
    assert phone.locator("#ballots button").count() == 0
    screen = projector.locator("#projector-poll")
    screen.get_by_text("Vote by show of hands in the room.").wait_for()
    assert "have voted" not in screen.inner_text()
    assert projector.locator(".gauge").count() == 0

    def count_and_publish():
        close_poll(poll=poll, by=chair_user)
        enter_hand_counts(
            poll=poll, by=secretariat_user, counts={"yes": 3, "no": 1, "abstain": 0}, ballots=4
        )
        confirm_hand_counts(poll=poll, by=chair_user)
        publish_poll(poll=poll, by=chair_user)

    in_thread(count_and_publish)
    projector.locator(".result-sentence").wait_for()
    assert "Votes cast: 4." in screen.inner_text()
    assert "have voted" not in screen.inner_text()
    for page in (phone, projector):
        page.context.close()


def countdown_numbers(page):
    return [int(text) for text in page.evaluate("window.samples") if text]


def test_the_projector_countdown_only_goes_down_on_the_servers_clock(
    asgi_server, browser, assembly, chair_user
):
    from tests.voting.factories import resolution
    from voting.services import cast_ballots, open_poll

    def setup():
        voters, body = present_hall(assembly, 5)
        motion = resolution(body)
        return voters, open_poll(poll=draft_poll(motion, close_after_seconds=120), by=chair_user)

    voters, poll = in_thread(setup)
    projector = page_for(browser, asgi_server, None, viewport={"width": 1920, "height": 1080})
    # This computer's clock runs 30 seconds fast: the count follows the server's.
    projector.add_init_script("(() => { const n = Date.now; Date.now = () => n() + 30000; })()")
    projector.goto(f"{asgi_server}/a/{assembly.slug}/projector/?{live_token(assembly)}")
    projector.locator(".countdown").wait_for()
    projector.evaluate(
        """() => { window.samples = []; setInterval(() => {
             const node = document.querySelector('.countdown');
             window.samples.push(node ? (node.textContent.match(/\\d+/) || [''])[0] : '');
           }, 100); }"""
    )
    projector.wait_for_timeout(2500)
    for delegate in voters:  # each ballot redraws the projector (turnout)
        in_thread(
            lambda delegate=delegate: cast_ballots(poll=poll, delegate=delegate, choices=["yes"])
        )
        projector.wait_for_timeout(300)
    projector.get_by_text("5 of 5 voting members have voted").wait_for()
    projector.wait_for_timeout(1200)
    seen = countdown_numbers(projector)
    assert len(seen) > 30
    assert seen[0] >= 110, seen[:5]
    assert all(later <= earlier for earlier, later in itertools.pairwise(seen)), seen
    assert seen[-1] < seen[0]
    projector.context.close()


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)])
def test_a_published_result_fits_the_projector_screen_with_the_observer_figures(
    asgi_server, browser, assembly, chair_user, size
):
    from voting.services import cast_ballots, close_poll, open_poll, publish_poll

    def setup():
        voters, body = present_hall(assembly, 6)
        motion = election(body, names=["Kampala", "São Paulo", "Ulaanbaatar"], seats=2)
        ids = [str(c.pk) for c in motion.candidates.order_by("position")]
        poll = open_poll(poll=draft_poll(motion), by=chair_user)
        for delegate, choice in zip(voters, [0, 1, 1, 2, 2, 2], strict=True):
            cast_ballots(poll=poll, delegate=delegate, choices=[ids[choice]])
        close_poll(poll=poll, by=chair_user)
        publish_poll(poll=poll, by=chair_user)

    in_thread(setup)
    width, height = size
    projector = page_for(browser, asgi_server, None, viewport={"width": width, "height": height})
    projector.goto(f"{asgi_server}/a/{assembly.slug}/projector/?{live_token(assembly)}")
    projector.locator(".result-sentence").wait_for()
    projector.get_by_text("At closing").wait_for()
    projector.wait_for_timeout(300)
    assert projector.evaluate("document.documentElement.scrollHeight") <= height
    for line in projector.locator(".observer").all():
        box = line.bounding_box()
        assert box["y"] + box["height"] <= height, line.inner_text()
    if os.environ.get("PROJECTOR_SCREENSHOTS"):  # to look at: a folder to write them to
        projector.screenshot(path=f"{os.environ['PROJECTOR_SCREENSHOTS']}/{width}x{height}.png")
    projector.context.close()


def test_a_replaced_projector_link_stops_the_open_screen(
    asgi_server, browser, assembly, hall, chair_user
):
    _voters, _poll, token = hall
    projector = page_for(browser, asgi_server, None, viewport={"width": 1920, "height": 1080})
    projector.goto(f"{asgi_server}/a/{assembly.slug}/projector/?projector={token}")
    projector.get_by_text("5 of 6 voting members present").wait_for()
    projector.wait_for_function("document.getElementById('live-status').hidden")
    in_thread(lambda: live.rotate_projector_links(assembly=assembly, by=chair_user))
    projector.locator("#projector-poll").get_by_text("This projector link was replaced").wait_for()
    assert "voting members present" not in projector.locator("main").inner_text()
    projector.context.close()


def test_the_confirm_page_counts_down_and_disables_confirm_when_the_poll_closes(
    asgi_server, browser, assembly, chair_user
):
    from tests.voting.factories import resolution
    from voting.models import Poll
    from voting.services import close_poll, open_poll

    def setup():
        voters, body = present_hall(assembly, 3)
        first = open_poll(poll=draft_poll(resolution(body), close_after_seconds=60), by=chair_user)
        second = draft_poll(resolution(body, code="res2"), close_after_seconds=60)
        return voters, first, second

    voters, first, second = in_thread(setup)
    phone = page_for(browser, asgi_server, voters[0].user, **PHONE_360)
    phone.goto(f"{asgi_server}/a/{assembly.slug}/vote/")
    phone.get_by_role("button", name="Yes").click()
    confirm = phone.get_by_role("button", name="Confirm: Yes")
    confirm.wait_for()
    assert "Closes in" in phone.locator(".countdown").inner_text()
    phone.wait_for_function("document.getElementById('live-status').hidden")

    # The chair closes the poll: the open confirm page follows at once.
    in_thread(lambda: close_poll(poll=first, by=chair_user))
    phone.get_by_text("This poll is closed: the ballot can no longer be cast.").wait_for()
    assert confirm.is_disabled()

    # The countdown runs out with no message at all: the clock disables Confirm.
    def open_closing_in_five_seconds():
        open_poll(poll=second, by=chair_user)
        Poll.objects.filter(pk=second.pk).update(closes_at=timezone.now() + timedelta(seconds=5))

    in_thread(open_closing_in_five_seconds)
    phone.goto(f"{asgi_server}/a/{assembly.slug}/vote/")
    phone.get_by_role("button", name="No on “Adopt the agenda”").click()
    confirm = phone.get_by_role("button", name="Confirm: No")
    assert confirm.is_enabled()
    phone.get_by_text("This poll is closed: the ballot can no longer be cast.").wait_for(
        timeout=8000
    )
    assert confirm.is_disabled()
    phone.context.close()


def test_a_silent_connection_is_taken_for_dead_and_reopened(asgi_server, browser, assembly, hall):
    """Traffic dropped for 75 s kept showing "live" (found by a tester): no heartbeat for two
    beats and a margin, and the page says so, polls meanwhile and opens a new socket."""
    _voters, _poll, token = hall
    page = page_for(browser, asgi_server, None)
    page.goto(f"{asgi_server}/a/{assembly.slug}/projector/?projector={token}")
    page.evaluate(
        """() => {
          const seen = window.silent = { sockets: 0, polled: 0, states: [] };
          window.WebSocket = function () {  // a network that drops everything, silently
            const socket = { close() {} };
            seen.sockets += 1;
            setTimeout(() => socket.onopen && socket.onopen(), 10);
            return socket;
          };
          const status = document.createElement("p");
          status.dataset.labelReconnecting = "Reconnecting…";
          document.body.appendChild(status);
          const connection = new window.PlenaryLive.LiveConnection({
            socket: "/silent/", snapshot: "/unused/", heartbeatSeconds: 0.01, statusEl: status,
          });
          connection.fetchSnapshot = () => { seen.polled += 1; return Promise.resolve(); };
          const setStatus = connection.setStatus;
          connection.setStatus = function (state) {
            setStatus.call(this, state);
            seen.states.push([state, status.textContent, Math.round(performance.now() - began)]);
          };
          const began = performance.now();
          connection.connect();
        }"""
    )
    page.wait_for_function("window.silent.sockets >= 2", timeout=15000)
    seen = page.evaluate("window.silent")
    states = [state for state, _text, _at in seen["states"]]
    assert states[:2] == ["live", "reconnecting"], seen
    _state, text, after_ms = seen["states"][1]
    assert text == "Reconnecting…"
    assert 5000 <= after_ms < 12000  # two beats of 0.01 s and the 5 s margin (late under load)
    assert seen["polled"] >= 1
    page.context.close()


def test_the_projector_shows_every_open_poll_and_a_result_just_published_beside_them(
    asgi_server, browser, assembly, chair_user
):
    """The runoff opened after another motion's poll hid that poll, and its published result
    was skipped for the other poll's turnout (found by a tester)."""
    from tests.voting.factories import resolution
    from voting.services import cast_ballots, close_poll, open_poll, publish_poll

    def setup():
        voters, body = present_hall(assembly, 4)
        office = resolution(body, code="almaty")
        office.title = "Regional Office for Central Asia (Almaty)"
        office.save(update_fields=["title"])
        runoff = draft_poll(election(body, names=["Kampala", "Seoul"]), close_after_seconds=300)
        return voters, draft_poll(office, close_after_seconds=600), runoff

    voters, office, runoff = in_thread(setup)
    projector = page_for(browser, asgi_server, None, viewport={"width": 1920, "height": 1080})
    projector.goto(f"{asgi_server}/a/{assembly.slug}/projector/?{live_token(assembly)}")
    projector.get_by_text("No poll is open.").wait_for()
    screen = projector.locator("#projector-poll")

    # Each poll on screen before its ballots: the screen follows a poll once its state came.
    in_thread(lambda: open_poll(poll=office, by=chair_user))
    screen.get_by_text("Regional Office for Central Asia (Almaty)").first.wait_for()
    in_thread(lambda: open_poll(poll=runoff, by=chair_user))
    blocks = screen.locator(".projector-item")
    blocks.nth(1).get_by_text("Elect the Vice President Cities").wait_for()
    in_thread(lambda: cast_ballots(poll=office, delegate=voters[0], choices=["yes"]))
    screen.get_by_text("1 of 4 voting members have voted").wait_for()
    assert blocks.count() == 2
    assert "Regional Office for Central Asia (Almaty)" in blocks.nth(0).inner_text()
    assert "0 of 4 voting members have voted" in blocks.nth(1).inner_text()
    assert screen.locator(".countdown").count() == 2  # each poll its own
    assert projector.evaluate("document.documentElement.scrollHeight") <= 1080

    def elect_kampala():
        kampala = str(runoff.motion.candidates.get(name="Kampala").pk)
        for delegate in voters:
            cast_ballots(poll=runoff, delegate=delegate, choices=[kampala])
        close_poll(poll=runoff, by=chair_user)
        publish_poll(poll=runoff, by=chair_user)

    in_thread(elect_kampala)
    screen.locator(".result-sentence").wait_for()
    assert "Kampala" in blocks.nth(1).locator(".result-bars").inner_text()
    assert "Regional Office for Central Asia (Almaty)" in blocks.nth(0).inner_text()
    assert "1 of 4 voting members have voted" in blocks.nth(0).inner_text()

    assert projector.evaluate("document.documentElement.scrollHeight") <= 1080
    if os.environ.get("PROJECTOR_SCREENSHOTS"):  # to look at: a folder to write them to
        projector.screenshot(path=f"{os.environ['PROJECTOR_SCREENSHOTS']}/two-polls.png")

    # A reload keeps the same two: the snapshot holds them both.
    projector.reload()
    screen.locator(".result-sentence").wait_for()
    assert blocks.count() == 2

    # The chair opens another poll: the result has had its time on the wall.
    in_thread(lambda: open_poll(poll=draft_poll(resolution(runoff.motion.body)), by=chair_user))
    screen.get_by_role("heading", name="Adopt the agenda").wait_for()
    assert screen.locator(".result-sentence").count() == 0
    assert "Regional Office for Central Asia (Almaty)" in blocks.nth(0).inner_text()
    projector.context.close()
