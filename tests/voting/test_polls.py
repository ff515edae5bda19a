"""Poll states: draft -> open -> closed -> published, quorum at open, figures, counts, runoffs."""

from datetime import timedelta

import pytest
from django.utils import timezone

from assembly.errors import InvalidInput
from tests.voting.factories import draft_poll, election_without_majority
from voting.errors import (
    CountsNotConfirmed,
    DomainError,
    NoQuorum,
    SameCounter,
    TooEarly,
    WrongPollState,
)
from voting.models import AuditEntry, Poll, PollKind, PollState
from voting.presence import record_hall_entry
from voting.services import (
    cast_ballots,
    close_due_polls,
    close_poll,
    confirm_hand_counts,
    enter_hand_counts,
    open_poll,
    publish_poll,
)

pytestmark = pytest.mark.django_db


def test_poll_cannot_open_without_quorum(motion, voters, chair_user):
    poll = draft_poll(motion)
    with pytest.raises(NoQuorum) as exc:
        open_poll(poll=poll, by=chair_user)
    assert exc.value.code == "no_quorum"
    poll.refresh_from_db()
    assert poll.state == PollState.DRAFT


def test_chair_override_opens_without_quorum_and_records_the_reason(motion, voters, chair_user):
    poll = open_poll(poll=draft_poll(motion), by=chair_user, override_reason="Agreed by all")
    assert poll.state == PollState.OPEN
    assert poll.override_reason == "Agreed by all"
    entry = AuditEntry.objects.get(event="poll.opened")
    assert "Agreed by all" in entry.body


def test_open_records_quorum_electorate_fingerprint_and_audit_head(open_secret_poll):
    figures = open_secret_poll.at_open
    assert figures["quorum"]["present"] == 5
    assert figures["electorate"]["count"] == 5
    assert figures["electorate"]["weight"] == 5
    assert len(figures["electorate"]["fingerprint"]) == 64
    assert figures["audit_head"]["seq"] > 0


def test_poll_never_goes_backwards(open_secret_poll, chair_user):
    with pytest.raises(WrongPollState):
        open_poll(poll=open_secret_poll, by=chair_user)
    close_poll(poll=open_secret_poll, by=chair_user)
    with pytest.raises(WrongPollState):
        close_poll(poll=open_secret_poll, by=chair_user)
    publish_poll(poll=open_secret_poll, by=chair_user)
    for action in (open_poll, close_poll, publish_poll):
        with pytest.raises(WrongPollState):
            action(poll=open_secret_poll, by=chair_user)


def test_minimum_open_time_refuses_an_early_close(motion, present_voters, chair_user):
    poll = open_poll(poll=draft_poll(motion, min_open_seconds=60), by=chair_user)
    with pytest.raises(TooEarly) as exc:
        close_poll(poll=poll, by=chair_user)
    assert exc.value.code == "too_early"


