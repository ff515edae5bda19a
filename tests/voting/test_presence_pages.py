"""The presence page on a large assembly: the quorum first, then 100 delegates a page."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from assembly.models import MemberOrganization
from registration.models import Accreditation, Delegate
from tests.voting.factories import ga_body
from voting.models import DelegatePresence

pytestmark = pytest.mark.django_db


@pytest.fixture
def accredited_105(assembly):
    """Members "Member 001" to "Member 105", each with an accredited voting delegate; the odd
    ones in the hall."""
    members = MemberOrganization.objects.bulk_create(
        MemberOrganization(name=f"Member {n:03d}", kind="local_government", region="europe")
        for n in range(1, 106)
    )
    delegates = Delegate.objects.bulk_create(
        Delegate(
            assembly=assembly,
            member=member,
            full_name=f"Person {n:03d}",
            email=f"p{n}@example.org",
            role="voting_delegate",
            state="approved",
        )
        for n, member in enumerate(members, start=1)
    )
    Accreditation.objects.bulk_create(
        Accreditation(assembly=assembly, member=d.member, delegate=d, kind="voting")
        for d in delegates
    )
    DelegatePresence.objects.bulk_create(
        DelegatePresence(assembly=assembly, delegate=d, in_hall=True, changed_at=timezone.now())
        for d in delegates[::2]
    )
    return delegates


def url_of(assembly, query=""):
    return reverse("voting-presence", args=[assembly.slug]) + query


def people_shown(html):
    return re.findall(r"<td>(Person \d{3})</td>", html)


def test_first_page_holds_100_delegates_under_the_quorum(
    secretariat_client, assembly, accredited_105
):
    ga_body(assembly)
    html = secretariat_client.get(url_of(assembly)).content.decode()
    assert people_shown(html) == [f"Person {n:03d}" for n in range(1, 101)]
    assert "Showing 1\u2013100 of 105 delegates" in html
    assert html.index("of 105 voting members present") < html.index("Person 001")


def test_second_page_holds_the_rest_and_its_links_keep_the_filters(
    secretariat_client, assembly, accredited_105
):
    html = secretariat_client.get(url_of(assembly, "?q=Member&page=2")).content.decode()
    assert people_shown(html) == [f"Person {n:03d}" for n in range(101, 106)]
    assert "Showing 101\u2013105 of 105 delegates" in html
    assert '<a href="?q=Member&amp;page=1" rel="prev">Previous page</a>' in html


def test_search_finds_a_delegate_of_a_later_page(secretariat_client, assembly, accredited_105):
    html = secretariat_client.get(url_of(assembly, "?q=person+104")).content.decode()
    assert people_shown(html) == ["Person 104"]
    assert "Showing 1\u20131 of 1 delegate" in html


def test_presence_filter_parts_the_hall_from_the_absent(
    secretariat_client, assembly, accredited_105
):
    hall = secretariat_client.get(url_of(assembly, "?presence=hall")).content.decode()
    absent = secretariat_client.get(url_of(assembly, "?presence=absent")).content.decode()
    assert people_shown(hall)[:2] == ["Person 001", "Person 003"]
    assert "Showing 1\u201353 of 53 delegates" in hall
    assert people_shown(absent)[:2] == ["Person 002", "Person 004"]
    assert "Showing 1\u201352 of 52 delegates" in absent


def test_confirming_online_presence_returns_to_the_same_page(
    secretariat_client, assembly, accredited_105
):
    query = "?presence=absent&page=1"
    response = secretariat_client.post(
        url_of(assembly, query), {"delegate": accredited_105[1].pk, "present": "1"}
    )
    assert response["Location"] == url_of(assembly, query)
    online = secretariat_client.get(url_of(assembly, "?presence=online")).content.decode()
    assert people_shown(online) == ["Person 002"]
