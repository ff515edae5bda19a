"""Writes of the voting app: bodies, motions, polls and their states, ballots, counts, proxies."""

import json
import logging
import random
import secrets
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, connection, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from assembly.errors import Forbidden, InvalidInput, NotFound
from assembly.live import assembly_group, broadcast_on_commit
from assembly.models import Assembly, MemberOrganization, Role
from assembly.rows import fetch
from assembly.selectors import roles_for
from registration.models import Accreditation, AccreditationKind, Delegate
from sessions.models import AgendaItem
from voting.audit import (
    INSERT_PENDING,
    append_audit,
    audit_head,
    body_prefix,
    link_after_commit,
)
from voting.closer import wake_poll_closer_on_commit
from voting.errors import (
    AlreadyVoted,
    CountsNotConfirmed,
    DraftExists,
    EmptyElectorate,
    InvalidChoice,
    NoQuorum,
    NotPresent,
    NotRepresented,
    PollNotOpen,
    ProxiesLocked,
    ProxyLimit,
    ProxyRefused,
    SameCounter,
    TooEarly,
    TooManyChoices,
    WrongPollState,
)
from voting.live import poll_payload, publish_turnout
from voting.models import (
    Ballot,
    BodyKind,
    BodySeat,
    Candidate,
    GoverningBody,
    Motion,
    MotionKind,
    Poll,
    PollKind,
    PollState,
    Proxy,
    ProxyState,
    VoteCast,
)
from voting.presence import recount_quorum, refresh_member_presence
from voting.proxies import refuse_member_without_vote
from voting.selectors import (
    BallotReads,
    Route,
    ballot_poll,
    ballots_by_poll,
    electorate_fingerprint,
    members_voted,
    not_a_voter_reason,
    offered_candidates,
    offered_seats,
    poll_candidate_ids,
    poll_mode,
    quorum_snapshot,
    result_lines,
    voting_routes,
)
from voting.verify import ballot_hash, receipt_hash, result_for_poll

logger = logging.getLogger(__name__)
RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud, typed back


# --- bodies and motions ------------------------------------------------------------------------


def create_body(
    *,
    assembly: Assembly,
    code: str,
    name: str,
    kind: str,
    description: str = "",
    members: list[MemberOrganization] | None = None,
    presence_required: bool = True,
) -> GoverningBody:
    """Create a governing body (with its listed members) and count its quorum."""
    with transaction.atomic():
        body = GoverningBody.objects.create(
            assembly=assembly,
            code=code,
            name=name,
            kind=kind,
            description=description,
            presence_required=presence_required,
        )
        if kind == BodyKind.LISTED:
            BodySeat.objects.bulk_create(BodySeat(body=body, member=m) for m in members or [])
        recount_quorum(body=body)
    return body


def check_agenda_item(*, agenda_item: AgendaItem, assembly_id: int) -> None:
    if agenda_item.session.assembly_id != assembly_id:
        raise InvalidInput(_("That agenda item belongs to another assembly."))


def link_motion_to_agenda_item(*, motion: Motion, agenda_item: AgendaItem | None) -> Motion:
    """Put the motion under an item of the programme (or take it off)."""
    if agenda_item is not None:
        check_agenda_item(agenda_item=agenda_item, assembly_id=motion.assembly_id)
    if motion.agenda_item_id != (agenda_item.pk if agenda_item else None):
        motion.agenda_item = agenda_item
        if agenda_item is not None:
            motion.agenda_item_number = agenda_item.number
        motion.save(update_fields=["agenda_item", "agenda_item_number"])
    return motion


def check_motion_shape(*, kind: str, seats: int, candidates: int) -> None:
    """An election has seats and candidates; a resolution has neither."""
    if kind == MotionKind.ELECTION and (seats < 1 or not candidates):
        raise InvalidInput(_("An election needs at least one seat and one candidate."))
    if kind == MotionKind.RESOLUTION and (seats or candidates):
        raise InvalidInput(_("A resolution has no seats and no candidates."))


def record_motion_change(*, motion: Motion, changed: list[str]) -> None:
    """A motion edited in the back office: which fields, in the audit log."""
    append_audit(
        assembly_id=motion.assembly_id,
        event="motion.changed",
        data={
            "motion": motion.pk,
            "code": motion.code,
            "title": motion.title,
            "majority": motion.majority,
            "changed": sorted(changed),
        },
    )


def create_motion(
    *,
    body: GoverningBody,
    code: str,
    kind: str,
    title: str,
    text: str = "",
    majority: str,
    abstentions_in_base: bool = False,
    seats: int = 0,
    candidates: list[tuple[str, MemberOrganization | None]] | None = None,
    agenda_item_number: str = "",
    agenda_item: AgendaItem | None = None,
) -> Motion:
    """A resolution, or an election with its candidates (members or persons) and seats."""
    candidates = candidates or []
    if agenda_item is not None:
        check_agenda_item(agenda_item=agenda_item, assembly_id=body.assembly_id)
        agenda_item_number = agenda_item_number or agenda_item.number
    check_motion_shape(kind=kind, seats=seats, candidates=len(candidates))
    with transaction.atomic():
        motion = Motion.objects.create(
            assembly=body.assembly,
            body=body,
            code=code,
            kind=kind,
            title=title,
            text=text,
            majority=majority,
            abstentions_in_base=abstentions_in_base,
            seats=seats,
            agenda_item_number=agenda_item_number,
            agenda_item=agenda_item,
        )
        for position, (name, member) in enumerate(candidates):
            Candidate.objects.create(motion=motion, name=name, member=member, position=position)
        append_audit(
            assembly_id=body.assembly_id,
            event="motion.created",
            data={"motion": motion.pk, "code": code, "title": title, "majority": majority},
        )
    return motion


