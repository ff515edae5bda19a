"""Agenda pages: programme, session, speakers, my agenda, now/next, timeline and admin edits."""

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sessions.models import AgendaChoice, Session, SessionStatus
from tests.agenda.factories import SessionFactory, SpeakerFactory, local
from tests.conftest import client_for


def url(name, assembly, *args):
    return reverse(f"agenda:{name}", args=[assembly.slug, *args])


def test_programme_shows_times_in_the_assembly_zone_with_the_offset(client, assembly, ga_session):
    page = client.get(url("programme", assembly)).content.decode()
    assert "General Assembly Session" in page
    assert ">09:30</time>" in page
    assert ">12:30</time>" in page
    assert "UTC+09:00" in page
    assert "data-tz-switch" in page


def test_programme_highlights_the_session_on_now(client, assembly, room_327):
    now = timezone.now()
    SessionFactory(
        assembly=assembly,
        room=room_327,
        code="live",
        title="Live now",
        starts_at=now - timedelta(minutes=10),
        ends_at=now + timedelta(minutes=50),
    )
    page = client.get(url("programme", assembly)).content.decode()
    assert 'class="session-row is-now" aria-current="time"' in page


def test_programme_hides_members_only_sessions_from_visitors(client, assembly, excom, delegate):
    assert (
        "Executive Committee meeting" not in client.get(url("programme", assembly)).content.decode()
    )
    # Asked to log in (a tester met "Page not found"), and the page shows nothing of it.
    hidden = client.get(url("session", assembly, "excom"))
    assert hidden.status_code == 302
    assert hidden["Location"].startswith(reverse("login"))
    member = client_for(delegate.user)
    assert "Executive Committee meeting" in member.get(url("programme", assembly)).content.decode()
    assert member.get(url("session", assembly, "excom")).status_code == 200


def test_programme_filters_by_day_room_and_kind(client, assembly, ga_session, workshop, tour):
    day_two = (assembly.start_date + timedelta(days=1)).isoformat()
    page = client.get(url("programme", assembly) + f"?day={day_two}&kind=tour").content.decode()
    assert "Gwangjang Market tour" in page
    assert "General Assembly Session" not in page
    assert "Solutions Meets Cities" not in page


def test_a_room_filter_with_a_nul_byte_is_a_clear_400_not_a_server_error(
    client, assembly, ga_session, workshop, secretariat_client
):
    # PostgreSQL refuses NUL in a query parameter: it is refused before any view runs.
    page = client.get(url("programme", assembly) + "?room=hall%00")
    assert page.status_code == 400
    assert "NUL" in page.content.decode()
    assert client.get(url("programme-feed", assembly) + "?room=%00").status_code == 400
    assert client.get(url("programme", assembly) + "?room=hall").status_code == 200


def test_session_page_shows_speakers_room_agenda_items_and_calendar_link(
    client, assembly, ga_session
):
    ga_session.agenda_items.create(order=0, number="1", title="Opening and quorum")
    page = client.get(url("session", assembly, "ga-session")).content.decode()
    assert "Oh Se-hoon" in page
    assert "Plenary hall" in page
    assert "Opening and quorum" in page
    assert url("session-ics", assembly, "ga-session") in page


def test_delegate_adds_a_session_and_sees_it_in_my_agenda(assembly, workshop, delegate):
    client = client_for(delegate.user)
    response = client.post(url("choose", assembly, "workshop"))
    assert response.status_code == 302
    assert AgendaChoice.objects.filter(delegate=delegate, session=workshop).exists()
    page = client.get(url("my-agenda", assembly)).content.decode()
    assert "Solutions Meets Cities" in page
    assert "webcal://testserver/a/ga/feeds/" in page
    client.post(url("drop", assembly, "workshop"))
    assert not AgendaChoice.objects.exists()


def test_delegate_home_shows_the_next_sessions_of_my_agenda(assembly, workshop, delegate):
    client = client_for(delegate.user)
    client.post(url("choose", assembly, "workshop"))
    page = client.get(reverse("delegate-home", args=[assembly.slug])).content.decode()
    assert "Solutions Meets Cities" in page


