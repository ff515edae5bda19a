"""100 simultaneous sign-ups for 10 places on PostgreSQL: never 11, the rest wait in order."""

import threading

import pytest
from django.db import connections

from registration.models import Tour, TourSignup
from registration.tours import cancel_signup, sign_up
from tests.conftest import requires_postgres
from tests.factories import DelegateFactory, MemberFactory
from tests.registration.factories import TourFactory

pytestmark = [pytest.mark.postgres, requires_postgres, pytest.mark.django_db(transaction=True)]


def run_in_threads(target, items):
    barrier = threading.Barrier(len(items))
    errors = []

    def worker(item):
        try:
            barrier.wait()
            target(item)
        except Exception as error:  # collected and asserted below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(item,)) for item in items]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


def test_hundred_concurrent_sign_ups_fill_ten_places_and_queue_ninety_in_order(assembly):
    member = MemberFactory()
    tour = TourFactory(assembly=assembly, capacity=10)
    delegates = [
        DelegateFactory(assembly=assembly, member=member, email=f"race{n}@example.org")
        for n in range(100)
    ]
    errors = run_in_threads(lambda d: sign_up(tour=tour, delegate=d), delegates)
    assert errors == []
    tour.refresh_from_db()
    signups = list(TourSignup.objects.filter(tour=tour).order_by("number"))
    confirmed = [s for s in signups if s.status == "confirmed"]
    waiting = [s for s in signups if s.status == "waitlisted"]
    assert (len(confirmed), len(waiting), tour.taken, tour.waiting) == (10, 90, 10, 90)
    # Arrival order: every confirmed arrived before every waiting sign-up; numbers are unique.
    assert [s.number for s in signups] == list(range(1, 101))
    assert max(s.number for s in confirmed) < min(s.number for s in waiting)

    # Ten cancellations at once promote exactly ten, the first ten in line.
    leaving = [s.delegate for s in confirmed]
    first_in_line = {s.delegate_id for s in waiting[:10]}
    errors = run_in_threads(lambda d: cancel_signup(tour=tour, delegate=d), leaving)
    assert errors == []
    tour.refresh_from_db()
    now_confirmed = set(
        TourSignup.objects.filter(tour=tour, status="confirmed").values_list("delegate", flat=True)
    )
    assert now_confirmed == first_in_line
    assert (tour.taken, tour.waiting) == (10, 80)


def test_one_cancellation_promotes_exactly_one(assembly):
    member = MemberFactory()
    tour = TourFactory(assembly=assembly, capacity=10)
    delegates = [
        DelegateFactory(assembly=assembly, member=member, email=f"one{n}@example.org")
        for n in range(12)
    ]
    for d in delegates:
        sign_up(tour=tour, delegate=d)
    cancel_signup(tour=tour, delegate=delegates[3])
    statuses = dict(TourSignup.objects.filter(tour=tour).values_list("delegate", "status"))
    assert statuses[delegates[10].pk] == "confirmed"
    assert statuses[delegates[11].pk] == "waitlisted"
    assert Tour.objects.get(pk=tour.pk).taken == 10


def test_companion_sign_ups_racing_for_the_last_places_never_split(assembly):
    member = MemberFactory()
    tour = TourFactory(assembly=assembly, capacity=5)
    delegates = [
        DelegateFactory(assembly=assembly, member=member, email=f"pair{n}@example.org")
        for n in range(20)
    ]
    errors = run_in_threads(lambda d: sign_up(tour=tour, delegate=d, accompanied=True), delegates)
    assert errors == []
    tour.refresh_from_db()
    confirmed = TourSignup.objects.filter(tour=tour, status="confirmed")
    assert confirmed.count() == 2
    assert tour.taken == 4  # the fifth place stays free: a pair is two places or none


def test_twenty_simultaneous_registrations_fill_an_invitation_of_three_places(assembly):
    from registration.errors import PlacesExhausted
    from registration.models import Delegate
    from registration.services import DelegateDetails, register_delegate
    from tests.registration.factories import InvitationFactory

    invitation = InvitationFactory(assembly=assembly, member=MemberFactory(), places=3)
    refused = []

    def register(n):
        try:
            register_delegate(
                assembly=assembly,
                details=DelegateDetails(
                    full_name=f"Person {n}", email=f"inv{n}@example.org", role="voting_delegate"
                ),
                source="invitation",
                invitation=invitation,
            )
        except PlacesExhausted:
            refused.append(n)

    errors = run_in_threads(register, list(range(20)))
    assert errors == []
    invitation.refresh_from_db()
    assert (invitation.places_used, len(refused)) == (3, 17)
    assert Delegate.objects.filter(invitation=invitation).count() == 3