MAX_MIN_OPEN_SECONDS = 3600
MAX_OVERRIDE_REASON = 2000
CLOSE_AFTER_SECONDS = (10, 86400)


def check_poll_times(*, min_open_seconds: int, close_after_seconds: int | None) -> None:
    """The same limits for the console's form as for the API: a poll that must stay open
    for years could never be closed, and would lock the proxies as long; a countdown ends
    no earlier than the minimum open time."""
    if not 0 <= min_open_seconds <= MAX_MIN_OPEN_SECONDS:
        raise InvalidInput(_("The minimum open time is 0 to 3,600 seconds."))
    low, high = CLOSE_AFTER_SECONDS
    if close_after_seconds is not None and not low <= close_after_seconds <= high:
        raise InvalidInput(_("A scheduled close comes 10 seconds to 24 hours after opening."))
    if close_after_seconds is not None and close_after_seconds < min_open_seconds:
        # The server closes a poll when its countdown ends, minimum or not: one would be a lie.
        raise InvalidInput(
            _("The countdown (%(close)s s) cannot end before the minimum open time (%(min)s s).")
            % {"close": close_after_seconds, "min": min_open_seconds}
        )


def create_poll(
    *,
    motion: Motion,
    kind: str,
    min_open_seconds: int = 0,
    close_after_seconds: int | None = None,
    candidates: list[Candidate] | None = None,
    seats: int | None = None,
    runoff_of: Poll | None = None,
) -> Poll:
    """A draft poll (the next round) on a motion with no draft and no open round, not decided
    yet (a runoff: the one its round's result called for); locks the motion's row, so a form
    sent twice at once makes one draft."""
    if kind not in PollKind.values:
        raise InvalidInput(_("Unknown poll kind."))
    check_poll_times(min_open_seconds=min_open_seconds, close_after_seconds=close_after_seconds)
    with transaction.atomic():
        Motion.objects.select_for_update().only("pk").get(pk=motion.pk)
        draft = Poll.objects.filter(motion=motion, state=PollState.DRAFT).first()
        if draft is not None:
            raise DraftExists(
                _(
                    "%(motion)s already has a draft poll (round %(round)d): open or discard"
                    " that one."
                )
                % {"motion": motion.title, "round": draft.round}
            )
        _refuse_round_while_open(motion=motion)
        _refuse_unless_undecided(motion=motion, runoff_of=runoff_of)
        last = Poll.objects.filter(motion=motion).aggregate(n=Max("round"))["n"] or 0
        poll = Poll.objects.create(
            motion=motion,
            assembly_id=motion.assembly_id,
            round=last + 1,
            kind=kind,
            seats=motion.seats if seats is None else seats,
            runoff_of=runoff_of,
            min_open_seconds=min_open_seconds,
            close_after_seconds=close_after_seconds,
        )
        poll.candidates.set(candidates if candidates is not None else motion.candidates.all())
        append_audit(
            assembly_id=motion.assembly_id,
            event="poll.created",
            data={
                "poll": poll.pk,
                "motion": motion.pk,
                "round": poll.round,
                "kind": kind,
                "seats": poll.seats,
                "candidates": poll_candidate_ids(poll),
                "runoff_of": runoff_of.pk if runoff_of else None,
            },
        )
        _broadcast_poll(poll)
    return poll


def _refuse_round_while_open(*, motion: Motion) -> None:
    """Two rounds of one motion are never prepared or held at once: two open rounds would take
    two ballots from each member, and a round prepared while one is open offers what that round
    may already decide (two winners for one seat)."""
    open_round = (
        Poll.objects.filter(motion=motion, state=PollState.OPEN).values_list("round", flat=True)
    ).first()
    if open_round is not None:
        raise WrongPollState(
            _("Round %(round)d of %(motion)s is open: close it first.")
            % {"round": open_round, "motion": motion.title}
        )


def _refuse_unless_undecided(*, motion: Motion, runoff_of: Poll | None) -> None:
    """A round is held only while the motion is undecided: no round has a result yet, or the
    round closed last called for a runoff and this is that runoff."""
    last = (
        Poll.objects.filter(motion=motion, state__in=[PollState.CLOSED, PollState.PUBLISHED])
        .select_related("motion", "motion__body")
        .order_by("closed_at", "round")
        .last()
    )
    if last is None:
        return
    words = {"round": last.round, "motion": motion.title}
    if not last.result:
        raise WrongPollState(
            _(
                "Round %(round)d of %(motion)s is not counted yet: enter and confirm its counts"
                " first."
            )
            % words,
            code="round_not_counted",
        )
    if last.result.get("outcome") == "runoff":
        if runoff_of is not None and runoff_of.pk == last.pk:
            return
        raise WrongPollState(
            _(
                "Round %(round)d of %(motion)s called for a runoff: only that runoff can be held"
                " now (prepare it from round %(round)d)."
            )
            % words,
            code="runoff_pending",
        )
    lines = result_lines(last)
    raise WrongPollState(
        _("%(motion)s was decided in round %(round)d (%(result)s). A new vote needs a new motion.")
        % {**words, "result": lines["sentence"] if lines else last.result.get("outcome")},
        code="motion_decided",
    )


