"""Majority rules, tallies and audit-chain checks in the standard library alone.

The server uses these functions; an observer runs this file on an export:
    python3 verify.py plenary-audit-export.json
and gets the same verdict on their own machine.
"""

from __future__ import annotations

import hashlib
import json
import math
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

GENESIS = "0" * 64
YES, NO, ABSTAIN = "yes", "no", "abstain"


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def entry_hash(prev_hash: str, body: str) -> str:
    return hashlib.sha256((prev_hash + body).encode()).hexdigest()


def ballot_hash(ballot: dict[str, Any]) -> str:
    """Digest of one ballot row's content, as sealed into the audit log when its poll closes."""
    fields = {k: ballot.get(k) for k in ("id", "poll", "choices", "weight", "receipt_hash")}
    fields["member"] = ballot.get("member")
    return hashlib.sha256(canonical_json(fields).encode()).hexdigest()


def receipt_code_form(code: str) -> str:
    """The code as issued, XXXXX-XXXXX-XXXXX, however it was typed: any case, spaces or dashes.

    The alphabet leaves out both halves of each pair people confuse (0/O, 1/I), so a typed
    O, 0, I or 1 has no single intended letter and is left to fail the check."""
    raw = "".join(char for char in code.upper() if char.isalnum())
    if len(raw) != 15:
        return raw
    return "-".join(raw[i : i + 5] for i in range(0, 15, 5))


def receipt_hash(code: str) -> str:
    return hashlib.sha256(receipt_code_form(code).encode()).hexdigest()


# --- majority rules -------------------------------------------------------------------------


def majority_threshold(*, majority: str, base: int) -> int:
    """Smallest number of votes that meets the rule on this base (at least 1)."""
    if majority in ("absolute_cast", "absolute_present"):
        return base // 2 + 1
    if majority == "two_thirds_cast":
        return max(1, math.ceil(2 * base / 3))
    return 1


def tally(
    *, mode: str, candidates: list[str], ballots: Iterable[dict[str, Any]]
) -> tuple[dict[str, int], int]:
    """Weighted counts per option and the weight of ballots cast."""
    options = [YES, NO, ABSTAIN] if mode == "yes_no" else [*candidates, ABSTAIN]
    counts = dict.fromkeys(options, 0)
    cast = 0
    for ballot in ballots:
        weight = int(ballot.get("weight", 1))
        cast += weight
        for choice in ballot["choices"]:
            counts[str(choice)] = counts.get(str(choice), 0) + weight
    return counts, cast


def _yes_no_result(
    *, counts: dict[str, int], cast: int, majority: str, abstentions_in_base: bool, present: int
) -> dict[str, Any]:
    yes, no, abstain = counts.get(YES, 0), counts.get(NO, 0), counts.get(ABSTAIN, 0)
    if majority == "absolute_present":
        base = present
    else:
        base = yes + no + (abstain if abstentions_in_base else 0)
    threshold = no + 1 if majority == "simple" else majority_threshold(majority=majority, base=base)
    if cast == 0:
        outcome = "no_votes"
    else:
        outcome = "adopted" if yes >= threshold and yes > no else "rejected"
    return {
        "base": base,
        "threshold": threshold,
        "outcome": outcome,
        "tie": cast > 0 and yes == no,
        "elected": [],
        "runoff": [],
        "runoff_seats": 0,
    }


def _leading(ranked: list[tuple[str, int]], places: int) -> list[str]:
    """The first `places` candidates, extended by anyone tied with the last of them."""
    if places <= 0 or not ranked:
        return []
    cut = ranked[min(places, len(ranked)) - 1][1]
    return [cid for cid, votes in ranked if votes >= cut]


