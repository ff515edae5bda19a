"""Casting ballots: one per member, who may cast, refusals with clear codes, receipts."""

import itertools
import re
from collections import Counter

import pytest
from django.utils import timezone

from assembly.models import MemberKind, MembershipStatus, MembershipType
from registration.models import AccreditationKind
from tests.factories import MemberFactory
from tests.voting.factories import accredit, draft_poll, election, ga_body, resolution
from voting.errors import DomainError
from voting.models import Ballot, BodyKind, BodySeat, VoteCast
from voting.presence import record_hall_entry, record_hall_exit
from voting.selectors import electorate, is_voting_member, poll_turnout
from voting.services import (
    approve_proxy,
    cast_ballots,
    close_poll,
    create_body,
    open_poll,
    request_proxy,
    revoke_proxy,
)
from voting.verify import receipt_hash

pytestmark = pytest.mark.django_db


def refused(code, **kwargs):
    with pytest.raises(DomainError) as exc:
        cast_ballots(**kwargs)
    assert exc.value.code == code


def test_ballot_is_counted_and_returns_a_receipt(open_secret_poll, present_voters):
    [receipt] = cast_ballots(poll=open_secret_poll, delegate=present_voters[0], choices=["yes"])
    assert receipt.member == present_voters[0].member.name
    assert receipt.words == ["Yes"]
    assert Ballot.objects.get(receipt_hash=receipt_hash(receipt.code)).choices == ["yes"]
    assert poll_turnout(open_secret_poll.pk).turnout == 1


def test_second_ballot_for_the_same_member_is_refused(open_secret_poll, present_voters):
    cast_ballots(poll=open_secret_poll, delegate=present_voters[0], choices=["yes"])
    refused("already_voted", poll=open_secret_poll, delegate=present_voters[0], choices=["no"])
    assert Ballot.objects.filter(poll=open_secret_poll).count() == 1


def test_alternate_cannot_vote_while_the_voting_delegate_is_present(
    assembly, open_secret_poll, present_voters
):
    alternate = accredit(assembly, present_voters[0].member, kind=AccreditationKind.ALTERNATE)
    record_hall_entry(delegate=alternate, at=timezone.now())
    refused("not_represented", poll=open_secret_poll, delegate=alternate, choices=["yes"])
    record_hall_exit(delegate=present_voters[0], at=timezone.now())
    [receipt] = cast_ballots(poll=open_secret_poll, delegate=alternate, choices=["no"])
    assert receipt.member == present_voters[0].member.name
    refused("already_voted", poll=open_secret_poll, delegate=present_voters[0], choices=["yes"])


def test_delegate_not_present_is_refused_when_presence_is_required(
    motion, present_voters, chair_user
):
    poll = open_poll(poll=draft_poll(motion), by=chair_user)
    record_hall_exit(delegate=present_voters[4], at=timezone.now())
    refused("not_present", poll=poll, delegate=present_voters[4], choices=["yes"])


def test_delegate_of_a_member_outside_the_body_is_refused(assembly, open_secret_poll):
    outsider = accredit(assembly, MemberFactory(kind="corporation"))
    record_hall_entry(delegate=outsider, at=timezone.now())
    refused("not_represented", poll=open_secret_poll, delegate=outsider, choices=["yes"])


def test_voting_for_a_member_one_does_not_represent_is_refused(open_secret_poll, present_voters):
    other = present_voters[1].member.pk
    refused(
        "not_represented",
        poll=open_secret_poll,
        delegate=present_voters[0],
        choices=["yes"],
        members=[other],
    )


def test_closed_poll_refuses_ballots(open_secret_poll, present_voters, chair_user):
    close_poll(poll=open_secret_poll, by=chair_user)
    refused("poll_not_open", poll=open_secret_poll, delegate=present_voters[0], choices=["yes"])


def test_invalid_choice_is_refused_and_changes_nothing(open_secret_poll, present_voters):
    refused("invalid_choice", poll=open_secret_poll, delegate=present_voters[0], choices=["maybe"])
    refused(
        "invalid_choice", poll=open_secret_poll, delegate=present_voters[0], choices=["yes", "no"]
    )
    assert not VoteCast.objects.exists()
    assert poll_turnout(open_secret_poll.pk).turnout == 0


