"""A poll's life around its drafts: discarding one, one round of a motion at a time, a motion
decided once, a draft that takes the motion as edited, and counts confirmed by the chair."""

import json

import pytest
from django.urls import reverse

from assembly.errors import Forbidden
from assembly.models import Role
from tests.conftest import client_for, staff_user
from tests.factories import UserFactory
from tests.voting.factories import draft_poll, election, election_without_majority
from voting.errors import WrongPollState
from voting.models import AuditEntry, Candidate, Motion, Poll, PollKind, PollState
from voting.services import (
    cast_ballots,
    close_poll,
    confirm_hand_counts,
    create_poll,
    create_runoff,
    discard_draft,
    enter_hand_counts,
    open_poll,
    publish_poll,
)

pytestmark = pytest.mark.django_db


def page(name, *args):
    return reverse(name, args=["ga", *args])


def audit_data(event):
    return [json.loads(e.body)["data"] for e in AuditEntry.objects.filter(event=event)]


# --- discarding a draft ------------------------------------------------------------------------


def test_a_draft_made_as_roll_call_by_mistake_is_discarded_and_the_secret_poll_made(
    motion, chair_user
):
    wrong = draft_poll(motion, kind=PollKind.ROLL_CALL)
    discard_draft(poll=wrong, by=chair_user)
    assert not Poll.objects.filter(pk=wrong.pk).exists()
    [logged] = audit_data("poll.discarded")
    assert logged == {
        "poll": wrong.pk,
        "motion": motion.pk,
        "round": 1,
        "kind": "roll_call",
        "by": chair_user.pk,
    }
    secret = draft_poll(motion, kind=PollKind.SECRET)
    assert (secret.round, secret.kind) == (1, PollKind.SECRET)


def test_only_a_draft_can_be_discarded(open_secret_poll, chair_user):
    with pytest.raises(WrongPollState) as refused:
        discard_draft(poll=open_secret_poll, by=chair_user)
    assert "Only a draft poll can be discarded" in refused.value.detail
    assert Poll.objects.get(pk=open_secret_poll.pk).state == PollState.OPEN
    assert not audit_data("poll.discarded")


def test_discarding_tells_the_consoles_after_commit(
    motion, chair_user, django_capture_on_commit_callbacks, sent
):
    draft = draft_poll(motion)
    with django_capture_on_commit_callbacks(execute=True):
        discard_draft(poll=draft, by=chair_user)
    [message] = sent
    assert message["event"] == "poll.state"
    assert (message["payload"]["id"], message["payload"]["state"]) == (draft.pk, "discarded")


def test_the_console_discards_a_draft_after_a_confirm_step(motion, chair_client):
    draft = draft_poll(motion, kind=PollKind.ROLL_CALL)
    console = chair_client.get(page("voting-console")).content.decode()
    action = page("voting-action", draft.pk, "discard")
    assert f'action="{action}"' in console
    assert "Discard draft" in console
    ask = chair_client.post(action)
    assert ask.status_code == 200
    assert "Discard this draft poll?" in ask.content.decode()
    assert Poll.objects.filter(pk=draft.pk).exists()  # nothing happens before the confirmation
    done = chair_client.post(action, {"confirmed": "yes"}, follow=True)
    assert "The draft poll is discarded." in done.content.decode()
    assert not Poll.objects.filter(pk=draft.pk).exists()


def test_the_secretariat_discards_a_draft_and_a_desk_cannot(
    motion, secretariat_client, desk_client
):
    draft = draft_poll(motion)
    action = page("voting-action", draft.pk, "discard")
    assert desk_client.post(action, {"confirmed": "yes"}).status_code == 403
    assert Poll.objects.filter(pk=draft.pk).exists()
    secretariat_client.post(action, {"confirmed": "yes"})
    assert not Poll.objects.filter(pk=draft.pk).exists()


def test_the_console_refuses_to_discard_an_open_poll(open_secret_poll, chair_client):
    action = page("voting-action", open_secret_poll.pk, "discard")
    refused = chair_client.post(action, {"confirmed": "yes"}, follow=True)
    assert "Only a draft poll can be discarded" in refused.content.decode()
    assert Poll.objects.get(pk=open_secret_poll.pk).state == PollState.OPEN