def _candidates_result(
    *,
    counts: dict[str, int],
    cast: int,
    candidates: list[str],
    majority: str,
    abstentions_in_base: bool,
    present: int,
    seats: int,
    runoff_rule: str,
) -> dict[str, Any]:
    abstain = counts.get(ABSTAIN, 0)
    if majority == "absolute_present":
        base = present
    else:
        base = cast - (0 if abstentions_in_base else abstain)
    threshold = majority_threshold(majority=majority, base=base)
    # Ties in the ranking are broken by nothing: they stay ties (stable order for display).
    ranked = sorted(((cid, counts.get(cid, 0)) for cid in candidates), key=lambda r: -r[1])
    qualified = [(cid, votes) for cid, votes in ranked if votes >= threshold and votes > 0]
    result: dict[str, Any] = {
        "base": base,
        "threshold": threshold,
        "tie": False,
        "elected": [],
        "runoff": [],
        "runoff_seats": 0,
    }
    if cast == 0 or cast == abstain:
        result["outcome"] = "no_votes"
        return result
    elected: list[str] = []
    if len(qualified) <= seats:
        elected = [cid for cid, _v in qualified]
    else:
        boundary = qualified[seats - 1][1]
        above = [cid for cid, votes in qualified if votes > boundary]
        tied = [cid for cid, votes in qualified if votes == boundary]
        if len(above) + len(tied) == seats:
            elected = above + tied
        else:
            result["tie"] = True
            elected = above
            result["runoff"] = tied
            result["runoff_seats"] = seats - len(above)
    result["elected"] = elected
    if result["tie"]:
        if runoff_rule != "tied":
            open_seats = result["runoff_seats"]
            rest = [(cid, v) for cid, v in ranked if cid not in elected]
            result["runoff"] = list(
                dict.fromkeys([*result["runoff"], *_leading(rest, 2 * open_seats)])
            )
        result["outcome"] = "runoff"
        return result
    open_seats = seats - len(elected)
    if open_seats == 0:
        result["outcome"] = "elected"
        return result
    rest = [(cid, v) for cid, v in ranked if cid not in elected and v > 0]
    if not rest:
        result["outcome"] = "elected" if elected else "not_elected"
        return result
    places = open_seats if runoff_rule == "tied" else 2 * open_seats
    runoff = _leading(rest, places)
    result["runoff"] = runoff
    result["runoff_seats"] = open_seats
    result["tie"] = len(runoff) > places
    result["outcome"] = "runoff"
    return result


def compute_result(
    *,
    mode: str,
    candidates: list[str],
    counts: dict[str, int],
    cast: int,
    majority: str,
    abstentions_in_base: bool,
    present: int,
    seats: int,
    runoff_rule: str,
) -> dict[str, Any]:
    """The outcome of a poll from its counts: base, abstentions, threshold, elected, runoff."""
    common = {"mode": mode, "counts": counts, "cast": cast, "abstentions": counts.get(ABSTAIN, 0)}
    if mode == "yes_no":
        specific = _yes_no_result(
            counts=counts,
            cast=cast,
            majority=majority,
            abstentions_in_base=abstentions_in_base,
            present=present,
        )
        if candidates and specific["outcome"] in ("adopted", "rejected"):
            # A lone candidate: yes / no / abstain on that candidate.
            won = specific["outcome"] == "adopted"
            specific["outcome"] = "elected" if won else "not_elected"
            specific["elected"] = list(candidates) if won else []
        return {**common, **specific}
    specific = _candidates_result(
        counts=counts,
        cast=cast,
        candidates=candidates,
        majority=majority,
        abstentions_in_base=abstentions_in_base,
        present=present,
        seats=seats,
        runoff_rule=runoff_rule,
    )
    return {**common, **specific}


def result_for_poll(poll: dict[str, Any], ballots: list[dict[str, Any]]) -> dict[str, Any]:
    """Recompute a poll's result from its exported description and its ballots (or hand counts)."""
    if poll["kind"] == "hand":
        counts = {str(k): int(v) for k, v in poll["hand_counts"]["counts"].items()}
        cast = int(poll["hand_counts"]["ballots"])
    else:
        counts, cast = tally(mode=poll["mode"], candidates=poll["candidates"], ballots=ballots)
    return compute_result(
        mode=poll["mode"],
        candidates=poll["candidates"],
        counts=counts,
        cast=cast,
        majority=poll["majority"],
        abstentions_in_base=poll["abstentions_in_base"],
        present=int(poll["present_weight_at_close"]),
        seats=poll["seats"],
        runoff_rule=poll["runoff_rule"],
    )


# --- the chain --------------------------------------------------------------------------------

