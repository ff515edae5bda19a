"""What the secretariat types in the admin stands on badges and the projector as typed."""

import pytest
from django.urls import reverse

from assembly.models import MemberOrganization
from tests.conftest import admin_form_values
from tests.registration.factories import TourFactory

pytestmark = pytest.mark.django_db

OVERRIDE = "\u202e"  # RIGHT-TO-LEFT OVERRIDE: "Ali \u202eevil.exe" prints as "Ali exe.live"


def tour_form(office_client, tour, **changes) -> tuple[str, dict]:
    change = reverse("admin:registration_tour_change", args=[tour.pk])
    shown = admin_form_values(office_client.get(change).content.decode())
    data = {
        **{name: shown[name] for name in ["starts_at_0", "starts_at_1", "ends_at_0", "ends_at_1"]},
        "code": tour.code,
        "title": tour.title,
        "description": "Bring water.",
        "meeting_point": "North gate",
        "capacity": 10,
        **changes,
    }
    return change, data


def test_a_tour_title_with_a_direction_override_is_refused_and_kept_as_it_was(
    office_client, assembly
):
    tour = TourFactory(assembly=assembly, code="palace", title="Palace walk")
    change, data = tour_form(office_client, tour, title=f"Palace {OVERRIDE}klaw")

    response = office_client.post(change, data)

    assert response.status_code == 200
    assert "text-direction overrides" in response.content.decode()
    tour.refresh_from_db()
    assert tour.title == "Palace walk"


def test_a_tour_description_keeps_its_line_breaks_but_not_an_override(office_client, assembly):
    tour = TourFactory(assembly=assembly, code="palace", title="Palace walk")
    change, data = tour_form(office_client, tour, description="Bring water.\r\nWear shoes.")
    assert office_client.post(change, data).status_code == 302
    tour.refresh_from_db()
    assert tour.description == "Bring water.\r\nWear shoes."

    change, data = tour_form(office_client, tour, description=f"Bring {OVERRIDE}water.")
    assert office_client.post(change, data).status_code == 200
    tour.refresh_from_db()
    assert tour.description == "Bring water.\r\nWear shoes."


@pytest.mark.parametrize("name", ["Seoul\nMetropolitan", f"Seoul {OVERRIDE}ytiC"])
def test_a_member_name_that_would_not_print_as_typed_is_refused(office_client, name):
    response = office_client.post(
        reverse("admin:assembly_memberorganization_add"),
        {
            "name": name,
            "kind": "local_government",
            "country": "Korea",
            "region": "asia_pacific",
            "membership_type": "full",
            "membership_status": "active",
            "dues_paid": "on",
        },
    )
    assert response.status_code == 200
    assert not MemberOrganization.objects.filter(name__startswith="Seoul").exists()


def test_a_member_name_with_a_zero_width_non_joiner_is_kept(office_client):
    name = "مهرداد\u200cآباد"  # noqa: RUF001 - ZWNJ belongs in Persian words
    response = office_client.post(
        reverse("admin:assembly_memberorganization_add"),
        {
            "name": name,
            "kind": "local_government",
            "country": "Iran",
            "region": "mena",
            "membership_type": "full",
            "membership_status": "active",
            "dues_paid": "on",
        },
    )
    assert response.status_code == 302
    assert MemberOrganization.objects.filter(name=name).exists()
