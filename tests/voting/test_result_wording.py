"""Results in words, as legal records read them: the lone candidate named, weights as votes, the
abstention rule stated, each elected candidate's votes, words fitting elections, plurals."""

import pytest
from django.urls import reverse

from tests.conftest import client_for
from tests.voting.ballot_steps import confirm_fields
from tests.voting.factories import draft_poll, election, resolution
from tests.voting.test_local_times import pdf_text
from voting.errors import TooEarly, TooManyChoices
from voting.live import poll_payload
from voting.models import BodySeat, PollKind
from voting.presence import recount_quorum
from voting.selectors import majority_words, result_lines
from voting.services import (
    cast_ballots,
    clean_choices,
    close_poll,
    open_poll,
    publish_poll,
)

pytestmark = pytest.mark.django_db


def page(name, *args):
    return reverse(name, args=["ga", *args])


def vote(poll, voters, choices):
    for delegate, choice in zip(voters, choices, strict=False):
        cast_ballots(poll=poll, delegate=delegate, choices=[choice])


def words_everywhere(poll, chair_client):
    """The result as the results page, the projector's payload, the sheet and the minutes say it."""
    poll.refresh_from_db()
    return {
        "results": chair_client.get(page("voting-results", poll.pk)).content.decode(),
        "console": chair_client.get(page("voting-console")).content.decode(),
        "projector": poll_payload(poll, with_results=True)["lines"]["sentence"],
        "sheet": pdf_text(chair_client.get(page("voting-results-pdf", poll.pk))),
        "minutes": pdf_text(chair_client.get(page("voting-minutes-pdf"))),
    }


# --- a lone candidate is named ------------------------------------------------------------------


@pytest.fixture
def lone_candidate_poll(body, present_voters, chair_user):
    motion = election(body, names=["Karin Meier"], seats=1, majority="absolute_cast")
    return open_poll(poll=draft_poll(motion), by=chair_user)


def test_the_phone_asks_whether_to_elect_the_lone_candidate(lone_candidate_poll, present_voters):
    phone = client_for(present_voters[0].user)
    ballot = phone.get(page("voting-ballot")).content.decode()
    assert "<strong>Elect Karin Meier?</strong>" in ballot
    assert 'value="yes" class="choice">Yes to Karin Meier</button>' in ballot
    assert 'value="no" class="choice">No to Karin Meier</button>' in ballot
    confirm_url = page("voting-confirm", lone_candidate_poll.pk)
    confirm = phone.post(confirm_url, {"choice": "yes"}).content.decode()
    assert "Confirm: Yes to Karin Meier" in confirm
    receipt = phone.post(confirm_url, confirm_fields(confirm)).content.decode()
    assert f"Recorded for {present_voters[0].member.name}: Yes to Karin Meier." in receipt


def test_every_result_line_names_the_lone_candidate(
    lone_candidate_poll, present_voters, chair_user, chair_client
):
    vote(lone_candidate_poll, present_voters, ["yes", "yes", "yes", "no"])
    publish_poll(poll=close_poll(poll=lone_candidate_poll, by=chair_user), by=chair_user)
    sentence = "Elected: Karin Meier with 3 yes of 4 votes cast, abstentions not counted; 3 needed"
    for where, text in words_everywhere(lone_candidate_poll, chair_client).items():
        assert sentence in text, where


def test_a_lone_candidate_under_a_simple_majority_is_named_too(body, present_voters, chair_user):
    motion = election(body, names=["Karin Meier"], seats=1, majority="simple")
    poll = open_poll(poll=draft_poll(motion), by=chair_user)
    vote(poll, present_voters, ["no", "no", "yes", "abstain"])
    poll = close_poll(poll=poll, by=chair_user)
    assert result_lines(poll)["sentence"] == (
        "Not elected: Karin Meier with 1 yes, 2 no, 1 abstention (more yes than no needed)"
    )
    assert majority_words(poll) == "Simple majority: more yes than no; abstentions do not count"