def discard_draft(*, poll: Poll, by: AbstractBaseUser) -> None:
    """Remove a draft poll that was never opened (made with the wrong kind, or by mistake);
    logged. Locks the poll's row; tells the consoles after commit."""
    with transaction.atomic():
        poll = _locked(poll)
        if poll.state != PollState.DRAFT:
            raise WrongPollState(_("Only a draft poll can be discarded: this one has been opened."))
        append_audit(
            assembly_id=poll.assembly_id,
            event="poll.discarded",
            data={
                "poll": poll.pk,
                "motion": poll.motion_id,
                "round": poll.round,
                "kind": poll.kind,
                "by": by.pk,
            },
        )
        broadcast_on_commit(
            group=assembly_group(poll.assembly_id),
            event="poll.state",
            payload={**poll_payload(poll, with_results=False), "state": "discarded"},
        )
        poll.delete()


# --- poll states -------------------------------------------------------------------------------


def _broadcast_poll(poll: Poll) -> None:
    """Poll state to the assembly; results only once published (never a secret poll's counts)."""
    broadcast_on_commit(
        group=assembly_group(poll.assembly_id),
        event="poll.state",
        payload=poll_payload(poll, with_results=poll.state == PollState.PUBLISHED),
    )


def _locked(poll: Poll) -> Poll:
    return (
        Poll.objects.select_for_update(of=("self",))
        .select_related("motion", "motion__body", "motion__body__assembly")
        .get(pk=poll.pk)
    )


def _figures(poll: Poll) -> dict[str, Any]:
    """Quorum, electorate fingerprint and audit head, as recorded at open and at close."""
    body = poll.motion.body
    quorum = recount_quorum(body=body)
    return {
        "quorum": quorum_snapshot(body, quorum),
        "electorate": electorate_fingerprint(body),
        "audit_head": audit_head(body.assembly),
        "at": timezone.now().isoformat(),
    }


def open_poll(*, poll: Poll, by: AbstractBaseUser, override_reason: str = "") -> Poll:
    """Open a draft poll; without quorum only with the chair's written reason (logged)."""
    # Invisible characters (a zero-width space) are no reason; every phone's snapshot carries
    # the reason, so it is as long as the API allows at most.
    override_reason = "".join(c for c in override_reason if c.isprintable() or c == "\n").strip()
    if len(override_reason) > MAX_OVERRIDE_REASON:
        raise InvalidInput(_("Write the reason in at most 2,000 characters."))
    with transaction.atomic():
        poll = _locked(poll)
        if poll.state != PollState.DRAFT:
            raise WrongPollState(_("Only a draft poll can be opened."))
        # The motion's row, as create_poll takes it: one round of a motion opens at a time.
        motion = Motion.objects.select_for_update().get(pk=poll.motion_id)
        _refuse_round_while_open(motion=motion)
        _refuse_unless_undecided(motion=motion, runoff_of=poll.runoff_of)
        _take_offer(poll)
        figures = _figures(poll)
        # No override opens a poll nobody may vote in: it could only publish "No votes".
        if not figures["quorum"]["eligible"]:
            raise EmptyElectorate()
        if not figures["quorum"]["reached"] and not override_reason:
            raise NoQuorum()
        now = timezone.now()
        poll.state = PollState.OPEN
        poll.opened_at = now
        poll.opened_by = by
        poll.at_open = figures
        poll.override_reason = "" if figures["quorum"]["reached"] else override_reason
        if poll.close_after_seconds:
            poll.closes_at = now + timedelta(seconds=poll.close_after_seconds)
            wake_poll_closer_on_commit()
        poll.save()
        append_audit(
            assembly_id=poll.assembly_id,
            event="poll.opened",
            data={
                "poll": poll.pk,
                "by": by.pk,
                "figures": figures,
                "quorum_override": poll.override_reason or None,
                "closes_at": poll.closes_at.isoformat() if poll.closes_at else None,
                "seats": poll.seats,
                "candidates": poll_candidate_ids(poll),
            },
        )
        _broadcast_poll(poll)
    return poll


def _take_offer(poll: Poll) -> None:
    """The seats and candidates the draft offers now (selectors.offered_candidates): a first
    round takes the motion's as edited since the draft was made; a runoff keeps its own."""
    seats, candidates = offered_seats(poll), offered_candidates(poll)
    if poll.motion.kind == MotionKind.ELECTION and not candidates:
        raise InvalidInput(_("This election has no candidates: add them to the motion first."))
    if seats != poll.seats:
        poll.seats = seats
        poll.save(update_fields=["seats"])
    poll.candidates.set(candidates)


