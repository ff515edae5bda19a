"""Pages of the voting app: ballot, chair console, results, presence, PDFs, the live room."""

import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from assembly.auth import assembly_page
from assembly.errors import DomainError, InvalidInput
from assembly.live import next_sequence
from assembly.models import Assembly, Role
from assembly.pagination import back_to_listing
from assembly.selectors import has_any_role, roles_for
from assembly.text import quoted
from registration.models import Delegate
from voting import kept_receipts, live, services
from voting.errors import AlreadyVoted, PollNotOpen
from voting.live import HEARTBEAT_SECONDS, projector_link_valid
from voting.models import Motion, Poll, PollKind, PollState
from voting.presence import set_online_presence
from voting.selectors import (
    PRESENCE_STATES,
    Route,
    accredited_delegates_found,
    assembly_quorum,
    can_see_results,
    members_voted,
    not_a_voter_reason,
    offered_candidates,
    offered_seats,
    open_polls,
    poll_mode,
    poll_options,
    poll_question,
    polls_for,
    result_lines,
    roll_call,
    runoff_due,
    seconds_left,
    voter_for,
    voting_routes,
    with_candidates,
    with_live_turnout,
)

RUNS_POLLS = (Role.CHAIR, Role.SECRETARIAT)
ANY_ROLE = (Role.CHAIR, Role.SECRETARIAT, Role.DESK, Role.DELEGATE)


def _poll_or_none(assembly: Assembly, poll_id: int) -> Poll | None:
    return polls_for(assembly).filter(pk=poll_id).first()


def _not_found(request: HttpRequest) -> HttpResponse:
    return render(request, "errors/message.html", {"message": _("No such poll.")}, status=404)


def _refused(request: HttpRequest, message: str, status: int = 403) -> HttpResponse:
    return render(request, "errors/message.html", {"message": message}, status=status)


# --- the delegate's ballot ---------------------------------------------------------------------


def _ballot_state(
    poll: Poll, delegate: Delegate, *, error: str = "", ticked: list[str] | None = None
) -> dict[str, Any]:
    """One poll's card: whom the delegate votes for, the choices, and a refused choice (its
    message and the ticks to keep)."""
    routes = voting_routes(delegate=delegate, poll=poll)
    # A show of hands has no electronic ballot: the card only says so.
    by_hand = poll.kind == PollKind.HAND
    voted = set() if by_hand else members_voted(poll, [r.member.pk for r in routes])
    electronic = [] if by_hand else routes
    return {
        "poll": poll,
        "routes": routes,
        "by_hand": by_hand,
        "no_vote": None if routes else not_a_voter_reason(delegate=delegate, body=poll.motion.body),
        "to_vote": [r for r in electronic if r.member.pk not in voted and not r.blocked],
        "blocked": [r for r in electronic if r.member.pk not in voted and r.blocked],
        "voted": [r for r in electronic if r.member.pk in voted],
        "options": poll_options(poll),
        "question": poll_question(poll),
        "multi": _is_multi_seat(poll),
        "seconds_left": seconds_left(poll),
        "error": error,
        "ticked": ticked or [],
    }


def _is_multi_seat(poll: Poll) -> bool:
    return poll.seats > 1 and poll_mode(poll) == "candidates"


@dataclass(frozen=True)
class RefusedChoice:
    """A choice the confirm step refused: shown again beside its ballot, ticks kept."""

    poll_id: int
    error: str
    ticked: list[str]


def _ballot_card(
    request: HttpRequest, poll: Poll, delegate: Delegate, refused: RefusedChoice | None = None
) -> dict[str, Any] | None:
    """The poll's card if the delegate has one (a vote, or a reason why not)."""
    mine = refused if refused and refused.poll_id == poll.pk else None
    card = _ballot_state(
        poll, delegate, error=mine.error if mine else "", ticked=mine.ticked if mine else None
    )
    if not (card["routes"] or card["no_vote"]):
        return None
    card["receipt_kept"] = bool(card["voted"]) and kept_receipts.has_kept(request, poll_id=poll.pk)
    return card


