"""A poll of a body with no voting members is never opened, override or not."""

import pytest

from tests.conftest import client_for
from tests.voting.factories import draft_poll, resolution
from voting.errors import EmptyElectorate
from voting.models import BodyKind, PollState
from voting.services import create_body, open_poll

pytestmark = pytest.mark.django_db


@pytest.fixture
def empty_poll(assembly, present_voters):
    """A draft poll of a listed body given no seats (the General Assembly meets beside it)."""
    council = create_body(assembly=assembly, code="council", name="Council", kind=BodyKind.LISTED)
    return draft_poll(resolution(council, code="council-res"))


def test_open_poll_refuses_a_body_without_voting_members_even_with_a_reason(empty_poll, chair_user):
    with pytest.raises(EmptyElectorate) as exc:
        open_poll(poll=empty_poll, by=chair_user, override_reason="We meet anyway")
    assert exc.value.code == "empty_electorate"
    empty_poll.refresh_from_db()
    assert empty_poll.state == PollState.DRAFT


def test_api_answers_its_own_code_for_an_empty_body(assembly, empty_poll, chair_user):
    response = client_for(chair_user).post(
        f"/api/v1/assemblies/{assembly.slug}/polls/{empty_poll.pk}/open",
        {"override_reason": "We meet anyway"},
        content_type="application/json",
    )
    assert response.status_code == 409
    assert response.json()["code"] == "empty_electorate"
    assert "This body has no voting members" in response.json()["detail"]


def test_console_says_the_body_is_empty_instead_of_asking_for_a_quorum_reason(
    assembly, empty_poll, chair_user
):
    page = client_for(chair_user).get(f"/a/{assembly.slug}/polls/console/")
    html = page.content.decode()
    row = html[html.index(f'id="poll-{empty_poll.pk}"') :]
    row = row[: row.index("</article>")]
    assert "This body has no voting members" in row
    assert "the reason to open it all the same" not in row
    assert "Open the poll" not in row