def _shuffle_ballots(poll: Poll) -> None:
    """Rewrite a secret poll's ballots in random order in one transaction.

    Each row then carries the closing transaction's id and a random place in the table, so
    neither the row order nor the inserting transaction can be matched to who voted when.
    """
    rows = list(Ballot.objects.filter(poll=poll))
    random.SystemRandom().shuffle(rows)
    with _secure_delete():
        Ballot.objects.filter(poll=poll).delete()
    Ballot.objects.bulk_create(rows)


@contextmanager
def _secure_delete() -> Iterator[None]:
    """On SQLite, deleted rows overwritten with zeros (secure_delete) for this connection while
    inside: a freed cell or page otherwise keeps the old ballot rows in their cast order."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA secure_delete")
        (before,) = cursor.fetchone()
        cursor.execute("PRAGMA secure_delete = ON")
        try:
            yield
        finally:
            cursor.execute(f"PRAGMA secure_delete = {int(before)}")


SQLITE_CHECKPOINT_TRIES = 5
SQLITE_CHECKPOINT_WAIT_MS = 200


def truncate_sqlite_wal() -> bool:
    """Copy SQLite's write-ahead log into the database file and cut it to zero bytes.

    Run after a secret poll's close commits: until then the log's frames hold every page a
    ballot wrote, in the order the ballots were cast (matched with the ballot.cast audit
    entries, that is every vote). A reader still on an older snapshot blocks it: tried a few
    times, waiting briefly each time; logged when it could not.
    """
    if connection.vendor != "sqlite" or connection.is_in_memory_db():
        return True
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        (busy_timeout,) = cursor.fetchone()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_CHECKPOINT_WAIT_MS}")
        try:
            for attempt in range(1, SQLITE_CHECKPOINT_TRIES + 1):
                cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                blocked, _frames, _copied = cursor.fetchone()
                if not blocked:
                    return True
                time.sleep(0.05 * attempt)
        finally:
            cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout)}")
    logger.warning(
        "The SQLite write-ahead log could not be truncated after a secret poll closed (readers"
        " kept it busy): its frames still show the ballots in cast order. Run"
        " 'PRAGMA wal_checkpoint(TRUNCATE)' once the server is idle, or restart it."
    )
    return False


def poll_facts(poll: Poll) -> dict[str, Any]:
    """What the tally needs to know about a poll, as in the audit export."""
    motion = poll.motion
    return {
        "kind": poll.kind,
        "mode": poll_mode(poll),
        "candidates": poll_candidate_ids(poll),
        "majority": motion.majority,
        "abstentions_in_base": motion.abstentions_in_base,
        "seats": poll.seats,
        "runoff_rule": motion.runoff_rule,
        "present_weight_at_close": (poll.at_close or {}).get("quorum", {}).get("present_weight", 0),
        "hand_counts": poll.hand_counts,
    }


def _result(poll: Poll) -> dict[str, Any]:
    """The result from the ballots (or the entered counts), by the same code observers run."""
    ballots = (
        []
        if poll.kind == PollKind.HAND
        else list(Ballot.objects.filter(poll=poll).values("choices", "weight"))
    )
    return result_for_poll(poll_facts(poll), ballots)


def close_poll(*, poll: Poll, by: AbstractBaseUser | None, scheduled: bool = False) -> Poll:
    """Close an open poll: record the figures, seal the ballots into the audit log, tally."""
    with transaction.atomic():
        poll = _locked(poll)
        if poll.state != PollState.OPEN:
            raise WrongPollState(_("Only an open poll can be closed."))
        now = timezone.now()
        earliest = poll.opened_at + timedelta(seconds=poll.min_open_seconds)
        if now < earliest and not scheduled:
            left = int((earliest - now).total_seconds()) + 1
            raise TooEarly(
                ngettext(
                    "The poll must stay open for %(n)d more second.",
                    "The poll must stay open for %(n)d more seconds.",
                    left,
                )
                % {"n": left}
            )
        poll.at_close = _figures(poll)
        poll.state = PollState.CLOSED
        poll.closed_at = now
        seal: list[list[str]] = []
        if poll.kind != PollKind.HAND:
            if poll.kind == PollKind.SECRET:
                _shuffle_ballots(poll)
                # The log's frames still hold the ballots as cast until it is truncated.
                transaction.on_commit(truncate_sqlite_wal, robust=True)
            rows = ballots_by_poll([poll.pk])[poll.pk]
            seal = [[row["id"], ballot_hash(row)] for row in rows]
            poll.turnout, poll.turnout_weight = len(rows), sum(row["weight"] for row in rows)
            poll.result = _result(poll)
        poll.save()
        append_audit(
            assembly_id=poll.assembly_id,
            event="poll.closed",
            data={
                "poll": poll.pk,
                "by": by.pk if by else None,
                "scheduled": scheduled,
                "figures": poll.at_close,
                "ballots": seal,
                "result": poll.result or None,
            },
        )
        _broadcast_poll(poll)
    return poll


def close_due_polls(*, assembly: Assembly | None = None) -> list[Poll]:
    """Close every open poll (of the assembly, or of all) whose scheduled close has passed."""
    due = Poll.objects.filter(state=PollState.OPEN, closes_at__lte=timezone.now())
    if assembly is not None:
        due = due.filter(assembly=assembly)
    closed = []
    for poll in due:
        try:
            closed.append(close_poll(poll=poll, by=None, scheduled=True))
        except WrongPollState:
            continue  # closed by someone else meanwhile
        except Exception:  # one poll that cannot close must not keep the others open
            logger.exception("closing poll %s at the end of its countdown failed", poll.pk)
    return closed


def _validate_counts(poll: Poll, counts: dict[str, int], ballots: int) -> dict[str, int]:
    options = [o["value"] for o in _options(poll)]
    unknown = set(counts) - set(options)
    if unknown:
        raise InvalidChoice(_("Unknown choices: %(c)s.") % {"c": ", ".join(sorted(unknown))})
    clean = {option: int(counts.get(option, 0)) for option in options}
    if any(value < 0 for value in clean.values()) or ballots < 0:
        raise InvalidInput(_("Counts cannot be negative."))
    if poll_mode(poll) == "yes_no" and ballots != sum(clean.values()):
        raise InvalidInput(_("The ballots must equal yes + no + abstain."))
    if poll_mode(poll) == "candidates" and any(value > ballots for value in clean.values()):
        raise InvalidInput(_("A choice cannot have more votes than there are ballots."))
    most = most_hand_ballots(poll)
    if most is not None and ballots > most:
        raise InvalidInput(
            _("More ballots than the %(weight)s votes of the members present.") % {"weight": most}
            if not poll.override_reason
            else _("More ballots than the %(weight)s votes of the voting members.")
            % {"weight": most}
        )
    return clean


def most_hand_ballots(poll: Poll) -> int | None:
    """A hand count's bound: the most votes present at the poll's open or close. Opened
    without quorum, the whole electorate's: the presence list is then not the room."""
    if poll.override_reason:
        return (poll.at_close or {}).get("electorate", {}).get("weight")
    weights = [
        figures["quorum"]["present_weight"]
        for figures in (poll.at_open, poll.at_close)
        if figures and "quorum" in figures
    ]
    return max(weights) if weights else None


