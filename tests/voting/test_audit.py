"""The audit chain and the verify command: tampering with any ballot or audit row is reported."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from assembly.models import Role
from tests.conftest import client_for, requires_postgres
from voting.export import audit_export
from voting.models import AuditEntry, AuditHead, AuditPending, Ballot
from voting.services import cast_ballots, close_poll, publish_poll
from voting.verify import GENESIS, entry_hash, verify_chain, verify_export

pytestmark = pytest.mark.django_db

VERIFIER = Path(__file__).resolve().parents[2] / "voting" / "verify.py"


@pytest.fixture
def published(open_secret_poll, present_voters, chair_user):
    for delegate, choice in zip(
        present_voters, ["yes", "yes", "no", "yes", "abstain"], strict=True
    ):
        cast_ballots(poll=open_secret_poll, delegate=delegate, choices=[choice])
    close_poll(poll=open_secret_poll, by=chair_user)
    return publish_poll(poll=open_secret_poll, by=chair_user)


def verify(capsys):
    try:
        call_command("verify_audit")
        status = 0
    except SystemExit as exc:
        status = exc.code
    return status, capsys.readouterr().out


def test_chain_links_every_row_to_the_one_before(published):
    entries = list(AuditEntry.objects.order_by("seq"))
    previous = GENESIS
    for entry in entries:
        assert entry.prev_hash == previous
        assert entry.hash == entry_hash(entry.prev_hash, entry.body)
        previous = entry.hash
    assert AuditHead.objects.get().hash == previous
    events = [e.event for e in entries]
    assert events.count("ballot.cast") == 5
    assert events.count("presence.changed") == 5
    assert {"poll.opened", "poll.closed", "poll.published"} <= set(events)


def test_rows_in_any_script_chain_as_the_offline_verifier_computes_them(assembly):
    from voting.audit import append_audit

    texts = ["서울 Seoul", "فاطمة", "Алматы", "São Paulo 🏙", 'quote " and \\ backslash']
    entries = [
        append_audit(assembly_id=assembly.pk, event="motion.created", data={"title": text})
        for text in texts
    ]
    stored = list(AuditEntry.objects.filter(assembly=assembly).order_by("seq"))
    assert [e.seq for e in stored] == [e.seq for e in entries] == [1, 2, 3, 4, 5]
    previous = GENESIS
    for entry, text in zip(stored, texts, strict=True):
        assert json.loads(entry.body) == {
            "at": json.loads(entry.body)["at"],
            "data": {"title": text},
            "event": "motion.created",
            "seq": entry.seq,
        }
        assert entry.prev_hash == previous
        assert entry.hash == entry_hash(previous, entry.body)
        previous = entry.hash
    assert AuditHead.objects.get(assembly=assembly).hash == previous


def test_verify_passes_on_an_untouched_log(published, capsys):
    status, out = verify(capsys)
    assert status == 0
    assert "0 problems" in out
    assert "adopted, 5 cast" in out


def test_verify_reports_an_edited_ballot(published, capsys):
    ballot = Ballot.objects.filter(choices=["no"]).get()
    Ballot.objects.filter(pk=ballot.pk).update(choices=["yes"])
    status, out = verify(capsys)
    assert status == 1
    assert f"ballot {ballot.pk} edited" in out
    assert "the ballots now count yes 4, no 0, abstain 1 (5 cast)" in out


def test_verify_reports_an_inserted_ballot(published, capsys):
    Ballot.objects.create(poll=published, choices=["yes"], receipt_hash="f" * 64)
    status, out = verify(capsys)
    assert status == 1
    assert "inserted after the poll closed" in out


def test_verify_reports_a_ballot_slipped_in_while_the_poll_was_open(
    open_secret_poll, present_voters, chair_user, capsys
):
    cast_ballots(poll=open_secret_poll, delegate=present_voters[0], choices=["no"])
    # Written straight into the table: no vote-cast row, no "ballot.cast" entry.
    Ballot.objects.create(poll=open_secret_poll, choices=["yes"], receipt_hash="e" * 64)
    close_poll(poll=open_secret_poll, by=chair_user)
    status, out = verify(capsys)
    assert status == 1
    assert "2 ballots sealed at the close but 1 cast in the log" in out


def test_verify_reports_a_deleted_ballot(published, capsys):
    ballot = Ballot.objects.filter(poll=published).first()
    Ballot.objects.filter(pk=ballot.pk).delete()
    status, out = verify(capsys)
    assert status == 1
    assert f"ballot {ballot.pk} deleted" in out


def test_verify_reports_an_edited_audit_row(published, capsys):
    entry = AuditEntry.objects.get(event="poll.opened")
    AuditEntry.objects.filter(pk=entry.pk).update(body=entry.body.replace('"by"', '"By"'))
    status, out = verify(capsys)
    assert status == 1
    assert f"audit row {entry.seq}: edited" in out


def test_verify_reports_a_deleted_audit_row(published, capsys):
    entry = AuditEntry.objects.filter(event="ballot.cast").first()
    entry.delete()
    status, out = verify(capsys)
    assert status == 1
    assert f"rows {entry.seq}..{entry.seq} deleted" in out


def test_verify_reports_a_deleted_last_row(published, capsys):
    AuditEntry.objects.order_by("-seq").first().delete()
    status, out = verify(capsys)
    assert status == 1
    assert "the head says" in out


def test_verify_reports_an_inserted_audit_row(published, capsys):
    last = AuditEntry.objects.order_by("-seq").first()
    forged_body = json.dumps({"seq": last.seq, "event": "ballot.cast", "data": {}})
    AuditEntry.objects.filter(pk=last.pk).update(seq=last.seq + 1)
    AuditEntry.objects.create(
        assembly_id=last.assembly_id,
        seq=last.seq,
        event="ballot.cast",
        body=forged_body,
        prev_hash=last.prev_hash,
        hash=entry_hash(last.prev_hash, forged_body),
    )
    status, out = verify(capsys)
    assert status == 1
    assert f"audit row {last.seq + 1}" in out


def test_observer_verifies_the_export_offline_with_the_standard_library(published, tmp_path):
    export = tmp_path / "export.json"
    call_command("verify_audit", export=str(export))
    ok = subprocess.run(
        [sys.executable, "-I", str(VERIFIER), str(export)], capture_output=True, text=True
    )
    assert ok.returncode == 0, ok.stdout
    assert "0 problems" in ok.stdout
    data = json.loads(export.read_text())
    ballot = data["polls"][0]["ballots"][0]
    ballot["choices"] = ["yes"] if ballot["choices"] == ["no"] else ["no"]
    export.write_text(json.dumps(data))
    bad = subprocess.run(
        [sys.executable, "-I", str(VERIFIER), str(export)], capture_output=True, text=True
    )
    assert bad.returncode == 1
    assert "edited after the poll closed" in bad.stdout


def test_verify_recomputes_hand_counted_polls_and_waits_for_their_counts(
    motion, present_voters, chair_user, secretariat_user, capsys
):
    from tests.voting.factories import draft_poll
    from voting.models import Poll, PollKind
    from voting.services import confirm_hand_counts, enter_hand_counts, open_poll

    poll = open_poll(poll=draft_poll(motion, kind=PollKind.HAND), by=chair_user)
    close_poll(poll=poll, by=chair_user)
    status, out = verify(capsys)
    assert status == 0
    assert "counts not entered yet" in out
    enter_hand_counts(
        poll=poll, by=secretariat_user, counts={"yes": 3, "no": 2, "abstain": 0}, ballots=5
    )
    confirm_hand_counts(poll=poll, by=chair_user)
    publish_poll(poll=poll, by=chair_user)
    assert verify(capsys)[0] == 0
    Poll.objects.filter(pk=poll.pk).update(
        hand_counts={"counts": {"yes": 2, "no": 3, "abstain": 0}, "ballots": 5}
    )
    status, out = verify(capsys)
    assert status == 1
    assert "hand counts are now yes 2, no 3, abstain 0 (5 ballots)" in out
    assert "the hand counts now give yes 2, no 3, abstain 0 (5 cast)" in out


@requires_postgres
def test_an_entry_left_waiting_is_linked_before_the_next_one_and_verifies(assembly, capsys):
    from voting.audit import append_audit, append_audit_after_commit

    append_audit_after_commit(assembly_id=assembly.pk, event="presence.changed", data={"d": 1})
    # This test's transaction never commits, so the link after commit never runs: as when
    # the writer's process dies between its commit and the link.
    assert AuditPending.objects.filter(assembly=assembly).count() == 1
    append_audit(assembly_id=assembly.pk, event="motion.created", data={"title": "Agenda"})
    assert not AuditPending.objects.exists()
    events = AuditEntry.objects.filter(assembly=assembly).order_by("seq")
    assert [(e.seq, e.event) for e in events] == [(1, "presence.changed"), (2, "motion.created")]
    assert verify(capsys)[0] == 0


@requires_postgres
def test_the_export_links_what_waits_so_an_observer_sees_every_entry(assembly):
    from voting.audit import append_audit_after_commit
    from voting.export import audit_export

    for n in range(3):
        append_audit_after_commit(assembly_id=assembly.pk, event="presence.changed", data={"d": n})
    export = audit_export(assembly)
    assert [json.loads(e["body"])["data"]["d"] for e in export["audit"]] == [0, 1, 2]
    assert export["head"]["seq"] == 3
    assert verify_chain(export["audit"], export["head"]) == []


@pytest.mark.parametrize(
    "forged", ["not json at all", '{"data": {"poll": [1]}, "event": "ballot.cast", "seq": 1}']
)
def test_verify_reports_a_row_forged_into_nonsense(published, capsys, forged):
    first = AuditEntry.objects.order_by("seq").first()
    AuditEntry.objects.filter(pk=first.pk).update(body=forged, event="ballot.cast")
    status, out = verify(capsys)
    assert status == 1
    assert f"audit row {first.seq}: edited" in out


@requires_postgres
def test_a_backlog_longer_than_one_batch_is_linked_whole_and_in_order(assembly, monkeypatch):
    from voting import audit
    from voting.export import audit_export

    monkeypatch.setattr(audit, "LINK_BATCH", 3)
    for n in range(7):
        audit.append_audit_after_commit(
            assembly_id=assembly.pk, event="presence.changed", data={"d": n}
        )
    export = audit_export(assembly)
    assert [json.loads(e["body"])["data"]["d"] for e in export["audit"]] == list(range(7))
    assert verify_chain(export["audit"], export["head"]) == []
    assert not AuditPending.objects.exists()


def export_as(client, assembly) -> dict:
    response = client.get(f"/api/v1/assemblies/{assembly.slug}/audit")
    assert response.status_code == 200
    return {poll["id"]: poll for poll in response.json()["polls"]}


def test_the_export_never_shows_an_open_polls_ballots_nor_an_unpublished_result_to_delegates(
    open_secret_poll, present_voters, chair_user, chair_client, assembly
):
    voter = client_for(present_voters[0].user)
    cast_ballots(poll=open_secret_poll, delegate=present_voters[0], choices=["yes"])
    for client in (voter, chair_client):  # read again and again, ballots would name voters
        poll = export_as(client, assembly)[open_secret_poll.pk]
        assert poll["ballots"] == []
        assert poll["withheld"]
    cast_ballots(poll=open_secret_poll, delegate=present_voters[1], choices=["no"])
    close_poll(poll=open_secret_poll, by=chair_user)
    closed = export_as(voter, assembly)[open_secret_poll.pk]
    assert (closed["ballots"], closed["result"], closed["withheld"]) == ([], None, True)
    assert len(export_as(chair_client, assembly)[open_secret_poll.pk]["ballots"]) == 2
    publish_poll(poll=open_secret_poll, by=chair_user)
    published_poll = export_as(voter, assembly)[open_secret_poll.pk]
    assert len(published_poll["ballots"]) == 2
    assert published_poll["result"]["outcome"]


def test_an_export_with_a_withheld_poll_still_verifies(
    open_secret_poll, present_voters, chair_user, assembly
):
    cast_ballots(poll=open_secret_poll, delegate=present_voters[0], choices=["yes"])
    close_poll(poll=open_secret_poll, by=chair_user)
    export = audit_export(assembly, roles=frozenset({Role.DELEGATE}))
    problems, checked = verify_export(export)
    assert problems == []
    assert any("withheld" in line for line in checked)
