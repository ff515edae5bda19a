"""The secretariat's registrations page in pages, with the filters kept from page to page."""

import pytest
from django.urls import reverse

from registration.models import Delegate, RegistrationState
from registration.views import QUEUE_PAGE_SIZE
from tests.registration.test_registrations_api_page import register_many

pytestmark = pytest.mark.django_db


def queue_url(assembly) -> str:
    return reverse("registration:queue", args=[assembly.slug])


def showing(first: int, last: int, total: int) -> str:
    return f"Showing {first:,}\u2013{last:,} of {total:,} registrations."


def ticks(response) -> int:
    return response.content.decode().count('name="delegate"')


def test_queue_shows_a_page_of_rows_then_the_rest_with_the_filters_kept(
    secretariat_client, assembly, member
):
    register_many(assembly, member, QUEUE_PAGE_SIZE + 50, state=RegistrationState.SUBMITTED)
    # An approved one stays out of the filtered pages.
    Delegate.objects.filter(full_name="Person 000").update(state=RegistrationState.APPROVED)
    total = QUEUE_PAGE_SIZE + 49

    first = secretariat_client.get(queue_url(assembly), {"state": "submitted", "q": "person"})
    page = first.content.decode()
    assert ticks(first) == QUEUE_PAGE_SIZE
    assert showing(1, QUEUE_PAGE_SIZE, total) in page
    assert '<nav class="pager" aria-label="Pages of registrations">' in page
    assert 'href="?state=submitted&amp;q=person&amp;page=2" rel="next"' in page
    assert 'href="?state=submitted&amp;q=person&amp;page=1" aria-current="page"' in page

    second = secretariat_client.get(
        queue_url(assembly), {"state": "submitted", "q": "person", "page": 2}
    )
    page = second.content.decode()
    assert ticks(second) == 49
    assert showing(QUEUE_PAGE_SIZE + 1, total, total) in page
    assert 'href="?state=submitted&amp;q=person&amp;page=2" aria-current="page"' in page
    assert f"Person {QUEUE_PAGE_SIZE + 49}" in page
    assert "Person 000" not in page
    assert "Person 010" not in page  # on page 1


def test_queue_page_past_the_end_shows_the_last_page(secretariat_client, assembly, member):
    register_many(assembly, member, QUEUE_PAGE_SIZE + 3)
    response = secretariat_client.get(queue_url(assembly), {"page": 20})
    assert ticks(response) == 3
    first, last = QUEUE_PAGE_SIZE + 1, QUEUE_PAGE_SIZE + 3
    assert showing(first, last, last) in response.content.decode()


def test_queue_bulk_action_on_page_two_returns_to_page_two(secretariat_client, assembly, member):
    delegates = register_many(
        assembly, member, QUEUE_PAGE_SIZE + 10, state=RegistrationState.SUBMITTED
    )
    last = delegates[-1]
    url = f"{queue_url(assembly)}?state=submitted&page=2"
    response = secretariat_client.post(url, {"action": "approve", "delegate": [last.pk]})
    assert response["Location"] == url
    last.refresh_from_db()
    assert last.state == RegistrationState.APPROVED
    page = secretariat_client.get(url).content.decode()
    first, last = QUEUE_PAGE_SIZE + 1, QUEUE_PAGE_SIZE + 9
    assert showing(first, last, last) in page


def test_queue_with_one_page_has_no_page_links(secretariat_client, assembly, member):
    register_many(assembly, member, 3)
    page = secretariat_client.get(queue_url(assembly)).content.decode()
    assert showing(1, 3, 3) in page
    assert 'class="pager"' not in page


def test_queue_count_sentence_groups_thousands(secretariat_client, assembly, member):
    register_many(assembly, member, 1001)
    response = secretariat_client.get(queue_url(assembly), {"page": 1000 // QUEUE_PAGE_SIZE + 1})
    assert showing(1001, 1001, 1001) in response.content.decode()  # "1,001"