# --- one round at a time, and a motion decided once ----------------------------------------------


def test_no_round_is_prepared_while_another_round_of_the_motion_is_open(
    open_secret_poll, chair_user
):
    with pytest.raises(WrongPollState) as refused:
        create_poll(motion=open_secret_poll.motion, kind=PollKind.SECRET)
    assert refused.value.detail == "Round 1 of Adopt the agenda is open: close it first."
    assert Poll.objects.filter(motion=open_secret_poll.motion).count() == 1


def test_a_stray_round_made_while_the_runoff_was_open_cannot_elect_a_second_winner(
    body, present_voters, chair_user
):
    """Round 2 (the runoff) elects Kampala; round 3, made beside it by an earlier version and
    still offering all three candidates, must not open and elect someone else."""
    first, ids = election_without_majority(body, present_voters, chair_user)
    publish_poll(poll=first, by=chair_user)
    runoff = open_poll(poll=first.runoffs.get(), by=chair_user)
    stray = Poll.objects.create(
        motion=first.motion, assembly=first.assembly, round=3, kind=PollKind.SECRET, seats=1
    )
    stray.candidates.set(first.motion.candidates.all())
    for delegate in present_voters:
        cast_ballots(poll=runoff, delegate=delegate, choices=[ids[0]])
    runoff = close_poll(poll=runoff, by=chair_user)
    assert runoff.result["outcome"] == "elected"
    with pytest.raises(WrongPollState) as refused:
        open_poll(poll=stray, by=chair_user)
    assert refused.value.code == "motion_decided"
    assert refused.value.detail.startswith(
        "Elect the Vice President Cities was decided in round 2 (Elected: Kampala (5 votes);"
    )
    assert refused.value.detail.endswith("A new vote needs a new motion.")
    stray.refresh_from_db()
    assert stray.state == PollState.DRAFT
    discard_draft(poll=stray, by=chair_user)
    with pytest.raises(WrongPollState) as again:
        create_poll(motion=first.motion, kind=PollKind.SECRET)
    assert again.value.code == "motion_decided"


def test_a_decided_resolution_takes_no_second_round(open_secret_poll, present_voters, chair_user):
    cast_ballots(poll=open_secret_poll, delegate=present_voters[0], choices=["no"])
    close_poll(poll=open_secret_poll, by=chair_user)
    with pytest.raises(WrongPollState) as refused:
        create_poll(motion=open_secret_poll.motion, kind=PollKind.SECRET)
    assert refused.value.detail == (
        "Adopt the agenda was decided in round 1 (Rejected: 0 yes, 1 no, 0 abstentions (more yes"
        " than no needed)). A new vote needs a new motion."
    )


def test_the_runoff_a_result_calls_for_still_opens_and_nothing_else_does(
    body, present_voters, chair_user
):
    first, ids = election_without_majority(body, present_voters, chair_user)
    publish_poll(poll=first, by=chair_user)
    runoff = first.runoffs.get()
    discard_draft(poll=runoff, by=chair_user)
    with pytest.raises(WrongPollState) as refused:
        create_poll(motion=first.motion, kind=PollKind.SECRET)  # all three again: no
    assert refused.value.code == "runoff_pending"
    runoff = open_poll(poll=create_runoff(poll=first), by=chair_user)
    assert (runoff.round, runoff.runoff_of_id, runoff.seats) == (2, first.pk, 1)
    assert sorted(str(c.pk) for c in runoff.candidates.all()) == sorted(ids[:2])


def test_publishing_leaves_the_runoff_to_the_console_when_a_stray_draft_is_in_the_way(
    body, present_voters, chair_user, chair_client
):
    first, _ids = election_without_majority(body, present_voters, chair_user)
    stray = Poll.objects.create(
        motion=first.motion, assembly=first.assembly, round=2, kind=PollKind.SECRET, seats=1
    )
    publish_poll(poll=first, by=chair_user)  # published all the same
    assert not first.runoffs.exists()
    console = chair_client.get(page("voting-console")).content.decode()
    assert "Prepare the runoff" in console
    discard_draft(poll=stray, by=chair_user)
    assert create_runoff(poll=first).runoff_of_id == first.pk


