"""The invitations form with two thousand members: the member is typed, then chosen among
its matches, instead of scrolled for in a list of all of them."""

import re

import pytest
from django.urls import reverse

from registration.models import Invitation
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def url(assembly):
    return reverse("registration:invitations", args=[assembly.slug])


@pytest.fixture
def many_members():
    return [MemberFactory(name=f"Town {i:02d}") for i in range(40)]


def invite(client, url, **fields):
    data = {"places": 3, "expires_at": "2099-01-01T12:00", **fields}
    return client.post(url, data, follow=True).content.decode()


def test_many_members_are_typed_not_listed(secretariat_client, url, many_members):
    html = secretariat_client.get(url).content.decode()
    assert "<select" not in html
    assert "Town 17" not in html
    assert 'name="member_name"' in html


def test_a_unique_name_invites_that_member_at_once(secretariat_client, url, many_members):
    malmo = MemberFactory(name="Malmö Rowing")
    html = invite(secretariat_client, url, member_name="malmo")
    assert Invitation.objects.get().member == malmo
    assert "Invitation for Malmö Rowing" in html


def test_an_ambiguous_name_offers_its_matches_keeping_the_rest(
    secretariat_client, url, many_members
):
    html = invite(secretariat_client, url, member_name="Town 1", contact_email="sec@t.example")
    assert "10 matches for “Town 1”: choose one" in html
    offered = re.findall(r'<input type="radio" name="member" value="(\d+)"', html)
    assert offered == [str(m.pk) for m in many_members[10:20]]
    assert 'value="sec@t.example"' in html
    assert 'value="3"' in html
    assert not Invitation.objects.exists()
    invite(secretariat_client, url, member_name="Town 1", member=many_members[12].pk)
    assert Invitation.objects.get().member == many_members[12]


def test_an_unknown_name_says_so_and_invites_nobody(secretariat_client, url, many_members):
    html = invite(secretariat_client, url, member_name="Atlantis")
    assert "Nothing matches “Atlantis”" in html
    assert not Invitation.objects.exists()


def test_a_few_members_stay_a_list(secretariat_client, url, member):
    html = secretariat_client.get(url).content.decode()
    assert re.search(rf'<select[^>]* name="member"[^>]*>.*value="{member.pk}"', html, re.S)
