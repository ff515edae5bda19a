"""What a hurried chair or a curious delegate sends: a clear refusal, and nothing changes."""

import json

import pytest
from django.urls import reverse

from tests.conftest import client_for
from tests.voting.factories import draft_poll
from voting.errors import WrongPollState
from voting.models import Poll, PollState
from voting.services import open_poll

pytestmark = pytest.mark.django_db


def test_two_rounds_of_one_motion_are_never_open_at_once(motion, present_voters, chair_user):
    first = open_poll(poll=draft_poll(motion), by=chair_user)
    with pytest.raises(WrongPollState):
        draft_poll(motion)  # no second round is even prepared while one is open
    # A stray draft made before that rule (a database of an earlier version) cannot open either.
    second = Poll.objects.create(
        motion=motion, assembly=motion.assembly, round=2, kind=first.kind, seats=0
    )
    with pytest.raises(WrongPollState):
        open_poll(poll=second, by=chair_user)
    second.refresh_from_db()
    assert second.state == PollState.DRAFT


@pytest.mark.parametrize(
    "fields",
    [
        {"min_open_seconds": "100000000000000000000"},
        {"close_after_seconds": "100000000000000000000"},
        {"min_open_seconds": "2147483648"},
        {"close_after_seconds": "1"},
    ],
)
def test_the_console_refuses_poll_times_the_api_refuses(motion, chair_client, fields):
    response = chair_client.post(
        reverse("voting-create-poll", args=["ga"]),
        {"motion": motion.pk, "kind": "secret", **fields},
        follow=True,
    )
    assert response.status_code == 200
    assert not Poll.objects.filter(motion=motion).exists()
    assert "seconds" in response.content.decode()


def patch_me(client, body):
    return client.patch(
        "/api/v1/assemblies/ga/registration/me", json.dumps(body), content_type="application/json"
    )


@pytest.mark.parametrize(
    "body",
    [
        {"full_name": "A" * 5000},
        {"phone": "9" * 500},
        {"passport_number": "P" * 1000},
        {"full_name": "A\x00B"},
        {"date_of_birth": "2999-01-01"},
        {"email": "someone@else.example"},
        {"state": "approved"},
    ],
)
def test_a_delegate_cannot_store_what_the_form_would_refuse(delegate, body):
    before = (delegate.full_name, delegate.phone, delegate.email, delegate.state)
    response = patch_me(client_for(delegate.user), body)
    assert response.status_code == 422, response.content
    assert response.json()["code"] == "invalid_input"
    delegate.refresh_from_db()
    assert (delegate.full_name, delegate.phone, delegate.email, delegate.state) == before


def test_a_vote_passes_one_hand_at_most(assembly, present_voters, secretariat_user):
    from assembly.errors import DomainError
    from tests.factories import MemberFactory
    from voting.models import ProxyState
    from voting.services import approve_proxy, request_proxy

    assembly.proxies_allowed = True
    assembly.max_proxies_per_holder = 2
    assembly.save()
    first, second, third = present_voters[:3]
    # An outside member gives its vote to the first voter's delegate.
    outside = request_proxy(
        assembly=assembly, member=MemberFactory(), holder=first, by=secretariat_user
    )
    approve_proxy(proxy=outside, by=secretariat_user)
    # The first member, whose delegate now carries a vote, cannot pass its own on...
    with pytest.raises(DomainError) as passing_on:
        request_proxy(assembly=assembly, member=first.member, holder=second, by=secretariat_user)
    assert passing_on.value.code == "proxy_refused"
    # ...and once the third member has given its vote, its delegate carries none, even when
    # asked before.
    to_third = request_proxy(
        assembly=assembly, member=MemberFactory(), holder=third, by=secretariat_user
    )
    given = request_proxy(
        assembly=assembly, member=third.member, holder=second, by=secretariat_user
    )
    approve_proxy(proxy=given, by=secretariat_user)
    with pytest.raises(DomainError) as carrying:
        approve_proxy(proxy=to_third, by=secretariat_user)
    assert carrying.value.code == "proxy_refused"
    to_third.refresh_from_db()
    assert to_third.state == ProxyState.REQUESTED
    with pytest.raises(DomainError):
        request_proxy(assembly=assembly, member=MemberFactory(), holder=third, by=secretariat_user)


def test_an_invisible_or_endless_override_reason_opens_nothing(motion, voters, chair_user):
    from assembly.errors import DomainError

    poll = draft_poll(motion)  # nobody present: no quorum
    for reason in ("\u200b\u00a0", "\u200b", "x" * 100_000):
        with pytest.raises(DomainError):
            open_poll(poll=poll, by=chair_user, override_reason=reason)
    poll.refresh_from_db()
    assert poll.state == PollState.DRAFT
