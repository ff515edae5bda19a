"""The secretariat's registrations API: a page of 50 costs a few queries, whatever the list."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from registration import selectors
from registration.api import registration_out
from registration.models import Delegate, RegistrationSettings, RegistrationState, VisaLetter
from registration.schemas import RegistrationOut

pytestmark = pytest.mark.django_db


def register_many(assembly, member, n: int, **values) -> list[Delegate]:
    """n registrations in list order (state_changed_at one second apart), varied like real ones."""
    start = timezone.now() - timedelta(days=1)
    Delegate.objects.bulk_create(
        Delegate(
            assembly=assembly,
            member=member if i % 5 else None,
            organization_name="" if i % 5 else f"Independent {i}",
            full_name=f"Person {i:03}",
            email=f"person{i}@example.org",
            state=values.get("state", RegistrationState.APPROVED),
            needs_visa_letter=i % 3 == 0,
            photo=f"photos/{i}.jpg" if i % 4 == 0 else "",
            arrival_date=assembly.start_date if i % 2 else None,
            state_changed_at=start + timedelta(seconds=i),
        )
        for i in range(n)
    )
    return list(Delegate.objects.filter(assembly=assembly).order_by("state_changed_at"))


def issue_letters(delegates: list[Delegate]) -> None:
    VisaLetter.objects.bulk_create(
        VisaLetter(delegate=d, reference=f"GA-{d.pk}", token=f"token-{d.pk}")
        for d in delegates
        if d.needs_visa_letter and d.pk % 2
    )


def registrations_url(assembly) -> str:
    return reverse("api:list_registrations", kwargs={"slug": assembly.slug})


def as_before(delegate: Delegate) -> dict:
    """The registration as the one-registration serialiser (the old list's) writes it."""
    return RegistrationOut(**registration_out(delegate)).model_dump(mode="json")


def test_a_page_of_registrations_costs_a_few_queries_whatever_the_list_size(
    secretariat_client, assembly, member, django_assert_max_num_queries
):
    delegates = register_many(assembly, member, 300)
    issue_letters(delegates)
    RegistrationSettings.objects.create(
        assembly=assembly, edit_cutoff=timezone.now() + timedelta(days=1)
    )
    with django_assert_max_num_queries(10):
        response = secretariat_client.get(registrations_url(assembly))
    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 300
    assert data["items"] == [as_before(d) for d in delegates[:50]]
    assert {item["visa_letter_ready"] for item in data["items"]} == {True, False}
    assert {item["has_photo"] for item in data["items"]} == {True, False}


def test_registrations_page_two_and_filters_pick_the_same_rows_as_before(
    secretariat_client, assembly, member
):
    register_many(assembly, member, 120)
    submitted = Delegate.objects.filter(assembly=assembly, full_name__endswith="7")
    submitted.update(state=RegistrationState.SUBMITTED)
    url = registrations_url(assembly)

    data = secretariat_client.get(url, {"page": 2}).json()
    expected = selectors.registrations_list(
        assembly=assembly, filters=selectors.RegistrationFilters()
    )[50:100]
    assert (data["count"], data["items"]) == (120, [as_before(d) for d in expected])

    data = secretariat_client.get(url, {"state": "submitted", "page_size": 5, "page": 2}).json()
    expected = selectors.registrations_list(
        assembly=assembly, filters=selectors.RegistrationFilters(state="submitted")
    )[5:10]
    assert (data["count"], data["items"]) == (12, [as_before(d) for d in expected])

    data = secretariat_client.get(url, {"search": "Person 11"}).json()
    assert [item["full_name"] for item in data["items"]] == [f"Person 11{i}" for i in range(10)]
