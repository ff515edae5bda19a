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


def verify_chain(entries: list[dict[str, Any]], head: dict[str, Any] | None) -> list[str]:
    """Problems found in the chain: edited, inserted or deleted rows, a moved head."""
    problems: list[str] = []
    prev = GENESIS
    expected_seq = 1
    for entry in sorted(entries, key=lambda e: e["seq"]):
        seq = entry["seq"]
        if seq != expected_seq:
            problems.append(f"audit: rows {expected_seq}..{seq - 1} deleted (sequence jumps)")
        body_seq = _body(entry).get("seq")
        if body_seq != seq:
            problems.append(f"audit row {seq}: sequence number edited (body says {body_seq})")
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
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def verify_polls(
    polls: list[dict[str, Any]], entries: list[dict[str, Any]]
) -> tuple[list[str], list[str]]:
    """Recompute every closed or published poll; (problems, lines describing what was checked)."""
    problems: list[str] = []
    checked: list[str] = []
    sealed: dict[int, dict[str, Any]] = {}
    published: dict[int, dict[str, Any]] = {}
    casts: dict[int, int] = {}
    for entry in entries:
        data = _body(entry).get("data")
        if not isinstance(data, dict) or not isinstance(data.get("poll"), int):
            continue  # not about a poll (or forged: the chain check reports it)
        if entry["event"] == "ballot.cast":
            casts[data["poll"]] = casts.get(data["poll"], 0) + 1
        elif entry["event"] == "poll.closed":
            sealed[data["poll"]] = data
        elif entry["event"] == "poll.published":
            published[data["poll"]] = data
    for poll in polls:
        if poll["state"] not in ("closed", "published"):
            continue
        pid = poll["id"]
        if poll.get("withheld"):
            checked.append(f"poll {pid} ({poll['title']}): ballots withheld until published")
            continue
        seal = sealed.get(pid)
        if seal is None:
            problems.append(f"poll {pid}: closed but its closing is not in the audit log")
            continue
        if poll["kind"] != "hand":
            rows = {b["id"]: ballot_hash(b) for b in poll["ballots"]}
            expected = dict(seal["ballots"])
            for bid, digest in rows.items():
                if bid not in expected:
                    problems.append(f"poll {pid}: ballot {bid} inserted after the poll closed")
                elif expected[bid] != digest:
                    problems.append(f"poll {pid}: ballot {bid} edited after the poll closed")
            for bid in expected:
                if bid not in rows:
                    problems.append(f"poll {pid}: ballot {bid} deleted after the poll closed")
            if len(expected) != casts.get(pid, 0):
                problems.append(
                    f"poll {pid}: {len(expected)} ballots sealed at the close but "
                    f"{casts.get(pid, 0)} cast in the log (a ballot was added or removed)"
                )
        if poll["kind"] == "hand" and not poll["hand_counts"]:
            checked.append(f"poll {pid} ({poll['title']}): closed, counts not entered yet")
            continue
        recomputed = result_for_poll(poll, poll["ballots"])
        if poll["state"] == "published":
            record = published.get(pid)
            if record is None:
                problems.append(f"poll {pid}: published but not in the audit log")
            elif canonical_json(record["result"]) != canonical_json(recomputed):
                problems.append(f"poll {pid}: the ballots no longer give the published result")
            if canonical_json(poll["result"]) != canonical_json(recomputed):
                problems.append(f"poll {pid}: the stored result differs from the ballots")
        checked.append(
            f"poll {pid} ({poll['title']}, round {poll['round']}): {recomputed['outcome']}, "
            f"{recomputed['cast']} cast"
        )
    return problems, checked


def verify_export(export: dict[str, Any]) -> tuple[list[str], list[str]]:
    problems = verify_chain(export["audit"], export.get("head"))
    poll_problems, checked = verify_polls(export["polls"], export["audit"])
    return problems + poll_problems, checked


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python3 verify.py EXPORT.json", file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as handle:
        export = json.load(handle)
    problems, checked = verify_export(export)
    for line in checked:
        print("checked:", line)
    for line in problems:
        print("PROBLEM:", line)
    entries = len(export["audit"])
    print(f"{entries} audit rows, {len(checked)} polls recomputed, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
