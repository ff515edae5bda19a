"""The phone ballot as a tester found it on a slow network with a screen reader (found by a
tester): the choice goes by POST, a Confirm sent again shows its receipt code, an election's
refusal keeps the ticks beside its ballot, and every choice button names its poll."""

import re
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from tests.conftest import client_for
from tests.voting.ballot_steps import choose, confirm_fields, confirm_url
from tests.voting.factories import draft_poll, election, resolution
from voting import kept_receipts
from voting.models import Ballot
from voting.services import open_poll
from voting.verify import receipt_hash

pytestmark = pytest.mark.django_db

CODE = re.compile(r'class="receipt-code">([A-Z0-9-]+)<')


def ballot_page(client) -> str:
    return client.get(reverse("voting-ballot", args=["ga"])).content.decode()


def codes(response) -> list[str]:
    return CODE.findall(response.content.decode())


@pytest.fixture
def two_seats(body, present_voters, chair_user):
    motion = election(body, names=["Kampala", "São Paulo", "Ulaanbaatar"], seats=2)
    return open_poll(poll=draft_poll(motion), by=chair_user)


def candidate_ids(poll) -> list[str]:
    return [str(c.pk) for c in poll.motion.candidates.order_by("position")]


# --- 1. a Confirm sent again shows the receipt code again -----------------------------------


def test_a_confirm_sent_twice_shows_the_same_receipt_code_both_times(
    open_secret_poll, present_voters
):
    client = client_for(present_voters[0].user)
    fields = confirm_fields(choose(client, open_secret_poll, "yes").content.decode())
    first = client.post(confirm_url(open_secret_poll), fields)
    again = client.post(confirm_url(open_secret_poll), fields)  # the answer to the first was lost

    assert codes(again) == codes(first)
    assert len(codes(first)) == 1
    assert Ballot.objects.get(receipt_hash=receipt_hash(codes(first)[0])).choices == ["yes"]
    assert Ballot.objects.count() == 1


def test_the_receipt_page_shows_the_code_after_a_lost_answer(open_secret_poll, present_voters):
    client = client_for(present_voters[0].user)
    fields = confirm_fields(choose(client, open_secret_poll, "no").content.decode())
    code = codes(client.post(confirm_url(open_secret_poll), fields))[0]

    receipt = client.get(reverse("voting-receipt", args=["ga", open_secret_poll.pk]))
    assert codes(receipt) == [code]
    assert "Show my receipt code again" in ballot_page(client)


def test_a_new_confirm_after_the_vote_keeps_the_first_ballot_and_shows_its_code(
    open_secret_poll, present_voters
):
    client = client_for(present_voters[0].user)
    first = confirm_fields(choose(client, open_secret_poll, "no").content.decode())
    code = codes(client.post(confirm_url(open_secret_poll), first))[0]

    # Back to a confirm page made afresh (a new form), another choice this time.
    second = confirm_fields(choose(client, open_secret_poll, "yes").content.decode())
    html = client.post(confirm_url(open_secret_poll), second).content.decode()

    assert CODE.findall(html) == [code]
    assert "already been counted" in html
    assert "The ballot counted first stands" in html
    assert list(Ballot.objects.values_list("choices", flat=True)) == [["no"]]


def test_the_kept_code_is_sealed_so_neither_the_session_nor_the_cache_holds_it(
    open_secret_poll, present_voters
):
    client = client_for(present_voters[0].user)
    fields = confirm_fields(choose(client, open_secret_poll, "yes").content.decode())
    response = client.post(confirm_url(open_secret_poll), fields)
    code = codes(response)[0]

    assert code not in str(Session.objects.get(pk=client.session.session_key).get_decoded())
    where = kept_receipts._kept_key(SimpleNamespace(session=client.session), open_secret_poll.pk)
    sealed = cache.get(where)["sealed"]
    assert sealed
    assert code.encode() not in sealed
    # Only the browser's key opens it, and inside are the member and the code, not the choice.
    browser = SimpleNamespace(COOKIES={k: v.value for k, v in client.cookies.items()})
    key = kept_receipts.browser_key(browser)
    assert kept_receipts._unsealed(key, open_secret_poll.pk, sealed) == [
        {"member": present_voters[0].member.name, "code": code}
    ]


def test_the_same_session_without_the_browsers_key_sees_no_code(open_secret_poll, present_voters):
    client = client_for(present_voters[0].user)
    fields = confirm_fields(choose(client, open_secret_poll, "yes").content.decode())
    client.post(confirm_url(open_secret_poll), fields)

    # Whoever holds the session (an administrator reading the session table) but not the
    # browser's key cookie reads nothing.
    other = Client()
    other.cookies[settings.SESSION_COOKIE_NAME] = client.cookies[settings.SESSION_COOKIE_NAME].value
    html = other.get(reverse("voting-receipt", args=["ga", open_secret_poll.pk])).content.decode()
    assert f"The ballot for {present_voters[0].member.name} is counted." in html
    assert not CODE.findall(html)


def test_the_kept_code_is_gone_after_its_minutes(open_secret_poll, present_voters, monkeypatch):
    import time

    monkeypatch.setattr(kept_receipts, "KEPT_SECONDS", 1)
    client = client_for(present_voters[0].user)
    fields = confirm_fields(choose(client, open_secret_poll, "yes").content.decode())
    assert codes(client.post(confirm_url(open_secret_poll), fields))
    time.sleep(1.1)

    again = client.post(confirm_url(open_secret_poll), fields).content.decode()
    assert not CODE.findall(again)
    assert "it is no longer kept" in again