def test_too_many_candidates_is_refused(body, present_voters, chair_user):
    motion = election(body, names=["Kampala", "São Paulo", "Ulaanbaatar"], seats=2)
    poll = open_poll(poll=draft_poll(motion), by=chair_user)
    ids = [str(c.pk) for c in motion.candidates.all()]
    refused("too_many_choices", poll=poll, delegate=present_voters[0], choices=ids)
    [receipt] = cast_ballots(poll=poll, delegate=present_voters[0], choices=ids[:2])
    assert len(receipt.words) == 2


def test_proxy_holder_casts_for_every_member_in_one_action(
    assembly, motion, present_voters, secretariat_user, chair_user
):
    assembly.proxies_allowed = True
    assembly.max_proxies_per_holder = 2
    assembly.save()
    absent = [MemberFactory(), MemberFactory()]
    holder = present_voters[0]
    for member in absent:
        approve_proxy(
            proxy=request_proxy(
                assembly=assembly, member=member, holder=holder, by=secretariat_user
            ),
            by=secretariat_user,
        )
    poll = open_poll(poll=draft_poll(motion), by=chair_user)
    receipts = cast_ballots(poll=poll, delegate=holder, choices=["yes"])
    assert sorted(r.member for r in receipts) == sorted(
        [holder.member.name, absent[0].name, absent[1].name]
    )
    assert len({r.code for r in receipts}) == 3
    assert Ballot.objects.filter(poll=poll).count() == 3


def test_proxies_are_limited_per_holder_and_locked_while_a_poll_is_open(
    assembly, motion, present_voters, secretariat_user, chair_user
):
    assembly.proxies_allowed = True
    assembly.save()
    holder = present_voters[0]
    first = request_proxy(
        assembly=assembly, member=MemberFactory(), holder=holder, by=secretariat_user
    )
    approve_proxy(proxy=first, by=secretariat_user)
    second = request_proxy(
        assembly=assembly, member=MemberFactory(), holder=holder, by=secretariat_user
    )
    with pytest.raises(DomainError) as exc:
        approve_proxy(proxy=second, by=secretariat_user)
    assert exc.value.code == "proxy_limit"
    open_poll(poll=draft_poll(motion), by=chair_user)
    with pytest.raises(DomainError) as exc:
        revoke_proxy(proxy=first, by=secretariat_user)
    assert exc.value.code == "proxies_locked"


def test_proxies_refused_when_the_assembly_does_not_allow_them(
    assembly, present_voters, secretariat_user
):
    with pytest.raises(DomainError) as exc:
        request_proxy(
            assembly=assembly, member=MemberFactory(), holder=present_voters[0], by=secretariat_user
        )
    assert exc.value.code == "proxy_refused"