def test_no_round_follows_a_hand_count_not_confirmed_yet(motion, present_voters, chair_user):
    hand = open_poll(poll=draft_poll(motion, kind=PollKind.HAND), by=chair_user)
    close_poll(poll=hand, by=chair_user)
    with pytest.raises(WrongPollState) as refused:
        create_poll(motion=motion, kind=PollKind.SECRET)
    assert refused.value.code == "round_not_counted"


# --- a draft takes the motion as it is when it opens ---------------------------------------------


def test_a_first_round_draft_opens_with_the_motions_current_seats_and_candidates(
    body, present_voters, chair_user, chair_client
):
    names = ["Seoul", "Kampala", "São Paulo", "Almaty", "Ulaanbaatar", "Lyon"]
    motion = election(body, names=names, seats=3)
    draft = draft_poll(motion)
    assert (draft.seats, draft.candidates.count()) == (3, 6)
    # Edited in the back office afterwards: two seats, a seventh candidate.
    Motion.objects.filter(pk=motion.pk).update(seats=2)
    Candidate.objects.create(motion=motion, name="Bogotá", position=6)
    console = chair_client.get(page("voting-console")).content.decode()
    assert "Will offer 2 seats among: " + ", ".join([*names, "Bogotá"]) in console
    poll = open_poll(poll=draft, by=chair_user)
    assert (poll.seats, poll.candidates.count()) == (2, 7)
    [opened] = audit_data("poll.opened")
    assert (opened["seats"], len(opened["candidates"])) == (2, 7)
    ballot = client_for(present_voters[0].user).get(page("voting-ballot")).content.decode()
    assert "Choose up to 2 candidates" in ballot
    assert "Bogotá" in ballot


def test_a_runoff_draft_keeps_its_own_candidates_and_seats(body, present_voters, chair_user):
    first, ids = election_without_majority(body, present_voters, chair_user)
    publish_poll(poll=first, by=chair_user)
    Candidate.objects.create(motion=first.motion, name="Bogotá", position=9)
    runoff = open_poll(poll=first.runoffs.get(), by=chair_user)
    assert runoff.seats == 1
    assert sorted(str(c.pk) for c in runoff.candidates.all()) == sorted(ids[:2])


# --- hand counts: the chair confirms ------------------------------------------------------------


@pytest.fixture
def entered_hand_poll(motion, present_voters, chair_user, secretariat_user):
    poll = close_poll(
        poll=open_poll(poll=draft_poll(motion, kind=PollKind.HAND), by=chair_user), by=chair_user
    )
    counts = {"yes": 3, "no": 1, "abstain": 1}
    return enter_hand_counts(poll=poll, by=secretariat_user, counts=counts, ballots=5)


def test_a_second_secretariat_user_cannot_confirm_hand_counts(assembly, entered_hand_poll):
    other = staff_user(assembly, Role.SECRETARIAT, "secretariat-2")
    with pytest.raises(Forbidden) as refused:
        confirm_hand_counts(poll=entered_hand_poll, by=other)
    assert refused.value.code == "not_chair"
    entered_hand_poll.refresh_from_db()
    assert entered_hand_poll.hand_counts_confirmed_by is None


def test_the_api_refuses_a_secretariat_user_confirming_hand_counts(assembly, entered_hand_poll):
    other = client_for(staff_user(assembly, Role.SECRETARIAT, "secretariat-2"))
    path = f"/api/v1/assemblies/ga/polls/{entered_hand_poll.pk}/counts/confirm"
    response = other.post(path, content_type="application/json")
    assert response.status_code == 403
    assert response.json()["code"] == "not_chair"
    publish = other.post(
        f"/api/v1/assemblies/ga/polls/{entered_hand_poll.pk}/publish",
        content_type="application/json",
    )
    assert publish.json()["code"] == "counts_not_confirmed"
    entered_hand_poll.refresh_from_db()
    assert entered_hand_poll.state == PollState.CLOSED


def test_the_chair_or_a_superuser_confirms_hand_counts(entered_hand_poll, chair_user):
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    assert confirm_hand_counts(poll=entered_hand_poll, by=root).result["outcome"] == "adopted"
    assert confirm_hand_counts(poll=entered_hand_poll, by=chair_user).hand_counts_confirmed_by == (
        chair_user
    )
