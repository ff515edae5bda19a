"""The dashboard's revoke / desk-flag form in a large assembly: a delegate is typed, not
scrolled for in a list of thousands; a name matching several offers them to choose from."""

import re

import pytest
from django.urls import reverse

from tests.factories import DelegateFactory

pytestmark = pytest.mark.django_db


def page(name):
    return reverse(name, kwargs={"slug": "ga"})


@pytest.fixture
def crowd(assembly):
    """Enough delegates that no one should scroll a list of them."""
    return [
        DelegateFactory(assembly=assembly, full_name=f"Crowd Person {i:02d}") for i in range(40)
    ]


@pytest.fixture
def parks(assembly):
    return [
        DelegateFactory(assembly=assembly, full_name="Park Ji-ho"),
        DelegateFactory(assembly=assembly, full_name="Park Ji-woo"),
    ]


def flag(client, **fields):
    return client.post(page("badges-action"), {"action": "attention", **fields}, follow=True)


def test_a_large_assembly_types_the_delegate_instead_of_a_list(secretariat_client, crowd):
    html = secretariat_client.get(page("badges-dashboard")).content.decode()
    assert 'name="delegate"' not in html
    assert "Crowd Person 17" not in html
    assert 'name="delegate_name"' in html
    assert "Delegate: name, email or badge number" in html


def test_a_small_assembly_keeps_its_list(secretariat_client, delegate):
    html = secretariat_client.get(page("badges-dashboard")).content.decode()
    assert re.search(r'<select id="pick-delegate" name="delegate"[^>]*>.*Kim Seo-yeon', html, re.S)


def test_a_name_naming_one_delegate_revokes_at_once(secretariat_client, crowd, badge, delegate):
    response = secretariat_client.post(
        page("badges-action"),
        {"delegate_name": "kim seoyeon", "reason": "Lost and reported", "action": "revoke"},
        follow=True,
    )
    badge.refresh_from_db()
    assert badge.revoked_at is not None
    assert "Badge revoked" in response.content.decode()


def test_an_email_or_badge_number_names_the_delegate(secretariat_client, crowd, delegate):
    flag(secretariat_client, delegate_name=delegate.email.upper(), reason="Wheelchair")
    delegate.refresh_from_db()
    assert delegate.attention == "Wheelchair"
    flag(secretariat_client, delegate_name=f"#{delegate.pk}", reason="Head of delegation")
    delegate.refresh_from_db()
    assert delegate.attention == "Head of delegation"


def test_a_name_naming_several_offers_them_and_keeps_the_flag_text(
    secretariat_client, crowd, parks
):
    response = flag(secretariat_client, delegate_name="Park Ji", reason="Needs an interpreter")
    html = response.content.decode()
    assert "2 matches for “Park Ji”: choose one" in html
    offered = set(re.findall(r'<input type="radio" name="delegate" value="(\d+)"', html))
    assert offered == {str(p.pk) for p in parks}
    assert 'value="Needs an interpreter"' in html
    for park in parks:
        park.refresh_from_db()
        assert park.attention == ""
    flag(
        secretariat_client,
        delegate_name="Park Ji",
        delegate=parks[1].pk,
        reason="Needs an interpreter",
    )
    parks[1].refresh_from_db()
    parks[0].refresh_from_db()
    assert (parks[0].attention, parks[1].attention) == ("", "Needs an interpreter")


def test_a_name_matching_many_shows_twenty_and_says_how_many_more(secretariat_client, crowd):
    html = flag(secretariat_client, delegate_name="crowd", reason="x").content.decode()
    assert len(re.findall(r'type="radio" name="delegate"', html)) == 20
    assert "20 more: type more of the name." in html


def test_an_unknown_name_says_so_and_changes_nothing(secretariat_client, crowd, badge, delegate):
    response = secretariat_client.post(
        page("badges-action"),
        {"delegate_name": "Zzyzx", "reason": "Lost", "action": "revoke"},
    )
    html = response.content.decode()
    assert "Nothing matches “Zzyzx”" in html
    assert 'aria-invalid="true"' in html
    badge.refresh_from_db()
    assert badge.revoked_at is None
