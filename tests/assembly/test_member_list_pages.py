"""The members list on a large association: 100 members a page, its filters kept."""

import re

import pytest
from django.urls import reverse

from assembly.models import MemberOrganization

pytestmark = pytest.mark.django_db


@pytest.fixture
def members_120(db):
    """Members "Member 001" to "Member 120", the first 110 in Africa, the rest in Europe."""
    return MemberOrganization.objects.bulk_create(
        MemberOrganization(
            name=f"Member {n:03d}",
            kind="local_government",
            region="africa" if n <= 110 else "europe",
        )
        for n in range(1, 121)
    )


def url_of(assembly, query=""):
    return reverse("member-list", args=[assembly.slug]) + query


def members_shown(html):
    return re.findall(r"<tr><td>(Member \d{3})</td>", html)


def test_first_page_holds_100_members(secretariat_client, assembly, members_120):
    html = secretariat_client.get(url_of(assembly)).content.decode()
    assert members_shown(html) == [f"Member {n:03d}" for n in range(1, 101)]
    assert "<p>120 members</p>" in html
    assert "Showing 1\u2013100 of 120 members" in html


def test_second_page_holds_the_rest_of_the_region_and_its_links_keep_the_filters(
    secretariat_client, assembly, members_120
):
    html = secretariat_client.get(url_of(assembly, "?region=africa&page=2")).content.decode()
    assert members_shown(html) == [f"Member {n:03d}" for n in range(101, 111)]
    assert "Showing 101\u2013110 of 110 members" in html
    assert '<a href="?region=africa&amp;page=1" rel="prev">Previous page</a>' in html
    current = '<a href="?region=africa&amp;page=2" aria-current="page">'
    assert current + '<span class="visually-hidden">Page </span>2</a>' in html


def test_search_finds_a_member_of_a_later_page(secretariat_client, assembly, members_120):
    html = secretariat_client.get(url_of(assembly, "?q=member+115")).content.decode()
    assert members_shown(html) == ["Member 115"]
    assert "Showing 1\u20131 of 1 member" in html


def test_a_page_number_past_the_end_shows_the_last_page(secretariat_client, assembly, members_120):
    html = secretariat_client.get(url_of(assembly, "?page=99")).content.decode()
    assert members_shown(html)[0] == "Member 101"
