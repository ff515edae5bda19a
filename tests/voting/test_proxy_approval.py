"""Approving a proxy asks the voting rule again: a member that lost its vote gets no proxy."""

import pytest

from tests.factories import MemberFactory
from tests.voting.factories import accredit
from voting.errors import ProxyRefused
from voting.models import Proxy, ProxyState
from voting.services import approve_proxy, request_proxy

pytestmark = pytest.mark.django_db


def test_approving_refuses_a_proxy_for_a_member_whose_dues_lapsed_after_the_request(
    assembly, body, voters, secretariat_user
):
    assembly.proxies_allowed = True
    assembly.save()
    member = MemberFactory()
    accredit(assembly, member)
    proxy = request_proxy(assembly=assembly, member=member, holder=voters[0], by=secretariat_user)
    member.dues_paid = False
    member.save()

    with pytest.raises(ProxyRefused) as refused:
        approve_proxy(proxy=proxy, by=secretariat_user)

    assert "has no vote in this assembly" in refused.value.detail
    assert Proxy.objects.get(pk=proxy.pk).state == ProxyState.REQUESTED


def test_approving_still_accepts_a_member_that_keeps_its_vote(
    assembly, body, voters, secretariat_user
):
    assembly.proxies_allowed = True
    assembly.save()
    proxy = request_proxy(
        assembly=assembly, member=voters[1].member, holder=voters[0], by=secretariat_user
    )
    assert approve_proxy(proxy=proxy, by=secretariat_user).state == ProxyState.APPROVED