# What the export may withhold from a caller who may not see it yet (voting/export.py): a
# roll-call ballot's entry (it names the member's choice) and a poll's seal, counts and
# result before publication. A withheld row keeps its place in the chain: its sequence
# number, its event, its poll, the hash it links from and its own hash, marked "redacted"
# with the reason. The links around it are checked; its content is not.
REDACTABLE = ("ballot.cast", "poll.closed", "poll.counts_entered", "poll.counts_confirmed")


def is_redacted(entry: dict[str, Any]) -> bool:
    return bool(entry.get("redacted"))


def verify_chain(entries: list[dict[str, Any]], head: dict[str, Any] | None) -> list[str]:
    """Problems found in the chain: edited, inserted or deleted rows, a moved head.

    A redacted row's stated hash is what the next row must link from: the chain is checked
    across it, and its own content once a later download shows it."""
    problems: list[str] = []
    prev = GENESIS
    expected_seq = 1
    for entry in sorted(entries, key=lambda e: e["seq"]):
        seq = entry["seq"]
        if seq != expected_seq:
            problems.append(f"audit: rows {expected_seq}..{seq - 1} deleted (sequence jumps)")
        if not is_redacted(entry):
            body = _body(entry)
            if body.get("seq") != seq:
                problems.append(
                    f"audit row {seq}: sequence number edited (body says {body.get('seq')})"
                )
            if entry_hash(entry["prev_hash"], entry["body"]) != entry["hash"]:
                problems.append(f"audit row {seq}: edited (its hash does not match its content)")
        if entry["prev_hash"] != prev:
            problems.append(
                f"audit row {seq}: does not follow row {seq - 1} (a row was inserted, deleted "
                "or edited before it)"
            )
        prev = entry["hash"]
        expected_seq = seq + 1
    if head is not None:
        last_seq = expected_seq - 1
        if head["seq"] != last_seq or head["hash"] != prev:
            problems.append(
                f"audit: the head says row {head['seq']} ({head['hash'][:12]}), the chain ends at "
                f"row {last_seq} ({prev[:12]}): rows were deleted or appended outside the log"
            )
    return problems


def _body(entry: dict[str, Any]) -> dict[str, Any]:
    """An entry's body as JSON, or {} when it is not a JSON object (an edited row)."""
    try:
        body = json.loads(entry["body"])
    except (TypeError, ValueError):
        return {}
    return body if isinstance(body, dict) else {}


def verify_redactions(entries: list[dict[str, Any]], polls: list[dict[str, Any]]) -> list[str]:
    """A row may be withheld only for what is secret, and only while its poll is withheld."""
    exported = {poll["id"]: poll for poll in polls}
    problems = []
    for entry in entries:
        if not is_redacted(entry):
            continue
        poll = exported.get(entry.get("poll"))
        if entry["event"] not in REDACTABLE:
            problems.append(
                f"audit row {entry['seq']}: withheld, but a {entry['event']} entry holds nothing "
                "secret"
            )
        elif poll is not None and not poll.get("withheld"):
            problems.append(
                f"audit row {entry['seq']}: withheld, but poll {poll['id']} is not withheld in "
                "this export"
            )
    return problems


def verify_heads(entries: list[dict[str, Any]], polls: list[dict[str, Any]]) -> list[str]:
    """Every audit head recorded at a poll's open and close (in the poll's own entry, shown on
    the projector and the result sheet, stored with the poll) must be the chain's row at that
    number: a chain rewritten from an earlier row, hashes and head recomputed, no longer is."""
    chain = {entry["seq"]: entry["hash"] for entry in entries}
    chain[0] = GENESIS
    problems = []
    for entry in entries:
        body = {} if is_redacted(entry) else _body(entry)
        data = body.get("data")
        if body.get("event") not in ("poll.opened", "poll.closed") or not isinstance(data, dict):
            continue
        if not isinstance(data.get("figures"), dict):
            continue  # an edited row: the chain check reports it
        moment = "open" if body["event"] == "poll.opened" else "close"
        problem = _head_problem(
            f"poll {data.get('poll')}: the audit head its {moment} recorded in row {entry['seq']}",
            data["figures"].get("audit_head"),
            chain,
            before=entry["seq"],
        )
        if problem:
            problems.append(problem)
    for poll in polls:
        for moment, head in (poll.get("audit_heads") or {}).items():
            where = f"poll {poll['id']}: the audit head stored with the poll at its {moment}"
            problem = head and _head_problem(where, head, chain, before=None)
            if problem:
                problems.append(problem)
    return problems


