"""Tour sign-ups: places, first-come waiting list, promotions, companions, clashes, rosters."""

import io
from datetime import timedelta

import pytest
from django.core import mail
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from registration.errors import (
    AlreadySignedUp,
    NotSignedUp,
    TourClash,
    TourDeparted,
    TourNotOpen,
)
from registration.models import Tour, WaitlistMove
from registration.selectors import tour_signups_for
from registration.services import change_state
from registration.tours import cancel_signup, move_in_waiting_list, set_tour_capacity, sign_up
from tests.registration.factories import TourFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_tour(assembly):
    return TourFactory(assembly=assembly, code="dinner", title="Temple-food dinner", capacity=2)


@pytest.fixture
def people(make_delegate):
    return [make_delegate(full_name=f"Person {n}") for n in range(5)]


def test_sign_up_confirms_a_place_and_counts_it(tour, delegate):
    signup = sign_up(tour=tour, delegate=delegate)
    tour.refresh_from_db()
    assert (signup.status, tour.taken, tour.places_left) == ("confirmed", 1, 9)


def test_beyond_capacity_people_wait_in_arrival_order_and_see_their_position(small_tour, people):
    statuses = [sign_up(tour=small_tour, delegate=p).status for p in people]
    assert statuses == ["confirmed", "confirmed", "waitlisted", "waitlisted", "waitlisted"]
    assert [tour_signups_for(p)[0].position for p in people] == [None, None, 1, 2, 3]


def test_cancelling_a_place_promotes_the_first_in_line_and_emails_them(
    small_tour, people, django_capture_on_commit_callbacks
):
    for p in people:
        sign_up(tour=small_tour, delegate=p)
    with django_capture_on_commit_callbacks(execute=True):
        cancel_signup(tour=small_tour, delegate=people[0])
    assert tour_signups_for(people[2])[0].status == "confirmed"
    assert [tour_signups_for(p)[0].position for p in people[3:]] == [1, 2]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [people[2].email]
    assert "Temple-food dinner" in mail.outbox[0].subject
    small_tour.refresh_from_db()
    assert small_tour.taken == 2


def test_leaving_the_waiting_list_moves_the_others_up_without_promoting(small_tour, people):
    for p in people:
        sign_up(tour=small_tour, delegate=p)
    cancel_signup(tour=small_tour, delegate=people[2])
    assert tour_signups_for(people[2]) == []
    assert [tour_signups_for(p)[0].position for p in people[3:]] == [1, 2]
    assert mail.outbox == []
    small_tour.refresh_from_db()
    assert (small_tour.taken, small_tour.waiting) == (2, 2)


def test_companion_takes_two_places_or_waits_for_two(small_tour, people):
    sign_up(tour=small_tour, delegate=people[0])
    pair = sign_up(tour=small_tour, delegate=people[1], accompanied=True)
    assert (pair.status, pair.places) == ("waitlisted", 2)
    small_tour.refresh_from_db()
    assert small_tour.taken == 1  # never half a pair
    # Nobody jumps the line while the pair waits at its head, even for the free place.
    assert sign_up(tour=small_tour, delegate=people[2]).status == "waitlisted"
    cancel_signup(tour=small_tour, delegate=people[0])
    small_tour.refresh_from_db()
    assert small_tour.taken == 2
    assert tour_signups_for(people[1])[0].status == "confirmed"
    assert tour_signups_for(people[2])[0].position == 1


def test_companion_cannot_join_a_one_place_tour(assembly, delegate):
    solo = TourFactory(assembly=assembly, capacity=1)
    with pytest.raises(TourNotOpen):
        sign_up(tour=solo, delegate=delegate, accompanied=True)


def test_overlapping_tours_cannot_both_be_held(assembly, delegate, tour):
    overlapping = TourFactory(
        assembly=assembly,
        title="Market walk",
        starts_at=tour.starts_at + timedelta(hours=1),
        ends_at=tour.ends_at + timedelta(hours=1),
    )
    later = TourFactory(
        assembly=assembly,
        starts_at=overlapping.ends_at,
        ends_at=overlapping.ends_at + timedelta(hours=1),
    )
    sign_up(tour=tour, delegate=delegate)
    with pytest.raises(TourClash) as exc:
        sign_up(tour=overlapping, delegate=delegate)
    assert "City tour" in exc.value.detail
    assert sign_up(tour=later, delegate=delegate).status == "confirmed"  # back to back is fine
    cancel_signup(tour=tour, delegate=delegate)
    assert sign_up(tour=overlapping, delegate=delegate).status == "confirmed"


