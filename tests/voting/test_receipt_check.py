"""The public receipt list: a code is checked by POST only (never in a URL, never cached), and
each ballot's weight and the totals per choice reconcile the list with the published result."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.voting.factories import draft_poll
from voting.models import BodySeat
from voting.services import cast_ballots, close_poll, open_poll, publish_poll

pytestmark = pytest.mark.django_db


def receipts_url(poll):
    return reverse("voting-receipts", args=["ga", poll.pk])


def publish(poll, chair_user):
    close_poll(poll=poll, by=chair_user)
    return publish_poll(poll=poll, by=chair_user)


@pytest.fixture
def published_with_code(open_secret_poll, present_voters, chair_user):
    """A published poll and the receipt code of the one "no" among four ballots."""
    [receipt] = cast_ballots(poll=open_secret_poll, delegate=present_voters[0], choices=["no"])
    for delegate in present_voters[1:4]:
        cast_ballots(poll=open_secret_poll, delegate=delegate, choices=["yes"])
    return publish(open_secret_poll, chair_user), receipt.code


def test_a_receipt_code_is_checked_by_a_post_that_no_cache_keeps(client, published_with_code):
    poll, code = published_with_code
    response = client.post(receipts_url(poll), {"code": code})
    assert response.status_code == 200
    assert "Found: your ballot was counted as “No”" in response.content.decode()
    assert "no-store" in response["Cache-Control"]


def test_the_check_form_posts_with_a_csrf_token_and_needs_no_script(published_with_code):
    poll, code = published_with_code
    browser = Client(enforce_csrf_checks=True)
    html = browser.get(receipts_url(poll)).content.decode()
    form = re.search(r'<form method="post" action="([^"]+)">(.*?)</form>', html, re.S)
    assert form.group(1) == receipts_url(poll)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.group(2)).group(1)
    assert 'name="code"' in form.group(2)
    assert browser.post(receipts_url(poll), {"code": code}).status_code == 403
    answer = browser.post(receipts_url(poll), {"code": code, "csrfmiddlewaretoken": token})
    assert "Found: your ballot was counted as “No”" in answer.content.decode()


def test_an_old_link_with_the_code_in_its_address_gets_the_form_not_the_answer(
    client, published_with_code
):
    poll, code = published_with_code
    response = client.get(receipts_url(poll), {"code": code})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Found:" not in html
    assert "not in the list" not in html
    assert code not in html
    assert 'class="found"' not in html
    assert '<form method="post"' in html


def test_a_receipt_is_not_checked_before_publication(client, open_secret_poll, present_voters):
    [receipt] = cast_ballots(poll=open_secret_poll, delegate=present_voters[0], choices=["no"])
    response = client.post(receipts_url(open_secret_poll), {"code": receipt.code})
    assert response.status_code == 403
    assert "Found:" not in response.content.decode()


def test_weighted_ballots_show_their_weight_and_totals_that_match_the_result(
    client, body, motion, present_voters, chair_user
):
    # The member with three votes votes no; four members with one vote each vote yes.
    heavy = present_voters[0]
    BodySeat.objects.create(body=body, member=heavy.member, weight=3)
    poll = open_poll(poll=draft_poll(motion), by=chair_user)
    cast_ballots(poll=poll, delegate=heavy, choices=["no"])
    for delegate in present_voters[1:]:
        cast_ballots(poll=poll, delegate=delegate, choices=["yes"])
    poll = publish(poll, chair_user)
    assert (poll.result["counts"]["yes"], poll.result["counts"]["no"]) == (4, 3)

    html = client.get(receipts_url(poll)).content.decode()
    lines = re.findall(r'<td class="hash">\w+</td><td>(\w+)</td><td>(\d+)</td>', html)
    assert sorted(lines) == [("No", "3")] + [("Yes", "1")] * 4
    totals = {
        label: (int(ballots), int(votes), int(published))
        for label, ballots, votes, published in re.findall(
            r'<th scope="row">(\w+)</th><td>(\d+)</td><td>(\d+)</td><td>(\d+)</td>', html
        )
    }
    assert totals == {"Yes": (4, 4, 4), "No": (1, 3, 3), "Abstain": (0, 0, 0)}
    assert "They match the published result." in html


def test_a_list_of_single_votes_shows_no_weight_column(client, published_with_code):
    poll, _code = published_with_code
    html = client.get(receipts_url(poll)).content.decode()
    assert re.search(r'<td class="hash">\w+</td><td>No</td></tr>', html)
    assert "The totals match the published result." in html