def _head_problem(
    where: str, head: Any, chain: dict[int, str], *, before: int | None
) -> str | None:
    if not isinstance(head, dict) or not isinstance(head.get("seq"), int):
        return f"{where} is not a head (row and hash)"
    seq, digest = head["seq"], head.get("hash")
    if before is not None and seq >= before:
        return f"{where} names row {seq}, which is not before it"
    if seq not in chain:
        return f"{where} names row {seq}, which is not in the log"
    if chain[seq] != digest:
        return (
            f"{where} is row {seq} · {str(digest)[:12]}, but the chain's row {seq} is "
            f"{chain[seq][:12]}: the chain was rewritten after it was recorded"
        )
    return None


# --- each poll's life in the log --------------------------------------------------------------

# A poll's steps and the state each leaves it in: each at most once, in this order.
LIFE = {
    "poll.created": "draft",
    "poll.opened": "open",
    "poll.closed": "closed",
    "poll.published": "published",
}
STEPS = list(LIFE)
# A draft may be discarded instead of opened: its row is deleted, its log stays.
DISCARDED = "poll.discarded"
COUNTS = ("poll.counts_entered", "poll.counts_confirmed")


@dataclass(frozen=True)
class Event:
    seq: int
    event: str
    data: dict[str, Any] | None  # None: withheld from this export


@dataclass
class PollLog:
    """A poll's entries in log order."""

    events: list[Event] = field(default_factory=list)

    def of(self, name: str) -> list[Event]:
        return [event for event in self.events if event.event == name]

    def first(self, name: str) -> Event | None:
        return next((event for event in self.events if event.event == name), None)

    def last(self, name: str) -> Event | None:
        found = self.of(name)
        return found[-1] if found else None


def read_log(entries: list[dict[str, Any]]) -> tuple[dict[int, PollLog], dict[int, list[Event]]]:
    """The log's entries per poll (withheld ones by the poll they state) and per motion."""
    polls: dict[int, PollLog] = {}
    motions: dict[int, list[Event]] = {}
    for entry in sorted(entries, key=lambda e: e["seq"]):
        if is_redacted(entry):
            if isinstance(entry.get("poll"), int):
                event = Event(entry["seq"], entry["event"], None)
                polls.setdefault(entry["poll"], PollLog()).events.append(event)
            continue
        body = _body(entry)
        data, name = body.get("data"), body.get("event")
        if not isinstance(data, dict) or not isinstance(name, str):
            continue  # forged or edited: the chain check reports it
        if isinstance(data.get("poll"), int):
            polls.setdefault(data["poll"], PollLog()).events.append(Event(entry["seq"], name, data))
        elif name in ("motion.created", "motion.changed") and isinstance(data.get("motion"), int):
            motions.setdefault(data["motion"], []).append(Event(entry["seq"], name, data))
    return polls, motions


def _rows(seqs: list[int]) -> str:
    shown = ", ".join(str(seq) for seq in seqs[:5])
    return shown if len(seqs) <= 5 else f"{shown} and {len(seqs) - 5} more"


def _outcome(event: Event) -> Any:
    result = (event.data or {}).get("result")
    return result.get("outcome") if isinstance(result, dict) else None


def _state(step: Event) -> str:
    return "discarded" if step.event == DISCARDED else LIFE[step.event]