def test_choose_refuses_visitors_and_staff_without_a_registration(
    client, assembly, workshop, desk_client
):
    assert client.post(url("choose", assembly, "workshop")).status_code == 302
    assert desk_client.post(url("choose", assembly, "workshop")).status_code == 403
    assert not AgendaChoice.objects.exists()


def test_choose_does_not_redirect_off_site(assembly, workshop, delegate):
    response = client_for(delegate.user).post(
        url("choose", assembly, "workshop"), {"next": "https://evil.example/"}
    )
    assert response["Location"] == url("session", assembly, "workshop")


def test_speaker_page_lists_their_sessions(client, assembly, ga_session, mayor):
    page = client.get(url("speaker", assembly, "mayor")).content.decode()
    assert "Oh Se-hoon" in page
    assert "General Assembly Session" in page
    assert "Oh Se-hoon" in client.get(url("speakers", assembly)).content.decode()


def test_now_next_page_lists_what_is_on_and_what_comes_next(client, assembly, room_327):
    now = timezone.now()
    SessionFactory(
        assembly=assembly,
        room=room_327,
        code="a",
        title="On stage now",
        starts_at=now - timedelta(minutes=5),
        ends_at=now + timedelta(minutes=30),
    )
    SessionFactory(
        assembly=assembly,
        room=room_327,
        code="b",
        title="Coming up",
        starts_at=now + timedelta(hours=1),
        ends_at=now + timedelta(hours=2),
    )
    page = client.get(url("now-next", assembly)).content.decode()
    assert page.index("On stage now") < page.index("Coming up")
    assert f'data-ws="/ws/a/{assembly.slug}/now/"' in page


def test_timeline_is_for_the_secretariat_and_shows_a_speaker_clash(
    assembly, secretariat_client, delegate, ga_session, hall, room_327, mayor
):
    clash = SessionFactory(
        assembly=assembly,
        room=room_327,
        code="side",
        title="Side event",
        starts_at=local(assembly, 1, "10:00"),
        ends_at=local(assembly, 1, "11:00"),
    )
    clash.speakers.add(mayor)
    day_two = (assembly.start_date + timedelta(days=1)).isoformat()
    assert client_for(delegate.user).get(url("timeline", assembly)).status_code == 403
    page = secretariat_client.get(url("timeline", assembly) + f"?day={day_two}").content.decode()
    assert "Plenary hall" in page
    assert "Room 327" in page
    assert "Speaker clash: Oh Se-hoon (Side event)" in page
    assert "2 sessions have a clash" in page
    assert ">09:30</time>" in page


def test_secretariat_moves_a_session_from_the_timeline(
    assembly, secretariat_client, workshop, delegate, django_capture_on_commit_callbacks
):
    client_for(delegate.user).post(url("choose", assembly, "workshop"))
    with django_capture_on_commit_callbacks(execute=True):
        response = secretariat_client.post(
            url("session-edit", assembly, "workshop"),
            {
                "room": workshop.room.pk,
                "day": assembly.start_date.isoformat(),
                "starts": "16:00",
                "ends": "17:00",
            },
        )
    assert response.status_code == 302
    workshop.refresh_from_db()
    assert workshop.starts_at == local(assembly, 0, "16:00")
    assert workshop.status == SessionStatus.MOVED
    assert len(mail.outbox) == 1


def test_timeline_move_into_a_clash_shows_the_clash_and_changes_nothing(
    assembly, secretariat_client, workshop, ga_session, hall
):
    response = secretariat_client.post(
        url("session-edit", assembly, "workshop"),
        {
            "room": hall.pk,
            "day": (assembly.start_date + timedelta(days=1)).isoformat(),
            "starts": "10:00",
            "ends": "11:00",
        },
    )
    assert response.status_code == 422
    assert "already taken by “General Assembly Session”" in response.content.decode()
    workshop.refresh_from_db()
    assert workshop.room.code == "room-327"


def test_timeline_refuses_an_end_before_the_start(assembly, secretariat_client, workshop):
    response = secretariat_client.post(
        url("session-edit", assembly, "workshop"),
        {
            "room": workshop.room.pk,
            "day": assembly.start_date.isoformat(),
            "starts": "16:00",
            "ends": "15:00",
        },
    )
    assert response.status_code == 422
    assert "must end after it starts" in response.content.decode()