def _ballot_page(
    request: HttpRequest,
    assembly: Assembly,
    delegate: Delegate,
    refused: RefusedChoice | None = None,
) -> HttpResponse:
    """The phone ballot: every open poll's card, one of them with its refused choice."""
    cards = (_ballot_card(request, poll, delegate, refused) for poll in open_polls(assembly))
    polls = [card for card in cards if card is not None]
    if refused and not any(p["poll"].pk == refused.poll_id for p in polls):
        messages.error(request, refused.error)  # its card is gone (the poll closed meanwhile)
    return render(
        request,
        "voting/ballot.html",
        {"assembly": assembly, "delegate": delegate, "polls": polls, **_live_context(assembly)},
    )


@assembly_page(Role.DELEGATE)
def ballot(request: HttpRequest, assembly: Assembly) -> HttpResponse:
    """The open polls this delegate votes in, question and choices first."""
    delegate = voter_for(user=request.user, assembly=assembly)
    if delegate is None:
        return _refused(request, _("Only an approved delegate who is not desk staff can vote."))
    return _ballot_page(request, assembly, delegate)


def _counted_meanwhile(
    routes: list[Route], shown: list[str], receipts: list[services.Receipt]
) -> list[str]:
    """Members the confirm page showed the voter would vote for, whose ballot another voter
    cast first (their own delegate arrived meanwhile): this voter's ballot skipped them."""
    cast = {receipt.member for receipt in receipts}
    return [
        route.member.name
        for route in routes
        if str(route.member.pk) in shown and route.member.name not in cast
    ]


# The confirm forms this session sent and had counted, newest last: a reload of the receipt
# (the browser sends the form again) shows the receipt page, not "already counted".
SENT_FORMS = "voting_sent_forms"
SENT_FORMS_KEPT = 20


def _form_sent_before(request: HttpRequest, form: str) -> bool:
    return bool(form) and form in request.session.get(SENT_FORMS, [])


def _remember_form_sent(request: HttpRequest, form: str) -> None:
    if form:
        request.session[SENT_FORMS] = [*request.session.get(SENT_FORMS, []), form][
            -SENT_FORMS_KEPT:
        ]


def _not_counted(assembly: Assembly, poll: Poll) -> str:
    """A refused ballot in words: the vote was not counted, and when the poll closed."""
    poll.refresh_from_db(fields=["state", "closed_at", "closes_at"])
    closed_at = poll.closed_at or poll.closes_at
    if poll.state == PollState.DRAFT or closed_at is None or closed_at > timezone.now():
        return _("Your vote was not counted: the poll is not open.")
    return _("Your vote was not counted: the poll closed at %(time)s.") % {
        "time": timezone.localtime(closed_at, assembly.zone).strftime("%H:%M")
    }


def _refuse_hand_poll(request: HttpRequest, assembly: Assembly) -> HttpResponse:
    messages.error(request, _("Vote by show of hands in the room: this poll has no ballot."))
    return redirect("voting-ballot", slug=assembly.slug)


@assembly_page(Role.DELEGATE)
def confirm(request: HttpRequest, assembly: Assembly, poll_id: int) -> HttpResponse:
    """Second tap: the choice repeated in words, then the ballot is cast. Both by POST: a
    choice in the address would sit in the browser's history and the proxies' logs."""
    delegate = voter_for(user=request.user, assembly=assembly)
    poll = _poll_or_none(assembly, poll_id)
    if delegate is None or poll is None:
        return _not_found(request)
    if poll.kind == PollKind.HAND:
        return _refuse_hand_poll(request, assembly)
    if request.method != "POST":
        return redirect("voting-ballot", slug=assembly.slug)
    if "form" in request.POST:  # only the confirm page's form carries one
        return _cast(request, assembly, poll, delegate)
    return _review(request, assembly, poll, delegate)


def _chosen(request: HttpRequest) -> list[str]:
    return request.POST.getlist("choice")