def replay_poll(pid: int, log: PollLog, kind: str | None) -> tuple[list[str], Event | None]:
    """Walk a poll's entries in log order: created, opened, closed, published, each at most
    once and in that order; ballots only while open (one per member); hand counts only
    between close and publication, confirmed before publication. The problems, and the last
    step taken (the state the log leaves the poll in)."""
    problems: list[str] = []
    step: Event | None = None
    done: dict[str, Event] = {}
    stray: dict[str, list[int]] = {}
    voters: dict[Any, list[int]] = {}
    entered = confirmed = False
    for event in log.events:
        name = event.event
        state = f"{_state(step)} (row {step.seq})" if step else "not yet created"
        if step is not None and step.event == DISCARDED:
            problems.append(f"poll {pid}: {name} in row {event.seq} after it was discarded")
            continue
        if name == DISCARDED:
            if step is None or step.event != "poll.created":
                problems.append(
                    f"poll {pid}: discarded in row {event.seq} while the log had it {state}"
                )
                continue
            step = event
        elif name in LIFE:
            verb = name.removeprefix("poll.")
            expected = STEPS.index(step.event) + 1 if step else 0
            if name in done:
                earlier = done[name]
                differ = ""
                if name == "poll.published" and _outcome(earlier) != _outcome(event):
                    differ = f", {_outcome(earlier)} then {_outcome(event)}"
                problems.append(
                    f"poll {pid}: {verb} twice in the audit log (rows {earlier.seq} and "
                    f"{event.seq}{differ})"
                )
            elif STEPS.index(name) != expected:
                problems.append(
                    f"poll {pid}: {verb} in row {event.seq} while the log had it {state}"
                )
            elif name == "poll.published" and kind == "hand" and not confirmed:
                problems.append(
                    f"poll {pid}: published in row {event.seq} without confirmed hand counts"
                )
            done.setdefault(name, event)
            step = event
        elif name == "ballot.cast":
            if step is None or step.event != "poll.opened" or kind == "hand":
                where = "in a hand-counted poll" if kind == "hand" else f"while it was {state}"
                stray.setdefault(where, []).append(event.seq)
            if event.data is not None:
                voters.setdefault(event.data.get("member"), []).append(event.seq)
        elif name in COUNTS:
            verb = name.removeprefix("poll.counts_")
            if kind not in (None, "hand"):
                problems.append(
                    f"poll {pid}: hand counts {verb} in row {event.seq}, but it is {kind}"
                )
            elif step is None or step.event != "poll.closed":
                problems.append(
                    f"poll {pid}: hand counts {verb} in row {event.seq} while it was {state}"
                )
            if name == "poll.counts_entered":
                entered, confirmed = True, False
            elif not entered:
                problems.append(f"poll {pid}: counts confirmed in row {event.seq}, none entered")
            else:
                confirmed = True
    for where, seqs in stray.items():
        problems.append(f"poll {pid}: {len(seqs)} ballot(s) cast in rows {_rows(seqs)} {where}")
    for member, seqs in voters.items():
        if len(seqs) > 1:
            problems.append(
                f"poll {pid}: member {member} has {len(seqs)} ballots cast in the log "
                f"(rows {_rows(seqs)})"
            )
    return problems, step


# --- each poll against its log and its recount -------------------------------------------------


def verify_polls(
    polls: list[dict[str, Any]], entries: list[dict[str, Any]]
) -> tuple[list[str], list[str]]:
    """Replay each poll's life from the log, compare what is stored with it, and recompute
    every closed or published poll; (problems, lines describing what was recomputed)."""
    problems: list[str] = []
    checked: list[str] = []
    logs, motions = read_log(entries)
    exported = {poll["id"]: poll for poll in polls}
    for pid in sorted(set(logs) | set(exported)):
        poll, log = exported.get(pid), logs.get(pid, PollLog())
        found, step = replay_poll(pid, log, poll["kind"] if poll else None)
        problems += found
        discarded = step is not None and step.event == DISCARDED
        if poll is None and discarded:
            continue
        if poll is not None and discarded:
            problems.append(
                f"poll {pid}: stored as {poll['state']}, but its audit log discarded it "
                f"(row {step.seq})"
            )
            continue
        if poll is None:
            last = f"{_state(step)} in row {step.seq}" if step else f"row {log.events[0].seq}"
            problems.append(
                f"poll {pid}: in the audit log (last {last}) but missing from the export: "
                "deleted from the database"
            )
            continue
        if step is None:
            problems.append(
                f"poll {pid}: stored as {poll['state']}, but the audit log never created it"
            )
        elif LIFE[step.event] != poll["state"]:
            problems.append(
                f"poll {pid}: stored as {poll['state']}, but its audit log has it "
                f"{LIFE[step.event]} (row {step.seq})"
            )
        found, line = _check_poll(poll, log, motions)
        problems += found
        if line:
            checked.append(line)
    return problems, checked


