"""Races on PostgreSQL: one ballot per member, a whole chain, and no ballot counted after close."""

import json
import threading
import time

import pytest
from django.db import connection, connections
from django.utils import timezone

from registration.models import AccreditationKind
from tests.conftest import requires_postgres
from tests.factories import MemberFactory, UserFactory
from tests.voting.factories import accredit, draft_poll, electorate_of, ga_body, resolution
from voting.audit import wait_for_links
from voting.errors import DomainError
from voting.models import AuditEntry, AuditPending, Ballot, Poll, VoteCast
from voting.presence import record_hall_entry
from voting.selectors import poll_turnout
from voting.services import approve_proxy, cast_ballots, close_poll, open_poll, request_proxy
from voting.verify import verify_chain

pytestmark = [requires_postgres, pytest.mark.django_db(transaction=True)]


def run_threads(count, work):
    barrier = threading.Barrier(count)
    outcomes = []
    lock = threading.Lock()

    def runner(i):
        barrier.wait()
        try:
            result = ("ok", work(i))
        except DomainError as error:
            result = (error.code, None)
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=runner, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_fifty_concurrent_ballots_for_one_member_count_once(assembly):
    assembly.proxies_allowed = True
    assembly.save()
    staff = UserFactory()
    others = electorate_of(assembly, 3)
    body = ga_body(assembly, presence_required=False)
    member = MemberFactory(name="Kampala")
    delegate = accredit(assembly, member)
    alternate = accredit(assembly, member, kind=AccreditationKind.ALTERNATE)
    holder = others[0]
    proxy = request_proxy(assembly=assembly, member=member, holder=holder, by=staff)
    approve_proxy(proxy=proxy, by=staff)
    for voter in others:
        record_hall_entry(delegate=voter, at=timezone.now())
    poll = open_poll(poll=draft_poll(resolution(body)), by=staff)
    casters = [delegate, alternate, holder]

    outcomes = run_threads(
        50,
        lambda i: cast_ballots(
            poll=Poll.objects.get(pk=poll.pk),
            delegate=casters[i % 3],
            choices=["yes"],
            members=[member.pk],
        ),
    )
    codes = sorted(code for code, _r in outcomes)
    assert codes.count("ok") == 1
    assert codes.count("already_voted") == 49
    assert VoteCast.objects.filter(poll=poll, member=member).count() == 1
    assert Ballot.objects.filter(poll=poll).count() == 1
    assert poll_turnout(poll.pk).turnout == 1


def test_concurrent_ballots_of_many_members_chain_correctly(assembly, settings):
    settings.AUDIT_LINK_IN_BACKGROUND = True  # as in the server
    staff = UserFactory()
    voters = electorate_of(assembly, 30)
    body = ga_body(assembly)
    for voter in voters:
        record_hall_entry(delegate=voter, at=timezone.now())
    poll = open_poll(poll=draft_poll(resolution(body)), by=staff)
    outcomes = run_threads(
        30,
        lambda i: cast_ballots(
            poll=Poll.objects.get(pk=poll.pk), delegate=voters[i], choices=["yes"]
        ),
    )
    assert [code for code, _r in outcomes].count("ok") == 30
    # Each ballot's entry is linked a moment after its commit: none is left waiting.
    wait_for_links()
    assert not AuditPending.objects.exists()
    assert AuditEntry.objects.filter(assembly=assembly, event="ballot.cast").count() == 30
    from voting.export import audit_export

    export = audit_export(assembly)
    assert verify_chain(export["audit"], export["head"]) == []
    assert poll_turnout(poll.pk).turnout == 30


def test_concurrent_scans_keep_quorum_exact(assembly):
    voters = electorate_of(assembly, 40)
    body = ga_body(assembly)
    run_threads(40, lambda i: record_hall_entry(delegate=voters[i], at=timezone.now()))
    body.quorum.refresh_from_db()
    assert body.quorum.present == 40


def test_ballots_racing_the_close_are_either_sealed_or_refused(assembly):
    staff = UserFactory()
    voters = electorate_of(assembly, 29)
    body = ga_body(assembly)
    for voter in voters:
        record_hall_entry(delegate=voter, at=timezone.now())
    poll = open_poll(poll=draft_poll(resolution(body)), by=staff)

    def work(i):
        # Ballots spread over about 0.15 s, the close in the middle of them.
        time.sleep(0.075 if i == 29 else i * 0.005)
        if i == 29:
            return close_poll(poll=Poll.objects.get(pk=poll.pk), by=staff, scheduled=True)
        return cast_ballots(poll=Poll.objects.get(pk=poll.pk), delegate=voters[i], choices=["yes"])

    codes = [code for code, _r in run_threads(30, work)]
    closed = Poll.objects.get(pk=poll.pk)
    assert set(codes) <= {"ok", "poll_not_open"}
    counted = codes.count("ok") - 1  # the close itself
    assert closed.result["counts"]["yes"] == counted
    assert VoteCast.objects.filter(poll=poll).count() == counted
    assert Ballot.objects.filter(poll=poll).count() == counted
    assert closed.turnout == counted


def test_a_reader_who_waited_for_a_linker_still_links_every_entry(assembly, monkeypatch):
    """The reader's first statement waits with an old view of the pending rows (the linker
    holding the head takes the first batch meanwhile); it must go on until none is left."""
    from django.db import transaction

    from voting import audit
    from voting.export import audit_export

    monkeypatch.setattr(audit, "LINK_BATCH", 3)
    audit.append_audit(assembly_id=assembly.pk, event="motion.created", data={"d": -1})
    with connection.cursor() as cursor:  # seven committed entries whose links have not run
        cursor.executemany(
            f"{audit.INSERT_PENDING} VALUES (%s, %s, %s)",
            [(assembly.pk, "presence.changed", audit.body_prefix("x", {"d": n})) for n in range(7)],
        )
    linker_holds_head = threading.Event()

    def work(i):
        if i == 0:
            with transaction.atomic():
                audit._link_pending_statement(assembly.pk, wait=True)  # takes entries 0-2
                linker_holds_head.set()
                time.sleep(0.5)
        else:
            linker_holds_head.wait()
            time.sleep(0.05)
            with transaction.atomic():  # as a poll's open or close records the head
                audit._link_all_pending(assembly.pk)

    run_threads(2, work)
    assert not AuditPending.objects.exists()
    export = audit_export(assembly)
    assert [json.loads(e["body"])["data"]["d"] for e in export["audit"]] == list(range(-1, 7))
    assert verify_chain(export["audit"], export["head"]) == []


def test_a_draft_poll_created_twice_at_once_is_made_once(assembly):
    """The console's "Create draft poll" sent twice at once (found by a tester)."""
    from voting.services import create_poll

    motion = resolution(ga_body(assembly))
    outcomes = run_threads(8, lambda i: create_poll(motion=motion, kind="secret").pk)
    assert sorted(code for code, _pk in outcomes) == ["draft_exists"] * 7 + ["ok"]
    assert Poll.objects.filter(motion=motion).count() == 1