def _review(
    request: HttpRequest, assembly: Assembly, poll: Poll, delegate: Delegate
) -> HttpResponse:
    """The confirm page for the choice sent, or the ballot again with the ticks and the refusal
    beside its poll."""
    options = poll_options(poll)
    try:
        choices = services.clean_choices(poll=poll, choices=_chosen(request), options=options)
    except DomainError as error:
        words = _choice_refusal(poll, _chosen(request), error)
        refused = RefusedChoice(poll_id=poll.pk, error=words, ticked=_chosen(request))
        return _ballot_page(request, assembly, delegate, refused)
    labels = {o["value"]: o["label"] for o in options}
    response = render(
        request,
        "voting/confirm.html",
        {
            "assembly": assembly,
            "choices": choices,
            "words": [labels[c] for c in choices],
            "form": secrets.token_urlsafe(16),
            "closed": services.voting_time_over(poll, timezone.now()),
            **_ballot_state(poll, delegate),
            **_live_context(assembly),
        },
    )
    # The browser holds the key to its kept receipt codes before Confirm can be sent.
    key = kept_receipts.browser_key(request) or kept_receipts.new_key()
    kept_receipts.give_key(response, key=key, path=_voting_path(assembly))
    return response


def _voting_path(assembly: Assembly) -> str:
    return reverse("voting-ballot", args=[assembly.slug])


def _choice_refusal(poll: Poll, choices: list[str], error: DomainError) -> str:
    """A refused choice in the ballot's own words: an election asks for candidates or Abstain."""
    if not (_is_multi_seat(poll) and isinstance(error, InvalidInput)):
        return error.detail
    wanted = ngettext(
        "Choose up to %(n)d candidate, or Abstain.",
        "Choose up to %(n)d candidates, or Abstain.",
        poll.seats,
    ) % {"n": poll.seats}
    ticked = len([c for c in choices if c != "abstain"])
    if ticked <= poll.seats:
        return wanted
    return " ".join(
        [
            ngettext("You ticked %(n)d candidate.", "You ticked %(n)d candidates.", ticked)
            % {"n": ticked},
            wanted,
        ]
    )


def _cast(request: HttpRequest, assembly: Assembly, poll: Poll, delegate: Delegate) -> HttpResponse:
    """The ballot cast from the confirm page; a Confirm sent again (a double tap, a reload, a
    retry after a lost answer) shows the receipt codes this browser was given meanwhile."""
    form = request.POST.get("form", "")
    if _form_sent_before(request, form) or kept_receipts.form_kept(
        request, poll_id=poll.pk, form=form
    ):
        return _receipt_again(request, assembly, poll, delegate)
    if not kept_receipts.start_sending(request, form=form):
        kept_receipts.wait_while_sending(request, form=form)  # the first one is being counted
        return _receipt_again(request, assembly, poll, delegate)
    routes = voting_routes(delegate=delegate, poll=poll)
    key = kept_receipts.browser_key(request) or kept_receipts.new_key()
    try:
        receipts = services.cast_ballots(poll=poll, delegate=delegate, choices=_chosen(request))
        kept_receipts.keep(request, poll_id=poll.pk, form=form, key=key, receipts=receipts)
    except PollNotOpen:
        messages.error(request, _not_counted(assembly, poll))
        return redirect("voting-ballot", slug=assembly.slug)
    except AlreadyVoted as error:
        if kept_receipts.kept_codes(request, poll_id=poll.pk):
            # Back on a confirm page after a lost answer, or a second try: the first stands.
            return _receipt_again(request, assembly, poll, delegate, refused=error.detail)
        messages.error(request, error.detail)
        return redirect("voting-ballot", slug=assembly.slug)
    except DomainError as error:
        messages.error(request, error.detail)
        return redirect("voting-ballot", slug=assembly.slug)
    finally:
        kept_receipts.done_sending(request, form=form)
    _remember_form_sent(request, form)
    response = render(
        request,
        "voting/receipt.html",
        {
            "assembly": assembly,
            "poll": poll,
            "receipts": [r.__dict__ for r in receipts],
            "kept_minutes": kept_receipts.KEPT_SECONDS // 60,
            "counted_meanwhile": _counted_meanwhile(
                routes, request.POST.getlist("shown"), receipts
            ),
        },
    )
    kept_receipts.give_key(response, key=key, path=_voting_path(assembly))
    return response