def test_scheduled_close_closes_due_polls_and_refuses_late_ballots(
    motion, present_voters, chair_user
):
    poll = open_poll(poll=draft_poll(motion, close_after_seconds=30), by=chair_user)
    Poll.objects.filter(pk=poll.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(DomainError) as exc:
        cast_ballots(poll=poll, delegate=present_voters[0], choices=["yes"])
    assert exc.value.code == "poll_not_open"
    assert [p.pk for p in close_due_polls(assembly=poll.assembly)] == [poll.pk]
    poll.refresh_from_db()
    assert poll.state == PollState.CLOSED


def test_close_records_figures_and_result(open_secret_poll, present_voters, chair_user):
    for delegate, choice in zip(
        present_voters, ["yes", "yes", "yes", "no", "abstain"], strict=True
    ):
        cast_ballots(poll=open_secret_poll, delegate=delegate, choices=[choice])
    poll = close_poll(poll=open_secret_poll, by=chair_user)
    assert poll.at_close["quorum"]["present"] == 5
    assert poll.result["counts"] == {"yes": 3, "no": 1, "abstain": 1}
    assert poll.result["outcome"] == "adopted"


def test_hand_counted_poll_needs_the_chair_to_confirm_before_publishing(
    motion, present_voters, chair_user, secretariat_user
):
    poll = open_poll(poll=draft_poll(motion, kind=PollKind.HAND), by=chair_user)
    close_poll(poll=poll, by=chair_user)
    enter_hand_counts(
        poll=poll, by=secretariat_user, counts={"yes": 3, "no": 1, "abstain": 1}, ballots=5
    )
    with pytest.raises(CountsNotConfirmed):
        publish_poll(poll=poll, by=chair_user)
    confirm_hand_counts(poll=poll, by=chair_user)
    poll = publish_poll(poll=poll, by=chair_user)
    assert poll.result["outcome"] == "adopted"


def test_whoever_entered_the_counts_cannot_confirm_them(motion, present_voters, chair_user):
    poll = open_poll(poll=draft_poll(motion, kind=PollKind.HAND), by=chair_user)
    close_poll(poll=poll, by=chair_user)
    enter_hand_counts(poll=poll, by=chair_user, counts={"yes": 3, "no": 1, "abstain": 1}, ballots=5)
    with pytest.raises(SameCounter):
        confirm_hand_counts(poll=poll, by=chair_user)
    poll.refresh_from_db()
    assert poll.hand_counts_confirmed_by is None
    assert poll.result == {}
    with pytest.raises(CountsNotConfirmed):
        publish_poll(poll=poll, by=chair_user)


def test_hand_counts_beyond_the_electorate_are_refused(
    motion, present_voters, chair_user, secretariat_user
):
    poll = open_poll(poll=draft_poll(motion, kind=PollKind.HAND), by=chair_user)
    poll = close_poll(poll=poll, by=chair_user)
    weight = poll.at_close["electorate"]["weight"]
    with pytest.raises(InvalidInput):
        enter_hand_counts(
            poll=poll, by=secretariat_user, counts={"yes": weight + 1}, ballots=weight + 1
        )
    poll.refresh_from_db()
    assert poll.hand_counts == {}
    enter_hand_counts(poll=poll, by=secretariat_user, counts={"yes": weight}, ballots=weight)


def test_hand_counts_beyond_the_members_present_are_refused(
    motion, voters, chair_user, secretariat_user
):
    for delegate in voters[:3]:  # three of the five members in the hall
        record_hall_entry(delegate=delegate, at=timezone.now())
    poll = open_poll(poll=draft_poll(motion, kind=PollKind.HAND), by=chair_user)
    poll = close_poll(poll=poll, by=chair_user)
    with pytest.raises(InvalidInput) as exc:
        enter_hand_counts(poll=poll, by=secretariat_user, counts={"yes": 4}, ballots=4)
    assert "3 votes of the members present" in str(exc.value)
    poll.refresh_from_db()
    assert poll.hand_counts == {}
    enter_hand_counts(poll=poll, by=secretariat_user, counts={"yes": 3}, ballots=3)


def test_hand_counts_that_do_not_add_up_are_refused(motion, present_voters, chair_user):
    poll = open_poll(poll=draft_poll(motion, kind=PollKind.HAND), by=chair_user)
    close_poll(poll=poll, by=chair_user)
    with pytest.raises(DomainError) as exc:
        enter_hand_counts(poll=poll, by=chair_user, counts={"yes": 3, "no": 1}, ballots=9)
    assert exc.value.code == "invalid_input"
    poll.refresh_from_db()
    assert poll.hand_counts == {}


def test_missing_majority_creates_a_draft_runoff_among_the_leading(
    body, present_voters, chair_user
):
    poll, ids = election_without_majority(body, present_voters, chair_user)
    publish_poll(poll=poll, by=chair_user)
    runoff = poll.runoffs.get()
    assert runoff.state == PollState.DRAFT
    assert runoff.round == 2
    assert sorted(str(c.pk) for c in runoff.candidates.all()) == sorted(ids[:2])


def test_close_due_polls_command_closes_only_polls_past_their_countdown(
    motion, present_voters, chair_user, capsys
):
    from django.core.management import call_command

    due = open_poll(poll=draft_poll(motion, close_after_seconds=30), by=chair_user)
    Poll.objects.filter(pk=due.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
    call_command("close_due_polls")
    due.refresh_from_db()
    assert due.state == PollState.CLOSED
    assert f"closed poll {due.pk}" in capsys.readouterr().out


def test_hand_counts_of_a_poll_opened_without_quorum_are_bounded_by_the_electorate(
    motion, voters, chair_user, secretariat_user
):
    # Nobody scanned in: the chair opened with a reason, so the presence list is not the room.
    poll = open_poll(
        poll=draft_poll(motion, kind=PollKind.HAND), by=chair_user, override_reason="Paper vote"
    )
    poll = close_poll(poll=poll, by=chair_user)
    with pytest.raises(InvalidInput):
        enter_hand_counts(poll=poll, by=secretariat_user, counts={"yes": 6}, ballots=6)
    enter_hand_counts(poll=poll, by=secretariat_user, counts={"yes": 4, "no": 1}, ballots=5)
    poll.refresh_from_db()
    assert poll.hand_counts["ballots"] == 5


def test_a_second_draft_of_a_motion_is_refused_until_the_first_is_discarded(
    motion, present_voters, chair_user
):
    from voting.errors import DraftExists
    from voting.services import discard_draft

    first = draft_poll(motion)
    with pytest.raises(DraftExists) as refused:
        draft_poll(motion)
    assert refused.value.code == "draft_exists"
    assert Poll.objects.filter(motion=motion).count() == 1
    discard_draft(poll=first, by=chair_user)
    assert draft_poll(motion).round == 1
