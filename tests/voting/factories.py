"""Factories for the voting app's tests."""

from registration.models import Accreditation, AccreditationKind
from tests.factories import DelegateFactory, MemberFactory
from voting.models import BodyKind, MotionKind, PollKind
from voting.services import create_body, create_motion, create_poll


def accredit(assembly, member, *, kind=AccreditationKind.VOTING, **delegate_fields):
    """A delegate accredited for a member (voting delegate by default)."""
    delegate = DelegateFactory(assembly=assembly, member=member, **delegate_fields)
    Accreditation.objects.create(assembly=assembly, member=member, delegate=delegate, kind=kind)
    return delegate


def electorate_of(assembly, n, *, region="asia_pacific", population=1_000_000):
    """n voting members, each with an accredited voting delegate; returns the delegates."""
    return [
        accredit(assembly, MemberFactory(region=region, population=population)) for _ in range(n)
    ]


def ga_body(assembly, **kwargs):
    return create_body(
        assembly=assembly,
        code="ga",
        name="General Assembly",
        kind=BodyKind.GENERAL_ASSEMBLY,
        **kwargs,
    )


def resolution(body, *, code="res", majority="simple", abstentions_in_base=False):
    return create_motion(
        body=body,
        code=code,
        kind=MotionKind.RESOLUTION,
        title="Adopt the agenda",
        majority=majority,
        abstentions_in_base=abstentions_in_base,
    )


def election(body, *, names, seats=1, code="elec", majority="absolute_cast"):
    return create_motion(
        body=body,
        code=code,
        kind=MotionKind.ELECTION,
        title="Elect the Vice President Cities",
        majority=majority,
        seats=seats,
        candidates=[(name, None) for name in names],
    )


def draft_poll(motion, kind=PollKind.SECRET, **kwargs):
    return create_poll(motion=motion, kind=kind, **kwargs)


def election_without_majority(body, voters, chair):
    """A one-seat election closed with 2-2-1 votes: nobody reaches the absolute majority."""
    from voting.services import cast_ballots, close_poll, open_poll

    motion = election(body, names=["Kampala", "São Paulo", "Ulaanbaatar"], seats=1)
    ids = [str(c.pk) for c in motion.candidates.order_by("position")]
    poll = open_poll(poll=draft_poll(motion), by=chair)
    for delegate, choice in zip(voters, [ids[0], ids[0], ids[1], ids[1], ids[2]], strict=True):
        cast_ballots(poll=poll, delegate=delegate, choices=[choice])
    return close_poll(poll=poll, by=chair), ids