def test_turnout_is_broadcast_to_the_poll_group_without_choices(
    open_secret_poll, present_voters, sent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        cast_ballots(poll=open_secret_poll, delegate=present_voters[0], choices=["yes"])
    assert [{k: m[k] for k in ("group", "event", "payload")} for m in sent] == [
        {
            "group": f"poll.{open_secret_poll.pk}",
            "event": "poll.turnout",
            "payload": {
                "poll": open_secret_poll.pk,
                "state": "open",
                "turnout": 1,
                "turnout_weight": 1,
                "eligible": 5,
            },
        }
    ]


@pytest.mark.parametrize(
    "outside",
    [{"dues_paid": False}, {"membership_status": "suspended"}, {"membership_type": "associate"}],
)
def test_member_outside_the_general_assembly_rule_is_refused(assembly, open_secret_poll, outside):
    delegate = accredit(assembly, MemberFactory(**outside))
    record_hall_entry(delegate=delegate, at=timezone.now())
    refused("not_represented", poll=open_secret_poll, delegate=delegate, choices=["yes"])


def test_member_with_dues_unpaid_votes_where_the_assembly_does_not_require_them(
    assembly, motion, present_voters, chair_user
):
    assembly.voting_requires_dues_paid = False
    assembly.save()
    delegate = accredit(assembly, MemberFactory(dues_paid=False))
    record_hall_entry(delegate=delegate, at=timezone.now())
    poll = open_poll(poll=draft_poll(motion), by=chair_user)
    [receipt] = cast_ballots(poll=poll, delegate=delegate, choices=["yes"])
    assert receipt.member == delegate.member.name


def test_listed_body_counts_its_seats_with_their_weights(assembly, present_voters, chair_user):
    seated, unseated = present_voters[0], present_voters[1]
    body = create_body(
        assembly=assembly,
        code="excom",
        name="Executive Committee",
        kind=BodyKind.LISTED,
        members=[seated.member],
    )
    BodySeat.objects.filter(body=body).update(weight=3)
    poll = open_poll(poll=draft_poll(resolution(body)), by=chair_user)
    cast_ballots(poll=poll, delegate=seated, choices=["yes"])
    refused("not_represented", poll=poll, delegate=unseated, choices=["yes"])
    assert Ballot.objects.get(poll=poll).weight == 3
    assert poll_turnout(poll.pk).turnout_weight == 3


def test_proxy_for_a_member_outside_the_body_adds_no_ballot(
    assembly, motion, present_voters, secretariat_user, chair_user
):
    assembly.proxies_allowed = True
    assembly.save()
    holder = present_voters[0]
    # Its dues unpaid, the member votes only on the committee that lists it.
    committee_only = MemberFactory(dues_paid=False)
    create_body(
        assembly=assembly, code="exco", name="ExCo", kind=BodyKind.LISTED, members=[committee_only]
    )
    approve_proxy(
        proxy=request_proxy(
            assembly=assembly, member=committee_only, holder=holder, by=secretariat_user
        ),
        by=secretariat_user,
    )
    poll = open_poll(poll=draft_poll(motion), by=chair_user)
    receipts = cast_ballots(poll=poll, delegate=holder, choices=["yes"])
    assert [r.member for r in receipts] == [holder.member.name]


@pytest.mark.parametrize("dues_required", [True, False])
def test_ballot_electorate_check_agrees_with_the_assembly_rule(assembly, dues_required):
    assembly.voting_requires_dues_paid = dues_required
    assembly.voting_member_kinds = ["local_government", "institution"]
    assembly.save()
    members = [
        MemberFactory(kind=kind, membership_type=kind_of, membership_status=status, dues_paid=dues)
        for kind, kind_of, status, dues in itertools.product(
            MemberKind.values, MembershipType.values, MembershipStatus.values, [True, False]
        )
    ]
    rule = set(electorate(ga_body(assembly)).values_list("pk", flat=True))
    assert {m.pk for m in members if is_voting_member(assembly, m)} == rule & {
        m.pk for m in members
    }


def test_the_admin_poll_list_shows_an_open_polls_turnout(open_secret_poll, present_voters):
    from django.contrib.auth import get_user_model

    from tests.conftest import client_for

    for delegate in present_voters[:2]:
        cast_ballots(poll=open_secret_poll, delegate=delegate, choices=["yes"])
    admin = get_user_model().objects.create_superuser("root", "root@example.org", "pw")
    page = client_for(admin).get("/admin/voting/poll/")
    assert page.status_code == 200
    assert '<td class="field-voted">2</td>' in page.content.decode()


def test_receipt_codes_draw_every_letter_of_the_alphabet_in_groups_of_five():
    from voting.services import RECEIPT_ALPHABET, new_receipt_code

    codes = [new_receipt_code() for _ in range(2000)]
    assert all(re.fullmatch(r"[A-Z2-9]{5}-[A-Z2-9]{5}-[A-Z2-9]{5}", code) for code in codes)
    letters = Counter("".join(codes).replace("-", ""))
    assert set(letters) == set(RECEIPT_ALPHABET)  # no 0, O, 1 or I; none left out
    assert min(letters.values()) > 0.7 * 30_000 / 32  # each letter about as often
    assert len(set(codes)) == len(codes)
