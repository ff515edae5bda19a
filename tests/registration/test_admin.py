"""Accreditations and tours made in the admin follow the same rules as the secretariat's pages."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from registration.errors import AccreditationRefused
from registration.models import Accreditation, RegistrationSettings, Tour
from registration.services import accredit
from tests.conftest import admin_form_values
from tests.factories import DelegateFactory
from tests.registration.factories import TourFactory
from voting.models import BodyQuorum
from voting.presence import record_hall_entry
from voting.services import create_body

pytestmark = pytest.mark.django_db

ADD = "admin:registration_accreditation_add"


def accreditation_form(delegate, **changes):
    data = {
        "assembly": delegate.assembly_id,
        "member": delegate.member_id,
        "delegate": delegate.pk,
        "kind": "voting",
        "reason": "Letter of the mayor",
    }
    return {**data, **changes}


@pytest.mark.parametrize("role", ["observer", "staff", "guest"])
def test_accreditation_service_refuses_a_registration_that_does_not_vote(
    assembly, member, make_delegate, role
):
    observer = make_delegate(role=role, full_name="Pat Observer")
    with pytest.raises(AccreditationRefused) as refused:
        accredit(assembly=assembly, member=member, delegate=observer, kind="voting", by=None)
    assert "Pat Observer is registered as" in refused.value.detail
    assert not Accreditation.objects.exists()


def test_accreditation_page_says_why_an_observer_is_refused(
    secretariat_client, assembly, make_delegate
):
    observer = make_delegate(role="observer", full_name="Pat Observer")
    url = reverse("registration:accreditation", args=[assembly.slug])
    page = secretariat_client.post(url, {"delegate": observer.pk, "kind": "voting"}, follow=True)
    assert "Pat Observer is registered as observer" in page.content.decode()
    assert not Accreditation.objects.exists()


def test_admin_refuses_an_observer_as_voting_delegate(office_client, make_delegate):
    observer = make_delegate(role="observer", full_name="Pat Observer")
    response = office_client.post(reverse(ADD), accreditation_form(observer))
    assert response.status_code == 200
    assert "Pat Observer is registered as observer" in response.content.decode()
    assert not Accreditation.objects.exists()


def test_admin_refuses_a_delegate_of_another_assembly(
    office_client, assembly, other_assembly, member
):
    stranger = DelegateFactory(assembly=other_assembly, member=member, full_name="Ana Stranger")
    response = office_client.post(reverse(ADD), accreditation_form(stranger, assembly=assembly.pk))
    assert response.status_code == 200
    assert "Ana Stranger belongs to another assembly." in response.content.decode()
    assert not Accreditation.objects.exists()


def test_admin_accreditation_replaces_the_voting_delegate_through_the_service(
    office_client, assembly, member, delegate, make_delegate
):
    """The previous one is ended and recorded, not refused by the database with a 500."""
    accredit(assembly=assembly, member=member, delegate=delegate, kind="voting", by=None)
    newcomer = make_delegate(full_name="Lee Min-ho")
    response = office_client.post(reverse(ADD), accreditation_form(newcomer), follow=True)
    assert "Lee Min-ho replaces Kim Seo-yeon as the voting delegate of Seoul." in (
        response.content.decode()
    )
    old = Accreditation.objects.get(delegate=delegate)
    assert old.ended_at is not None
    assert old.ended_by.username == "office"
    current = Accreditation.objects.get(ended_at__isnull=True)
    assert (current.delegate, current.granted_by.username) == (newcomer, "office")


def test_admin_accreditation_counts_a_present_delegate_at_once(
    office_client, assembly, member, delegate
):
    body = create_body(assembly=assembly, code="ga", name="GA", kind="general_assembly")
    record_hall_entry(delegate=delegate, at=timezone.now())
    office_client.post(reverse(ADD), accreditation_form(delegate))
    assert BodyQuorum.objects.get(body=body).present == 1


def test_admin_shows_tour_times_in_the_assemblys_zone_and_reads_them_back(office_client, assembly):
    tour = TourFactory(assembly=assembly, code="palace", title="Palace walk")
    change = reverse("admin:registration_tour_change", args=[tour.pk])
    shown = admin_form_values(office_client.get(change).content.decode())
    assert shown["starts_at_1"] == "09:00:00"
    data = {
        **{name: shown[name] for name in ["starts_at_0", "starts_at_1", "ends_at_0", "ends_at_1"]},
        "code": "palace",
        "title": "Palace walk",
        "description": "Bring water.",
        "meeting_point": "North gate",
        "capacity": 10,
    }
    assert office_client.post(change, data).status_code == 302
    tour.refresh_from_db()
    assert tour.starts_at.astimezone(assembly.zone).strftime("%H:%M") == "09:00"
    assert tour.description == "Bring water."


def test_admin_adds_a_tour_at_the_assemblys_wall_time(office_client, assembly):
    day = assembly.start_date + timedelta(days=1)
    data = {
        "assembly": assembly.pk,
        "code": "lunch",
        "title": "Lunch cruise",
        "starts_at_0": day.isoformat(),
        "starts_at_1": "13:00:00",
        "ends_at_0": day.isoformat(),
        "ends_at_1": "15:00:00",
        "meeting_point": "Pier 3",
        "capacity": 20,
    }
    response = office_client.post(reverse("admin:registration_tour_add"), data)
    assert response.status_code == 302, response.content.decode()[-2000:]
    starts = Tour.objects.get(code="lunch").starts_at.astimezone(assembly.zone)
    assert (starts.date(), starts.strftime("%H:%M")) == (day, "13:00")


def test_admin_reads_the_edit_cutoff_at_the_assemblys_wall_time(office_client, assembly):
    # Found by a tester: 20:00 typed for an assembly in Auckland became 09:00 the next day.
    day = assembly.start_date - timedelta(days=3)
    data = {
        "assembly": assembly.pk,
        "edit_cutoff_0": day.isoformat(),
        "edit_cutoff_1": "20:00:00",
        "letterhead": "",
        "signatory_name": "",
        "signatory_title": "",
    }
    add = reverse("admin:registration_registrationsettings_add")
    response = office_client.post(add, data)
    assert response.status_code == 302, response.content.decode()[-2000:]
    cutoff = RegistrationSettings.objects.get(assembly=assembly).edit_cutoff
    local = cutoff.astimezone(assembly.zone)
    assert (local.date(), local.strftime("%H:%M")) == (day, "20:00")


def test_admin_says_plainly_that_a_tour_must_end_after_it_starts(office_client, assembly):
    # Found by a tester: "Constraint “tour_ends_after_it_starts” is violated."
    day = assembly.start_date + timedelta(days=1)
    data = {
        "assembly": assembly.pk,
        "code": "late",
        "title": "Backwards walk",
        "starts_at_0": day.isoformat(),
        "starts_at_1": "15:00:00",
        "ends_at_0": day.isoformat(),
        "ends_at_1": "13:00:00",
        "meeting_point": "Pier 3",
        "capacity": 20,
    }
    response = office_client.post(reverse("admin:registration_tour_add"), data)
    assert response.status_code == 200
    assert "A tour must end after it starts." in response.content.decode()
    assert not Tour.objects.filter(code="late").exists()
