"""Rows changed in the database behind the services' back, as testers did, are reported by
both verifiers (the server's command and the observer's verify.py) in words naming the poll."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.voting.every_poll import every_poll, vote
from tests.voting.factories import draft_poll, resolution
from voting.export import audit_export
from voting.models import AuditEntry, AuditHead, Ballot, Motion, Poll, PollKind, VoteCast
from voting.services import (
    close_poll,
    confirm_hand_counts,
    enter_hand_counts,
    open_poll,
    publish_poll,
)
from voting.verify import entry_hash, verify_chain

pytestmark = pytest.mark.django_db

VERIFIER = Path(__file__).resolve().parents[2] / "voting" / "verify.py"


def verdicts(capsys, tmp_path) -> tuple[int, str, int, str]:
    """The server's verify_audit (writing the full export) and the offline verify.py on it."""
    export = tmp_path / "export.json"
    try:
        call_command("verify_audit", export=str(export))
        status = 0
    except SystemExit as exc:
        status = exc.code
    out = capsys.readouterr().out
    offline = subprocess.run(
        [sys.executable, "-I", str(VERIFIER), str(export)], capture_output=True, text=True
    )
    return status, out, offline.returncode, offline.stdout


def reported(capsys, tmp_path, *phrases: str) -> None:
    """Both verifiers fail, and each names every phrase."""
    status, out, offline_status, offline_out = verdicts(capsys, tmp_path)
    assert status == 1, out
    assert offline_status == 1, offline_out
    for phrase in phrases:
        assert phrase in out, out
        assert phrase in offline_out, offline_out


def row(event: str, poll: Poll, nth: int = 0) -> AuditEntry:
    """The poll's nth entry of that event."""
    found = [
        entry
        for entry in AuditEntry.objects.filter(event=event).order_by("seq")
        if json.loads(entry.body)["data"]["poll"] == poll.pk
    ]
    return found[nth]


@pytest.fixture
def published(motion, present_voters, chair_user):
    """A secret poll adopted 2 yes to 1 no; two members have not voted."""
    poll = open_poll(poll=draft_poll(motion), by=chair_user)
    vote(poll, present_voters[:3], ["yes", "yes", "no"])
    return publish_poll(poll=close_poll(poll=poll, by=chair_user), by=chair_user)


def test_an_untouched_assembly_with_every_kind_of_poll_has_no_problems(
    body, present_voters, chair_user, secretariat_user, capsys, tmp_path
):
    every_poll(body, present_voters, chair_user, secretariat_user)
    status, out, offline_status, offline_out = verdicts(capsys, tmp_path)
    assert (status, offline_status) == (0, 0), out + offline_out
    head = AuditHead.objects.get()
    for text in (out, offline_out):
        assert "0 problems" in text
        assert "5 polls recomputed" in text
        assert "withheld" not in text  # the server's export holds every entry
        assert f"final audit head: row {head.seq} · {head.hash}" in text


# --- 2: a poll's life against its log -------------------------------------------------------


def test_a_published_poll_reopened_voted_again_and_republished_is_reported(
    published, present_voters, chair_user, capsys, tmp_path
):
    Poll.objects.filter(pk=published.pk).update(state="open")
    vote(published, present_voters[3:], ["no", "no"])
    publish_poll(poll=close_poll(poll=published, by=chair_user), by=chair_user)
    pid = published.pk
    closed = [row("poll.closed", published, n).seq for n in (0, 1)]
    published_rows = [row("poll.published", published, n).seq for n in (0, 1)]
    late = [row("ballot.cast", published, n).seq for n in (3, 4)]
    reported(
        capsys,
        tmp_path,
        f"poll {pid}: closed twice in the audit log (rows {closed[0]} and {closed[1]})",
        f"poll {pid}: published twice in the audit log (rows {published_rows[0]} and "
        f"{published_rows[1]}, adopted then rejected)",
        f"poll {pid}: 2 ballot(s) cast in rows {late[0]}, {late[1]} while it was published "
        f"(row {published_rows[0]})",
        f"poll {pid}: the ballots now count yes 2, no 3, abstain 0 (5 cast), but the result "
        f"published in row {published_rows[0]} counted yes 2, no 1, abstain 0 (3 cast)",
    )


@pytest.mark.parametrize("state", ["open", "draft", "closed"])
def test_a_published_poll_set_back_in_the_database_is_reported(published, state, capsys, tmp_path):
    Poll.objects.filter(pk=published.pk).update(state=state)
    publication = row("poll.published", published).seq
    reported(
        capsys,
        tmp_path,
        f"poll {published.pk}: stored as {state}, but its audit log has it published "
        f"(row {publication})",
    )


