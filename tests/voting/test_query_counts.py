"""The chair console and the audit export read candidates and ballots once, however many polls."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.voting.factories import draft_poll, election, resolution
from voting.models import PollKind
from voting.services import cast_ballots, close_poll, open_poll, publish_poll

pytestmark = pytest.mark.django_db


def add_polls(body, voters, chair, start: int, stop: int) -> None:
    """Of each kind the console and the export show: elections and resolutions, drafts,
    closed and published, secret and hand-counted."""
    for n in range(start, stop):
        if n % 2:
            motion = election(body, code=f"elec{n}", names=[f"City {n} A", f"City {n} B"])
            choice = str(motion.candidates.order_by("position").first().pk)
        else:
            motion = resolution(body, code=f"res{n}")
            choice = "yes"
        if n % 5 == 4:
            draft_poll(motion)
            continue
        if n % 5 == 3:
            close_poll(
                poll=open_poll(poll=draft_poll(motion, kind=PollKind.HAND), by=chair), by=chair
            )
            continue
        poll = open_poll(poll=draft_poll(motion), by=chair)
        cast_ballots(poll=poll, delegate=voters[n % len(voters)], choices=[choice])
        poll = close_poll(poll=poll, by=chair)
        if n % 3 == 0:
            publish_poll(poll=poll, by=chair)


def queries(get) -> int:
    with CaptureQueriesContext(connection) as run:
        assert get().status_code == 200
    return len(run.captured_queries)


def test_the_console_reads_as_many_queries_for_ten_polls_as_for_two(
    body, present_voters, chair_user, chair_client, django_assert_max_num_queries
):
    console = reverse("voting-console", args=["ga"])
    add_polls(body, present_voters, chair_user, 0, 2)
    two = queries(lambda: chair_client.get(console))
    add_polls(body, present_voters, chair_user, 2, 10)
    with django_assert_max_num_queries(two):
        html = chair_client.get(console).content.decode()
    assert "City 9 B" in html


def test_the_audit_export_reads_as_many_queries_for_ten_polls_as_for_two(
    body, present_voters, chair_user, chair_client, django_assert_max_num_queries
):
    export = "/api/v1/assemblies/ga/audit"
    add_polls(body, present_voters, chair_user, 0, 2)
    two = queries(lambda: chair_client.get(export))
    add_polls(body, present_voters, chair_user, 2, 10)
    with django_assert_max_num_queries(two):
        polls = chair_client.get(export).json()["polls"]
    assert len(polls) == 10
    assert sum(len(poll["ballots"]) for poll in polls) == 6