def _options(poll: Poll) -> list[dict[str, str]]:
    from voting.selectors import poll_options

    return poll_options(poll)


def enter_hand_counts(
    *, poll: Poll, by: AbstractBaseUser, counts: dict[str, int], ballots: int
) -> Poll:
    """The secretariat enters a paper or show-of-hands count; the chair must then confirm it."""
    with transaction.atomic():
        poll = _locked(poll)
        if poll.kind != PollKind.HAND or poll.state != PollState.CLOSED:
            raise WrongPollState(_("Counts are entered for a closed hand-counted poll."))
        clean = _validate_counts(poll, counts, ballots)
        poll.hand_counts = {"counts": clean, "ballots": ballots}
        poll.hand_counts_entered_by = by
        poll.hand_counts_confirmed_by = None
        poll.result = {}
        poll.save()
        append_audit(
            assembly_id=poll.assembly_id,
            event="poll.counts_entered",
            data={"poll": poll.pk, "by": by.pk, "counts": poll.hand_counts},
        )
        _broadcast_poll(poll)
    return poll


def confirm_hand_counts(*, poll: Poll, by: AbstractBaseUser) -> Poll:
    """The chair confirms counts someone else entered; the result is computed from them."""
    with transaction.atomic():
        poll = _locked(poll)
        if poll.kind != PollKind.HAND or poll.state != PollState.CLOSED or not poll.hand_counts:
            raise WrongPollState(_("There are no entered counts to confirm."))
        # The chair's own role (a superuser holds it too): the secretariat, which may do all
        # other staff work, enters counts and must not also confirm them (DESIGN: four eyes).
        if Role.CHAIR not in roles_for(user=by, assembly=poll.motion.body.assembly):
            raise Forbidden(_("Only the chair confirms hand counts."), code="not_chair")
        if poll.hand_counts_entered_by_id == by.pk:
            raise SameCounter()  # four eyes: whoever entered the counts cannot confirm them
        poll.result = _result(poll)
        poll.hand_counts_confirmed_by = by
        poll.save()
        append_audit(
            assembly_id=poll.assembly_id,
            event="poll.counts_confirmed",
            data={"poll": poll.pk, "by": by.pk, "result": poll.result},
        )
        _broadcast_poll(poll)
    return poll


def publish_poll(*, poll: Poll, by: AbstractBaseUser) -> Poll:
    """Publish a closed poll's result; a tie or missing majority creates the runoff (draft)."""
    with transaction.atomic():
        poll = _locked(poll)
        if poll.state != PollState.CLOSED:
            raise WrongPollState(_("Only a closed poll can be published."))
        if poll.kind == PollKind.HAND and poll.hand_counts_confirmed_by_id is None:
            raise CountsNotConfirmed()
        poll.state = PollState.PUBLISHED
        poll.published_at = timezone.now()
        poll.save()
        append_audit(
            assembly_id=poll.assembly_id,
            event="poll.published",
            data={"poll": poll.pk, "by": by.pk, "result": poll.result},
        )
        _broadcast_poll(poll)
        if poll.result.get("outcome") == "runoff" and not _has_draft(poll.motion_id):
            # With another draft in the way the console offers "Prepare the runoff" instead.
            create_runoff(poll=poll)
    return poll


