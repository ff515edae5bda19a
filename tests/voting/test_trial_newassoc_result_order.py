"""Results list a resolution's counts as the ballot does: Yes, No, Abstain."""

import pytest

from tests.conftest import client_for
from voting.models import Poll
from voting.selectors import result_lines
from voting.services import cast_ballots, close_poll, publish_poll

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(open_secret_poll, present_voters, chair_user):
    for delegate, choice in zip(
        present_voters, ["yes", "yes", "no", "abstain", "yes"], strict=True
    ):
        cast_ballots(poll=open_secret_poll, delegate=delegate, choices=[choice])
    poll = publish_poll(poll=close_poll(poll=open_secret_poll, by=chair_user), by=chair_user)
    # As PostgreSQL's jsonb hands the result back: keys shortest first.
    result = dict(poll.result)
    result["counts"] = {key: result["counts"][key] for key in ("no", "yes", "abstain")}
    Poll.objects.filter(pk=poll.pk).update(result=result)
    poll.refresh_from_db()
    return poll


def test_result_bars_read_yes_no_abstain(published):
    bars = result_lines(published)["bars"]
    assert [(bar["value"], bar["count"]) for bar in bars] == [("yes", 3), ("no", 1), ("abstain", 1)]


def test_results_page_shows_yes_before_no(assembly, published, present_voters):
    page = client_for(present_voters[0].user).get(f"/a/{assembly.slug}/results/{published.pk}/")
    html = page.content.decode()
    bars = html[html.index('class="bars"') :]
    assert bars.index(">Yes<") < bars.index(">No<") < bars.index(">Abstain<")