def test_secretariat_cancels_from_the_timeline(assembly, secretariat_client, workshop):
    secretariat_client.post(url("session-edit", assembly, "workshop"), {"cancel": "1"})
    workshop.refresh_from_db()
    assert workshop.status == SessionStatus.CANCELLED


@pytest.fixture
def admin_client(assembly):
    from tests.factories import UserFactory

    user = UserFactory(username="root", is_staff=True, is_superuser=True)
    return client_for(user)


def admin_form(session, **changes):
    zone = session.assembly.zone
    data = {
        "assembly": session.assembly_id,
        "code": session.code,
        "title": session.title,
        "kind": session.kind,
        "room": session.room_id,
        "starts_at_0": session.starts_at.astimezone(zone).strftime("%Y-%m-%d"),
        "starts_at_1": session.starts_at.astimezone(zone).strftime("%H:%M:%S"),
        "ends_at_0": session.ends_at.astimezone(zone).strftime("%Y-%m-%d"),
        "ends_at_1": session.ends_at.astimezone(zone).strftime("%H:%M:%S"),
        "description": session.description,
        "status": session.status,
        "visibility": session.visibility,
        "agenda_items-TOTAL_FORMS": "0",
        "agenda_items-INITIAL_FORMS": "0",
        "agenda_items-MIN_NUM_FORMS": "0",
        "agenda_items-MAX_NUM_FORMS": "1000",
    }
    data.update(changes)
    return data


def test_admin_edit_goes_through_the_service(
    assembly, admin_client, workshop, delegate, django_capture_on_commit_callbacks
):
    client_for(delegate.user).post(url("choose", assembly, "workshop"))
    change = reverse("admin:agenda_session_change", args=[workshop.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            change, admin_form(workshop, starts_at_1="15:00:00", ends_at_1="17:00:00")
        )
    assert response.status_code == 302, response.content.decode()[-2000:]
    workshop.refresh_from_db()
    assert workshop.starts_at == local(assembly, 0, "15:00")
    assert workshop.sequence == 1
    assert workshop.status == SessionStatus.MOVED
    assert [m.subject for m in mail.outbox] == ["Moved: Solutions Meets Cities"]


def test_admin_refuses_a_room_clash_naming_it(assembly, admin_client, workshop, ga_session, hall):
    change = reverse("admin:agenda_session_change", args=[workshop.pk])
    data = admin_form(
        workshop,
        room=hall.pk,
        starts_at_0=(assembly.start_date + timedelta(days=1)).isoformat(),
        ends_at_0=(assembly.start_date + timedelta(days=1)).isoformat(),
        starts_at_1="10:00:00",
        ends_at_1="11:00:00",
    )
    response = admin_client.post(change, data)
    assert response.status_code == 200
    assert "General Assembly Session" in response.content.decode()
    workshop.refresh_from_db()
    assert workshop.sequence == 0


def test_admin_adds_a_session_through_the_service(assembly, admin_client, room_327):
    speaker = SpeakerFactory(assembly=assembly)
    template = Session(
        assembly=assembly,
        code="added",
        title="Added",
        kind="social",
        room=room_327,
        starts_at=local(assembly, 2, "18:00"),
        ends_at=local(assembly, 2, "19:00"),
        status="scheduled",
        visibility="public",
    )
    data = admin_form(template, speakers=[speaker.pk])
    response = admin_client.post(reverse("admin:agenda_session_add"), data)
    assert response.status_code == 302, response.content.decode()[-2000:]
    added = Session.objects.get(code="added")
    assert list(added.speakers.all()) == [speaker]
    # The form's wall times are read in the assembly's zone, not the server's UTC.
    assert added.starts_at == local(assembly, 2, "18:00")


def test_pages_answer_anonymous_visitors(assembly, workshop):
    client = Client()
    for name, args in [
        ("programme", []),
        ("session", ["workshop"]),
        ("speakers", []),
        ("now-next", []),
    ]:
        assert client.get(url(name, assembly, *args)).status_code == 200
    assert client.get(url("my-agenda", assembly)).status_code == 302