def _check_poll(
    poll: dict[str, Any], log: PollLog, motions: dict[int, list[Event]]
) -> tuple[list[str], str | None]:
    pid = poll["id"]
    problems = _facts_against_log(poll, log, motions)
    if poll["state"] not in ("closed", "published"):
        return problems, None
    if poll.get("withheld"):
        return problems, f"poll {pid} ({poll['title']}): ballots withheld until published"
    closing = log.last("poll.closed")
    if closing is None:
        problems.append(f"poll {pid}: closed but its closing is not in the audit log")
        return problems, None
    if closing.data is None:
        return problems, None  # withheld though the poll is not: verify_redactions says so
    seal = closing.data
    present = ((seal.get("figures") or {}).get("quorum") or {}).get("present_weight")
    if present is not None and present != poll["present_weight_at_close"]:
        problems.append(
            f"poll {pid}: its present weight at close is now {poll['present_weight_at_close']}, "
            f"its closing recorded {present} (row {closing.seq})"
        )
    recorded: list[tuple[str, Any]] = []
    if poll["kind"] != "hand":
        problems += _ballots_against_log(poll, log, seal)
        recorded.append((f"the result sealed at its close (row {closing.seq})", seal.get("result")))
    elif not poll["hand_counts"]:
        return problems, f"poll {pid} ({poll['title']}): closed, counts not entered yet"
    else:
        problems += _hand_counts_against_log(poll, log)
        confirmed = log.last("poll.counts_confirmed")
        entered = log.last("poll.counts_entered")
        if confirmed and confirmed.data and (entered is None or confirmed.seq > entered.seq):
            recorded.append(
                (f"the result confirmed in row {confirmed.seq}", confirmed.data.get("result"))
            )
    if poll["kind"] != "hand" or poll["result"]:
        recorded.append(("the stored result", poll["result"]))
    for published in log.of("poll.published"):
        if published.data is not None:
            recorded.append(
                (f"the result published in row {published.seq}", published.data.get("result"))
            )
    recomputed = result_for_poll(poll, poll["ballots"])
    problems += _results_against_recount(poll, recorded, recomputed)
    return problems, (
        f"poll {pid} ({poll['title']}, round {poll['round']}): {recomputed['outcome']}, "
        f"{recomputed['cast']} cast"
    )


def _facts_against_log(
    poll: dict[str, Any], log: PollLog, motions: dict[int, list[Event]]
) -> list[str]:
    """What the tally is computed from, as stored now, against what the log recorded."""
    pid = poll["id"]
    created = log.first("poll.created")
    if created is None or created.data is None:
        return []
    problems = []
    # A draft takes its motion's seats and candidates as they are when it opens.
    opened = log.first("poll.opened")
    for key in ("kind", "round", "seats", "candidates"):
        source, verb = created, "it was created with"
        if key in ("seats", "candidates") and opened and opened.data and key in opened.data:
            source, verb = opened, "it opened with"
        then, now = source.data.get(key), poll.get(key)
        if key == "candidates" and isinstance(then, list) and isinstance(now, list):
            then, now = sorted(then), sorted(now)
        if key in source.data and then != now:
            problems.append(
                f"poll {pid}: its {key} is now {now!r}, {verb} {then!r} (row {source.seq})"
            )
    # The majority as the log last recorded it before the poll opened (a draft's motion may
    # still change; once a poll has opened the back office shows it, it does not edit it).
    rules = [
        event
        for event in motions.get(created.data.get("motion"), [])
        if "majority" in event.data and (opened is None or event.seq < opened.seq)
    ]
    if rules and rules[-1].data["majority"] != poll["majority"]:
        problems.append(
            f"poll {pid}: its motion's majority is now {poll['majority']}, the audit log has "
            f"{rules[-1].data['majority']} (row {rules[-1].seq})"
        )
    return problems


