"""Agenda pages: programme, session, speakers, my agenda, now/next, timeline, and the feeds."""

from datetime import UTC, datetime, timedelta
from itertools import groupby

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from assembly.auth import assembly_page
from assembly.errors import DomainError
from assembly.models import Assembly, Role
from assembly.text import quoted
from registration.models import Delegate
from registration.selectors import delegate_for
from sessions import feeds, services
from sessions.calendar import delegate_for_feed_token
from sessions.forms import MoveSessionForm
from sessions.models import Session, SessionKind
from sessions.selectors import (
    chosen_session_ids,
    current_session_ids,
    parse_filter,
    personal_entries,
    programme_days,
    room_clashes,
    rooms_of,
    session_for,
    speaker_clashes,
    speaker_for,
    speakers_of,
    visible_sessions,
    with_details,
)


def member_view(request: HttpRequest) -> bool:
    return bool(request.roles)


def delegate_of(request: HttpRequest, assembly: Assembly) -> Delegate | None:
    if Role.DELEGATE not in request.roles:
        return None
    return delegate_for(user=request.user, assembly=assembly)


def local_day(session: Session) -> datetime:
    return session.starts_at.astimezone(session.assembly.zone).date()


@assembly_page()
def programme(request: HttpRequest, assembly: Assembly) -> HttpResponse:
    flt = parse_filter(assembly=assembly, params=request.GET)
    sessions = list(visible_sessions(assembly=assembly, members=member_view(request), flt=flt))
    delegate = delegate_of(request, assembly)
    days = [(day, list(items)) for day, items in groupby(sessions, key=local_day)]
    return render(
        request,
        "agenda/programme.html",
        {
            "assembly": assembly,
            "days": days,
            "all_days": programme_days(assembly),
            "rooms": rooms_of(assembly),
            "kinds": SessionKind.choices,
            "flt": flt,
            "now_ids": current_session_ids(sessions),
            "chosen_ids": chosen_session_ids(delegate),
            "delegate": delegate,
            "links": feeds.feed_links(assembly=assembly, flt=flt, delegate=delegate),
        },
    )


class LoginFirst(Http404):
    """A members-only session opened while logged out: ask to log in, not "Page not found"."""


def visible_session_or_404(request: HttpRequest, assembly: Assembly, code: str) -> Session:
    session = session_for(assembly=assembly, code=code, members=member_view(request))
    if session is None:
        if not request.user.is_authenticated and session_for(
            assembly=assembly, code=code, members=True
        ):
            raise LoginFirst
        raise Http404(_("No such session."))
    return session


@assembly_page()
def session_detail(request: HttpRequest, assembly: Assembly, code: str) -> HttpResponse:
    try:
        session = visible_session_or_404(request, assembly, code)
    except LoginFirst:
        return redirect_to_login(request.get_full_path())
    delegate = delegate_of(request, assembly)
    return render(
        request,
        "agenda/session_detail.html",
        {
            "assembly": assembly,
            "session": session,
            "delegate": delegate,
            "chosen": session.pk in chosen_session_ids(delegate),
            "is_now": bool(current_session_ids([session])),
        },
    )


@require_safe
@assembly_page()
def session_ics(request: HttpRequest, assembly: Assembly, code: str) -> HttpResponse:
    session = visible_session_or_404(request, assembly, code)
    return feeds.single_session_response(request, session=session)


@assembly_page()
def speaker_list(request: HttpRequest, assembly: Assembly) -> HttpResponse:
    return render(
        request,
        "agenda/speaker_list.html",
        {"assembly": assembly, "speakers": speakers_of(assembly)},
    )


@assembly_page()
def speaker_detail(request: HttpRequest, assembly: Assembly, code: str) -> HttpResponse:
    speaker = speaker_for(assembly=assembly, code=code)
    if speaker is None:
        raise Http404(_("No such speaker."))
    sessions = visible_sessions(assembly=assembly, members=member_view(request)).filter(
        speakers=speaker
    )
    return render(
        request,
        "agenda/speaker_detail.html",
        {"assembly": assembly, "speaker": speaker, "sessions": sessions},
    )


