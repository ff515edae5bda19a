"""Booking rules, moves and cancellations: clashes refused, delegates told, screens updated."""

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from assembly.live import broadcast_on_commit  # noqa: F401 - the path services send through
from sessions import services
from sessions.errors import EndsBeforeStart, RoomClash, SessionCancelled
from sessions.live import sessions_group
from sessions.models import AgendaChoice, Session, SessionStatus, Visibility
from tests.agenda.factories import RoomFactory, SessionFactory, local
from tests.conftest import requires_postgres
from tests.factories import AssemblyFactory, DelegateFactory


def book(assembly, room, start, end, code="new"):
    return services.create_session(
        assembly=assembly,
        code=code,
        title="Press conference",
        kind="ceremony",
        room=room,
        starts_at=local(assembly, 1, start),
        ends_at=local(assembly, 1, end),
    )


def test_room_clash_is_refused_with_a_message_naming_the_clash(assembly, ga_session, hall):
    with pytest.raises(RoomClash) as exc:
        book(assembly, hall, "12:00", "13:00")
    assert exc.value.code == "room_clash"
    assert "Plenary hall" in exc.value.detail
    assert "General Assembly Session" in exc.value.detail
    assert "09:30" in exc.value.detail
    assert "12:30" in exc.value.detail
    assert not Session.objects.filter(code="new").exists()


def test_back_to_back_sessions_in_one_room_are_fine(assembly, ga_session, hall):
    assert book(assembly, hall, "12:30", "13:30").pk


def test_session_ending_before_it_starts_is_refused(assembly, hall):
    with pytest.raises(EndsBeforeStart) as exc:
        book(assembly, hall, "14:00", "13:00")
    assert exc.value.code == "ends_before_start"
    assert "end after it starts" in exc.value.detail
    with pytest.raises(EndsBeforeStart):
        book(assembly, hall, "14:00", "14:00")


def test_model_clean_names_the_clash_for_the_admin_form(assembly, ga_session, hall):
    session = Session(
        assembly=assembly,
        code="x",
        title="X",
        kind="social",
        room=hall,
        starts_at=local(assembly, 1, "11:00"),
        ends_at=local(assembly, 1, "14:00"),
    )
    with pytest.raises(ValidationError) as exc:
        session.full_clean()
    assert "General Assembly Session" in str(exc.value.message_dict["room"])
    session.ends_at = session.starts_at - timedelta(minutes=5)
    with pytest.raises(ValidationError) as exc:
        session.full_clean()
    assert "ends_at" in exc.value.message_dict


def test_database_refuses_a_session_that_ends_before_it_starts(assembly, hall):
    with pytest.raises(IntegrityError), transaction.atomic():
        SessionFactory(
            assembly=assembly,
            room=hall,
            starts_at=local(assembly, 0, "10:00"),
            ends_at=local(assembly, 0, "09:00"),
        )


def test_a_cancelled_session_frees_its_room(assembly, ga_session, hall):
    services.cancel_session(session=ga_session)
    assert book(assembly, hall, "10:00", "11:00").pk


def test_move_into_a_clash_is_refused_and_changes_nothing(assembly, ga_session, workshop, hall):
    with pytest.raises(RoomClash):
        services.move_session(
            session=workshop,
            starts_at=local(assembly, 1, "10:00"),
            ends_at=local(assembly, 1, "11:00"),
            room=hall,
        )
    workshop.refresh_from_db()
    assert workshop.room.code == "room-327"
    assert workshop.sequence == 0
    assert workshop.status == SessionStatus.SCHEDULED


def test_move_emails_each_delegate_who_chose_the_session_after_commit(
    assembly, workshop, delegate, django_capture_on_commit_callbacks
):
    other = DelegateFactory(assembly=assembly, email="other@example.org")
    DelegateFactory(assembly=assembly, email="not-interested@example.org")
    services.choose_session(delegate=delegate, session=workshop)
    services.choose_session(delegate=other, session=workshop)
    with django_capture_on_commit_callbacks(execute=True):
        moved = services.move_session(
            session=workshop,
            starts_at=local(assembly, 0, "15:00"),
            ends_at=local(assembly, 0, "17:00"),
        )
    assert moved.status == SessionStatus.MOVED
    assert moved.sequence == 1
    assert sorted(m.to[0] for m in mail.outbox) == [delegate.email, "other@example.org"]
    body = mail.outbox[0].body
    assert mail.outbox[0].subject == "Moved: Solutions Meets Cities"
    assert "15:00" in body
    assert "14:00" in body
    assert "+0900" in body