def _ballots_against_log(poll: dict[str, Any], log: PollLog, seal: dict[str, Any]) -> list[str]:
    """The exported ballots against the seal at close; the seal against the ballots cast (their
    number; for roll-call polls each one's content, which its ballot.cast entry holds)."""
    pid = poll["id"]
    problems = []
    rows = {b["id"]: b for b in poll["ballots"]}
    sealed = dict(seal.get("ballots") or [])
    for bid, row in rows.items():
        if bid not in sealed:
            problems.append(f"poll {pid}: ballot {bid} inserted after the poll closed")
        elif sealed[bid] != ballot_hash(row):
            problems.append(f"poll {pid}: ballot {bid} edited after the poll closed")
    for bid in sealed:
        if bid not in rows:
            problems.append(f"poll {pid}: ballot {bid} deleted after the poll closed")
    casts = log.of("ballot.cast")
    if len(sealed) != len(casts):
        problems.append(
            f"poll {pid}: {len(sealed)} ballots sealed at the close but {len(casts)} cast in the "
            "log (a ballot was added or removed)"
        )
    if poll["kind"] != "roll_call":
        return problems
    for cast in casts:
        if cast.data is None:
            continue
        bid, member = cast.data.get("ballot"), cast.data.get("member")
        if bid not in sealed:
            problems.append(
                f"poll {pid}: the ballot member {member} cast in row {cast.seq} was not sealed "
                "at the close"
            )
        elif sealed[bid] != cast.data.get("ballot_hash"):
            now = f", now {_choices(rows[bid]['choices'])}" if bid in rows else ""
            problems.append(
                f"poll {pid}: ballot {bid} of member {member} was edited between its casting "
                f"(row {cast.seq}: {_choices(cast.data.get('choices'))}{now}) and the close"
            )
    return problems


def _hand_counts_against_log(poll: dict[str, Any], log: PollLog) -> list[str]:
    pid = poll["id"]
    entered = log.last("poll.counts_entered")
    if entered is None:
        return [f"poll {pid}: has hand counts, but their entry is not in the audit log"]
    if entered.data is None or canonical_json(entered.data.get("counts")) == canonical_json(
        poll["hand_counts"]
    ):
        return []
    return [
        f"poll {pid}: its hand counts are now {_hand_text(poll['hand_counts'])}, but "
        f"{_hand_text(entered.data.get('counts'))} were entered (row {entered.seq})"
    ]


def _results_against_recount(
    poll: dict[str, Any], recorded: list[tuple[str, Any]], recount: dict[str, Any]
) -> list[str]:
    """One line per distinct recorded result that the recount does not give, naming where."""
    differing: dict[str, tuple[Any, list[str]]] = {}
    for where, result in recorded:
        key = canonical_json(result)
        if key != canonical_json(recount):
            differing.setdefault(key, (result, []))[1].append(where)
    return [
        _disagreement(poll, _joined(wheres), result, recount)
        for result, wheres in differing.values()
    ]


# What a result derives from its counts by the motion's rules.
DERIVED = (
    "mode",
    "abstentions",
    "base",
    "threshold",
    "outcome",
    "tie",
    "elected",
    "runoff",
    "runoff_seats",
)


def _disagreement(poll: dict[str, Any], where: str, result: Any, recount: dict[str, Any]) -> str:
    """Say what differs: the counts (the ballots or the entered counts changed), or only what
    the counts mean (the motion's rules or the figures at close changed)."""
    pid = poll["id"]
    source = "hand counts" if poll["kind"] == "hand" else "ballots"
    recounted = f"the {source} now {'give' if poll['kind'] == 'hand' else 'count'}"
    if not isinstance(result, dict) or "counts" not in result:
        return f"poll {pid}: {where} holds no result; {recounted} {_tally_text(recount)}"
    if canonical_json([result.get("counts"), result.get("cast")]) != canonical_json(
        [recount["counts"], recount["cast"]]
    ):
        return (
            f"poll {pid}: {recounted} {_tally_text(recount)}, but {where} counted "
            f"{_tally_text(result)}"
        )
    changed = [
        f"{key} {_text(result.get(key))} there, {_text(recount.get(key))} now"
        for key in DERIVED
        if canonical_json(result.get(key)) != canonical_json(recount.get(key))
    ]
    return (
        f"poll {pid}: a recount finds the same counts as {where} ({_tally_text(recount)}) but "
        f"makes something else of them ({'; '.join(changed)}): the rules they are counted under "
        f"changed, not the {source} (now {_rules_text(poll)})"
    )