def test_signing_up_twice_is_refused(tour, delegate):
    sign_up(tour=tour, delegate=delegate)
    with pytest.raises(AlreadySignedUp):
        sign_up(tour=tour, delegate=delegate)


@pytest.mark.parametrize(
    "values", [{"state": "submitted"}, {"attendance": "online"}, {"state": "rejected"}]
)
def test_only_approved_in_person_delegates_sign_up(tour, make_delegate, values):
    with pytest.raises(TourNotOpen):
        sign_up(tour=tour, delegate=make_delegate(**values))
    tour.refresh_from_db()
    assert tour.taken == 0


def test_cancelling_without_a_sign_up_is_refused(tour, delegate):
    with pytest.raises(NotSignedUp):
        cancel_signup(tour=tour, delegate=delegate)


def test_database_refuses_more_places_than_capacity(tour):
    with pytest.raises(IntegrityError):
        Tour.objects.filter(pk=tour.pk).update(taken=11)


def test_move_by_hand_is_recorded_with_its_reason(small_tour, people, secretariat_user):
    for p in people:
        sign_up(tour=small_tour, delegate=p)
    last = tour_signups_for(people[4])
    signup = people[4].tour_signups.get()
    move_in_waiting_list(signup=signup, to_position=1, reason="Speaker", by=secretariat_user)
    assert [tour_signups_for(p)[0].position for p in people[2:]] == [2, 3, 1]
    move = WaitlistMove.objects.get()
    assert (move.from_position, move.to_position, move.reason, move.by) == (
        3,
        1,
        "Speaker",
        secretariat_user,
    )
    assert last[0].position == 3
    cancel_signup(tour=small_tour, delegate=people[0])
    assert tour_signups_for(people[4])[0].status == "confirmed"


def test_move_without_reason_or_out_of_range_is_refused(small_tour, people):
    for p in people:
        sign_up(tour=small_tour, delegate=p)
    signup = people[4].tour_signups.get()
    with pytest.raises(TourNotOpen):
        move_in_waiting_list(signup=signup, to_position=1, reason="  ", by=None)
    with pytest.raises(TourNotOpen):
        move_in_waiting_list(signup=signup, to_position=9, reason="x", by=None)
    assert not WaitlistMove.objects.exists()


def test_raising_capacity_promotes_the_waiting(small_tour, people):
    for p in people:
        sign_up(tour=small_tour, delegate=p)
    set_tour_capacity(tour=small_tour, capacity=4)
    assert [s.status for p in people for s in tour_signups_for(p)] == ["confirmed"] * 4 + [
        "waitlisted"
    ]
    with pytest.raises(TourNotOpen):
        set_tour_capacity(tour=small_tour, capacity=1)


def test_tour_signups_for_gives_aware_times_meeting_point_and_status(tour, delegate):
    sign_up(tour=tour, delegate=delegate, accompanied=True)
    (view,) = tour_signups_for(delegate)
    assert view.title == "City tour"
    assert view.starts_at.tzinfo is not None
    assert view.starts_at == tour.starts_at
    assert (view.meeting_point, view.status, view.places) == ("North gate", "confirmed", 2)


def test_tours_page_signs_up_and_shows_position(delegate_client, assembly, small_tour, people):
    for p in people[:2]:
        sign_up(tour=small_tour, delegate=p)
    url = reverse("registration:tour-signup", args=[assembly.slug, "dinner"])
    response = delegate_client.post(url, follow=True)
    body = response.content.decode()
    assert "you are number 1 on the waiting list" in body
    assert "Leave the waiting list" in body
    home = delegate_client.get(reverse("delegate-home", args=[assembly.slug])).content.decode()
    assert "Temple-food dinner" in home
    assert "Waiting list: number 1" in home


