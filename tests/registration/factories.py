"""Factories for invitations and tours."""

import secrets
from datetime import datetime, timedelta

import factory
from django.utils import timezone

from registration.models import Invitation, Tour
from tests.factories import AssemblyFactory, MemberFactory


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    assembly = factory.SubFactory(AssemblyFactory)
    member = factory.SubFactory(MemberFactory)
    places = 2
    nonce = factory.LazyFunction(lambda: secrets.token_hex(16))
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=14))


def at(assembly: object, day: int, hhmm: str) -> datetime:
    hour, minute = (int(p) for p in hhmm.split(":"))
    start = assembly.start_date + timedelta(days=day)
    return datetime(start.year, start.month, start.day, hour, minute, tzinfo=assembly.zone)


class TourFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tour

    assembly = factory.SubFactory(AssemblyFactory)
    code = factory.Sequence(lambda n: f"tour-{n}")
    title = factory.Sequence(lambda n: f"Tour {n}")
    # The test assembly starts today, whose morning in Seoul may be over, and a tour that has
    # left takes no sign-ups: 09:00 on its last day is at least a day ahead.
    starts_at = factory.LazyAttribute(lambda t: at(t.assembly, 2, "09:00"))
    ends_at = factory.LazyAttribute(lambda t: t.starts_at + timedelta(hours=2))
    meeting_point = "North gate"
    capacity = 10
