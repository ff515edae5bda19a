"""The audit export withholds what the caller may not see yet, entries of the log included,
and the observer still checks every link of the chain and is told what it could not read."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import client_for
from tests.voting.every_poll import every_poll, vote
from tests.voting.factories import draft_poll
from voting.models import AuditEntry, PollKind
from voting.services import close_poll, open_poll, publish_poll
from voting.verify import check_export, verify_chain

pytestmark = pytest.mark.django_db

VERIFIER = Path(__file__).resolve().parents[2] / "voting" / "verify.py"


def download(user, assembly) -> dict:
    response = client_for(user).get(f"/api/v1/assemblies/{assembly.slug}/audit")
    assert response.status_code == 200
    return response.json()


def bodies(export: dict) -> list[dict]:
    """The entries the export lets the caller read, as JSON."""
    return [json.loads(entry["body"]) for entry in export["audit"] if "body" in entry]


def redacted(export: dict) -> list[dict]:
    return [entry for entry in export["audit"] if entry.get("redacted")]


@pytest.fixture
def voter(present_voters):
    return present_voters[0].user


@pytest.fixture
def open_roll_call(motion, present_voters, chair_user):
    poll = open_poll(poll=draft_poll(motion, kind=PollKind.ROLL_CALL), by=chair_user)
    vote(poll, present_voters[:3], ["yes", "no", "abstain"])
    return poll


def test_no_caller_reads_an_open_roll_call_polls_choices_in_the_log(
    open_roll_call, voter, chair_user, assembly
):
    for user in (voter, chair_user):
        export = download(user, assembly)
        assert not [b for b in bodies(export) if "choices" in b["data"]]
        stubs = redacted(export)
        assert [(s["event"], s["poll"]) for s in stubs] == [("ballot.cast", open_roll_call.pk)] * 3
        assert {s["redacted"] for s in stubs} == {f"poll {open_roll_call.pk} is open"}
        assert all(
            set(s) == {"seq", "event", "poll", "redacted", "prev_hash", "hash"} for s in stubs
        )
        verdict = check_export(export)
        assert verdict.problems == []
        assert verdict.unread == 3
        assert any(
            note.startswith("3 of ") and "could not be opened" in note for note in verdict.notes
        )


def test_a_delegate_reads_no_closed_secret_polls_counts_before_publication(
    motion, present_voters, chair_user, voter, assembly
):
    poll = open_poll(poll=draft_poll(motion), by=chair_user)
    vote(poll, present_voters, ["yes", "yes", "no", "yes", "abstain"])
    close_poll(poll=poll, by=chair_user)
    seen = download(voter, assembly)
    assert not [b for b in bodies(seen) if "result" in b["data"] or "ballots" in b["data"]]
    assert [s["event"] for s in redacted(seen)] == ["poll.closed"]
    assert check_export(seen).problems == []
    chair = download(chair_user, assembly)  # the chair sees a closed poll's counts
    assert redacted(chair) == []
    (closing,) = [b for b in bodies(chair) if b["event"] == "poll.closed"]
    assert closing["data"]["result"]["outcome"] == "adopted"
    publish_poll(poll=poll, by=chair_user)
    after = download(voter, assembly)
    assert redacted(after) == []
    # What was withheld is the row the chain held all along: the stated hash was the real one.
    assert {s["seq"]: s["hash"] for s in redacted(seen)}.items() <= {
        e["seq"]: e["hash"] for e in after["audit"]
    }.items()
    assert check_export(after).problems == []


def test_a_closed_roll_call_polls_choices_are_for_chair_and_secretariat_until_published(
    open_roll_call, voter, chair_user, secretariat_user, assembly
):
    close_poll(poll=open_roll_call, by=chair_user)
    assert len(redacted(download(voter, assembly))) == 4  # three ballots and the closing
    for user in (chair_user, secretariat_user):
        assert redacted(download(user, assembly)) == []
    publish_poll(poll=open_roll_call, by=chair_user)
    assert redacted(download(voter, assembly)) == []


def test_every_role_verifies_an_untouched_assembly_with_every_kind_of_poll(
    body, present_voters, chair_user, secretariat_user, desk_user, assembly
):
    polls = every_poll(body, present_voters, chair_user, secretariat_user)
    withheld = {
        present_voters[0].user: 3,  # the open roll-call's two ballots, the closed poll's seal
        desk_user: 3,
        chair_user: 2,  # the open roll-call's two ballots
        secretariat_user: 2,
    }
    for user, unread in withheld.items():
        export = download(user, assembly)
        verdict = check_export(export)
        assert verdict.problems == [], (user, verdict.problems)
        assert verdict.unread == unread
        assert {s["poll"] for s in redacted(export)} <= {polls.open_roll_call.pk, polls.closed.pk}


def test_the_observer_checks_the_links_across_a_withheld_row(open_roll_call, voter, assembly):
    export = download(voter, assembly)
    assert verify_chain(export["audit"], export["head"]) == []
    first = AuditEntry.objects.filter(event="ballot.cast").order_by("seq").first()
    AuditEntry.objects.filter(pk=first.pk).update(hash="0" * 64)  # the row is not the one linked
    export = download(voter, assembly)
    assert f"audit row {first.seq + 1}: does not follow row {first.seq}" in " ".join(
        verify_chain(export["audit"], export["head"])
    )


def test_an_export_that_withholds_what_is_not_secret_is_reported(
    motion, present_voters, chair_user, voter, assembly
):
    poll = open_poll(poll=draft_poll(motion), by=chair_user)
    vote(poll, present_voters, ["yes", "no"])
    publish_poll(poll=close_poll(poll=poll, by=chair_user), by=chair_user)
    export = download(voter, assembly)
    for entry in export["audit"]:
        if entry["event"] in ("poll.opened", "poll.closed"):
            del entry["body"]
            entry.update(poll=poll.pk, redacted="hidden by a server with something to hide")
    problems = " ".join(check_export(export).problems)
    assert "withheld, but a poll.opened entry holds nothing secret" in problems
    assert f"withheld, but poll {poll.pk} is not withheld in this export" in problems


def test_the_offline_verifier_says_how_many_rows_it_could_not_open_and_why(
    open_roll_call, voter, assembly, tmp_path
):
    path = tmp_path / "export.json"
    path.write_text(json.dumps(download(voter, assembly)))
    run = subprocess.run(
        [sys.executable, "-I", str(VERIFIER), str(path)], capture_output=True, text=True
    )
    assert run.returncode == 0, run.stdout
    assert (
        f"could not be opened: the server withheld their content from this download "
        f"(3 as poll {open_roll_call.pk} is open)"
    ) in run.stdout
    assert "3 withheld (not opened)" in run.stdout
    assert "0 problems" in run.stdout
