"""My agenda and the personal feed hold the delegate's confirmed tours, once each."""

import pytest
from django.urls import reverse
from icalendar import Calendar

from registration.tours import cancel_signup, sign_up
from sessions import services
from tests.agenda.test_feeds import events, personal_url, vobject_events
from tests.conftest import client_for
from tests.factories import DelegateFactory
from tests.registration.factories import TourFactory, at

pytestmark = pytest.mark.django_db


@pytest.fixture
def market_tour(assembly):
    return TourFactory(
        assembly=assembly,
        code="market-tour",
        title="Gwangjang Market tour",
        starts_at=at(assembly, 1, "18:00"),
        capacity=1,
    )


def test_personal_feed_holds_confirmed_tours_but_not_waiting_ones(
    client, assembly, delegate, ga_session, market_tour
):
    services.choose_session(delegate=delegate, session=ga_session)
    sign_up(tour=market_tour, delegate=delegate)
    waiting = DelegateFactory(assembly=assembly)
    sign_up(tour=market_tour, delegate=waiting)
    body = client.get(personal_url(delegate)).content
    assert set(events(body)) == {"General Assembly Session", "Gwangjang Market tour"}
    assert set(vobject_events(body)) == {"General Assembly Session", "Gwangjang Market tour"}
    assert "Gwangjang Market tour" not in events(client.get(personal_url(waiting)).content)


def test_a_tour_also_chosen_as_a_programme_session_appears_once(
    client, assembly, delegate, tour, market_tour
):
    services.choose_session(delegate=delegate, session=tour)  # the programme's tour session
    sign_up(tour=market_tour, delegate=delegate)
    calendar = Calendar.from_ical(client.get(personal_url(delegate)).content)
    uids = [str(event["UID"]) for event in calendar.walk("VEVENT")]
    assert uids == ["tour-ga-market-tour@plenary"]


def test_confirming_or_cancelling_a_tour_changes_the_feeds_etag(
    client, assembly, delegate, market_tour
):
    url = personal_url(delegate)
    before = client.get(url)["ETag"]
    sign_up(tour=market_tour, delegate=delegate)
    confirmed = client.get(url)
    assert confirmed["ETag"] != before
    assert client.get(url, HTTP_IF_NONE_MATCH=confirmed["ETag"]).status_code == 304
    cancel_signup(tour=market_tour, delegate=delegate)
    assert client.get(url)["ETag"] != confirmed["ETag"]


def test_my_agenda_page_lists_the_confirmed_tour(assembly, delegate, market_tour):
    sign_up(tour=market_tour, delegate=delegate)
    page = client_for(delegate.user).get(reverse("agenda:my-agenda", args=[assembly.slug]))
    assert page.status_code == 200
    assert "Gwangjang Market tour" in page.content.decode()