def test_a_poll_deleted_with_its_ballots_and_votes_cast_is_reported(published, capsys, tmp_path):
    publication = row("poll.published", published).seq
    Ballot.objects.filter(poll=published).delete()
    VoteCast.objects.filter(poll=published).delete()
    Poll.objects.filter(pk=published.pk).delete()
    reported(
        capsys,
        tmp_path,
        f"poll {published.pk}: in the audit log (last published in row {publication}) but "
        "missing from the export: deleted from the database",
    )


# --- 3: a roll-call ballot edited while its poll was open ------------------------------------


def test_a_roll_call_ballot_edited_while_open_is_reported(
    motion, present_voters, chair_user, capsys, tmp_path
):
    poll = open_poll(poll=draft_poll(motion, kind=PollKind.ROLL_CALL), by=chair_user)
    vote(poll, present_voters, ["yes", "no", "no", "yes", "abstain"])
    member = present_voters[1].member
    ballot = Ballot.objects.get(poll=poll, member=member)
    Ballot.objects.filter(pk=ballot.pk).update(choices=["yes"])
    publish_poll(poll=close_poll(poll=poll, by=chair_user), by=chair_user)
    cast = next(
        entry
        for entry in AuditEntry.objects.filter(event="ballot.cast")
        if json.loads(entry.body)["data"]["member"] == member.pk
    )
    reported(
        capsys,
        tmp_path,
        f"poll {poll.pk}: ballot {ballot.pk} of member {member.pk} was edited between its "
        f"casting (row {cast.seq}: no, now yes) and the close",
    )


# --- 4: the chain rewritten from some row on ---------------------------------------------------


def rewrite_chain_from(entry: AuditEntry, body: str) -> None:
    """Replace one row's body and recompute every later hash and the head, as a forger would."""
    prev = entry.prev_hash
    for later in AuditEntry.objects.filter(seq__gte=entry.seq).order_by("seq"):
        text = body if later.pk == entry.pk else later.body
        digest = entry_hash(prev, text)
        AuditEntry.objects.filter(pk=later.pk).update(body=text, prev_hash=prev, hash=digest)
        prev = digest
    AuditHead.objects.update(hash=prev)


def test_a_chain_rewritten_from_a_row_on_breaks_the_heads_its_polls_recorded(
    published, capsys, tmp_path
):
    opened = row("poll.opened", published)
    recorded = json.loads(opened.body)["data"]["figures"]["audit_head"]
    target = AuditEntry.objects.get(seq=recorded["seq"])
    rewrite_chain_from(target, target.body.replace('"data":{', '"data":{"forged":1,', 1))
    export = audit_export(published.assembly)
    assert verify_chain(export["audit"], export["head"]) == []  # consistent, hashes and all
    head = AuditHead.objects.get()
    reported(
        capsys,
        tmp_path,
        f"poll {published.pk}: the audit head its open recorded in row {opened.seq} is row "
        f"{recorded['seq']} · {recorded['hash'][:12]}, but the chain's row {recorded['seq']} is "
        f"{AuditEntry.objects.get(pk=target.pk).hash[:12]}: the chain was rewritten",
        f"poll {published.pk}: the audit head its close recorded",
        f"poll {published.pk}: the audit head stored with the poll at its open is row "
        f"{recorded['seq']}",
        f"final audit head: row {head.seq} · {head.hash}",
    )


# --- 5: a closed poll's stored result -----------------------------------------------------------


def test_a_closed_unpublished_polls_edited_result_is_reported_to_the_server(
    motion, present_voters, chair_user, capsys, tmp_path
):
    poll = open_poll(poll=draft_poll(motion), by=chair_user)
    vote(poll, present_voters, ["yes", "yes", "yes", "no", "no"])
    poll = close_poll(poll=poll, by=chair_user)
    forged = {**poll.result, "counts": {"yes": 2, "no": 3, "abstain": 0}, "outcome": "rejected"}
    Poll.objects.filter(pk=poll.pk).update(result=forged)
    reported(
        capsys,
        tmp_path,
        f"poll {poll.pk}: the ballots now count yes 3, no 2, abstain 0 (5 cast), but the stored "
        "result counted yes 2, no 3, abstain 0 (5 cast)",
    )


# --- 6: what disagrees when no ballot changed --------------------------------------------------


def test_a_motions_majority_edited_after_publication_is_reported_though_the_result_holds(
    published, capsys, tmp_path
):
    # 2 yes to 1 no is adopted by a simple majority and by two thirds alike.
    Motion.objects.filter(pk=published.motion_id).update(majority="two_thirds_cast")
    created = AuditEntry.objects.get(event="motion.created").seq
    reported(
        capsys,
        tmp_path,
        f"poll {published.pk}: its motion's majority is now two_thirds_cast, the audit log has "
        f"simple (row {created})",
    )
    out = verdicts(capsys, tmp_path)[1]
    assert "ballots now count" not in out
    assert "same counts" not in out


