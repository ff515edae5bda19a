"""API endpoints of the agenda app, mounted by assembly/api.py under /api/v1/."""

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from ninja import Query, Router, Schema
from ninja.responses import Status

from assembly.auth import BearerTokenAuth, get_assembly, require_role
from assembly.models import Assembly, Role
from assembly.selectors import roles_for
from registration.selectors import delegate_for
from sessions import services
from sessions.calendar import absolute
from sessions.errors import SessionNotFound
from sessions.feeds import feed_links
from sessions.models import Session
from sessions.schemas import AgendaEntryOut, FeedLinksOut, SessionDetailOut, SessionOut
from sessions.selectors import parse_filter, personal_entries, session_for, visible_sessions

router = Router(tags=["agenda"])


class ProgrammeQuery(Schema):
    day: str | None = None
    room: str | None = None
    kind: str | None = None


def session_out(session: Session) -> dict[str, Any]:
    zone = session.assembly.zone
    slug = session.assembly.slug
    return {
        "code": session.code,
        "uid": f"{session.uid}@plenary",
        "title": session.title,
        "kind": session.kind,
        "status": session.status,
        "visibility": session.visibility,
        "starts_at": session.starts_at,
        "ends_at": session.ends_at,
        "local_start": session.starts_at.astimezone(zone).isoformat(),
        "local_end": session.ends_at.astimezone(zone).isoformat(),
        "room": session.room,
        "sequence": session.sequence,
        "changed_at": session.changed_at,
        "url": absolute(reverse("agenda:session", args=[slug, session.code])),
        "ics_url": absolute(reverse("agenda:session-ics", args=[slug, session.code])),
    }


def member_caller(request: HttpRequest, assembly: Assembly) -> bool:
    return bool(roles_for(user=request.user, assembly=assembly))


def anyone(request: HttpRequest) -> bool:
    """Public reads: anyone may call; a login or a bearer token adds members-only sessions."""
    return True


def public_auth() -> list:
    return [BearerTokenAuth(), anyone]


@router.get(
    "/assemblies/{slug}/sessions",
    response=list[SessionOut],
    operation_id="agenda_list_sessions",
    auth=public_auth(),
    summary="List the programme (filter by day, room, kind)",
)
def list_sessions(request: HttpRequest, slug: str, filters: Query[ProgrammeQuery]) -> list:
    assembly = get_assembly(slug)
    flt = parse_filter(assembly=assembly, params=filters.dict(exclude_none=True))
    sessions = visible_sessions(
        assembly=assembly, members=member_caller(request, assembly), flt=flt
    )
    return [session_out(s) for s in sessions]


@router.get(
    "/assemblies/{slug}/sessions/{code}",
    response=SessionDetailOut,
    operation_id="agenda_session_detail",
    auth=public_auth(),
    summary="One session with speakers and agenda items",
)
def session_detail(request: HttpRequest, slug: str, code: str) -> dict[str, Any]:
    assembly = get_assembly(slug)
    session = session_for(assembly=assembly, code=code, members=member_caller(request, assembly))
    if session is None:
        raise SessionNotFound()
    return {
        **session_out(session),
        "description": session.description,
        "speakers": list(session.speakers.all()),
        "agenda_items": list(session.agenda_items.all()),
    }


def caller_delegate(request: HttpRequest, assembly: Assembly):
    require_role(request, assembly, Role.DELEGATE)
    return delegate_for(user=request.user, assembly=assembly)


@router.get(
    "/assemblies/{slug}/my-agenda",
    response=list[AgendaEntryOut],
    operation_id="agenda_my_agenda",
    summary="The caller's own agenda (sessions chosen, and tours)",
)
def my_agenda(request: HttpRequest, slug: str) -> list[dict[str, Any]]:
    delegate = caller_delegate(request, get_assembly(slug))
    return [
        {
            "uid": e.uid,
            "title": e.title,
            "starts_at": e.starts_at,
            "ends_at": e.ends_at,
            "location": e.location,
            "url": e.url,
            "category": e.category,
            "cancelled": e.cancelled,
            "session_code": e.session_code,
        }
        for e in personal_entries(delegate)
    ]


def visible_or_404(request: HttpRequest, assembly: Assembly, code: str) -> Session:
    session = session_for(assembly=assembly, code=code, members=True)
    if session is None:
        raise SessionNotFound()
    return session


@router.post(
    "/assemblies/{slug}/my-agenda/{code}",
    response={204: None},
    operation_id="agenda_choose_session",
    summary="Add a session to the caller's agenda",
)
def choose_session(request: HttpRequest, slug: str, code: str) -> Status:
    assembly = get_assembly(slug)
    delegate = caller_delegate(request, assembly)
    services.choose_session(delegate=delegate, session=visible_or_404(request, assembly, code))
    return Status(204, None)


@router.delete(
    "/assemblies/{slug}/my-agenda/{code}",
    response={204: None},
    operation_id="agenda_drop_session",
    summary="Remove a session from the caller's agenda",
)
def drop_session(request: HttpRequest, slug: str, code: str) -> Status:
    assembly = get_assembly(slug)
    delegate = caller_delegate(request, assembly)
    services.drop_session(delegate=delegate, session=visible_or_404(request, assembly, code))
    return Status(204, None)


@router.get(
    "/assemblies/{slug}/feeds",
    response=FeedLinksOut,
    operation_id="agenda_feed_urls",
    auth=public_auth(),
    summary="Calendar feed addresses (https and webcal), with the programme's filters",
)
def feed_urls(request: HttpRequest, slug: str, filters: Query[ProgrammeQuery]) -> dict[str, str]:
    assembly = get_assembly(slug)
    flt = parse_filter(assembly=assembly, params=filters.dict(exclude_none=True))
    return feed_links(
        assembly=assembly, flt=flt, delegate=delegate_for(user=request.user, assembly=assembly)
    )


@router.post(
    "/assemblies/{slug}/feeds/personal/reset",
    response=FeedLinksOut,
    operation_id="agenda_reset_personal_feed",
    summary="New personal feed address; the old one answers 404",
)
def reset_feed(request: HttpRequest, slug: str) -> dict[str, str]:
    assembly = get_assembly(slug)
    delegate = caller_delegate(request, assembly)
    services.reset_personal_feed(delegate=delegate)
    return feed_links(
        assembly=assembly, flt=parse_filter(assembly=assembly, params={}), delegate=delegate
    )