def _has_draft(motion_id: int) -> bool:
    return Poll.objects.filter(motion_id=motion_id, state=PollState.DRAFT).exists()


def create_runoff(*, poll: Poll) -> Poll:
    """The draft runoff among the tied or leading candidates (made once per poll)."""
    with transaction.atomic():
        poll = _locked(poll)
        existing = poll.runoffs.first()
        if existing is not None:
            return existing
        if poll.state not in (PollState.CLOSED, PollState.PUBLISHED) or not poll.result.get(
            "runoff"
        ):
            raise WrongPollState(_("This poll's result does not call for a runoff."))
        candidates = list(Candidate.objects.filter(pk__in=[int(c) for c in poll.result["runoff"]]))
        return create_poll(
            motion=poll.motion,
            kind=poll.kind,
            min_open_seconds=poll.min_open_seconds,
            close_after_seconds=poll.close_after_seconds,
            candidates=candidates,
            seats=poll.result["runoff_seats"],
            runoff_of=poll,
        )


# --- ballots -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Receipt:
    """What a voter takes away: the member, the code, and the choice in words."""

    member: str
    code: str
    choices: list[str]
    words: list[str]


def new_receipt_code() -> str:
    """Fifteen characters of the 32-letter alphabet in groups of five: 75 random bits, drawn
    at once (a draw per character cost thirty reads of the system's random source)."""
    bits = secrets.randbits(75)
    raw = "".join(RECEIPT_ALPHABET[(bits >> (5 * i)) & 31] for i in range(15))
    return "-".join(raw[i : i + 5] for i in range(0, 15, 5))


def clean_choices(
    *, poll: Poll, choices: list[str], options: list[dict[str, str]] | None = None
) -> list[str]:
    """The ballot's choices, checked against the poll; raises InvalidChoice / TooManyChoices."""
    choices = [str(c) for c in choices]
    options = [o["value"] for o in (options if options is not None else _options(poll))]
    if not choices or len(set(choices)) != len(choices):
        raise InvalidChoice(_("Choose one option (each at most once)."))
    if any(c not in options for c in choices):
        raise InvalidChoice()
    if poll_mode(poll) == "yes_no" or "abstain" in choices:
        if len(choices) != 1:
            raise InvalidChoice(_("Choose exactly one option."))
        return choices
    if len(choices) > poll.seats:
        raise TooManyChoices(
            ngettext(
                "Choose at most %(n)d candidate.", "Choose at most %(n)d candidates.", poll.seats
            )
            % {"n": poll.seats}
        )
    return sorted(choices, key=options.index)


def _ballot_poll(poll: Poll) -> Poll:
    """The poll as a ballot needs it, read without a lock.

    The open state is checked again, atomically, where the ballot is written.
    """
    found = ballot_poll(poll_id=poll.pk, assembly_id=poll.assembly_id)
    if found is None:
        raise NotFound()
    return found


def voting_time_over(poll: Poll, now: datetime) -> bool:
    """Whether the poll takes no more ballots: not open, or its countdown has run out."""
    return poll.state != PollState.OPEN or bool(poll.closes_at and now >= poll.closes_at)


def _check_open(poll: Poll, now: datetime) -> None:
    if poll.state != PollState.OPEN or poll.kind == PollKind.HAND:
        raise PollNotOpen()
    if voting_time_over(poll, now):
        raise PollNotOpen(_("The voting time is over."))


def _write_ballot(*, cast: VoteCast, ballot: Ballot, audit: dict[str, Any], now: datetime) -> None:
    """Insert who voted, what was voted and the audit entry, if the poll is open.

    The poll row is share-locked: ballots never wait for each other, and a closing poll
    (which takes the row for update) waits for them, so each is either counted before
    the close or refused. On PostgreSQL one statement, the audit entry pending until
    commit. No savepoint: a duplicate (the unique constraint) aborts the whole action.
    """
    assembly_id = cast.poll.assembly_id
    if connection.vendor != "postgresql":
        # SQLite's write transaction (BEGIN IMMEDIATE) already excludes a concurrent close.
        with transaction.atomic(savepoint=False):
            counted = Poll.objects.filter(
                Q(closes_at__isnull=True) | Q(closes_at__gt=now),
                pk=cast.poll_id,
                state=PollState.OPEN,
            ).exists()
            if counted:
                cast.save(force_insert=True)
                ballot.save(force_insert=True)
                append_audit(assembly_id=assembly_id, event="ballot.cast", data=audit)
    else:
        (counted,) = fetch(
            f"WITH poll_row AS (SELECT id FROM {Poll._meta.db_table} "  # noqa: S608 - table names
            "WHERE id = %s AND state = %s AND (closes_at IS NULL OR closes_at > %s) FOR SHARE), "
            f"cast_row AS (INSERT INTO {VoteCast._meta.db_table} "
            "(id, poll_id, member_id, cast_by_id) SELECT %s, id, %s, %s FROM poll_row "
            "RETURNING poll_id), "
            f"ballot_row AS (INSERT INTO {Ballot._meta.db_table} "
            "(id, poll_id, choices, weight, receipt_hash, member_id) "
            "SELECT %s, poll_id, %s::jsonb, %s, %s, %s FROM cast_row RETURNING 1), "
            f"audit_row AS ({INSERT_PENDING} SELECT %s, 'ballot.cast', %s FROM ballot_row "
            "RETURNING 1) "
            "SELECT count(*) FROM audit_row",
            [
                cast.poll_id,
                PollState.OPEN,
                now,
                cast.pk,
                cast.member_id,
                cast.cast_by_id,
                ballot.pk,
                json.dumps(ballot.choices),
                ballot.weight,
                ballot.receipt_hash,
                ballot.member_id,
                assembly_id,
                body_prefix("ballot.cast", audit),
            ],
        )
        if counted:
            link_after_commit(assembly_id)
    if not counted:
        raise PollNotOpen()


