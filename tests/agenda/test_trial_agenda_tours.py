"""A tour the secretariat moves or renames in the admin reaches the delegates' calendars."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from icalendar import Calendar

from registration.models import Tour, TourSignup
from registration.tours import sign_up
from tests.agenda.test_feeds import personal_url
from tests.conftest import admin_form_values
from tests.factories import DelegateFactory
from tests.registration.factories import TourFactory, at

pytestmark = pytest.mark.django_db


@pytest.fixture
def market_tour(assembly):
    return TourFactory(
        assembly=assembly, code="market", title="Market tour", starts_at=at(assembly, 1, "18:00")
    )


def edit_in_admin(office_client, tour, **changes):
    change = reverse("admin:registration_tour_change", args=[tour.pk])
    data = admin_form_values(office_client.get(change).content.decode())
    data.update({"assembly": tour.assembly_id, "capacity": tour.capacity, **changes})
    return office_client.post(change, data)


def tour_event(client, delegate):
    calendar = Calendar.from_ical(client.get(personal_url(delegate)).content)
    return next(e for e in calendar.walk("VEVENT") if str(e["UID"]).startswith("tour-"))


def test_a_tour_renamed_in_the_admin_is_a_new_revision_in_the_personal_feed(
    client, office_client, assembly, delegate, market_tour, settings
):
    settings.AGENDA_FEED_CACHE_SECONDS = 3600  # the cached event text must move on too
    signup = sign_up(tour=market_tour, delegate=delegate)
    # Confirmed an hour ago: DTSTAMP counts whole seconds.
    TourSignup.objects.filter(pk=signup.pk).update(
        confirmed_at=signup.confirmed_at - timedelta(hours=1)
    )
    first = client.get(personal_url(delegate))
    before = tour_event(client, delegate)
    assert edit_in_admin(office_client, market_tour, title="Night market tour").status_code == 302
    again = client.get(personal_url(delegate), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200
    after = tour_event(client, delegate)
    assert str(after["SUMMARY"]) == "Night market tour"
    assert int(after["SEQUENCE"]) == int(before["SEQUENCE"]) + 1
    assert after["DTSTAMP"].dt > before["DTSTAMP"].dt


def test_a_tour_moved_in_the_admin_moves_in_the_feed_and_tells_its_delegates(
    client, office_client, assembly, delegate, market_tour, django_capture_on_commit_callbacks
):
    sign_up(tour=market_tour, delegate=delegate)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = edit_in_admin(
            office_client, market_tour, starts_at_1="20:00:00", ends_at_1="22:00:00"
        )
    assert response.status_code == 302
    event = tour_event(client, delegate)
    assert event["DTSTART"].dt == at(assembly, 1, "20:00")
    assert int(event["SEQUENCE"]) == 1
    [notice] = [m for m in mail.outbox if m.to == [delegate.email]]
    assert notice.subject == "Moved: Market tour"
    assert "20:00" in notice.body
    assert "18:00" in notice.body
    assert assembly.time_zone in notice.body


def test_admin_refuses_a_move_that_gives_a_delegate_two_tours_at_once(
    office_client, assembly, delegate, market_tour
):
    evening = TourFactory(
        assembly=assembly, title="Harbour cruise", starts_at=at(assembly, 1, "21:00")
    )
    sign_up(tour=market_tour, delegate=delegate)
    sign_up(tour=evening, delegate=delegate)
    response = edit_in_admin(
        office_client, market_tour, starts_at_1="20:00:00", ends_at_1="22:00:00"
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Harbour cruise" in page
    assert delegate.full_name in page
    market_tour.refresh_from_db()
    assert market_tour.starts_at == at(assembly, 1, "18:00")


def test_a_tour_moved_clear_of_others_is_saved_for_a_delegate_with_two_tours(
    office_client, assembly, delegate, market_tour
):
    other = DelegateFactory(assembly=assembly)
    sign_up(tour=market_tour, delegate=other)
    TourFactory(assembly=assembly, starts_at=market_tour.starts_at + timedelta(hours=5))
    response = edit_in_admin(
        office_client, market_tour, starts_at_1="19:00:00", ends_at_1="21:00:00"
    )
    assert response.status_code == 302
    assert Tour.objects.get(pk=market_tour.pk).sequence == 1


def test_a_move_refused_at_the_save_says_so_and_the_new_places_still_count(
    office_client, assembly, market_tour, monkeypatch
):
    from registration import admin as registration_admin
    from registration.errors import TourClash

    def clash(**_kwargs):  # a sign-up landed between the form's check and the save
        raise TourClash()

    monkeypatch.setattr(registration_admin, "revise_tour", clash)
    response = edit_in_admin(
        office_client, market_tour, title="Night market tour", capacity=market_tour.capacity + 5
    )
    assert response.status_code == 302
    page = office_client.get(response["Location"]).content.decode()
    assert "The tour was not moved" in page
    assert "was changed successfully" not in page
    places = market_tour.capacity + 5
    market_tour.refresh_from_db()
    assert market_tour.title == "Market tour"
    assert market_tour.capacity == places