def test_a_majority_edited_so_that_the_outcome_turns_says_the_rules_changed(
    motion, present_voters, chair_user, capsys, tmp_path
):
    poll = open_poll(poll=draft_poll(motion), by=chair_user)
    vote(poll, present_voters, ["yes", "yes", "yes", "no", "no"])
    publish_poll(poll=close_poll(poll=poll, by=chair_user), by=chair_user)
    Motion.objects.filter(pk=motion.pk).update(majority="two_thirds_cast")
    reported(
        capsys,
        tmp_path,
        f"poll {poll.pk}: its motion's majority is now two_thirds_cast, the audit log has simple",
        f"poll {poll.pk}: a recount finds the same counts as the result sealed at its close",
        "(yes 3, no 2, abstain 0 (5 cast)) but makes something else of them (threshold 3 there, "
        "4 now; outcome adopted there, rejected now): the rules they are counted under changed, "
        "not the ballots (now majority two_thirds_cast",
    )
    assert "ballots now count" not in verdicts(capsys, tmp_path)[1]


def test_the_abstention_rule_edited_after_publication_says_the_rules_changed(
    body, present_voters, chair_user, capsys, tmp_path
):
    motion = resolution(body, majority="absolute_cast")
    poll = open_poll(poll=draft_poll(motion), by=chair_user)
    vote(poll, present_voters, ["yes", "yes", "yes", "no", "abstain"])
    publish_poll(poll=close_poll(poll=poll, by=chair_user), by=chair_user)
    Motion.objects.filter(pk=motion.pk).update(abstentions_in_base=True)
    reported(
        capsys,
        tmp_path,
        f"poll {poll.pk}: a recount finds the same counts as the result sealed at its close",
        "(yes 3, no 1, abstain 1 (5 cast)) but makes something else of them (base 4 there, "
        "5 now): the rules they are counted under changed, not the ballots (now majority "
        "absolute_cast, abstentions in the base",
    )


def test_edited_hand_counts_are_named_as_the_counts_not_the_ballots(
    motion, present_voters, chair_user, secretariat_user, capsys, tmp_path
):
    poll = open_poll(poll=draft_poll(motion, kind=PollKind.HAND), by=chair_user)
    close_poll(poll=poll, by=chair_user)
    enter_hand_counts(
        poll=poll, by=secretariat_user, counts={"yes": 3, "no": 2, "abstain": 0}, ballots=5
    )
    confirm_hand_counts(poll=poll, by=chair_user)
    publish_poll(poll=poll, by=chair_user)
    Poll.objects.filter(pk=poll.pk).update(
        hand_counts={"counts": {"yes": 2, "no": 3, "abstain": 0}, "ballots": 5}
    )
    entered = row("poll.counts_entered", poll).seq
    reported(
        capsys,
        tmp_path,
        f"poll {poll.pk}: its hand counts are now yes 2, no 3, abstain 0 (5 ballots), but "
        f"yes 3, no 2, abstain 0 (5 ballots) were entered (row {entered})",
        f"poll {poll.pk}: the hand counts now give yes 2, no 3, abstain 0 (5 cast), but the "
        "result confirmed in row",
    )


def test_a_discarded_draft_and_a_draft_opened_on_an_edited_motion_verify_clean(
    body, present_voters, chair_user, capsys, tmp_path
):
    from tests.voting.factories import election
    from voting.models import Candidate
    from voting.services import discard_draft

    discard_draft(poll=draft_poll(resolution(body), kind=PollKind.ROLL_CALL), by=chair_user)
    motion = election(body, names=["Seoul", "Kampala", "Lyon"], seats=2)
    draft = draft_poll(motion)
    Motion.objects.filter(pk=motion.pk).update(seats=1)
    Candidate.objects.create(motion=motion, name="Bogotá", position=3)
    poll = open_poll(poll=draft, by=chair_user)
    vote(poll, present_voters[:2], [str(poll.candidates.first().pk)] * 2)
    publish_poll(poll=close_poll(poll=poll, by=chair_user), by=chair_user)
    status, out, offline_status, offline_out = verdicts(capsys, tmp_path)
    assert (status, offline_status) == (0, 0), out + offline_out


def test_a_discarded_draft_put_back_in_the_database_is_reported(body, chair_user, capsys, tmp_path):
    from voting.services import discard_draft

    draft = draft_poll(resolution(body))
    kept = Poll.objects.filter(pk=draft.pk).values()[0]
    discard_draft(poll=draft, by=chair_user)
    Poll.objects.create(**kept)
    reported(capsys, tmp_path, f"poll {draft.pk}: stored as draft, but its audit log discarded it")