def test_cancel_emails_choosers_and_broadcasts_once(
    assembly, workshop, delegate, django_capture_on_commit_callbacks, monkeypatch
):
    sent = []
    monkeypatch.setattr("assembly.live.send_now", lambda **message: sent.append(message))
    services.choose_session(delegate=delegate, session=workshop)
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_session(session=workshop)
    assert [m.subject for m in mail.outbox] == ["Cancelled: Solutions Meets Cities"]
    assert len(sent) == 1
    assert sent[0]["group"] == sessions_group(assembly.pk, members=False)
    assert sent[0]["event"] == "session.changed"
    assert sent[0]["payload"]["status"] == "cancelled"
    assert sent[0]["payload"]["code"] == "workshop"


def test_members_only_changes_go_only_to_the_members_group(
    assembly, excom, django_capture_on_commit_callbacks, monkeypatch
):
    sent = []
    monkeypatch.setattr("assembly.live.send_now", lambda **message: sent.append(message))
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_session(session=excom)
    assert [m["group"] for m in sent] == [sessions_group(assembly.pk, members=True)]


def test_a_refused_move_sends_nothing(
    assembly, ga_session, workshop, hall, delegate, django_capture_on_commit_callbacks
):
    services.choose_session(delegate=delegate, session=workshop)
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RoomClash):
        services.move_session(
            session=workshop, starts_at=ga_session.starts_at, ends_at=ga_session.ends_at, room=hall
        )
    assert callbacks == []
    assert mail.outbox == []


def test_making_a_public_session_members_only_removes_it_from_public_screens(
    assembly, workshop, django_capture_on_commit_callbacks, monkeypatch
):
    sent = []
    monkeypatch.setattr("assembly.live.send_now", lambda **message: sent.append(message))
    with django_capture_on_commit_callbacks(execute=True):
        services.update_session_details(
            session=workshop,
            title=workshop.title,
            kind=workshop.kind,
            description="",
            visibility=Visibility.MEMBERS,
        )
    assert [(m["group"], m["event"]) for m in sent] == [
        (sessions_group(assembly.pk, members=True), "session.changed"),
        (sessions_group(assembly.pk, members=False), "session.removed"),
    ]


def test_cancelling_twice_is_refused(assembly, workshop):
    services.cancel_session(session=workshop)
    with pytest.raises(SessionCancelled):
        services.cancel_session(session=workshop)


def test_a_cancelled_session_cannot_be_added_to_an_agenda(assembly, workshop, delegate):
    services.cancel_session(session=workshop)
    with pytest.raises(SessionCancelled):
        services.choose_session(delegate=delegate, session=workshop)
    assert not AgendaChoice.objects.exists()


def test_choosing_twice_keeps_one_choice(assembly, workshop, delegate):
    services.choose_session(delegate=delegate, session=workshop)
    services.choose_session(delegate=delegate, session=workshop)
    assert AgendaChoice.objects.filter(delegate=delegate).count() == 1
    services.drop_session(delegate=delegate, session=workshop)
    assert not AgendaChoice.objects.exists()


def test_reinstating_a_cancelled_session_checks_the_room_again(assembly, workshop, room_327):
    services.cancel_session(session=workshop)
    book(assembly, room_327, "09:00", "10:00", code="taken")
    taken = Session.objects.get(code="taken")
    services.move_session(session=taken, starts_at=workshop.starts_at, ends_at=workshop.ends_at)
    with pytest.raises(RoomClash):
        services.move_session(
            session=workshop, starts_at=workshop.starts_at, ends_at=workshop.ends_at
        )


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_bookings_of_one_room_give_one_session():
    assembly = AssemblyFactory(slug="race")
    room = RoomFactory(assembly=assembly)
    barrier = threading.Barrier(8)
    outcomes: list[str] = []

    def attempt(n: int) -> None:
        barrier.wait()
        try:
            services.create_session(
                assembly=assembly,
                code=f"s{n}",
                title=f"S{n}",
                kind="workshop",
                room=room,
                starts_at=local(assembly, 0, "10:00") + timedelta(minutes=n),
                ends_at=local(assembly, 0, "11:00") + timedelta(minutes=n),
            )
            outcomes.append("ok")
        except RoomClash:
            outcomes.append("clash")
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["clash"] * 7 + ["ok"]
    assert Session.objects.filter(room=room).count() == 1


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_postgres_exclusion_constraint_refuses_overlap_written_past_the_service():
    assembly = AssemblyFactory(slug="raw")
    room = RoomFactory(assembly=assembly)
    SessionFactory(assembly=assembly, room=room)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS session_room_no_overlap IMMEDIATE")
        with pytest.raises(IntegrityError):
            SessionFactory(assembly=assembly, room=room)