def _receipt_again(
    request: HttpRequest, assembly: Assembly, poll: Poll, delegate: Delegate, refused: str = ""
) -> HttpResponse:
    """Which members' ballots are counted, with the codes this browser was given in the last
    few minutes (kept sealed for it alone; after that they are gone); `refused` says why a
    further ballot was not."""
    return render(
        request,
        "voting/receipt.html",
        {
            "assembly": assembly,
            "receipts": kept_receipts.kept_codes(request, poll_id=poll.pk),
            "kept_minutes": kept_receipts.KEPT_SECONDS // 60,
            "refused": refused,
            **_ballot_state(poll, delegate),
        },
    )


@assembly_page(Role.DELEGATE)
def receipt(request: HttpRequest, assembly: Assembly, poll_id: int) -> HttpResponse:
    """After a reload: which members' ballots are counted, and the codes while still kept."""
    delegate = voter_for(user=request.user, assembly=assembly)
    poll = _poll_or_none(assembly, poll_id)
    if poll is None or delegate is None:
        return _not_found(request)
    return _receipt_again(request, assembly, poll, delegate)


@require_POST
@assembly_page(Role.DELEGATE)
def online_checkin(request: HttpRequest, assembly: Assembly) -> HttpResponse:
    """An online delegate says they are present (when the assembly allows self check-in)."""
    delegate = voter_for(user=request.user, assembly=assembly)
    if delegate is None or not settings.VOTING_SELF_ONLINE_CHECKIN:
        return _refused(request, _("Ask the secretariat to confirm your online presence."))
    present = request.POST.get("present") == "1"
    set_online_presence(delegate=delegate, present=present, at=timezone.now(), by=request.user)
    messages.success(
        request,
        _("You are marked present online.") if present else _("You are marked as not present."),
    )
    return redirect("delegate-home", slug=assembly.slug)


# --- chair console -----------------------------------------------------------------------------


@assembly_page(*RUNS_POLLS)
def console(request: HttpRequest, assembly: Assembly) -> HttpResponse:
    """Quorum, then every poll with the one action it can take next."""
    services.close_due_polls(assembly=assembly)
    polls = list(with_candidates(polls_for(assembly)).prefetch_related("runoffs"))
    quorum = assembly_quorum(assembly)
    reached = {q["body"]: q["reached"] for q in quorum}
    empty = {q["body"] for q in quorum if not q["eligible"]}
    rows = [
        {
            "poll": with_live_turnout(poll),
            "options": [
                {**o, "entered": (poll.hand_counts.get("counts") or {}).get(o["value"], "")}
                for o in poll_options(poll)
            ]
            if poll.kind == PollKind.HAND
            else [],
            "result": result_lines(poll),
            "seconds_left": seconds_left(poll),
            "runoff_due": runoff_due(poll),
            "offer": _draft_offer(poll) if poll.state == PollState.DRAFT else None,
            "most_ballots": services.most_hand_ballots(poll),
            # Without quorum the chair opens only with a written reason; with it, one button.
            "needs_reason": not reached.get(poll.motion.body.code, False),
            "no_electorate": poll.motion.body.code in empty,
        }
        for poll in polls
    ]
    return render(
        request,
        "voting/console.html",
        {
            "assembly": assembly,
            "quorum": quorum,
            "rows": console_order(rows),
            "motions": Motion.objects.filter(assembly=assembly).select_related("body"),
            "poll_kinds": PollKind.choices,
            "is_chair": Role.CHAIR in request.roles,
            "is_secretariat": Role.SECRETARIAT in request.roles,
            "debug_demo": settings.DEBUG and assembly.is_demo,
            **_live_context(assembly),
        },
    )