def cast_ballots(
    *, poll: Poll, delegate: Delegate, choices: list[str], members: list[int] | None = None
) -> list[Receipt]:
    """Record one ballot per member the delegate votes for (all by default), in one action.

    Reads and checks first; the write locks the poll row and counts only while the poll is
    open. The (poll, member) unique constraint makes a concurrent second ballot fail with
    "already_voted". Publishes the turnout after commit, coalesced.
    """
    poll = _ballot_poll(poll)
    reads = BallotReads(delegate, poll, voting_routes(delegate=delegate, poll=poll))
    return cast_read_ballots(reads=reads, choices=choices, members=members)


def cast_read_ballots(
    *, reads: BallotReads, choices: list[str], members: list[int] | None = None
) -> list[Receipt]:
    """cast_ballots once the voter, the poll and the routes are read (selectors.ballot_reads)."""
    delegate, poll = reads.delegate, reads.poll
    if poll is None:
        raise NotFound()
    _check_open(poll, timezone.now())
    routes = {route.member.pk: route for route in reads.routes}
    if members is None:
        # One member: let the unique constraint answer; several: skip those already voted.
        voted = members_voted(poll, list(routes)) if len(routes) > 1 else set()
        wanted = sorted(set(routes) - voted)
        if routes and not wanted:
            raise AlreadyVoted()
    else:
        wanted = sorted(set(members))
        if any(m not in routes for m in wanted):
            raise NotRepresented()
    if not wanted:
        raise NotRepresented(not_a_voter_reason(delegate=delegate, body=poll.motion.body))
    for member_id in wanted:
        blocked = routes[member_id].blocked
        if blocked and members_voted(poll, [member_id]):
            raise AlreadyVoted()
        if blocked == "not_present":
            raise NotPresent()
        if blocked == "delegate_present":
            raise NotRepresented(_("The member's voting delegate is present: they cast its vote."))
    options = _options(poll)
    choices = clean_choices(poll=poll, choices=choices, options=options)
    words = [o["label"] for o in options if o["value"] in choices]
    receipts = []
    with _ballot_transaction(members=len(wanted)):
        for member_id in wanted:
            route = routes[member_id]
            receipts.append(
                _record_ballot(poll=poll, route=route, delegate=delegate, choices=choices)
            )
        # Coalesced: a burst of ballots becomes a few messages a second, the last one exact.
        publish_turnout(poll_id=poll.pk)
    return [Receipt(r.member.name, code, choices, words) for r, code in receipts]


def _ballot_transaction(*, members: int) -> AbstractContextManager:
    """One transaction for all the action's ballots; none for a single one on PostgreSQL
    outside any transaction: its write is one statement, atomic by itself (saving the
    BEGIN and COMMIT round trips)."""
    if members == 1 and connection.vendor == "postgresql" and not connection.in_atomic_block:
        return nullcontext()
    return transaction.atomic()


def _record_ballot(
    *, poll: Poll, route: Route, delegate: Delegate, choices: list[str]
) -> tuple[Route, str]:
    """One member's ballot and its audit entry, inside the caller's transaction."""
    member_id = route.member.pk
    code = new_receipt_code()
    ballot = Ballot(
        poll=poll,
        choices=choices,
        weight=route.weight,
        receipt_hash=receipt_hash(code),
        member_id=member_id if poll.kind == PollKind.ROLL_CALL else None,
    )
    audit: dict[str, Any] = {"poll": poll.pk, "member": member_id, "cast_by": delegate.pk}
    if poll.kind == PollKind.ROLL_CALL:
        audit["ballot"] = str(ballot.pk)
        audit["choices"] = choices
        audit["ballot_hash"] = ballot_hash(
            {
                "id": str(ballot.pk),
                "poll": poll.pk,
                "choices": choices,
                "weight": route.weight,
                "receipt_hash": ballot.receipt_hash,
                "member": member_id,
            }
        )
    try:
        _write_ballot(
            cast=VoteCast(poll=poll, member_id=member_id, cast_by=delegate),
            ballot=ballot,
            audit=audit,
            now=timezone.now(),
        )
    except IntegrityError:
        raise AlreadyVoted(
            _("A ballot has already been counted for %(member)s in this poll.")
            % {"member": route.member.name}
        ) from None
    return route, code