@assembly_page(Role.DELEGATE)
def my_agenda(request: HttpRequest, assembly: Assembly) -> HttpResponse:
    delegate = delegate_of(request, assembly)
    entries = personal_entries(delegate)
    now = timezone.now()
    return render(
        request,
        "agenda/my_agenda.html",
        {
            "assembly": assembly,
            "delegate": delegate,
            "entries": entries,
            "now": now,
            "links": feeds.feed_links(
                assembly=assembly, flt=parse_filter(assembly=assembly, params={}), delegate=delegate
            ),
        },
    )


def back_to(request: HttpRequest, fallback: str) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(fallback)


@require_POST
@assembly_page(Role.DELEGATE)
def choose(request: HttpRequest, assembly: Assembly, code: str) -> HttpResponse:
    session = visible_session_or_404(request, assembly, code)
    try:
        services.choose_session(delegate=delegate_of(request, assembly), session=session)
        messages.success(
            request, _("%(title)s is in your agenda.") % {"title": quoted(session.title)}
        )
    except DomainError as error:
        messages.error(request, error.detail)
    return back_to(request, session_url_path(assembly, code))


@require_POST
@assembly_page(Role.DELEGATE)
def drop(request: HttpRequest, assembly: Assembly, code: str) -> HttpResponse:
    session = visible_session_or_404(request, assembly, code)
    services.drop_session(delegate=delegate_of(request, assembly), session=session)
    messages.success(request, _("%(title)s left your agenda.") % {"title": quoted(session.title)})
    return back_to(request, session_url_path(assembly, code))


def session_url_path(assembly: Assembly, code: str) -> str:
    from django.urls import reverse

    return reverse("agenda:session", args=[assembly.slug, code])


@require_POST
@assembly_page(Role.DELEGATE)
def reset_feed(request: HttpRequest, assembly: Assembly) -> HttpResponse:
    if request.POST.get("confirm") != "yes":
        return render(
            request,
            "registration/confirm.html",
            {
                "assembly": assembly,
                "question": _("Get a new address for your calendar feed?"),
                "consequence": _(
                    "The old address stops working at once: every calendar app that uses it "
                    "must subscribe again."
                ),
                "confirm_label": _("Yes, get a new address"),
                "back_label": _("No, keep the address"),
                "back_url": reverse("agenda:my-agenda", args=[assembly.slug]) + "#feed-heading",
                "action": request.path,
            },
        )
    services.reset_personal_feed(delegate=delegate_of(request, assembly))
    messages.success(
        request,
        _("Your calendar feed has a new address; the old one no longer works. Subscribe again."),
    )
    return redirect("agenda:my-agenda", slug=assembly.slug)


@assembly_page()
def now_next(request: HttpRequest, assembly: Assembly) -> HttpResponse:
    sessions = list(visible_sessions(assembly=assembly, members=member_view(request)))
    now = timezone.now()
    live = [s for s in sessions if not s.is_cancelled]
    current = [s for s in live if s.starts_at <= now < s.ends_at]
    upcoming = [s for s in live if s.starts_at > now][:4]
    return render(
        request,
        "agenda/now_next.html",
        {"assembly": assembly, "current": current, "upcoming": upcoming},
    )


SLOT = timedelta(minutes=15)


