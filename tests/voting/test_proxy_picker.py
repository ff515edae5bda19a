"""The proxies page in a large assembly: member and holder are typed, then chosen among the
matches, instead of scrolled for in lists of thousands; the page's queries do not grow with
the proxies it lists."""

import re

import pytest
from django.urls import reverse

from tests.factories import MemberFactory
from tests.voting.factories import accredit, electorate_of
from voting.models import Proxy
from voting.services import request_proxy

pytestmark = pytest.mark.django_db

URL = reverse("voting-proxies", args=["ga"])


@pytest.fixture
def large(assembly):
    """Forty voting members with a voting delegate each: too many for a list."""
    assembly.proxies_allowed = True
    assembly.max_proxies_per_holder = 3
    assembly.save()
    return electorate_of(assembly, 40)


@pytest.fixture
def rowing(assembly, large):
    return MemberFactory(name="Rowing Östersund")


@pytest.fixture
def holder(assembly, large):
    return accredit(assembly, MemberFactory(name="Uppsala"), full_name="Ingrid Qvistgaard")


def record(client, **fields):
    return client.post(URL, {"action": "request", **fields}, follow=True)


def test_a_large_assembly_types_member_and_holder_instead_of_lists(secretariat_client, large):
    html = secretariat_client.get(URL).content.decode()
    assert "<select" not in html
    assert 'name="member_name"' in html
    assert 'name="holder_name"' in html


def test_unique_names_record_the_proxy_at_once(secretariat_client, rowing, holder):
    response = record(secretariat_client, member_name="rowing ostersund", holder_name="qvistgaard")
    assert "Saved." in response.content.decode()
    proxy = Proxy.objects.get()
    assert (proxy.member, proxy.holder) == (rowing, holder)


def test_an_ambiguous_member_offers_its_matches_keeping_the_holder(
    secretariat_client, rowing, holder
):
    other = MemberFactory(name="Rowing Umeå")
    html = record(
        secretariat_client, member_name="Rowing", holder_name="Qvistgaard"
    ).content.decode()
    assert "2 matches for “Rowing”: choose one" in html
    offered = set(re.findall(r'<input type="radio" name="member" value="(\d+)"', html))
    assert offered == {str(rowing.pk), str(other.pk)}
    assert 'value="Qvistgaard"' in html
    assert not Proxy.objects.exists()
    record(secretariat_client, member_name="Rowing", member=other.pk, holder_name="Qvistgaard")
    assert Proxy.objects.get().member == other


def test_an_unknown_holder_says_so_and_records_nothing(secretariat_client, rowing, holder):
    html = record(secretariat_client, member_name="Östersund", holder_name="Zzyzx")
    assert "Nothing matches “Zzyzx”" in html.content.decode()
    assert not Proxy.objects.exists()


def test_the_holder_is_found_only_among_voting_delegates(secretariat_client, assembly, rowing):
    accredit(assembly, MemberFactory(), kind="alternate", full_name="Ingrid Qvistgaard")
    html = record(secretariat_client, member_name="Östersund", holder_name="Qvistgaard")
    assert "Nothing matches “Qvistgaard”" in html.content.decode()
    assert not Proxy.objects.exists()


def test_the_page_reads_the_same_number_of_queries_for_more_proxies(
    secretariat_client, secretariat_user, assembly, large, django_assert_max_num_queries
):
    assembly.max_proxies_per_holder = 40
    assembly.save()

    def add_proxies(n):
        for delegate in large[len(Proxy.objects.all()) + 1 :][:n]:
            request_proxy(
                assembly=assembly, member=delegate.member, holder=large[0], by=secretariat_user
            )

    add_proxies(2)
    with django_assert_max_num_queries(30) as few:
        secretariat_client.get(URL)
    add_proxies(25)
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = secretariat_client.get(URL).content.decode()
    assert html.count('name="proxy"') == 27
