"""Presence from scans and online check-in, and quorum kept current one member at a time."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assembly.live import assembly_group
from registration.models import AccreditationKind
from tests.factories import MemberFactory
from tests.voting.factories import accredit, electorate_of, ga_body
from voting.models import BodyKind, BodyQuorum, QuorumStatus
from voting.presence import record_hall_entry, record_hall_exit, set_online_presence
from voting.selectors import quorum_snapshot
from voting.services import create_body

pytestmark = pytest.mark.django_db


def now():
    return timezone.now()


def test_quorum_counts_members_present_against_the_rule(body, voters):
    for delegate in voters[:2]:
        record_hall_entry(delegate=delegate, at=now())
    snapshot = quorum_snapshot(body)
    assert (snapshot["present"], snapshot["eligible"], snapshot["needed"]) == (2, 5, 3)
    assert snapshot["status"] == "not_reached"
    record_hall_entry(delegate=voters[2], at=now())
    assert quorum_snapshot(body)["status"] == "reached"


def test_quorum_lost_when_members_leave_after_it_was_reached(body, voters):
    for delegate in voters[:3]:
        record_hall_entry(delegate=delegate, at=now())
    record_hall_exit(delegate=voters[0], at=now())
    snapshot = quorum_snapshot(body)
    assert snapshot["status"] == QuorumStatus.LOST
    assert snapshot["present"] == 2


def test_second_entry_scan_does_not_count_a_member_twice(body, voters):
    record_hall_entry(delegate=voters[0], at=now())
    record_hall_entry(delegate=voters[0], at=now())
    assert quorum_snapshot(body)["present"] == 1


def test_member_present_through_alternate_counts_once(assembly, body, voters):
    member = voters[0].member
    alternate = accredit(assembly, member, kind=AccreditationKind.ALTERNATE)
    record_hall_entry(delegate=voters[0], at=now())
    record_hall_entry(delegate=alternate, at=now())
    assert quorum_snapshot(body)["present"] == 1
    record_hall_exit(delegate=voters[0], at=now())
    assert quorum_snapshot(body)["present"] == 1  # the alternate is still in the hall
    record_hall_exit(delegate=alternate, at=now())
    assert quorum_snapshot(body)["present"] == 0


def test_online_presence_counts_only_when_the_assembly_says_so(assembly, body, voters):
    set_online_presence(delegate=voters[0], present=True, at=now(), by=None)
    assert quorum_snapshot(body)["present"] == 1
    assembly.online_presence_counts = False
    assembly.save()
    set_online_presence(delegate=voters[1], present=True, at=now(), by=None)
    assert quorum_snapshot(body)["present"] == 1


def test_delegates_without_a_voting_member_do_not_move_quorum(assembly, body):
    observer = accredit(assembly, MemberFactory(kind="corporation"))
    record_hall_entry(delegate=observer, at=now())
    assert quorum_snapshot(body)["present"] == 0


def test_quorum_has_region_breakdown_and_represented_population(assembly):
    europe = electorate_of(assembly, 2, region="europe", population=300_000)
    africa = electorate_of(assembly, 1, region="africa", population=2_000_000)
    body = ga_body(assembly)
    record_hall_entry(delegate=europe[0], at=now())
    record_hall_entry(delegate=africa[0], at=now())
    snapshot = quorum_snapshot(body)
    assert snapshot["by_region"]["europe"]["present"] == 1
    assert snapshot["by_region"]["europe"]["eligible"] == 2
    assert snapshot["by_region"]["africa"]["present"] == 1
    assert snapshot["present_population"] == 2_300_000
    assert snapshot["eligible_population"] == 2_600_000


def test_listed_body_counts_only_its_listed_members(assembly, voters):
    excom = create_body(
        assembly=assembly,
        code="excom",
        name="Executive Committee",
        kind=BodyKind.LISTED,
        members=[voters[0].member, voters[1].member],
    )
    record_hall_entry(delegate=voters[0], at=now())
    record_hall_entry(delegate=voters[3], at=now())
    snapshot = quorum_snapshot(excom)
    assert (snapshot["present"], snapshot["eligible"]) == (1, 2)


def scan_queries(delegate):
    with CaptureQueriesContext(connection) as ctx:
        record_hall_entry(delegate=delegate, at=now())
    return len(ctx.captured_queries)


def test_scan_work_does_not_grow_with_the_number_of_members(assembly):
    small = electorate_of(assembly, 3)
    ga_body(assembly)
    record_hall_entry(delegate=small[0], at=now())
    few = scan_queries(small[1])
    electorate_of(assembly, 60)
    many = scan_queries(small[2])
    assert many == few


def test_scan_broadcasts_full_quorum_state_after_commit(
    body, voters, sent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        record_hall_entry(delegate=voters[0], at=now())
    quorum_messages = [m for m in sent if m["event"] == "quorum.changed"]
    assert len(quorum_messages) == 1
    message = quorum_messages[0]
    assert message["group"] == assembly_group(body.assembly_id)
    assert message["payload"]["present"] == 1
    assert message["payload"]["eligible"] == 5
    assert message["payload"]["status"] == "not_reached"


def test_scan_of_a_delegate_already_in_sends_nothing(
    body, voters, django_capture_on_commit_callbacks
):
    record_hall_entry(delegate=voters[0], at=now())
    with django_capture_on_commit_callbacks() as callbacks:
        record_hall_entry(delegate=voters[0], at=now())
    assert callbacks == []


def test_recount_agrees_with_incremental_figures(body, voters):
    from voting.presence import recount_quorum

    for delegate in voters[:4]:
        record_hall_entry(delegate=delegate, at=now())
    record_hall_exit(delegate=voters[1], at=now())
    incremental = BodyQuorum.objects.get(body=body)
    figures = (incremental.present, incremental.present_weight, incremental.by_region)
    recounted = recount_quorum(body=body)
    assert (recounted.present, recounted.present_weight, recounted.by_region) == figures
