"""Under weighted votes a result says votes and members apart: "8 votes cast by 4 members"."""

import pytest

from tests.voting.factories import draft_poll, resolution
from tests.voting.test_result_wording import page, vote, words_everywhere
from voting.live import live_labels, poll_payload
from voting.models import BodySeat
from voting.presence import recount_quorum
from voting.services import close_poll, open_poll, publish_poll

pytestmark = pytest.mark.django_db


def test_weighted_result_says_votes_cast_by_members_everywhere(
    body, voters, present_voters, chair_user, chair_client
):
    for delegate in voters[:2]:
        BodySeat.objects.create(body=body, member=delegate.member, weight=3)
    recount_quorum(body=body)
    poll = open_poll(poll=draft_poll(resolution(body)), by=chair_user)
    vote(poll, present_voters, ["yes", "no", "yes", "abstain"])  # 3 + 3 + 1 + 1 votes
    publish_poll(poll=close_poll(poll=poll, by=chair_user), by=chair_user)
    texts = words_everywhere(poll, chair_client)
    for where in ("results", "sheet", "minutes"):
        assert "8 votes cast by 4 members." in texts[where], where
        assert "Votes cast: 8" not in texts[where], where
    lines = poll_payload(poll, with_results=True)["lines"]
    assert live_labels()["base"].format(**lines).startswith("8 votes cast by 4 members.")


def test_unweighted_result_still_says_votes_cast(body, present_voters, chair_user, chair_client):
    poll = open_poll(poll=draft_poll(resolution(body)), by=chair_user)
    vote(poll, present_voters, ["yes", "no", "yes"])
    publish_poll(poll=close_poll(poll=poll, by=chair_user), by=chair_user)
    results = chair_client.get(page("voting-results", poll.pk)).content.decode()
    assert "Votes cast: 3." in results
