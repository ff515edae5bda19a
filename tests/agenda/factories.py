"""factory_boy factories for rooms, speakers and sessions."""

from datetime import datetime, time, timedelta

import factory

from sessions.models import Room, Session, SessionKind, Speaker, Visibility
from tests.factories import AssemblyFactory


def local(assembly, day: int, clock: str) -> datetime:
    """An aware datetime on programme day `day` at local wall time `clock` ("HH:MM")."""
    hours, minutes = (int(part) for part in clock.split(":"))
    return datetime.combine(
        assembly.start_date + timedelta(days=day), time(hours, minutes), tzinfo=assembly.zone
    )


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Room

    assembly = factory.SubFactory(AssemblyFactory)
    code = factory.Sequence(lambda n: f"room-{n}")
    name = factory.Sequence(lambda n: f"Room {n}")
    capacity = 100


class SpeakerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Speaker

    assembly = factory.SubFactory(AssemblyFactory)
    code = factory.Sequence(lambda n: f"speaker-{n}")
    name = factory.Sequence(lambda n: f"Speaker {n}")
    title = "Mayor"
    organization = "A City"


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session
        skip_postgeneration_save = True

    assembly = factory.SubFactory(AssemblyFactory)
    room = factory.SubFactory(RoomFactory, assembly=factory.SelfAttribute("..assembly"))
    code = factory.Sequence(lambda n: f"session-{n}")
    title = factory.Sequence(lambda n: f"Session {n}")
    kind = SessionKind.WORKSHOP
    starts_at = factory.LazyAttribute(lambda s: local(s.assembly, 0, "10:00"))
    ends_at = factory.LazyAttribute(lambda s: s.starts_at + timedelta(hours=1))
    description = "About cities."
    visibility = Visibility.PUBLIC
