"""Races on PostgreSQL (found by a tester): a double submission of a new address, two confirms
of one import, and a tour's capacity changed in the admin while someone signs up."""

import threading
import time

import pytest
from django.contrib.auth import get_user_model
from django.db import connections, transaction
from django.urls import reverse

from registration.errors import AlreadyRegistered
from registration.imports import sign_import, start_import, unsign_import
from registration.models import Delegate, ImportRun, RegistrationSource
from registration.services import (
    DelegateDetails,
    register_delegate,
    user_for_email,
    users_for_emails,
)
from registration.tours import sign_up
from tests.conftest import admin_form_values, requires_postgres
from tests.factories import DelegateFactory
from tests.registration.factories import TourFactory

pytestmark = [pytest.mark.postgres, requires_postgres, pytest.mark.django_db(transaction=True)]

User = get_user_model()


def in_thread(work, *args):
    """Run work(*args) in a thread with its own connection; its result or its exception."""
    outcome: dict = {}

    def run():
        try:
            outcome["result"] = work(*args)
        except Exception as error:  # asserted by the test
            outcome["error"] = error
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def first_commits_while_second_inserts(first, second):
    """`first` runs in a transaction that commits only once `second` (in another thread, in a
    transaction of its own) has had time to reach the same insert and wait on it."""
    inserted = threading.Event()

    def first_then_wait():
        with transaction.atomic():
            result = first()
            inserted.set()
            time.sleep(0.5)  # the second's insert waits on this transaction's row meanwhile
        return result

    def second_after_first():
        inserted.wait(10)
        with transaction.atomic():
            return second()

    one, first_outcome = in_thread(first_then_wait)
    two, second_outcome = in_thread(second_after_first)
    one.join(30)
    two.join(30)
    return first_outcome, second_outcome


def test_the_second_of_two_logins_made_at_once_for_a_new_address_is_the_first(db):
    make = lambda: user_for_email(email="New.Person@Example.org", full_name="New Person")  # noqa: E731
    first, second = first_commits_while_second_inserts(make, make)
    assert "error" not in second, second.get("error")
    assert first["result"].pk == second["result"].pk
    assert User.objects.filter(username="new.person@example.org").count() == 1


def test_logins_made_in_bulk_while_another_makes_one_of_them_are_shared(db):
    people = {"a@example.org": "Ana", "b@example.org": "Bo"}
    first, second = first_commits_while_second_inserts(
        lambda: user_for_email(email="b@example.org", full_name="Bo"),
        lambda: users_for_emails(people),
    )
    assert "error" not in second, second.get("error")
    assert second["result"]["b@example.org"].pk == first["result"].pk
    assert set(User.objects.values_list("username", flat=True)) == set(people)


def test_a_double_submission_of_a_new_address_registers_once_and_refuses_the_second(assembly):
    details = lambda: DelegateDetails(  # noqa: E731
        full_name="Ana Pérez", email="ana@lima.example", role="observer"
    )
    register = lambda: register_delegate(  # noqa: E731
        assembly=assembly, details=details(), source=RegistrationSource.PUBLIC
    )
    first, second = first_commits_while_second_inserts(register, register)
    assert isinstance(second.get("error"), AlreadyRegistered), second
    assert Delegate.objects.get().pk == first["result"].pk
    assert User.objects.filter(username="ana@lima.example").count() == 1


def test_two_confirms_of_one_preview_at_once_import_it_once(assembly, member):
    text = "full_name,email,role\n" + "".join(
        f"Person {n},person{n}@x.example,observer\n" for n in range(30)
    )
    key, text = unsign_import(sign_import(text))
    barrier = threading.Barrier(2)

    def confirm():
        barrier.wait()
        return start_import(assembly=assembly, key=key, text=text, by=None)

    threads = [in_thread(confirm) for _ in range(2)]
    for thread, _outcome in threads:
        thread.join(60)
    outcomes = [outcome for _thread, outcome in threads]
    assert [o.get("error") for o in outcomes] == [None, None]
    assert ImportRun.objects.get().done == 30
    assert Delegate.objects.count() == 30


def test_a_capacity_lowered_in_the_admin_while_someone_takes_a_place_is_refused_on_the_form(
    office_client, assembly, member
):
    tour = TourFactory(assembly=assembly, code="palace", title="Palace walk", capacity=10)
    people = [DelegateFactory(assembly=assembly, member=member) for _ in range(10)]
    for person in people[:9]:
        sign_up(tour=tour, delegate=person)
    change = reverse("admin:registration_tour_change", args=[tour.pk])
    shown = admin_form_values(office_client.get(change).content.decode())
    data = {
        **{name: shown[name] for name in ["starts_at_0", "starts_at_1", "ends_at_0", "ends_at_1"]},
        "code": "palace",
        "title": "Palace walk",
        "meeting_point": "North gate",
        "capacity": 9,  # enough when the page was read: nine places taken
    }
    locked = threading.Event()

    def tenth_sign_up():
        with transaction.atomic():
            sign_up(tour=tour, delegate=people[9])
            locked.set()
            time.sleep(1.0)  # the admin reads the tour meanwhile and waits for this commit

    thread, outcome = in_thread(tenth_sign_up)
    locked.wait(10)
    response = office_client.post(change, data)
    thread.join(30)
    assert "error" not in outcome
    assert response.status_code == 200
    assert "10 places are already confirmed." in response.content.decode()
    tour.refresh_from_db()
    assert (tour.capacity, tour.taken) == (10, 10)
