"""The programme's admin keeps each assembly's rooms and sessions to themselves, in its own zone."""

import pytest
from django.core import mail
from django.urls import reverse

from assembly.models import Checkpoint
from sessions.models import Room, Session
from tests.agenda.factories import RoomFactory, local
from tests.agenda.test_pages import admin_form
from tests.conftest import admin_form_values

pytestmark = pytest.mark.django_db


def test_admin_refuses_a_room_scanned_at_another_assemblys_checkpoint(
    assembly, other_assembly, office_client
):
    theirs = Checkpoint.objects.create(assembly=other_assembly, code="door", name="Their door")
    data = {"assembly": assembly.pk, "code": "r1", "name": "Room 1", "order": 0}
    response = office_client.post(
        reverse("admin:agenda_room_add"), {**data, "checkpoint": theirs.pk}
    )
    assert response.status_code == 200
    assert "Their door belongs to another assembly." in response.content.decode()
    assert not Room.objects.exists()


def test_admin_change_form_offers_only_the_assemblys_checkpoints(
    assembly, other_assembly, office_client, room_327
):
    Checkpoint.objects.create(assembly=other_assembly, code="door", name="Their door")
    page = office_client.get(reverse("admin:agenda_room_change", args=[room_327.pk]))
    assert "Plenary hall" in page.content.decode()
    assert "Their door" not in page.content.decode()


def test_admin_refuses_a_session_in_another_assemblys_room(
    assembly, other_assembly, office_client, workshop
):
    theirs = RoomFactory(assembly=other_assembly, name="Their hall")
    template = Session(
        assembly=assembly,
        code="added",
        title="Added",
        kind="social",
        room=theirs,
        starts_at=local(assembly, 2, "18:00"),
        ends_at=local(assembly, 2, "19:00"),
        status="scheduled",
        visibility="public",
    )
    response = office_client.post(reverse("admin:agenda_session_add"), admin_form(template))
    assert response.status_code == 200
    assert "Their hall belongs to another assembly." in response.content.decode()
    assert not Session.objects.filter(code="added").exists()


def test_admin_shows_session_times_in_the_assemblys_zone(assembly, office_client, workshop):
    page = office_client.get(reverse("admin:agenda_session_change", args=[workshop.pk]))
    shown = admin_form_values(page.content.decode())
    assert (shown["starts_at_1"], shown["ends_at_1"]) == ("14:00:00", "16:30:00")


def test_admin_saving_a_new_description_moves_nothing_and_emails_nobody(
    assembly, office_client, workshop, django_capture_on_commit_callbacks
):
    change = reverse("admin:agenda_session_change", args=[workshop.pk])
    shown = admin_form_values(office_client.get(change).content.decode())
    data = admin_form(workshop, description="Now with a panel.")
    data.update(
        {name: shown[name] for name in ["starts_at_0", "starts_at_1", "ends_at_0", "ends_at_1"]}
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = office_client.post(change, data)
    assert response.status_code == 302, response.content.decode()[-2000:]
    workshop.refresh_from_db()
    assert workshop.starts_at == local(assembly, 0, "14:00")
    assert workshop.status == "scheduled"
    assert workshop.description == "Now with a panel."
    assert not [m for m in mail.outbox if m.subject.startswith("Moved")]


def test_admin_refuses_to_cancel_and_move_a_session_in_one_save(assembly, office_client, workshop):
    # Found by a tester: "changed successfully", the new times silently dropped.
    change = reverse("admin:agenda_session_change", args=[workshop.pk])
    data = admin_form(workshop, status="cancelled", starts_at_1="15:00:00", ends_at_1="17:00:00")
    response = office_client.post(change, data)
    assert response.status_code == 200
    assert "Cancel the session or move it, not both" in response.content.decode()
    workshop.refresh_from_db()
    assert (workshop.status, workshop.starts_at) == ("scheduled", local(assembly, 0, "14:00"))


def test_admin_lists_sessions_in_the_assemblys_zone(assembly, office_client, workshop):
    # Found by a tester: the list showed UTC with no zone, the change form local time.
    listing = office_client.get(reverse("admin:agenda_session_changelist")).content.decode()
    assert "2 p.m." in listing
