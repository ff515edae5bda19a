"""Writes of the agenda: sessions booked, moved, cancelled; delegates' choices; feed resets.

Every change to a session bumps its SEQUENCE and last-changed time (what calendar apps
compare), is broadcast to the now/next screens after commit, and a move or a cancellation
emails the delegates who chose the session, after commit.
"""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import IntegrityError, connection, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from assembly.live import broadcast_on_commit
from assembly.models import Assembly
from registration.models import Delegate
from sessions.calendar import session_url
from sessions.errors import RoomClash, SessionCancelled
from sessions.live import session_payload, sessions_group
from sessions.models import (
    AgendaChoice,
    PersonalFeed,
    Room,
    Session,
    SessionStatus,
    Speaker,
    Visibility,
)
from sessions.rules import check_room_free, check_times, describe_clash


def save_booking(session: Session) -> None:
    """Save under the caller's room lock; the PostgreSQL exclusion constraint backs the check."""
    try:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET CONSTRAINTS session_room_no_overlap IMMEDIATE")
            session.save()
    except IntegrityError as error:
        if "session_room_no_overlap" not in str(error):
            raise
        clash = (
            Session.objects.filter(
                room=session.room, starts_at__lt=session.ends_at, ends_at__gt=session.starts_at
            )
            .exclude(status=SessionStatus.CANCELLED)
            .exclude(pk=session.pk)
            .first()
        )
        raise RoomClash(describe_clash(clash) if clash else None) from None


def lock_room(room: Room) -> Room:
    # Every booking of a room takes this row lock first, so check-then-write cannot race.
    return Room.objects.select_for_update().get(pk=room.pk)


def touch(session: Session) -> None:
    session.sequence += 1
    session.changed_at = timezone.now()


def broadcast_session(session: Session, *, was_public: bool | None = None) -> None:
    """Send the session's new state to the screens allowed to see it."""
    assembly_id = session.assembly_id
    payload = session_payload(session)
    public = session.visibility == Visibility.PUBLIC
    broadcast_on_commit(
        group=sessions_group(assembly_id, members=not public),
        event="session.changed",
        payload=payload,
    )
    if was_public and not public:
        broadcast_on_commit(
            group=sessions_group(assembly_id, members=False),
            event="session.removed",
            payload={"code": session.code},
        )


def notify_on_commit(session: Session, *, change: str, before: dict[str, Any]) -> None:
    """Email every delegate who chose the session, after commit (nothing if it rolls back)."""
    recipients = list(
        Delegate.objects.filter(agenda_choices__session=session)
        .exclude(email="")
        .values_list("full_name", "email")
    )
    if not recipients:
        return
    zone = session.assembly.zone
    context = {
        "session": session,
        "assembly": session.assembly,
        "change": change,
        "old_starts": timezone.localtime(before["starts_at"], zone),
        "old_ends": timezone.localtime(before["ends_at"], zone),
        "old_room": before["room"],
        "starts": timezone.localtime(session.starts_at, zone),
        "ends": timezone.localtime(session.ends_at, zone),
        "url": session_url(session),
    }
    messages = []
    # The date filter shows the current zone: the assembly's, as the programme does.
    with translation.override(settings.LANGUAGE_CODE), timezone.override(zone):
        subject = render_to_string("agenda/emails/session_changed_subject.txt", context).strip()
        for name, email in recipients:
            body = render_to_string("agenda/emails/session_changed.txt", {**context, "name": name})
            messages.append((subject, body, settings.DEFAULT_FROM_EMAIL, [email]))
    transaction.on_commit(lambda: send_mass_mail(messages, fail_silently=False), robust=True)


def create_session(
    *,
    assembly: Assembly,
    code: str,
    title: str,
    kind: str,
    room: Room,
    starts_at: datetime,
    ends_at: datetime,
    description: str = "",
    visibility: str = Visibility.PUBLIC,
    speakers: Iterable[Speaker] = (),
) -> Session:
    """Book a session in a room; refuses bad times, days outside the assembly's and room
    clashes (room row lock)."""
    check_times(starts_at=starts_at, ends_at=ends_at, assembly=assembly)
    with transaction.atomic():
        room = lock_room(room)
        check_room_free(room=room, starts_at=starts_at, ends_at=ends_at)
        session = Session(
            assembly=assembly,
            code=code,
            title=title,
            kind=kind,
            room=room,
            starts_at=starts_at,
            ends_at=ends_at,
            description=description,
            visibility=visibility,
        )
        save_booking(session)
        session.speakers.set(list(speakers))
        broadcast_session(session)
    return session


