"""Secret polls: nothing in the schema or the rows joins a ballot to a voter."""

import pytest
from django.db import connection, models

from tests.conftest import requires_postgres
from voting.models import Ballot, Poll, VoteCast
from voting.services import cast_ballots, close_poll

pytestmark = pytest.mark.django_db


def test_ballot_table_has_no_time_no_voter_link_and_random_ids():
    fields = {f.name: f for f in Ballot._meta.get_fields() if f.concrete}
    assert isinstance(fields["id"], models.UUIDField)
    assert not [
        f for f in fields.values() if isinstance(f, models.DateField | models.DateTimeField)
    ]
    links = {f.name: f.related_model for f in fields.values() if f.is_relation}
    # Only the poll, and the member field that roll-call polls alone fill.
    assert set(links) == {"poll", "member"}
    assert Poll in links.values()
    vote_fields = {f.name: f for f in VoteCast._meta.get_fields() if f.concrete}
    assert isinstance(vote_fields["id"], models.UUIDField)
    assert not [f for f in vote_fields.values() if isinstance(f, models.DateTimeField)]
    assert Ballot not in {f.related_model for f in vote_fields.values() if f.is_relation}


def test_secret_ballot_rows_carry_no_voter(open_secret_poll, present_voters):
    for delegate in present_voters:
        cast_ballots(poll=open_secret_poll, delegate=delegate, choices=["yes"])
    columns = [
        c.name
        for c in connection.introspection.get_table_description(
            connection.cursor(), Ballot._meta.db_table
        )
    ]
    assert sorted(columns) == ["choices", "id", "member_id", "poll_id", "receipt_hash", "weight"]
    assert set(Ballot.objects.filter(poll=open_secret_poll).values_list("member", flat=True)) == {
        None
    }


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_closing_rewrites_secret_ballots_so_transactions_do_not_match_voters(
    open_secret_poll, present_voters, chair_user
):
    for delegate in present_voters:
        cast_ballots(poll=open_secret_poll, delegate=delegate, choices=["yes"])
    close_poll(poll=open_secret_poll, by=chair_user)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT xmin::text FROM voting_ballot WHERE poll_id = %s",
            [open_secret_poll.pk],
        )
        ballot_xmins = {row[0] for row in cursor.fetchall()}
        cursor.execute(
            "SELECT DISTINCT xmin::text FROM voting_votecast WHERE poll_id = %s",
            [open_secret_poll.pk],
        )
        cast_xmins = {row[0] for row in cursor.fetchall()}
    assert len(ballot_xmins) == 1  # every ballot written by the closing transaction
    assert not ballot_xmins & cast_xmins
