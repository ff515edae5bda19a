"""Payloads of the agenda API."""

from datetime import datetime

from ninja import Schema


class RoomOut(Schema):
    code: str
    name: str
    capacity: int | None


class SpeakerOut(Schema):
    code: str
    name: str
    title: str
    organization: str
    bio: str


class AgendaItemOut(Schema):
    number: str
    title: str
    description: str


class SessionOut(Schema):
    code: str
    uid: str
    title: str
    kind: str
    status: str
    visibility: str
    starts_at: datetime
    ends_at: datetime
    local_start: str
    local_end: str
    room: RoomOut
    sequence: int
    changed_at: datetime
    url: str
    ics_url: str


class SessionDetailOut(SessionOut):
    description: str
    speakers: list[SpeakerOut]
    agenda_items: list[AgendaItemOut]


class AgendaEntryOut(Schema):
    uid: str
    title: str
    starts_at: datetime
    ends_at: datetime
    location: str
    url: str
    category: str
    cancelled: bool
    session_code: str | None


class FeedLinksOut(Schema):
    public: str
    public_webcal: str
    members: str | None = None
    members_webcal: str | None = None
    personal: str | None = None
    personal_webcal: str | None = None