def test_tours_page_shows_local_times_and_places_left(delegate_client, assembly, tour):
    body = delegate_client.get(reverse("registration:tours", args=[assembly.slug])).content
    assert "09:00" in body.decode()  # 09:00 in Seoul, not 00:00 UTC
    assert "10 places left" in body.decode()


def test_roster_csv_and_pdf_list_confirmed_then_waiting(
    secretariat_client, assembly, small_tour, people
):
    for p in people[:3]:
        sign_up(tour=small_tour, delegate=p)
    csv_url = reverse("registration:roster-csv", args=[assembly.slug, "dinner"])
    text = b"".join(secretariat_client.get(csv_url).streaming_content).decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert lines[1].startswith("confirmed,1,Person 0")
    assert lines[3].startswith("waitlisted,1,Person 2")
    pdf = secretariat_client.get(reverse("registration:roster-pdf", args=[assembly.slug, "dinner"]))
    text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert "Temple-food dinner" in text
    assert "Person 1" in text
    assert "Waiting list" in text


def test_roster_page_moves_with_reason(secretariat_client, assembly, small_tour, people):
    for p in people:
        sign_up(tour=small_tour, delegate=p)
    signup = people[4].tour_signups.get()
    url = reverse("registration:roster", args=[assembly.slug, "dinner"])
    secretariat_client.post(url, {"signup": signup.pk, "position": 1, "reason": "Mayor's aide"})
    body = secretariat_client.get(url).content.decode()
    assert "Mayor&#x27;s aide" in body
    assert tour_signups_for(people[4])[0].position == 1


def test_rosters_are_for_the_secretariat_only(delegate_client, assembly, tour):
    for name in ("roster", "roster-csv", "roster-pdf"):
        url = reverse(f"registration:{name}", args=[assembly.slug, tour.code])
        assert delegate_client.get(url).status_code == 403


def test_my_assembly_shows_tour_times_in_the_assemblys_zone(
    delegate_client, assembly, tour, delegate
):
    sign_up(tour=tour, delegate=delegate)
    body = delegate_client.get(reverse("delegate-home", args=[assembly.slug])).content.decode()
    assert "09:00\u201311:00" in body  # Seoul time, as on the tour programme


def test_roster_pdf_prints_local_times(secretariat_client, assembly, tour):
    pdf = secretariat_client.get(
        reverse("registration:roster-pdf", args=[assembly.slug, tour.code])
    )
    text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert "09:00" in text


# --- a tour that has left ----------------------------------------------------------------------


def leave_now(tour: Tour) -> None:
    """The tour started a minute ago (moved rather than waited for)."""
    now = timezone.now()
    Tour.objects.filter(pk=tour.pk).update(
        starts_at=now - timedelta(minutes=1), ends_at=now + timedelta(hours=2)
    )
    tour.refresh_from_db()


def places_of(tour: Tour) -> tuple[int, int, int, list[tuple[str, str]]]:
    tour.refresh_from_db()
    signups = [(s.delegate.full_name, s.status) for s in tour.signups.order_by("number")]
    return tour.taken, tour.waiting, tour.next_number, signups


def test_sign_up_after_the_tour_left_is_refused_and_changes_nothing(small_tour, people):
    sign_up(tour=small_tour, delegate=people[0])
    leave_now(small_tour)
    before = places_of(small_tour)
    with pytest.raises(TourDeparted) as exc:
        sign_up(tour=small_tour, delegate=people[1], accompanied=True)
    assert exc.value.code == "tour_departed"
    assert "“Temple-food dinner” has already left" in exc.value.detail
    assert places_of(small_tour) == before
    assert tour_signups_for(people[1]) == []


def test_cancelling_after_the_tour_left_is_refused_and_promotes_nobody(
    small_tour, people, django_capture_on_commit_callbacks
):
    for p in people[:3]:
        sign_up(tour=small_tour, delegate=p)
    leave_now(small_tour)
    before = places_of(small_tour)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(TourDeparted):
        cancel_signup(tour=small_tour, delegate=people[0])
    assert places_of(small_tour) == before
    assert mail.outbox == []