def _draft_offer(poll: Poll) -> dict[str, Any]:
    """What a draft will offer when it opens (a first round: the motion as it is now)."""
    return {"seats": offered_seats(poll), "candidates": offered_candidates(poll)}


# What the chair acts on comes first: open polls, then closed ones to count or publish, drafts.
CONSOLE_ORDER = {PollState.OPEN: 0, PollState.CLOSED: 1, PollState.DRAFT: 2}


def console_order(rows: list[dict]) -> dict[str, list[dict]]:
    """Rows still to act on, by state; published results (nothing left to do) apart."""
    current, done = [], []
    for row in rows:
        finished = row["poll"].state == PollState.PUBLISHED and not row["runoff_due"]
        (done if finished else current).append(row)
    current.sort(key=lambda row: CONSOLE_ORDER.get(row["poll"].state, len(CONSOLE_ORDER)))
    return {"current": current, "published": done}


def _opened_message(assembly: Assembly, poll: Poll) -> str:
    """The chair's confirmation, naming the other polls still open: two ballots are live."""
    others = [other.motion.title for other in open_polls(assembly).exclude(pk=poll.pk)]
    if not others:
        return _("The poll is open.")
    # Quoted, with no full stop after them: a title ending in its own "." read "..".
    titles = ", ".join(quoted(title) for title in others)
    return _("The poll is open. Also open: %(titles)s") % {"titles": titles}


@require_POST
@assembly_page(*RUNS_POLLS)
def console_action(
    request: HttpRequest, assembly: Assembly, poll_id: int, action: str
) -> HttpResponse:
    """One chair or secretariat action on a poll: one service call, then back to the console."""
    poll = _poll_or_none(assembly, poll_id)
    if poll is None:
        return _not_found(request)
    roles = request.roles
    try:
        if action == "open":
            services.open_poll(
                poll=poll, by=request.user, override_reason=request.POST.get("override_reason", "")
            )
            messages.success(request, _opened_message(assembly, poll))
        elif action == "close":
            services.close_poll(poll=poll, by=request.user)
            messages.success(request, _("The poll is closed."))
        elif action == "publish":
            services.publish_poll(poll=poll, by=request.user)
            messages.success(request, _("The result is published."))
        elif action == "runoff":
            services.create_runoff(poll=poll)
            messages.success(request, _("The runoff is ready as a draft."))
        elif action == "discard":
            if poll.state == PollState.DRAFT and request.POST.get("confirmed") != "yes":
                # The confirm step: what would go, and one more button.
                return render(
                    request,
                    "voting/discard_draft.html",
                    {"assembly": assembly, "poll": poll, "offer": _draft_offer(poll)},
                )
            services.discard_draft(poll=poll, by=request.user)
            messages.success(request, _("The draft poll is discarded."))
            return redirect("voting-console", slug=assembly.slug)
        elif action == "counts" and Role.SECRETARIAT in roles:
            counts = {
                o["value"]: _whole_number(request.POST.get(f"count_{o['value']}"))
                for o in poll_options(poll)
            }
            ballots = _whole_number(request.POST.get("ballots"))
            if ballots is None or None in counts.values():
                raise InvalidInput(_("Enter each count and the ballots as a whole number."))
            services.enter_hand_counts(poll=poll, by=request.user, counts=counts, ballots=ballots)
            messages.success(request, _("Counts entered: the chair confirms them next."))
        elif action == "confirm" and Role.CHAIR in roles:
            services.confirm_hand_counts(poll=poll, by=request.user)
            messages.success(request, _("Counts confirmed."))
        else:
            return _refused(request, _("Your role does not allow this."))
    except DomainError as error:
        messages.error(request, error.detail)
    return redirect(reverse("voting-console", args=[assembly.slug]) + f"#poll-{poll.pk}")


def _int(value: str | None) -> int:
    """A form's whole number; -1 for text or one beyond what a database column holds."""
    number = _whole_number(value)
    return -1 if number is None else number