# --- proxies -----------------------------------------------------------------------------------


def _refuse_while_open(assembly: Assembly) -> None:
    if Poll.objects.filter(assembly=assembly, state=PollState.OPEN).exists():
        raise ProxiesLocked()


def request_proxy(
    *, assembly: Assembly, member: MemberOrganization, holder: Delegate, by: AbstractBaseUser
) -> Proxy:
    """Member `member` asks to be represented by `holder`, another member's voting delegate."""
    if not assembly.proxies_allowed:
        raise ProxyRefused(_("This assembly does not allow proxies."))
    refuse_member_without_vote(assembly=assembly, member=member)
    accreditation = Accreditation.objects.filter(
        assembly=assembly, delegate=holder, kind=AccreditationKind.VOTING, ended_at__isnull=True
    ).first()
    if accreditation is None:
        raise ProxyRefused(_("A proxy holder must be another member's voting delegate."))
    if accreditation.member_id == member.pk:
        raise ProxyRefused(_("A member cannot hold its own proxy."))
    with transaction.atomic():
        _refuse_while_open(assembly)
        _refuse_chain(assembly=assembly, member_id=member.pk, holder_id=holder.pk)
        try:
            with transaction.atomic():
                proxy = Proxy.objects.create(assembly=assembly, member=member, holder=holder)
        except IntegrityError:
            raise ProxyRefused(_("This member already has a proxy.")) from None
        append_audit(
            assembly_id=assembly.pk,
            event="proxy.requested",
            data={"proxy": proxy.pk, "member": member.pk, "holder": holder.pk, "by": by.pk},
        )
    return proxy


def _refuse_chain(*, assembly: Assembly, member_id: int, holder_id: int) -> None:
    """A vote passes one hand at most: a member whose delegate carries others' votes gives no
    proxy, and a holder whose own member gave its proxy carries none (else the holder of
    the end of a chain would vote for members that never chose them)."""
    accredited = Accreditation.objects.filter(
        assembly=assembly, kind=AccreditationKind.VOTING, ended_at__isnull=True
    )
    approved = Proxy.objects.filter(assembly=assembly, state=ProxyState.APPROVED)
    member_delegates = accredited.filter(member_id=member_id).values("delegate_id")
    if approved.filter(holder_id__in=member_delegates).exists():
        raise ProxyRefused(
            _("This member's delegate carries others' proxies: its vote cannot pass on.")
        )
    holder_members = accredited.filter(delegate_id=holder_id).values("member_id")
    if approved.filter(member_id__in=holder_members).exists():
        raise ProxyRefused(
            _("The holder's member gave its own proxy away: the holder carries none.")
        )


def approve_proxy(*, proxy: Proxy, by: AbstractBaseUser) -> Proxy:
    """The secretariat approves a proxy for a member that still has a vote, within the
    per-holder limit (holder row locked)."""
    with transaction.atomic():
        proxy = Proxy.objects.select_for_update().select_related("assembly").get(pk=proxy.pk)
        assembly = proxy.assembly
        _refuse_while_open(assembly)
        if proxy.state != ProxyState.REQUESTED:
            raise ProxyRefused(_("Only a requested proxy can be approved."))
        # Asked again: the member may have lost its vote (dues lapsed) since the request.
        refuse_member_without_vote(assembly=assembly, member=proxy.member)
        Delegate.objects.select_for_update().get(pk=proxy.holder_id)
        _refuse_chain(assembly=assembly, member_id=proxy.member_id, holder_id=proxy.holder_id)
        held = Proxy.objects.filter(holder_id=proxy.holder_id, state=ProxyState.APPROVED).count()
        if held >= assembly.max_proxies_per_holder:
            raise ProxyLimit()
        proxy.state = ProxyState.APPROVED
        proxy.approved_at = timezone.now()
        proxy.approved_by = by
        proxy.save()
        refresh_member_presence(assembly=assembly, member_id=proxy.member_id)
        append_audit(
            assembly_id=assembly.pk,
            event="proxy.approved",
            data={
                "proxy": proxy.pk,
                "member": proxy.member_id,
                "holder": proxy.holder_id,
                "by": by.pk,
            },
        )
    return proxy


def revoke_proxy(*, proxy: Proxy, by: AbstractBaseUser) -> Proxy:
    """Revoke a proxy; refused while a poll is open."""
    with transaction.atomic():
        proxy = Proxy.objects.select_for_update().select_related("assembly").get(pk=proxy.pk)
        _refuse_while_open(proxy.assembly)
        if proxy.state == ProxyState.REVOKED:
            raise ProxyRefused(_("This proxy is already revoked."))
        proxy.state = ProxyState.REVOKED
        proxy.revoked_at = timezone.now()
        proxy.revoked_by = by
        proxy.save()
        refresh_member_presence(assembly=proxy.assembly, member_id=proxy.member_id)
        append_audit(
            assembly_id=proxy.assembly_id,
            event="proxy.revoked",
            data={"proxy": proxy.pk, "member": proxy.member_id, "by": by.pk},
        )
    return proxy
