"""Offline queues and simultaneous desks: nothing lost, nothing counted twice."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from badges.models import CheckpointPresence, Reason, Scan
from badges.services import (
    QueuedScan,
    ensure_badge_rendered,
    record_scan,
    token_for,
    upload_offline_scans,
)
from tests.badges.conftest import new_key
from tests.conftest import requires_postgres
from tests.factories import DelegateFactory
from voting.models import DelegatePresence


def queued(token, *, minutes_ago, desk, checkpoint="entrance", direction="in", key=None):
    return QueuedScan(
        token=token,
        checkpoint=checkpoint,
        direction=direction,
        idempotency_key=key or new_key(),
        client_time=timezone.now() - timedelta(minutes=minutes_ago),
        desk=desk,
        offline_answer="ok",
    )


def test_uploading_the_same_queue_twice_doubles_nothing(assembly, token, desk_user):
    queue = [
        queued(token, minutes_ago=5, desk="A"),
        queued(token, minutes_ago=3, desk="A", direction="out"),
    ]
    first = upload_offline_scans(assembly=assembly, scans=queue, by=desk_user)
    second = upload_offline_scans(assembly=assembly, scans=queue, by=desk_user)
    assert [r.reason for r in first] == [Reason.OK, Reason.OK]
    assert [r.scan_id for r in second] == [r.scan_id for r in first]
    assert all(r.replayed for r in second)
    assert Scan.objects.count() == 2


def test_queue_is_recorded_in_the_order_the_scans_were_made(assembly, token, desk_user):
    # Sent out of order: the out at -3 min must follow the in at -5 min.
    queue = [
        queued(token, minutes_ago=3, desk="A", direction="out"),
        queued(token, minutes_ago=5, desk="A"),
    ]
    results = upload_offline_scans(assembly=assembly, scans=queue, by=desk_user)
    assert [r.reason for r in results] == [Reason.OK, Reason.OK]
    assert [r.direction for r in results] == ["out", "in"]
    assert Scan.objects.filter(changed_presence=True).count() == 2


def test_two_offline_desks_with_the_same_badge_keep_the_first_scan(
    assembly, hall, token, delegate, desk_user
):
    early = queued(token, minutes_ago=10, desk="A", checkpoint="plenary")
    late = queued(token, minutes_ago=4, desk="B", checkpoint="plenary")
    # Desk B comes back online first, then desk A with the earlier scan.
    upload_offline_scans(assembly=assembly, scans=[late], by=desk_user)
    upload_offline_scans(assembly=assembly, scans=[early], by=desk_user)
    entry = Scan.objects.get(changed_presence=True)
    assert entry.desk == "A"
    loser = Scan.objects.get(desk="B")
    assert loser.reason == Reason.ALREADY_IN
    assert loser.conflict
    presence = DelegatePresence.objects.get(delegate=delegate)
    assert presence.in_hall
    assert abs(presence.changed_at - early.client_time) < timedelta(seconds=1)


def test_overlapping_queues_from_two_desks_lose_and_double_nothing(assembly, desk_user):
    tokens = []
    for _ in range(4):
        tokens.append(token_for(ensure_badge_rendered(delegate=DelegateFactory(assembly=assembly))))
    shared = queued(tokens[0], minutes_ago=9, desk="A", key="shared-key-0001")
    desk_a = [
        shared,
        queued(tokens[1], minutes_ago=8, desk="A"),
        queued(tokens[2], minutes_ago=7, desk="A"),
    ]
    desk_b = [
        shared,
        queued(tokens[2], minutes_ago=6, desk="B"),
        queued(tokens[3], minutes_ago=5, desk="B"),
    ]
    upload_offline_scans(assembly=assembly, scans=desk_a, by=desk_user)
    upload_offline_scans(assembly=assembly, scans=desk_b, by=desk_user)
    upload_offline_scans(assembly=assembly, scans=desk_a + desk_b, by=desk_user)
    assert Scan.objects.count() == 5
    assert Scan.objects.filter(changed_presence=True).count() == 4
    conflict = Scan.objects.get(conflict=True)
    assert (conflict.desk, conflict.reason) == ("B", Reason.ALREADY_IN)


def test_offline_answer_that_differs_from_the_server_is_a_conflict(
    assembly, token, delegate, desk_user
):
    delegate.state = "cancelled"
    delegate.save()
    [result] = upload_offline_scans(
        assembly=assembly, scans=[queued(token, minutes_ago=1, desk="A")], by=desk_user
    )
    assert result.reason == Reason.NOT_APPROVED
    assert result.conflict


def test_two_devices_left_on_the_same_desk_name_keep_the_first_scan(
    assembly, hall, token, delegate, desk_user
):
    early = queued(token, minutes_ago=10, desk="Desk 1", checkpoint="plenary")
    late = queued(token, minutes_ago=4, desk="Desk 1", checkpoint="plenary")
    early.device, late.device = "device-a", "device-b"
    upload_offline_scans(assembly=assembly, scans=[late], by=desk_user)
    upload_offline_scans(assembly=assembly, scans=[early], by=desk_user)
    entry = Scan.objects.get(changed_presence=True)
    assert entry.device == "device-a"
    assert Scan.objects.get(device="device-b").reason == Reason.ALREADY_IN


def test_a_late_offline_entry_older_than_an_exit_noted_since_does_not_bring_her_in(
    assembly, hall, token, delegate, desk_user
):
    entry_at_desk_a = queued(token, minutes_ago=10, desk="A", checkpoint="plenary")
    exit_at_desk_b = record_scan(
        assembly=assembly, checkpoint=hall, token=token, direction="out", idempotency_key=new_key()
    )
    assert exit_at_desk_b.reason == Reason.OK
    [result] = upload_offline_scans(assembly=assembly, scans=[entry_at_desk_a], by=desk_user)
    assert result.conflict
    assert "later scan" in result.explanation
    assert not CheckpointPresence.objects.filter(delegate=delegate, inside=True).exists()
    assert not DelegatePresence.objects.filter(delegate=delegate, in_hall=True).exists()
    assert Scan.objects.count() == 2  # recorded all the same


def test_an_exit_from_a_desk_with_a_slow_clock_counts_in_its_real_order(
    assembly, hall, token, delegate, desk_user
):
    record_scan(
        assembly=assembly, checkpoint=hall, token=token, direction="in", idempotency_key=new_key()
    )
    slow = timedelta(minutes=10)  # the desk's clock: 10 minutes behind the server's
    exit_a_second_ago = queued(token, minutes_ago=0, desk="A", checkpoint="plenary")
    exit_a_second_ago.client_time -= slow
    exit_a_second_ago.direction = "out"
    [result] = upload_offline_scans(
        assembly=assembly,
        scans=[exit_a_second_ago],
        by=desk_user,
        sent_at=timezone.now() - slow,
    )
    assert (result.reason, result.conflict) == (Reason.OK, False)
    assert result.explanation.startswith("Checked out")
    assert not CheckpointPresence.objects.get(delegate=delegate, checkpoint=hall).inside
    assert not DelegatePresence.objects.get(delegate=delegate).in_hall


def run_at_once(count, target):
    barrier = threading.Barrier(count)
    results, errors = [], []

    def worker(index):
        try:
            barrier.wait()
            results.append(target(index))
        except Exception as error:  # collected, asserted below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results, errors


@requires_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_same_badge_at_eight_desks_at_once_records_one_entry(assembly, hall, token, delegate):
    results, errors = run_at_once(
        8,
        lambda i: (
            record_scan(
                assembly=assembly,
                checkpoint=hall,
                token=token,
                direction="in",
                idempotency_key=new_key(),
                desk=f"Desk {i}",
            ).reason
        ),
    )
    assert errors == []
    assert sorted(results) == [Reason.ALREADY_IN] * 7 + [Reason.OK]
    assert Scan.objects.filter(changed_presence=True).count() == 1
    assert Scan.objects.count() == 8
    assert DelegatePresence.objects.get(delegate=delegate).in_hall


@requires_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_same_offline_queue_uploaded_by_four_requests_at_once_counts_once(
    assembly, entrance, token
):
    queue = [
        queued(token, minutes_ago=5, desk="A"),
        queued(token, minutes_ago=2, desk="A", direction="out"),
    ]
    results, errors = run_at_once(
        4,
        lambda i: [
            r.scan_id for r in upload_offline_scans(assembly=assembly, scans=queue, by=None)
        ],
    )
    assert errors == []
    assert len({tuple(r) for r in results}) == 1
    assert Scan.objects.count() == 2
    assert Scan.objects.filter(changed_presence=True).count() == 2
