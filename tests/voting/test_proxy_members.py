"""Proxies: switched on in the admin; the page offers exactly the members the API accepts
(voting members not already represented), and a member with no vote is refused in words."""

import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from assembly.models import MembershipType
from tests.factories import MemberFactory
from tests.voting.factories import accredit
from tests.voting.test_admin import assembly_form
from voting.errors import ProxyRefused
from voting.models import BodyKind, BodyQuorum, Proxy, ProxyState
from voting.presence import record_hall_entry
from voting.proxies import members_to_represent
from voting.services import approve_proxy, create_body, request_proxy, revoke_proxy

pytestmark = pytest.mark.django_db

JSON = "application/json"


@pytest.fixture
def proxies_on(assembly):
    assembly.proxies_allowed = True
    assembly.max_proxies_per_holder = 3
    assembly.save()
    return assembly


def offered(client) -> set[int]:
    """The members the proxies page offers to represent."""
    html = client.get(reverse("voting-proxies", args=["ga"])).content.decode()
    select = re.search(r'<select id="px-member".*?</select>', html, re.S).group(0)
    return {int(pk) for pk in re.findall(r'<option value="(\d+)"', select)}


def api_request(client, member, holder):
    return client.post(
        "/api/v1/assemblies/ga/proxies",
        json.dumps({"member": member.pk, "holder": holder.pk}),
        content_type=JSON,
    )


def test_the_assembly_admin_switches_proxies_on(office_client, assembly):
    change = reverse("admin:assembly_assembly_change", args=[assembly.pk])
    assert 'name="proxies_allowed"' in office_client.get(change).content.decode()
    response = office_client.post(change, assembly_form(assembly, proxies_allowed="on"))
    assert response.status_code == 302, response.content.decode()[-2000:]
    assembly.refresh_from_db()
    assert assembly.proxies_allowed


def test_the_page_offers_accredited_members_of_a_fully_accredited_assembly(
    proxies_on, body, voters, secretariat_client
):
    # Every voting member has a voting delegate: each may still give its proxy.
    assert offered(secretariat_client) == {d.member_id for d in voters}


def test_the_page_leaves_out_members_without_a_vote_and_those_already_represented(
    proxies_on, body, voters, secretariat_user, secretariat_client
):
    associate = MemberFactory(membership_type=MembershipType.ASSOCIATE)
    unpaid = MemberFactory(dues_paid=False)
    represented, pending, given_back = (d.member for d in voters[1:4])
    approve_proxy(
        proxy=request_proxy(
            assembly=proxies_on, member=represented, holder=voters[0], by=secretariat_user
        ),
        by=secretariat_user,
    )
    request_proxy(assembly=proxies_on, member=pending, holder=voters[0], by=secretariat_user)
    revoke_proxy(
        proxy=request_proxy(
            assembly=proxies_on, member=given_back, holder=voters[0], by=secretariat_user
        ),
        by=secretariat_user,
    )
    shown = offered(secretariat_client)
    assert shown == {voters[0].member_id, given_back.pk, voters[4].member_id}
    assert not {associate.pk, unpaid.pk, represented.pk, pending.pk} & shown


def test_a_member_listed_on_a_committee_has_a_vote_to_give(
    proxies_on, body, voters, secretariat_client
):
    committee_only = MemberFactory(dues_paid=False)
    create_body(
        assembly=proxies_on,
        code="exco",
        name="Executive Committee",
        kind=BodyKind.LISTED,
        members=[committee_only],
    )
    assert committee_only.pk in offered(secretariat_client)


def test_page_and_api_accept_the_members_the_page_offers(
    proxies_on, body, voters, secretariat_client
):
    holder = voters[0]
    # The page records one...
    secretariat_client.post(
        reverse("voting-proxies", args=["ga"]),
        {"action": "request", "member": voters[1].member_id, "holder": holder.pk},
    )
    # ...and the API takes any other member the page still offers.
    for member in members_to_represent(proxies_on).exclude(pk=holder.member_id):
        assert api_request(secretariat_client, member, holder).status_code == 201, member
    assert Proxy.objects.filter(state=ProxyState.REQUESTED).count() == 4
    assert offered(secretariat_client) == {holder.member_id}


@pytest.mark.parametrize(
    ("fields", "why"),
    [
        ({"membership_type": MembershipType.ASSOCIATE}, "its membership type"),
        ({"dues_paid": False}, "its dues are not paid"),
    ],
)
def test_the_api_refuses_a_member_without_a_vote_in_plain_words(
    proxies_on, body, voters, secretariat_client, fields, why
):
    member = MemberFactory(name="Nowhere City", **fields)
    accredit(proxies_on, member)  # a delegate of its own changes nothing
    response = api_request(secretariat_client, member, voters[0])
    assert response.status_code == 409
    answer = response.json()
    assert answer["code"] == "proxy_refused"
    assert answer["detail"].startswith("Nowhere City has no vote in this assembly")
    assert why in answer["detail"]
    assert not Proxy.objects.exists()


def test_the_page_refuses_a_member_without_a_vote_in_plain_words(
    proxies_on, body, voters, secretariat_client
):
    unpaid = MemberFactory(name="Late Payer City", dues_paid=False)
    response = secretariat_client.post(
        reverse("voting-proxies", args=["ga"]),
        {"action": "request", "member": unpaid.pk, "holder": voters[0].pk},
        follow=True,
    )
    assert "Late Payer City has no vote in this assembly (its dues are not paid)" in (
        response.content.decode()
    )
    assert not Proxy.objects.exists()


def test_a_member_without_a_vote_never_takes_a_place_of_the_holders_limit(
    proxies_on, body, voters, secretariat_user
):
    proxies_on.max_proxies_per_holder = 1
    proxies_on.save()
    with pytest.raises(ProxyRefused):
        request_proxy(
            assembly=proxies_on,
            member=MemberFactory(membership_type=MembershipType.ASSOCIATE),
            holder=voters[0],
            by=secretariat_user,
        )
    proxy = request_proxy(
        assembly=proxies_on, member=voters[1].member, holder=voters[0], by=secretariat_user
    )
    assert approve_proxy(proxy=proxy, by=secretariat_user).state == ProxyState.APPROVED


def test_the_holders_own_member_is_refused(proxies_on, body, voters, secretariat_client):
    response = api_request(secretariat_client, voters[0].member, voters[0])
    assert (response.status_code, response.json()["code"]) == (409, "proxy_refused")
    assert "own proxy" in response.json()["detail"]


def test_another_assemblys_secretariat_sees_no_proxies_page(proxies_on, other_assembly, body):
    from tests.conftest import client_for, staff_user

    outsider = client_for(staff_user(other_assembly, "secretariat", "outsider"))
    assert outsider.get(reverse("voting-proxies", args=["ga"])).status_code == 403


def test_switching_proxies_off_ends_their_members_presence_in_the_quorum(
    proxies_on, body, voters, secretariat_user, office_client
):
    holder, absent = voters[0], voters[1]
    record_hall_entry(delegate=holder, at=timezone.now())
    approve_proxy(
        proxy=request_proxy(
            assembly=proxies_on, member=absent.member, holder=holder, by=secretariat_user
        ),
        by=secretariat_user,
    )
    assert BodyQuorum.objects.get(body=body).present == 2
    change = reverse("admin:assembly_assembly_change", args=[proxies_on.pk])
    response = office_client.post(change, assembly_form(proxies_on))  # the box left unticked
    assert response.status_code == 302, response.content.decode()[-2000:]
    # Ballots ignore proxies once they are off; the quorum no longer counts them either.
    assert BodyQuorum.objects.get(body=body).present == 1
