"""The sessions app's part of the demo assembly: rooms, speakers, the three-day programme."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from assembly.demo import upsert
from assembly.models import Assembly, Checkpoint
from sessions import demo_data
from sessions.models import AgendaItem, Room, Session, Speaker


def local_moment(assembly: Assembly, day: int, clock: str) -> datetime:
    hours, minutes = (int(part) for part in clock.split(":"))
    date = assembly.start_date + timedelta(days=day)
    return datetime.combine(date, time(hours, minutes), tzinfo=assembly.zone)


def load(assembly: Assembly) -> None:
    """Create or update the programme; a second run writes nothing."""
    checkpoints = {c.code: c for c in Checkpoint.objects.filter(assembly=assembly)}
    rooms = {}
    for order, room in enumerate(demo_data.ROOMS):
        rooms[room["code"]] = upsert(
            Room,
            {"assembly": assembly, "code": room["code"]},
            {
                "name": room["name"],
                "capacity": room["capacity"],
                "checkpoint": checkpoints.get(room["checkpoint_code"] or ""),
                "order": order,
            },
        )
    speakers = {
        speaker["code"]: upsert(
            Speaker,
            {"assembly": assembly, "code": speaker["code"]},
            {
                "name": speaker["name"],
                "title": speaker["title"],
                "organization": speaker["organization"],
                "bio": speaker["bio"],
            },
        )
        for speaker in demo_data.SPEAKERS
    }
    for data in demo_data.SESSIONS:
        starts = local_moment(assembly, data["day"], data["start"])
        ends = local_moment(assembly, data["day"], data["end"])
        values = {
            "title": data["title"],
            "kind": data["kind"],
            "room": rooms[data["room_code"]],
            "starts_at": starts,
            "ends_at": ends,
            "description": data["description"],
            "visibility": data["visibility"],
        }
        existing = Session.objects.filter(assembly=assembly, code=data["code"]).first()
        if existing is not None and (existing.starts_at, existing.ends_at) != (starts, ends):
            # Redated demo (loaded on another day): calendars must see a new revision.
            values |= {"sequence": existing.sequence + 1, "changed_at": timezone.now()}
        session = upsert(Session, {"assembly": assembly, "code": data["code"]}, values)
        wanted = {speakers[code].pk for code in data["speaker_codes"]}
        if set(session.speakers.values_list("pk", flat=True)) != wanted:
            session.speakers.set(wanted)
    ga_session = Session.objects.get(assembly=assembly, code="ga-session")
    for order, item in enumerate(demo_data.AGENDA_ITEMS):
        upsert(
            AgendaItem,
            {"session": ga_session, "number": item["number"]},
            {"order": order, "title": item["title"], "description": item["description"]},
        )