@assembly_page(Role.SECRETARIAT)
def timeline(request: HttpRequest, assembly: Assembly) -> HttpResponse:
    flt = parse_filter(assembly=assembly, params=request.GET)
    day = flt.day or (
        assembly.local_today()
        if assembly.start_date <= assembly.local_today() <= assembly.end_date
        else assembly.start_date
    )
    flt = parse_filter(assembly=assembly, params={"day": day.isoformat()})
    sessions = list(with_details(visible_sessions(assembly=assembly, members=True, flt=flt)))
    rooms = list(rooms_of(assembly))
    zone = assembly.zone
    if sessions:
        first = min(s.starts_at for s in sessions).astimezone(zone)
        last = max(s.ends_at for s in sessions).astimezone(zone)
    else:
        first = datetime.combine(day, datetime.min.time(), tzinfo=zone).replace(hour=9)
        last = first.replace(hour=18)
    first = first.replace(minute=0, second=0, microsecond=0)
    slots = []
    moment = first
    while moment < last:
        slots.append(moment)
        # Step in absolute time, as rows are placed: a wall-clock step skips the repeated
        # hour of a DST change.
        moment = (moment.astimezone(UTC) + SLOT).astimezone(zone)
    column = {room.pk: index + 2 for index, room in enumerate(rooms)}
    speakers = speaker_clashes(sessions)
    room_overlaps = room_clashes(sessions)
    blocks = [
        {
            "session": s,
            "column": column[s.room_id],
            "row": int((s.starts_at - first) / SLOT) + 2,
            "span": max(1, round((s.ends_at - s.starts_at) / SLOT)),
            "speaker_clashes": speakers.get(s.pk, []),
            "room_clashes": room_overlaps.get(s.pk, []),
        }
        for s in sessions
    ]
    return render(
        request,
        "agenda/timeline.html",
        {
            "assembly": assembly,
            "day": day,
            "all_days": programme_days(assembly),
            "rooms": rooms,
            "slots": [(index + 2, slot) for index, slot in enumerate(slots)],
            "blocks": blocks,
            "clash_count": sum(1 for b in blocks if b["speaker_clashes"] or b["room_clashes"]),
        },
    )


@assembly_page(Role.SECRETARIAT)
def session_edit(request: HttpRequest, assembly: Assembly, code: str) -> HttpResponse:
    session = session_for(assembly=assembly, code=code, members=True)
    if session is None:
        raise Http404(_("No such session."))
    form = MoveSessionForm(
        request.POST or None, assembly=assembly, initial=MoveSessionForm.initial_for(session)
    )
    if request.method == "POST":
        try:
            if "cancel" in request.POST:
                services.cancel_session(session=session)
                messages.success(request, _("The session is cancelled; delegates are told."))
                return redirect(f"{timeline_path(assembly)}?day={local_day(session)}")
            if form.is_valid():
                starts, ends = form.aware_times()
                moved = services.move_session(
                    session=session, starts_at=starts, ends_at=ends, room=form.cleaned_data["room"]
                )
                messages.success(request, _("The session is moved; delegates are told."))
                return redirect(f"{timeline_path(assembly)}?day={local_day(moved)}")
        except DomainError as error:
            form.add_error(None, error.detail)
    return render(
        request,
        "agenda/session_edit.html",
        {"assembly": assembly, "session": session, "form": form},
        status=422 if request.method == "POST" else 200,
    )


def timeline_path(assembly: Assembly) -> str:
    from django.urls import reverse

    return reverse("agenda:timeline", args=[assembly.slug])


# Feeds


@require_safe
@assembly_page()
def programme_feed(request: HttpRequest, assembly: Assembly) -> HttpResponse:
    """The public programme; a logged-in member's own browser also gets members-only sessions."""
    return feeds.programme_feed_response(request, assembly=assembly, members=member_view(request))


def feed_delegate_or_404(assembly: Assembly, token: str) -> Delegate:
    delegate = delegate_for_feed_token(token)
    if delegate is None or delegate.assembly_id != assembly.pk:
        raise Http404(_("No such calendar feed. It may have been reset."))
    return delegate


@require_safe
@assembly_page()
def members_feed(request: HttpRequest, assembly: Assembly, token: str) -> HttpResponse:
    """The programme with members-only sessions, for a member's calendar app (no login there)."""
    feed_delegate_or_404(assembly, token)
    return feeds.programme_feed_response(request, assembly=assembly, members=True)


@require_safe
@assembly_page()
def personal_feed(request: HttpRequest, assembly: Assembly, token: str) -> HttpResponse:
    delegate = feed_delegate_or_404(assembly, token)
    return feeds.personal_feed_response(request, delegate=delegate)
