"""The voting app's part of the demo: the GA and the Executive Committee, motions as draft polls."""

from assembly.demo import upsert
from assembly.demo_data import EXCOM_MEMBER_CITIES
from assembly.models import Assembly, MemberOrganization
from sessions.models import AgendaItem, SessionKind
from voting import demo_data
from voting.models import BodyKind, BodySeat, GoverningBody, Motion, Poll, PollKind
from voting.presence import recount_quorum
from voting.services import create_motion, create_poll, link_motion_to_agenda_item

# How each demo motion is voted: the agenda by show of hands, the rest electronically and secret.
POLL_KINDS = {"ga-adopt-agenda": PollKind.HAND, "excom-ga-agenda": PollKind.ROLL_CALL}


def load_bodies(assembly: Assembly) -> dict[str, GoverningBody]:
    bodies = {}
    for data in demo_data.BODIES:
        kind = BodyKind.GENERAL_ASSEMBLY if data["code"] == "ga" else BodyKind.LISTED
        bodies[data["code"]] = upsert(
            GoverningBody,
            {"assembly": assembly, "code": data["code"]},
            {"name": data["name"], "description": data["description"], "kind": kind},
        )
    excom = bodies["excom"]
    for member in MemberOrganization.objects.filter(name__in=EXCOM_MEMBER_CITIES):
        BodySeat.objects.get_or_create(body=excom, member=member)
    for body in bodies.values():
        recount_quorum(body=body)
    return bodies


def agenda_item_for(assembly: Assembly, number: str | None) -> AgendaItem | None:
    """The General Assembly session's agenda item with that number, from the agenda demo."""
    if not number:
        return None
    return AgendaItem.objects.filter(
        session__assembly=assembly, session__kind=SessionKind.GA_SESSION, number=number
    ).first()


def load(assembly: Assembly) -> None:
    """Create what is missing; a second run writes nothing."""
    bodies = load_bodies(assembly)
    for data in demo_data.MOTIONS:
        motion = Motion.objects.filter(assembly=assembly, code=data["code"]).first()
        if motion is None:
            members = MemberOrganization.objects.in_bulk(data["candidates"], field_name="name")
            motion = create_motion(
                body=bodies[data["body"]],
                code=data["code"],
                kind=data["kind"],
                title=data["title"],
                text=data["text"],
                majority=data["majority"],
                seats=data["seats"],
                candidates=[(name, members.get(name)) for name in data["candidates"]],
                agenda_item_number=data["agenda_item"] or "",
            )
        item = agenda_item_for(assembly, data["agenda_item"]) if data["body"] == "ga" else None
        if item is not None:
            link_motion_to_agenda_item(motion=motion, agenda_item=item)
        if not Poll.objects.filter(motion=motion).exists():
            create_poll(motion=motion, kind=POLL_KINDS.get(data["code"], PollKind.SECRET))
