"""The accreditation page on a large assembly: 25 members a page, found by name and status."""

import re

import pytest
from django.urls import reverse

from assembly.models import MemberOrganization
from registration.models import Accreditation, Delegate
from registration.services import accredit

pytestmark = pytest.mark.django_db


@pytest.fixture
def thirty_members(assembly):
    """Members "Member 01" to "Member 30", each with one approved voting delegate."""
    members = MemberOrganization.objects.bulk_create(
        MemberOrganization(name=f"Member {n:02d}", kind="local_government", region="europe")
        for n in range(1, 31)
    )
    Delegate.objects.bulk_create(
        Delegate(
            assembly=assembly,
            member=member,
            full_name=f"Delegate of {member.name}",
            email=f"d{member.pk}@example.org",
            role="voting_delegate",
            state="approved",
        )
        for member in members
    )
    return members


def url_of(assembly, query=""):
    return reverse("registration:accreditation", args=[assembly.slug]) + query


def members_shown(html):
    return re.findall(r"<h2>(Member \d\d)</h2>", html)


def test_first_page_holds_25_members_and_says_so(secretariat_client, assembly, thirty_members):
    html = secretariat_client.get(url_of(assembly)).content.decode()
    assert members_shown(html) == [f"Member {n:02d}" for n in range(1, 26)]
    assert "Showing 1\u201325 of 30 members" in html
    assert '<a href="?page=2" aria-current="page">' not in html
    current = '<a href="?page=1" aria-current="page">'
    assert current + '<span class="visually-hidden">Page </span>1</a>' in html


def test_second_page_holds_the_rest_and_its_links_keep_the_filters(
    secretariat_client, assembly, thirty_members
):
    html = secretariat_client.get(url_of(assembly, "?status=pending&page=2")).content.decode()
    assert members_shown(html) == [f"Member {n:02d}" for n in range(26, 31)]
    assert "Showing 26\u201330 of 30 members" in html
    assert '<a href="?status=pending&amp;page=1" rel="prev">Previous page</a>' in html
    assert '<option value="pending" selected>Not yet accredited</option>' in html


def test_search_finds_a_member_of_a_later_page(secretariat_client, assembly, thirty_members):
    html = secretariat_client.get(url_of(assembly, "?q=member+28")).content.decode()
    assert members_shown(html) == ["Member 28"]
    assert "Showing 1\u20131 of 1 member" in html


def test_status_filter_parts_accredited_members_from_the_rest(
    secretariat_client, assembly, thirty_members
):
    accredited = thirty_members[27]
    accredit(
        assembly=assembly,
        member=accredited,
        delegate=accredited.delegates.get(),
        kind="voting",
        by=None,
    )
    done = secretariat_client.get(url_of(assembly, "?status=accredited")).content.decode()
    pending = secretariat_client.get(url_of(assembly, "?status=pending")).content.decode()
    assert members_shown(done) == ["Member 28"]
    assert "Member 28" not in members_shown(pending)
    assert "Showing 1\u201325 of 29 members" in pending


def test_accrediting_on_a_later_page_returns_to_that_page_of_the_search(
    secretariat_client, assembly, thirty_members
):
    member = thirty_members[26]
    query = "?q=Member&page=2"
    response = secretariat_client.post(
        url_of(assembly, query),
        {"delegate": member.delegates.get().pk, "kind": "voting", "reason": "Letter"},
    )
    assert response.status_code == 302
    assert response["Location"] == url_of(assembly, query)
    html = secretariat_client.get(response["Location"]).content.decode()
    assert "Voting delegate: <strong>Delegate of Member 27</strong>" in html
    assert Accreditation.objects.get().member == member
