"""Registration API: my registration, tours, sign-ups; the secretariat's list, approve, accredit."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse

from registration.models import Accreditation, RegistrationSettings
from registration.tours import sign_up
from tests.registration.test_tours import leave_now

pytestmark = pytest.mark.django_db


def api(name, **kwargs):
    return reverse(f"api:{name}", kwargs=kwargs)


def send(client, method, url, data=None):
    return getattr(client, method)(
        url, data=json.dumps(data or {}), content_type="application/json"
    )


def test_delegate_reads_own_registration_without_passport_details(
    delegate_client, assembly, delegate
):
    delegate.passport_number = "N999"
    delegate.save()
    response = delegate_client.get(api("read_my_registration", slug=assembly.slug))
    assert response.status_code == 200
    data = response.json()
    assert (data["full_name"], data["state"], data["member"]) == (
        "Kim Seo-yeon",
        "approved",
        "Seoul",
    )
    assert "N999" not in response.content.decode()


def test_delegate_updates_own_details_but_not_after_the_cutoff(delegate_client, assembly, delegate):
    url = api("update_my_registration", slug=assembly.slug)
    response = send(delegate_client, "patch", url, {"dietary_needs": "Halal", "title": "Mayor"})
    assert response.status_code == 200
    assert response.json()["dietary_needs"] == "Halal"
    from django.utils import timezone

    RegistrationSettings.objects.create(assembly=assembly, edit_cutoff=timezone.now())
    response = send(delegate_client, "patch", url, {"title": "Changed"})
    assert response.status_code == 403
    assert response.json()["code"] == "editing_closed"
    delegate.refresh_from_db()
    assert delegate.title == "Mayor"


def test_no_registration_no_access(secretariat_client, client, assembly):
    assert (
        secretariat_client.get(api("read_my_registration", slug=assembly.slug)).status_code == 403
    )
    assert client.get(api("read_my_registration", slug=assembly.slug)).status_code == 401


def test_delegate_of_another_assembly_sees_nothing_here(other_assembly, delegate_client):
    response = delegate_client.get(api("read_my_registration", slug=other_assembly.slug))
    assert response.status_code == 403
    assert delegate_client.get(api("list_tours", slug=other_assembly.slug)).status_code == 403


def test_tours_list_places_left_and_my_position(delegate_client, assembly, tour, delegate):
    tour.capacity = 1
    tour.save()
    response = send(
        delegate_client, "post", api("sign_up_for_tour", slug=assembly.slug, code=tour.code)
    )
    assert response.status_code == 201
    assert response.json() == {
        "tour": tour.code,
        "status": "confirmed",
        "position": None,
        "places": 1,
    }
    (row,) = delegate_client.get(api("list_tours", slug=assembly.slug)).json()
    assert (row["places_left"], row["mine"]["status"]) == (0, "confirmed")
    assert row["starts_at"].endswith("+00:00") or row["starts_at"].endswith("Z")


def test_api_sign_up_beyond_capacity_returns_the_waiting_position(
    delegate_client, other_delegate, assembly, tour
):
    tour.capacity = 1
    tour.save()
    sign_up(tour=tour, delegate=other_delegate)
    response = send(
        delegate_client, "post", api("sign_up_for_tour", slug=assembly.slug, code=tour.code)
    )
    assert response.json()["status"] == "waitlisted"
    assert response.json()["position"] == 1


def test_api_cancel_and_errors_carry_stable_codes(delegate_client, assembly, tour):
    url = api("cancel_tour_signup", slug=assembly.slug, code=tour.code)
    response = delegate_client.delete(url)
    assert (response.status_code, response.json()["code"]) == (404, "not_signed_up")
    send(delegate_client, "post", api("sign_up_for_tour", slug=assembly.slug, code=tour.code))
    response = send(
        delegate_client, "post", api("sign_up_for_tour", slug=assembly.slug, code=tour.code)
    )
    assert (response.status_code, response.json()["code"]) == (409, "already_signed_up")
    assert delegate_client.delete(url).json()["status"] == "cancelled"
    missing = api("sign_up_for_tour", slug=assembly.slug, code="no-such-tour")
    assert send(delegate_client, "post", missing).json()["code"] == "tour_not_found"


def test_api_refuses_a_sign_up_or_cancel_once_the_tour_left(
    delegate_client, delegate, assembly, tour
):
    sign_up(tour=tour, delegate=delegate)
    leave_now(tour)
    url = api("sign_up_for_tour", slug=assembly.slug, code=tour.code)
    refused = [
        send(delegate_client, "post", url, {"accompanied": True}),
        delegate_client.delete(api("cancel_tour_signup", slug=assembly.slug, code=tour.code)),
    ]
    assert [(r.status_code, r.json()["code"]) for r in refused] == [(409, "tour_departed")] * 2
    (row,) = delegate_client.get(api("list_tours", slug=assembly.slug)).json()
    assert (row["departed"], row["places_left"], row["mine"]["status"]) == (True, 9, "confirmed")


def test_a_sign_up_with_a_field_the_api_does_not_know_books_nothing(
    delegate_client, assembly, tour
):
    # Found by a tester: {"companion": true} was ignored and booked one place, not two.
    url = api("sign_up_for_tour", slug=assembly.slug, code=tour.code)
    response = send(delegate_client, "post", url, {"companion": True})
    assert (response.status_code, response.json()["code"]) == (422, "invalid_input")
    assert "companion" in response.json()["detail"]
    tour.refresh_from_db()
    assert tour.taken == 0


def test_delegate_cannot_cancel_someone_elses_place(
    delegate_client, other_delegate, assembly, tour
):
    sign_up(tour=tour, delegate=other_delegate)
    response = delegate_client.delete(api("cancel_tour_signup", slug=assembly.slug, code=tour.code))
    assert response.status_code == 404
    tour.refresh_from_db()
    assert tour.taken == 1


def test_secretariat_lists_and_filters_registrations(secretariat_client, assembly, make_delegate):
    make_delegate(full_name="Waiting Person", state="submitted")
    make_delegate(full_name="Done Person", state="approved")
    url = api("list_registrations", slug=assembly.slug)
    data = secretariat_client.get(url, {"state": "submitted"}).json()
    assert [item["full_name"] for item in data["items"]] == ["Waiting Person"]
    assert secretariat_client.get(url, {"state": "nonsense"}).status_code == 422


def test_delegates_cannot_list_approve_or_accredit(delegate_client, assembly, other_delegate):
    assert delegate_client.get(api("list_registrations", slug=assembly.slug)).status_code == 403
    url = api("approve_registration", slug=assembly.slug, delegate_id=other_delegate.pk)
    assert send(delegate_client, "post", url).status_code == 403
    url = api("accredit_delegate", slug=assembly.slug)
    response = send(delegate_client, "post", url, {"delegate_id": other_delegate.pk})
    assert response.status_code == 403
    assert not Accreditation.objects.exists()


def test_secretariat_approves_rejects_and_invalid_moves_are_refused(
    secretariat_client, assembly, make_delegate
):
    a, b = make_delegate(state="submitted"), make_delegate(state="submitted")
    url = api("approve_registration", slug=assembly.slug, delegate_id=a.pk)
    assert send(secretariat_client, "post", url, {"note": "Welcome"}).json()["state"] == "approved"
    url = api("reject_registration", slug=assembly.slug, delegate_id=b.pk)
    assert send(secretariat_client, "post", url).json()["state"] == "rejected"
    url = api("reject_registration", slug=assembly.slug, delegate_id=a.pk)
    response = send(secretariat_client, "post", url)
    assert (response.status_code, response.json()["code"]) == (409, "transition_not_allowed")


def test_secretariat_cannot_touch_another_assemblys_registration(
    secretariat_client, other_assembly, delegate
):
    url = api("approve_registration", slug=other_assembly.slug, delegate_id=delegate.pk)
    assert send(secretariat_client, "post", url).status_code == 403


def test_secretariat_accredits_through_the_api(secretariat_client, assembly, delegate):
    url = api("accredit_delegate", slug=assembly.slug)
    response = send(secretariat_client, "post", url, {"delegate_id": delegate.pk, "kind": "voting"})
    assert response.status_code == 201
    assert response.json()["member"] == "Seoul"


def test_openapi_documents_every_registration_operation(client):
    schema = client.get("/api/v1/openapi.json").json()
    ids = {op["operationId"] for path in schema["paths"].values() for op in path.values()}
    assert {
        "read_my_registration",
        "update_my_registration",
        "list_tours",
        "sign_up_for_tour",
        "cancel_tour_signup",
        "list_registrations",
        "approve_registration",
        "reject_registration",
        "accredit_delegate",
    } <= ids


def test_api_update_with_departure_before_arrival_changes_nothing(
    delegate_client, assembly, delegate
):
    url = api("update_my_registration", slug=assembly.slug)
    response = send(
        delegate_client,
        "patch",
        url,
        {"arrival_date": "2030-05-05", "departure_date": "2030-05-01", "title": "Mayor"},
    )
    assert (response.status_code, response.json()["code"]) == (422, "invalid_input")
    delegate.refresh_from_db()
    assert (delegate.title, delegate.arrival_date) == ("", None)


@pytest.mark.parametrize("arrival", ["0001-01-01", "9999-12-31"])
def test_api_update_with_travel_dates_far_from_the_assembly_changes_nothing(
    delegate_client, assembly, delegate, arrival
):
    # A visa letter prints these dates: they must fall around the assembly.
    url = api("update_my_registration", slug=assembly.slug)
    response = send(delegate_client, "patch", url, {"arrival_date": arrival, "title": "Mayor"})
    assert (response.status_code, response.json()["code"]) == (422, "invalid_input")
    assert "Travel dates" in response.json()["detail"]
    delegate.refresh_from_db()
    assert (delegate.title, delegate.arrival_date) == ("", None)
    day_before = (assembly.start_date - timedelta(days=1)).isoformat()
    response = send(delegate_client, "patch", url, {"arrival_date": day_before})
    assert response.status_code == 200


def test_staff_member_registering_gets_no_login_link_by_email(
    assembly, secretariat_user, django_capture_on_commit_callbacks
):
    from django.core import mail

    from registration.services import DelegateDetails, register_delegate

    with django_capture_on_commit_callbacks(execute=True):
        register_delegate(
            assembly=assembly,
            details=DelegateDetails(
                full_name="Staff Person", email=secretariat_user.email, role="observer"
            ),
            source="public",
        )
    assert "/login/link/" not in mail.outbox[0].body


def test_registrations_page_beyond_any_database_offset_is_422(secretariat_client, assembly):
    response = secretariat_client.get(
        f"/api/v1/assemblies/{assembly.slug}/registrations?page={2**63}"
    )
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"


@pytest.mark.parametrize("name", ["Kim\nSeo-yeon", "Kim\u2028Seo-yeon", "Kim\tSeo-yeon"])
def test_api_update_with_a_line_break_in_a_text_changes_nothing(
    delegate_client, assembly, delegate, name
):
    url = api("update_my_registration", slug=assembly.slug)
    before = delegate.full_name
    response = send(delegate_client, "patch", url, {"full_name": name, "title": "Mayor"})
    assert (response.status_code, response.json()["code"]) == (422, "invalid_input")
    assert "line breaks" in response.json()["detail"]
    delegate.refresh_from_db()
    assert (delegate.full_name, delegate.title) == (before, "")
