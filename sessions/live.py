"""Live now/next: the groups the screens listen on and the state they are sent."""

from typing import Any

from django.urls import reverse

from sessions.models import Session


def sessions_group(assembly_id: int, *, members: bool) -> str:
    # Members-only sessions go to a group only members' sockets join.
    return f"agenda.{assembly_id}.{'members' if members else 'public'}"


def session_payload(session: Session) -> dict[str, Any]:
    return {
        "code": session.code,
        "title": session.title,
        "kind": session.kind,
        "kind_label": str(session.get_kind_display()),
        "room": session.room.name,
        "starts_at": session.starts_at.isoformat(),
        "ends_at": session.ends_at.isoformat(),
        "status": session.status,
        "status_label": str(session.get_status_display()),
        "visibility": session.visibility,
        "sequence": session.sequence,
        "url": reverse("agenda:session", args=[session.assembly.slug, session.code]),
    }