def test_the_key_cookie_goes_only_to_the_voting_pages_and_not_to_scripts(
    open_secret_poll, present_voters
):
    response = choose(client_for(present_voters[0].user), open_secret_poll, "yes")
    cookie = response.cookies[kept_receipts.KEY_COOKIE]
    assert cookie["path"] == "/a/ga/vote/"
    assert cookie["httponly"]
    assert cookie["samesite"] == "Strict"
    assert 0 < int(cookie["max-age"]) <= 15 * 60


# --- 2. the choice never travels in the address ---------------------------------------------


def test_the_ballot_sends_the_choice_by_post_with_a_csrf_token(open_secret_poll, present_voters):
    html = ballot_page(client_for(present_voters[0].user))
    form = re.search(r'<form method="(\w+)" action="[^"]*/confirm/">', html)
    assert form.group(1) == "post"
    assert 'name="csrfmiddlewaretoken"' in html
    assert 'method="get"' not in html


def test_a_choice_in_the_address_answers_the_ballot_page_without_echoing_it(
    open_secret_poll, present_voters
):
    client = client_for(present_voters[0].user)
    response = client.get(confirm_url(open_secret_poll), {"choice": "no"})
    assert response.status_code == 302
    assert response["Location"] == reverse("voting-ballot", args=["ga"])
    html = client.get(response["Location"]).content.decode()
    assert "Adopt the agenda" in html
    assert "Confirm: No" not in html
    assert "You are voting:" not in html


def test_choosing_and_confirming_both_need_the_csrf_token(open_secret_poll, present_voters):
    client = Client(enforce_csrf_checks=True)
    client.force_login(present_voters[0].user)
    assert client.post(confirm_url(open_secret_poll), {"choice": "no"}).status_code == 403
    assert Ballot.objects.count() == 0


def test_a_post_without_the_confirm_pages_form_only_asks_to_confirm(
    open_secret_poll, present_voters
):
    html = choose(client_for(present_voters[0].user), open_secret_poll, "no").content.decode()
    assert "Confirm: No" in html
    assert Ballot.objects.count() == 0


# --- 3. an election's refusal: ticks kept, beside its ballot, in an election's words -------


def test_three_ticks_of_two_keep_the_ticks_and_say_why_beside_the_ballot(two_seats, present_voters):
    client = client_for(present_voters[0].user)
    html = choose(client, two_seats, candidate_ids(two_seats)).content.decode()

    assert html.count('type="checkbox" name="choice"') == 3
    assert len(re.findall(r'type="checkbox" name="choice" value="\d+" checked>', html)) == 3
    error = re.search(rf'<p id="poll-{two_seats.pk}-error"[^>]*>([^<]*)</p>', html).group(1)
    assert error == "You ticked 3 candidates. Choose up to 2 candidates, or Abstain."
    assert f'aria-describedby="poll-{two_seats.pk}-error"' in html
    assert 'class="messages' not in html  # not at the top of the page
    card = html[html.index(f'data-poll-id="{two_seats.pk}"') :]
    assert card.index("You ticked 3") < card.index("Choose up to 2 candidates</legend>")


def test_continue_with_nothing_ticked_asks_for_candidates_or_abstain(two_seats, present_voters):
    html = choose(client_for(present_voters[0].user), two_seats, []).content.decode()
    assert ">Choose up to 2 candidates, or Abstain.</p>" in html
    assert "Choose one option (each at most once)." not in html


def test_abstain_is_a_form_of_its_own_that_sends_no_ticks(two_seats, present_voters):
    html = ballot_page(client_for(present_voters[0].user))
    forms = re.findall(r"<form .*?</form>", html, re.S)
    abstain = next(f for f in forms if 'value="abstain"' in f)
    assert 'type="checkbox"' not in abstain
    ticks = next(f for f in forms if 'type="checkbox"' in f)
    assert 'value="abstain"' not in ticks


def test_abstaining_after_ticking_a_candidate_confirms_the_abstention(two_seats, present_voters):
    client = client_for(present_voters[0].user)
    html = choose(client, two_seats, "abstain").content.decode()
    assert "Confirm: Abstain" in html
    receipt = client.post(confirm_url(two_seats), confirm_fields(html))
    assert Ballot.objects.get(receipt_hash=receipt_hash(codes(receipt)[0])).choices == ["abstain"]


# --- 7. each choice button names its poll ----------------------------------------------------


def test_each_abstain_button_names_its_poll(body, two_seats, present_voters, chair_user):
    agenda = open_poll(poll=draft_poll(resolution(body, code="agenda")), by=chair_user)
    html = ballot_page(client_for(present_voters[0].user))
    for poll, title in ((two_seats, two_seats.motion.title), (agenda, "Adopt the agenda")):
        on = re.search(rf'<span id="poll-{poll.pk}-on" hidden>([^<]*)</span>', html).group(1)
        assert on == f"on “{title}”"
        button = re.search(
            r'<button type="submit" id="([^"]+)" aria-labelledby="([^"]+)"[^>]*'
            r'value="abstain"[^>]*>Abstain</button>',
            html[html.index(f'data-poll-id="{poll.pk}"') :],
        )
        assert button.group(2) == f"{button.group(1)} poll-{poll.pk}-on"