# --- weights are votes --------------------------------------------------------------------------


def test_a_present_majority_with_weights_is_counted_in_votes_everywhere(
    body, voters, present_voters, chair_user, chair_client
):
    BodySeat.objects.create(body=body, member=voters[0].member, weight=3)  # 5 members, 7 votes
    recount_quorum(body=body)
    poll = open_poll(poll=draft_poll(resolution(body, majority="absolute_present")), by=chair_user)
    vote(poll, present_voters, ["yes", "no", "no"])  # the weighted member votes yes: 3 votes
    publish_poll(poll=close_poll(poll=poll, by=chair_user), by=chair_user)
    texts = words_everywhere(poll, chair_client)
    sentence = "Rejected: 3 yes of 7 votes of the members present; 4 needed"
    for where in ("results", "console", "projector", "sheet", "minutes"):
        assert sentence in texts[where], where
        assert "voting members present;" not in texts[where], where
    for where in ("results", "console", "sheet", "minutes"):
        assert "Base: 7 (votes of the members present)" in texts[where], where
    assert "Absolute majority of the votes of the members present" in texts["results"]
    assert "5 of 5 present (3 needed); 7 votes present" in texts["results"]
    assert "Quorum at closing: 5 / 5 (needed 3); 7 votes present" in texts["sheet"]


def test_without_weights_a_present_majority_counts_members(
    body, present_voters, chair_user, chair_client
):
    poll = open_poll(poll=draft_poll(resolution(body, majority="absolute_present")), by=chair_user)
    vote(poll, present_voters, ["yes", "yes", "yes"])
    poll = close_poll(poll=poll, by=chair_user)
    assert result_lines(poll)["sentence"] == "Adopted: 3 yes of 5 voting members present; 3 needed"
    results = chair_client.get(page("voting-results", poll.pk)).content.decode()
    assert "votes present" not in results


# --- the abstention rule ------------------------------------------------------------------------


def test_abstentions_outside_the_base_are_said_so_next_to_the_votes_cast(
    body, present_voters, chair_user, chair_client
):
    poll = open_poll(poll=draft_poll(resolution(body, majority="two_thirds_cast")), by=chair_user)
    vote(poll, present_voters, ["yes", "yes", "yes", "no", "abstain"])
    publish_poll(poll=close_poll(poll=poll, by=chair_user), by=chair_user)
    texts = words_everywhere(poll, chair_client)
    for where in ("results", "console", "projector", "sheet", "minutes"):
        assert "Adopted: 3 yes of 4 votes cast, abstentions not counted; 3 needed" in texts[where]
    for where in ("results", "console", "sheet", "minutes"):
        assert (
            "Votes cast: 5. Base: 4 (votes cast, abstentions not counted). Abstentions: 1."
            in texts[where]
        ), where
        assert "Two thirds of votes cast; abstentions not counted" in texts[where], where


def test_abstentions_in_the_base_are_said_so(body, present_voters, chair_user):
    motion = resolution(body, majority="absolute_cast", abstentions_in_base=True)
    poll = open_poll(poll=draft_poll(motion), by=chair_user)
    vote(poll, present_voters, ["yes", "yes", "no", "abstain", "abstain"])
    poll = close_poll(poll=poll, by=chair_user)
    assert result_lines(poll)["sentence"] == (
        "Rejected: 2 yes of 5 votes cast, abstentions included; 3 needed"
    )
    assert majority_words(poll) == (
        "Absolute majority of votes cast; abstentions count as votes cast"
    )


def test_the_phone_shows_the_abstention_rule_with_the_majority(body, present_voters, chair_user):
    open_poll(poll=draft_poll(resolution(body, majority="two_thirds_cast")), by=chair_user)
    ballot = client_for(present_voters[0].user).get(page("voting-ballot")).content.decode()
    assert "Two thirds of votes cast; abstentions not counted" in ballot


# --- elections ----------------------------------------------------------------------------------


