"""Tour times name the assembly's zone, on the tours page and in "A place is yours"."""

import pytest
from django.core import mail
from django.urls import reverse

from registration.tours import cancel_signup, sign_up
from tests.conftest import client_for
from tests.factories import DelegateFactory
from tests.registration.factories import TourFactory, at

pytestmark = pytest.mark.django_db


def test_tours_page_shows_times_with_the_zone_and_the_local_time_switch(assembly, delegate):
    TourFactory(assembly=assembly, code="palace", starts_at=at(assembly, 1, "09:00"))
    page = client_for(delegate.user).get(reverse("registration:tours", args=[assembly.slug]))
    html = page.content.decode()
    assert ", 09:00</time>" in html
    assert "UTC+09:00" in html
    assert "Asia/Seoul" in html
    assert "data-tz-switch" in html


def test_a_place_is_yours_email_names_the_zone(
    assembly, delegate, django_capture_on_commit_callbacks
):
    tour = TourFactory(assembly=assembly, capacity=1, starts_at=at(assembly, 1, "09:00"))
    waiting = DelegateFactory(assembly=assembly)
    sign_up(tour=tour, delegate=delegate)
    sign_up(tour=tour, delegate=waiting)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        cancel_signup(tour=tour, delegate=delegate)
    [promotion] = [m for m in mail.outbox if m.to == [waiting.email]]
    assert "09:00-11:00 (Asia/Seoul)" in promotion.body