def _whole_number(value: str | None) -> int | None:
    """A form's whole number (empty is 0); None for text or one no database column holds."""
    try:
        number = int(value or 0)
    except ValueError:
        return None
    return number if -(2**63) <= number < 2**63 else None


@require_POST
@assembly_page(*RUNS_POLLS)
def create_poll(request: HttpRequest, assembly: Assembly) -> HttpResponse:
    motion = Motion.objects.filter(assembly=assembly, pk=_int(request.POST.get("motion"))).first()
    if motion is None:
        messages.error(request, _("Choose a motion."))
        return redirect("voting-console", slug=assembly.slug)
    try:
        # Empty (or 0) is no scheduled close; anything else the service checks, text included.
        close_after = _int(request.POST.get("close_after_seconds")) or None
        poll = services.create_poll(
            motion=motion,
            kind=request.POST.get("kind", ""),
            min_open_seconds=_int(request.POST.get("min_open_seconds")),
            close_after_seconds=close_after,
        )
        messages.success(request, _("Draft poll created."))
        return redirect(reverse("voting-console", args=[assembly.slug]) + f"#poll-{poll.pk}")
    except DomainError as error:
        messages.error(request, error.detail)
        return redirect("voting-console", slug=assembly.slug)


# --- results and receipts ----------------------------------------------------------------------


@assembly_page()
def results(request: HttpRequest, assembly: Assembly, poll_id: int) -> HttpResponse:
    """Bars, base, threshold and the outcome in words; public once published."""
    poll = _poll_or_none(assembly, poll_id)
    if poll is None:
        return _not_found(request)
    if not can_see_results(poll=poll, roles=request.roles):
        return _refused(request, _("The results of this poll are not published yet."))
    return render(
        request,
        "voting/results.html",
        {
            "assembly": assembly,
            "poll": poll,
            "lines": result_lines(poll),
            "roll_call": roll_call(poll),
        },
    )


@assembly_page()
def published(request: HttpRequest, assembly: Assembly) -> HttpResponse:
    """Every published poll of the assembly, with links to results and receipts."""
    polls = polls_for(assembly).filter(state=PollState.PUBLISHED)
    return render(
        request,
        "voting/published.html",
        {"assembly": assembly, "rows": [{"poll": p, "lines": result_lines(p)} for p in polls]},
    )


def _pdf(html: str, filename: str) -> HttpResponse:
    from weasyprint import HTML

    from badges.pdf_render import one_drawing_at_a_time

    with one_drawing_at_a_time():  # Pango is not safe to draw with from two threads at once
        data = HTML(string=html, base_url=settings.SITE_URL).write_pdf()
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@assembly_page()
def results_pdf(request: HttpRequest, assembly: Assembly, poll_id: int) -> HttpResponse:
    """One sheet for one poll."""
    poll = _poll_or_none(assembly, poll_id)
    if poll is None:
        return _not_found(request)
    if not can_see_results(poll=poll, roles=request.roles):
        return _refused(request, _("The results of this poll are not published yet."))
    html = render_to_string(
        "voting/pdf_results.html",
        {"assembly": assembly, "rows": [_sheet_row(poll)]},
        request=request,
    )
    return _pdf(html, f"{assembly.slug}-poll-{poll.pk}.pdf")


def _sheet_row(poll: Poll) -> dict[str, Any]:
    """A poll's sheet: the result in words and, for roll-call polls, who voted what."""
    return {"poll": poll, "lines": result_lines(poll), "roll_call": roll_call(poll)}


@assembly_page(*RUNS_POLLS)
def minutes_pdf(request: HttpRequest, assembly: Assembly) -> HttpResponse:
    """The session's minutes: each closed poll with quorum at open and close and its result."""
    polls = polls_for(assembly).filter(state__in=[PollState.CLOSED, PollState.PUBLISHED])
    html = render_to_string(
        "voting/pdf_minutes.html",
        {
            "assembly": assembly,
            "rows": [_sheet_row(p) for p in polls],
            "generated": timezone.now(),
        },
        request=request,
    )
    return _pdf(html, f"{assembly.slug}-minutes.pdf")