def test_an_elected_candidate_is_shown_with_her_votes(
    body, present_voters, chair_user, chair_client
):
    motion = election(body, names=["Karin Meier", "Almaty"], seats=1, majority="absolute_cast")
    ids = [str(c.pk) for c in motion.candidates.order_by("position")]
    poll = open_poll(poll=draft_poll(motion), by=chair_user)
    vote(poll, present_voters, [ids[0], ids[0], ids[0], ids[1], "abstain"])
    publish_poll(poll=close_poll(poll=poll, by=chair_user), by=chair_user)
    sentence = "Elected: Karin Meier (3 votes); 3 needed of 4 votes cast, abstentions not counted"
    for where, text in words_everywhere(poll, chair_client).items():
        assert sentence in text, where


def test_an_election_by_simple_majority_is_worded_for_an_election(
    body, present_voters, chair_user, chair_client
):
    motion = election(body, names=["Kampala", "Almaty", "Lyon"], seats=2, majority="simple")
    ids = [str(c.pk) for c in motion.candidates.order_by("position")]
    poll = open_poll(poll=draft_poll(motion), by=chair_user)
    vote(poll, present_voters, [ids[0], ids[0], ids[0], ids[1], ids[1]])
    poll = close_poll(poll=poll, by=chair_user)
    assert majority_words(poll) == (
        "Relative majority: the candidates with the most votes are elected;"
        " abstentions do not count"
    )
    assert result_lines(poll)["sentence"] == (
        "Elected with the most votes: Kampala (3 votes), Almaty (2 votes)"
    )
    console = chair_client.get(page("voting-console")).content.decode()
    assert "more yes than no" not in console


def test_nobody_elected_says_what_was_needed(body, present_voters, chair_user):
    motion = election(body, names=["Kampala", "Almaty"], seats=1, majority="two_thirds_cast")
    ids = [str(c.pk) for c in motion.candidates.order_by("position")]
    poll = open_poll(poll=draft_poll(motion), by=chair_user)
    vote(poll, present_voters, [ids[0], ids[0], ids[0], ids[1], ids[1]])
    poll = close_poll(poll=poll, by=chair_user)
    assert poll.result["outcome"] == "runoff"
    assert result_lines(poll)["sentence"] == "Runoff for 1 seat among Kampala, Almaty"


# --- plurals ------------------------------------------------------------------------------------


def test_one_of_a_kind_is_said_in_the_singular(body, present_voters, chair_user):
    motion = election(body, names=["Kampala", "Almaty"], seats=1)
    poll = open_poll(poll=draft_poll(motion), by=chair_user)
    ids = [str(c.pk) for c in motion.candidates.order_by("position")]
    with pytest.raises(TooManyChoices) as refused:
        clean_choices(poll=poll, choices=ids)
    assert refused.value.detail == "Choose at most 1 candidate."
    simple = open_poll(
        poll=draft_poll(resolution(body, code="r2"), min_open_seconds=1), by=chair_user
    )
    with pytest.raises(TooEarly) as early:
        close_poll(poll=simple, by=chair_user)
    assert early.value.detail == "The poll must stay open for 1 more second."


def test_one_abstention_is_not_one_abstentions(open_secret_poll, present_voters, chair_user):
    vote(open_secret_poll, present_voters, ["yes", "abstain"])
    poll = close_poll(poll=open_secret_poll, by=chair_user)
    assert result_lines(poll)["sentence"] == (
        "Adopted: 1 yes, 0 no, 1 abstention (more yes than no needed)"
    )


def test_a_hand_poll_names_the_lone_candidate_too(body, present_voters, chair_user):
    motion = election(body, names=["Karin Meier"], seats=1, majority="absolute_cast")
    poll = open_poll(poll=draft_poll(motion, kind=PollKind.HAND), by=chair_user)
    poll = close_poll(poll=poll, by=chair_user)
    labels = [option["label"] for option in poll_payload(poll, with_results=False)["options"]]
    assert labels == ["Yes to Karin Meier", "No to Karin Meier", "Abstain"]
