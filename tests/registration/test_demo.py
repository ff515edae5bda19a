"""The registration demo: about 120 people, accredited voting members, a full tour with a line."""

import pytest

from assembly.demo import load_demo
from registration.models import Accreditation, Delegate, Tour, TourSignup

pytestmark = pytest.mark.django_db


class TestTheLoadedDemo:
    """Read from one load of the demo."""

    def test_demo_has_about_120_registrations_mostly_approved_with_guests(self, loaded_demo):
        assembly = loaded_demo
        delegates = Delegate.objects.filter(assembly=assembly)
        assert 110 <= delegates.count() <= 130
        assert delegates.filter(state="approved").count() > delegates.count() * 0.8
        assert delegates.filter(state__in=["submitted", "waitlisted"]).exists()
        assert delegates.filter(role="guest", member__isnull=True).exists()
        names = set(delegates.values_list("full_name", flat=True))
        assert {"김서연 Kim Seo-yeon", "Айгерим Сейткали", "فاطمة الهاشمي"} <= names

    def test_demo_gives_each_attending_voting_member_an_accredited_delegate(self, loaded_demo):
        assembly = loaded_demo
        attending = set(
            Delegate.objects.filter(
                assembly=assembly, state="approved", role="voting_delegate"
            ).values_list("member", flat=True)
        )
        accredited = set(
            Accreditation.objects.filter(
                assembly=assembly, kind="voting", ended_at__isnull=True
            ).values_list("member", flat=True)
        )
        assert attending == accredited
        assert len(accredited) >= 58

    def test_demo_tours_are_part_full_and_one_is_full_with_a_waiting_list(self, loaded_demo):
        assembly = loaded_demo
        tours = {t.code: t for t in Tour.objects.filter(assembly=assembly)}
        assert len(tours) == 6
        full = [t for t in tours.values() if t.taken == t.capacity]
        assert [t.code for t in full] == ["sanchon-dinner"]
        assert TourSignup.objects.filter(tour=full[0], status="waitlisted").count() >= 3
        assert all(0 < t.taken < t.capacity for t in tours.values() if t not in full)
        assert tours["city-tour-bus"].starts_at.astimezone(assembly.zone).hour == 9

    def test_demo_tours_of_the_second_day_are_open_with_places(self, loaded_demo):
        # The demo starts today: its first day's tours may have left, never the second day's.
        second_day = Tour.objects.filter(
            assembly=loaded_demo, starts_at__date__gt=loaded_demo.start_date
        )
        assert second_day.count() == 4
        assert all(not t.has_left() and t.places_left > 0 for t in second_day)


def test_demo_on_its_2023_dates_keeps_the_sign_ups_made_before_the_tours_left():
    assembly = load_demo(original_dates=True)
    signups = TourSignup.objects.filter(tour__assembly=assembly, status="confirmed")
    assert signups.count() > 60
    assert all(s.confirmed_at < s.tour.starts_at for s in signups.select_related("tour"))
    assert Tour.objects.get(assembly=assembly, code="sanchon-dinner").waiting >= 3