# --- proxies and presence (secretariat) --------------------------------------------------------


PRESENCE_PAGE_SIZE = 100  # delegates, one table row each
PRESENCE_LISTING = ("q", "presence", "page")  # what a saved row returns to


@assembly_page(Role.SECRETARIAT)
def presence(request: HttpRequest, assembly: Assembly) -> HttpResponse:
    """Counts first, then one page of compact rows found by name and presence: who is in the
    hall or online; confirm online presence and come back to the same page."""
    if request.method == "POST":
        delegate = Delegate.objects.filter(
            assembly=assembly, pk=_int(request.POST.get("delegate"))
        ).first()
        if delegate is not None:
            set_online_presence(
                delegate=delegate,
                present=request.POST.get("present") == "1",
                at=timezone.now(),
                by=request.user,
            )
            messages.success(request, _("Online presence saved for %(name)s.") % {"name": delegate})
        url = reverse("voting-presence", kwargs={"slug": assembly.slug})
        return back_to_listing(request, url, PRESENCE_LISTING)
    search = (request.GET.get("q") or "").strip()
    state = request.GET.get("presence") or ""
    state = state if state in PRESENCE_STATES else ""
    delegates = accredited_delegates_found(
        assembly=assembly, search=search or None, presence=state or None
    )
    page = Paginator(delegates, PRESENCE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "voting/presence.html",
        {
            "assembly": assembly,
            "quorum": assembly_quorum(assembly),
            "delegates": page.object_list,
            "page_obj": page,
            "selected": {"q": search, "presence": state},
        },
    )


# --- the live room -----------------------------------------------------------------------------


def _room_audience(request: HttpRequest, slug: str) -> tuple[Assembly | None, frozenset, bool]:
    assembly = Assembly.objects.filter(slug=slug).first()
    if assembly is None:
        return None, frozenset(), False
    token = request.GET.get("projector", "")
    return (
        assembly,
        roles_for(user=request.user, assembly=assembly),
        projector_link_valid(assembly=assembly, token=token),
    )


@require_GET
def room_snapshot_json(request: HttpRequest, slug: str) -> HttpResponse:
    """The room's snapshot for networks that block websockets: the socket's first message."""
    assembly, roles, projector = _room_audience(request, slug)
    if assembly is None:
        return JsonResponse({"code": "not_found", "detail": _("No such assembly.")}, status=404)
    if not (roles or projector):
        return JsonResponse({"code": "forbidden", "detail": _("No access.")}, status=403)
    if "display" in request.GET:
        roles = frozenset()
    seq = next_sequence()
    response = JsonResponse(
        {"type": "snapshot", "seq": seq, "payload": live.room_snapshot(assembly, roles)}
    )
    response["Cache-Control"] = "no-store"
    return response


def _live_context(assembly: Assembly, token: str = "", display: bool = False) -> dict[str, Any]:
    query = "?display=1" if display else ""
    if token:
        query += f"&projector={token}" if query else f"?projector={token}"
    return {
        "live_labels": live.live_labels(),
        "live_config": {
            "socket": f"/ws/a/{assembly.slug}/room/{query}",
            "snapshot": reverse("voting-room-json", args=[assembly.slug]) + query,
            # Countdowns run on the server's clock; a socket silent this long is dead.
            "server_now": timezone.now().isoformat(),
            "heartbeat_seconds": HEARTBEAT_SECONDS,
        },
    }


@require_GET
def projector(request: HttpRequest, slug: str) -> HttpResponse:
    """The hall's screen: a chair or secretariat session, or a signed display-only link."""
    assembly, roles, by_link = _room_audience(request, slug)
    if assembly is None:
        return _refused(request, _("No such assembly."), status=404)
    if not by_link and not has_any_role(roles, set(RUNS_POLLS)):
        if not request.user.is_authenticated and not request.GET.get("projector"):
            return redirect_to_login(request.get_full_path())
        return _refused(request, _("This projector link is not valid (expired or replaced)."))
    token = request.GET.get("projector", "") if by_link else ""
    return render(
        request,
        "voting/projector.html",
        {
            "assembly": assembly,
            "snapshot": {
                "type": "snapshot",
                "seq": next_sequence(),
                "payload": live.room_snapshot(assembly, frozenset()),
            },
            **_live_context(assembly, token, display=True),
        },
    )