def _joined(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _text(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(str(v) for v in value) + "]"
    return str(value)


def _choices(choices: Any) -> str:
    return "+".join(str(c) for c in choices) if isinstance(choices, list) else str(choices)


def _counts_text(counts: Any) -> str:
    if not isinstance(counts, dict):
        return str(counts)
    first = [k for k in (YES, NO) if k in counts]
    rest = [k for k in counts if k not in (YES, NO, ABSTAIN)]
    last = [ABSTAIN] if ABSTAIN in counts else []
    label = {YES: YES, NO: NO, ABSTAIN: ABSTAIN}
    return ", ".join(f"{label.get(k, f'candidate {k}')} {counts[k]}" for k in first + rest + last)


def _tally_text(result: dict[str, Any]) -> str:
    return f"{_counts_text(result.get('counts'))} ({result.get('cast')} cast)"


def _hand_text(hand: Any) -> str:
    if not isinstance(hand, dict):
        return str(hand)
    return f"{_counts_text(hand.get('counts'))} ({hand.get('ballots')} ballots)"


def _rules_text(poll: dict[str, Any]) -> str:
    rules = (
        f"majority {poll['majority']}, abstentions "
        f"{'in' if poll['abstentions_in_base'] else 'not in'} the base, present weight at close "
        f"{poll['present_weight_at_close']}"
    )
    if poll["mode"] == "candidates":
        rules += f", {poll['seats']} seats, runoff rule {poll['runoff_rule']}"
    return rules


# --- the verdict ------------------------------------------------------------------------------


@dataclass
class Verdict:
    problems: list[str]
    checked: list[str]  # one line per poll recomputed (or left for later)
    notes: list[str]  # what an observer compares by hand, and what could not be read
    unread: int  # rows withheld from this export


def check_export(export: dict[str, Any]) -> Verdict:
    entries, polls = export["audit"], export["polls"]
    problems = verify_chain(entries, export.get("head"))
    problems += verify_redactions(entries, polls)
    problems += verify_heads(entries, polls)
    poll_problems, checked = verify_polls(polls, entries)
    unread = sum(1 for entry in entries if is_redacted(entry))
    return Verdict(problems + poll_problems, checked, _notes(export), unread)


def verify_export(export: dict[str, Any]) -> tuple[list[str], list[str]]:
    verdict = check_export(export)
    return verdict.problems, verdict.checked


def _notes(export: dict[str, Any]) -> list[str]:
    entries = export["audit"]
    notes = []
    unread = [entry for entry in entries if is_redacted(entry)]
    if unread:
        reasons: dict[str, int] = {}
        for entry in unread:
            reasons[str(entry["redacted"])] = reasons.get(str(entry["redacted"]), 0) + 1
        why = "; ".join(f"{n} as {reason}" for reason, n in reasons.items())
        notes.append(
            f"{len(unread)} of {len(entries)} audit rows could not be opened: the server withheld "
            f"their content from this download ({why}). Their links were checked by their "
            "stated hashes; what they hold (choices, seals, counts, results, heads) was not: "
            "download again once the polls are published"
        )
    for poll in export["polls"]:
        heads = {k: v for k, v in (poll.get("audit_heads") or {}).items() if isinstance(v, dict)}
        if heads:
            said = ", ".join(
                f"at {moment} row {head.get('seq')} · {head.get('hash')}"
                for moment, head in heads.items()
            )
            notes.append(f"poll {poll['id']} ({poll['title']}): audit head {said}")
    head = export.get("head")
    notes.append(
        f"final audit head: row {head['seq']} · {head['hash']} (compare it with the head the "
        "projector and the result sheets showed last)"
        if head
        else "final audit head: none (the log is empty)"
    )
    return notes


def summary(export: dict[str, Any], verdict: Verdict) -> str:
    unread = f", {verdict.unread} withheld (not opened)" if verdict.unread else ""
    return (
        f"{len(export['audit'])} audit rows{unread}, {len(verdict.checked)} polls recomputed, "
        f"{len(verdict.problems)} problems"
    )


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python3 verify.py EXPORT.json", file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as handle:
        export = json.load(handle)
    verdict = check_export(export)
    for line in verdict.checked:
        print("checked:", line)
    for line in verdict.notes:
        print("note:", line)
    for line in verdict.problems:
        print("PROBLEM:", line)
    print(summary(export, verdict))
    return 1 if verdict.problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
