"""Calendar feed responses: ETag and Last-Modified from the last change, 304, cached bodies."""

from collections.abc import Callable, Iterable
from datetime import datetime

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, urlencode
from django.utils.translation import gettext as _

from assembly.models import Assembly
from registration.models import Delegate, RegistrationState
from sessions.calendar import (
    CalendarEntry,
    absolute,
    cache_seconds,
    feed_cache,
    feed_etag,
    personal_feed_token,
    render_calendar,
    session_entries,
)
from sessions.models import Session
from sessions.selectors import (
    ProgrammeFilter,
    chosen_sessions,
    confirmed_tours,
    parse_filter,
    personal_entries,
    personal_feed_of,
    programme_stamp,
    tour_entries,
    visible_sessions,
)

CONTENT_TYPE = "text/calendar; charset=utf-8"


def calendar_response(
    request: HttpRequest,
    *,
    assembly: Assembly,
    name: str,
    stamp: tuple[object, ...],
    last_changed: datetime | None,
    entries: Callable[[], Iterable[CalendarEntry]],
    filename: str | None = None,
    private: bool = False,
) -> HttpResponse:
    """Answer 304 when the caller's ETag or date is current; else the (cached) calendar."""
    etag = feed_etag(assembly.pk, assembly.updated_at.timestamp(), *stamp)
    changed = max(filter(None, [last_changed, assembly.updated_at]))
    changed = changed.replace(microsecond=0)
    not_modified = get_conditional_response(
        request, etag=etag, last_modified=int(changed.timestamp())
    )
    if not_modified is not None:
        response = not_modified
    else:
        key = "agenda:feed:" + etag.strip('"')
        seconds = cache_seconds()
        body = feed_cache().get(key) if seconds else None
        if body is None:
            body = render_calendar(assembly=assembly, name=name, entries=entries())
            if seconds:
                feed_cache().set(key, body, seconds)
        response = HttpResponse(body, content_type=CONTENT_TYPE)
        if filename:
            response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["ETag"] = etag
    response["Last-Modified"] = http_date(changed.timestamp())
    # Private feeds (token or login) must not be kept by shared caches; public ones may.
    response["Cache-Control"] = "private, max-age=300" if private else "public, max-age=300"
    response["Vary"] = "Cookie"
    return response


def programme_feed_response(
    request: HttpRequest, *, assembly: Assembly, members: bool
) -> HttpResponse:
    """The programme under the request's filters; members-only sessions only for members."""
    flt = parse_filter(assembly=assembly, params=request.GET)
    sessions = visible_sessions(assembly=assembly, members=members, flt=flt)
    latest, count = programme_stamp(sessions)
    name = assembly.name if flt.is_empty else f"{assembly.name} ({_('selection')})"
    return calendar_response(
        request,
        assembly=assembly,
        name=name,
        stamp=("programme", members, sorted(flt.query().items()), latest, count),
        last_changed=latest,
        entries=lambda: session_entries(sessions),
        private=members,
    )


def personal_stamp(delegate: Delegate) -> tuple[tuple[object, ...], datetime | None]:
    """What the personal feed's ETag depends on: the token version, the delegate's choices and
    the chosen entries' last changes (add a source here when personal_entries gains one)."""
    # The token lookup already holds the feed row; pages fetch (or create) it.
    feed = getattr(delegate, "_feed", None) or personal_feed_of(delegate)
    latest, count = programme_stamp(chosen_sessions(delegate))
    # Each tour event's revision and what it shows: a renamed tour changes the ETag as a
    # moved one does.
    entries = tour_entries(delegate, confirmed_tours(delegate))
    tour_stamp = tuple(entry.cache_key for entry in entries)
    tour_changes = [entry.changed_at for entry in entries]
    last = max(filter(None, [latest, feed.agenda_changed_at, *tour_changes]))
    stamp = ("personal", delegate.pk, feed.version, feed.agenda_changed_at, latest, count)
    return (*stamp, tour_stamp), last


def personal_feed_response(request: HttpRequest, *, delegate: Delegate) -> HttpResponse:
    stamp, last = personal_stamp(delegate)
    assembly = delegate.assembly

    def entries() -> list[CalendarEntry]:
        return personal_entries(delegate)

    return calendar_response(
        request,
        assembly=assembly,
        name=_("%(assembly)s: my agenda") % {"assembly": assembly.name},
        stamp=stamp,
        last_changed=last,
        entries=entries,
        private=True,
    )


def single_session_response(request: HttpRequest, *, session: Session) -> HttpResponse:
    sessions = Session.objects.filter(pk=session.pk)
    latest, _count = programme_stamp(sessions)
    return calendar_response(
        request,
        assembly=session.assembly,
        name=session.title,
        stamp=("session", session.pk, session.sequence, latest),
        last_changed=latest,
        entries=lambda: session_entries(sessions),
        filename=f"{session.code}.ics",
        private=session.is_members_only,
    )


def webcal(url: str) -> str:
    """The same address for calendar apps: webcal:// subscribes instead of downloading."""
    return "webcal://" + url.split("://", 1)[1]


def feed_links(
    *, assembly: Assembly, flt: ProgrammeFilter, delegate: Delegate | None
) -> dict[str, str]:
    """Every feed address a visitor may subscribe to, with the programme filter applied."""
    query = urlencode(flt.query())
    suffix = f"?{query}" if query else ""
    public = absolute(reverse("agenda:programme-feed", args=[assembly.slug])) + suffix
    links = {"public": public, "public_webcal": webcal(public)}
    # The other feeds answer only for an approved delegate (delegate_for_feed_token).
    if delegate is not None and delegate.state == RegistrationState.APPROVED:
        token = personal_feed_token(personal_feed_of(delegate))
        members = absolute(reverse("agenda:members-feed", args=[assembly.slug, token])) + suffix
        personal = absolute(reverse("agenda:personal-feed", args=[assembly.slug, token]))
        links |= {
            "members": members,
            "members_webcal": webcal(members),
            "personal": personal,
            "personal_webcal": webcal(personal),
        }
    return links