@assembly_page(*RUNS_POLLS)
def projector_link(request: HttpRequest, assembly: Assembly) -> HttpResponse:
    """Create a projector link; creating one revokes every earlier link (rotation)."""
    link = None
    if request.method == "POST":
        token = live.rotate_projector_links(assembly=assembly, by=request.user)
        link = request.build_absolute_uri(
            reverse("voting-projector", args=[assembly.slug]) + f"?projector={token}"
        )
    return render(
        request,
        "voting/projector_link.html",
        {"assembly": assembly, "link": link, "hours": settings.VOTING_PROJECTOR_LINK_HOURS},
    )


@assembly_page(Role.DELEGATE)
def ballot_card(request: HttpRequest, assembly: Assembly, poll_id: int) -> HttpResponse:
    """One open poll's ballot, inserted by the phone page when the chair opens it."""
    delegate = voter_for(user=request.user, assembly=assembly)
    poll = open_polls(assembly).filter(pk=poll_id).first()
    if delegate is None or poll is None:
        return HttpResponse(status=204)
    card = _ballot_card(request, poll, delegate)
    if card is None:
        return HttpResponse(status=204)
    return render(request, "voting/_ballot_card.html", {"assembly": assembly, "p": card})


# --- demo: the simulation inside the server (DEBUG only) ---------------------------------------


def _start_simulation(assembly: Assembly, source: Any) -> str:
    from voting.simulation import Simulation, SimulationError, start_in_server

    try:
        simulation = Simulation(
            assembly=assembly,
            motion=source.get("motion") or None,
            seconds=min(600.0, max(0.0, float(source.get("seconds") or 60))),
            turnout=min(1.0, max(0.0, float(source.get("turnout") or 0.9))),
            keep_open=bool(source.get("keep_open")),
            seed=int(source["seed"]) if source.get("seed") else None,
        )
    except (SimulationError, ValueError) as error:
        raise InvalidInput(str(error)) from None
    start_in_server(simulation)
    return _("Simulating poll %(poll)d: %(title)s") % {
        "poll": simulation.poll.pk,
        "title": simulation.poll.motion.title,
    }


@require_POST
@assembly_page(*RUNS_POLLS)
def simulate(request: HttpRequest, assembly: Assembly) -> HttpResponse:
    """Demo only: the chair console's button runs the simulation inside this server."""
    from voting.simulation import NOT_THE_DEMO

    if not settings.DEBUG:
        return _not_found(request)
    if not assembly.is_demo:
        return _refused(request, _(NOT_THE_DEMO))
    try:
        messages.success(request, _start_simulation(assembly, request.POST))
    except DomainError as error:
        messages.error(request, error.detail)
    return redirect("voting-console", slug=assembly.slug)


@csrf_exempt
@require_POST
def simulate_remote(request: HttpRequest, slug: str) -> HttpResponse:
    """Demo only: `simulate_voting --url` starts the simulation here with a signed token."""
    from voting.simulation import NOT_THE_DEMO, remote_token_valid

    assembly = Assembly.objects.filter(slug=slug).first()
    if not settings.DEBUG or assembly is None:
        return HttpResponse(status=404)
    if not assembly.is_demo:
        return HttpResponse(_(NOT_THE_DEMO), status=403)
    if not remote_token_valid(assembly=assembly, token=request.POST.get("token", "")):
        return HttpResponse(_("Invalid or expired token."), status=403)
    try:
        return HttpResponse(_start_simulation(assembly, request.POST))
    except DomainError as error:
        return HttpResponse(error.detail, status=400)