def test_a_place_freed_after_the_tour_left_promotes_nobody(
    small_tour, people, django_capture_on_commit_callbacks
):
    for p in people[:3]:
        sign_up(tour=small_tour, delegate=p)
    leave_now(small_tour)
    with django_capture_on_commit_callbacks(execute=True):
        set_tour_capacity(tour=small_tour, capacity=3)  # the secretariat adds a seat on the bus
    assert tour_signups_for(people[2])[0].status == "waitlisted"
    assert small_tour.signups.filter(status="confirmed").count() == 2
    assert mail.outbox == []


def test_a_registration_ending_after_a_tour_left_keeps_that_tour_on_record(
    assembly, delegate, tour, secretariat_user
):
    gone = TourFactory(assembly=assembly, title="Morning walk", capacity=5)
    sign_up(tour=gone, delegate=delegate)
    leave_now(gone)
    sign_up(tour=tour, delegate=delegate)
    change_state(delegate=delegate, to_state="cancelled", by=secretariat_user)
    assert gone.signups.get().status == "confirmed"  # who went stays on the roster
    assert tour.signups.get().status == "cancelled"
    tour.refresh_from_db()
    assert tour.taken == 0


def test_the_demo_replays_a_sign_up_made_before_the_tour_left(tour, delegate):
    leave_now(tour)
    before = tour.starts_at - timedelta(days=10)
    signup = sign_up(tour=tour, delegate=delegate, at=before)
    assert (signup.status, signup.confirmed_at) == ("confirmed", before)


def test_tours_page_shows_a_tour_that_left_as_closed_without_buttons(
    delegate_client, assembly, tour, small_tour, delegate, people
):
    sign_up(tour=small_tour, delegate=delegate)
    leave_now(tour)
    leave_now(small_tour)
    page = delegate_client.get(reverse("registration:tours", args=[assembly.slug]))
    body = page.content.decode()
    assert body.count("This tour has left: sign-ups are closed.") == 2
    assert "Sign up" not in body
    assert "Cancel my place" not in body
    assert "You have a place" in body  # the delegate still sees they were on it


def test_signing_up_on_the_page_for_a_tour_that_left_says_so(delegate_client, assembly, tour):
    leave_now(tour)
    url = reverse("registration:tour-signup", args=[assembly.slug, tour.code])
    body = delegate_client.post(url, follow=True).content.decode()
    assert "“City tour” has already left" in body
    assert not tour.signups.exists()


def test_more_places_set_in_the_admin_promote_who_waits_and_keep_the_counts(
    small_tour, people, client
):
    from django.contrib.auth import get_user_model

    for person in people[:3]:
        sign_up(tour=small_tour, delegate=person)
    admin = get_user_model().objects.create_superuser("root", "root@example.org", "x")
    client.force_login(admin)
    # The admin shows and reads the tour's times in the assembly's zone.
    zone = small_tour.assembly.zone
    starts, ends = small_tour.starts_at.astimezone(zone), small_tour.ends_at.astimezone(zone)
    form = {
        "assembly": small_tour.assembly_id,
        "code": small_tour.code,
        "title": "Temple-food dinner, bigger room",
        "description": "",
        "starts_at_0": starts.date().isoformat(),
        "starts_at_1": starts.strftime("%H:%M:%S"),
        "ends_at_0": ends.date().isoformat(),
        "ends_at_1": ends.strftime("%H:%M:%S"),
        "meeting_point": small_tour.meeting_point,
        "capacity": 3,
    }
    change = reverse("admin:registration_tour_change", args=[small_tour.pk])

    assert client.post(change, {**form, "capacity": 1}).status_code == 200  # below the 2 taken
    small_tour.refresh_from_db()
    assert small_tour.capacity == 2

    assert client.post(change, form).status_code == 302
    small_tour.refresh_from_db()
    assert (small_tour.capacity, small_tour.taken, small_tour.waiting) == (3, 3, 0)
    assert small_tour.title == "Temple-food dinner, bigger room"
    assert small_tour.starts_at == starts
    assert tour_signups_for(people[2])[0].status == "confirmed"