def move_session(
    *, session: Session, starts_at: datetime, ends_at: datetime, room: Room | None = None
) -> Session:
    """Move a session (or reinstate a cancelled one) to new times and/or a room.

    Takes the target room's lock, refuses clashes, bumps SEQUENCE, emails the delegates
    who chose it and updates the live screens, both after commit.
    """
    check_times(starts_at=starts_at, ends_at=ends_at, assembly=session.assembly)
    with transaction.atomic():
        target = lock_room(room or session.room)
        session = (
            Session.objects.select_for_update()
            .select_related("room", "assembly")
            .get(pk=session.pk)
        )
        unchanged = (
            session.starts_at == starts_at
            and session.ends_at == ends_at
            and session.room_id == target.pk
            and session.status != SessionStatus.CANCELLED
        )
        if unchanged:
            return session
        check_room_free(room=target, starts_at=starts_at, ends_at=ends_at, exclude=session.pk)
        before = {
            "starts_at": session.starts_at,
            "ends_at": session.ends_at,
            "room": session.room.name,
        }
        session.starts_at, session.ends_at, session.room = starts_at, ends_at, target
        session.status = SessionStatus.MOVED
        touch(session)
        save_booking(session)
        notify_on_commit(session, change="moved", before=before)
        broadcast_session(session)
    return session


def cancel_session(*, session: Session) -> Session:
    """Cancel a session: it stays in every feed with STATUS:CANCELLED; chosen-by are emailed."""
    with transaction.atomic():
        session = (
            Session.objects.select_for_update()
            .select_related("room", "assembly")
            .get(pk=session.pk)
        )
        if session.status == SessionStatus.CANCELLED:
            raise SessionCancelled()
        before = {
            "starts_at": session.starts_at,
            "ends_at": session.ends_at,
            "room": session.room.name,
        }
        session.status = SessionStatus.CANCELLED
        touch(session)
        session.save(update_fields=["status", "sequence", "changed_at"])
        notify_on_commit(session, change="cancelled", before=before)
        broadcast_session(session)
    return session


def update_session_details(
    *,
    session: Session,
    title: str,
    kind: str,
    description: str,
    visibility: str,
    speakers: Iterable[Speaker] | None = None,
) -> Session:
    """Change what a session is about (not when or where): bumps SEQUENCE, updates screens."""
    with transaction.atomic():
        session = (
            Session.objects.select_for_update()
            .select_related("room", "assembly")
            .get(pk=session.pk)
        )
        was_public = session.visibility == Visibility.PUBLIC
        session.title, session.kind = title, kind
        session.description, session.visibility = description, visibility
        touch(session)
        session.save(
            update_fields=[
                "title",
                "kind",
                "description",
                "visibility",
                "sequence",
                "changed_at",
            ]
        )
        if speakers is not None:
            session.speakers.set(list(speakers))
        broadcast_session(session, was_public=was_public)
    return session


def choose_session(*, delegate: Delegate, session: Session) -> AgendaChoice:
    """Put a session in the delegate's agenda (idempotent); a cancelled one is refused.

    Locks the session row so a cancellation in flight is seen, not raced.
    """
    with transaction.atomic():
        session = Session.objects.select_for_update().get(pk=session.pk)
        if session.status == SessionStatus.CANCELLED:
            raise SessionCancelled()
        choice, created = AgendaChoice.objects.get_or_create(delegate=delegate, session=session)
        if created:
            mark_agenda_changed(delegate)
    return choice


def drop_session(*, delegate: Delegate, session: Session) -> None:
    """Take a session out of the delegate's agenda (idempotent)."""
    with transaction.atomic():
        deleted, _ = AgendaChoice.objects.filter(delegate=delegate, session=session).delete()
        if deleted:
            mark_agenda_changed(delegate)


def mark_agenda_changed(delegate: Delegate) -> None:
    feed, created = PersonalFeed.objects.get_or_create(delegate=delegate)
    if not created:
        PersonalFeed.objects.filter(pk=feed.pk).update(agenda_changed_at=timezone.now())


def reset_personal_feed(*, delegate: Delegate) -> PersonalFeed:
    """Give the delegate a new personal feed URL; the old one answers 404 from now on."""
    with transaction.atomic():
        feed, _created = PersonalFeed.objects.select_for_update().get_or_create(delegate=delegate)
        feed.version += 1
        feed.reset_at = timezone.now()
        feed.agenda_changed_at = feed.reset_at
        feed.save(update_fields=["version", "reset_at", "agenda_changed_at"])
    return feed
