"""The public receipt list of a published poll, and the check of one receipt code."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from assembly.auth import assembly_page
from assembly.models import Assembly
from voting.models import Poll, PollKind, PollState
from voting.selectors import poll_candidate_ids, poll_mode, poll_options, receipt_list
from voting.verify import receipt_hash, tally
from voting.views import _not_found, _poll_or_none, _refused


def receipt_totals(poll: Poll, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per choice: the listed ballots naming it, their weighted total (by the tally observers
    run) and the published count, so the list can be reconciled with the result."""
    counts, _cast = tally(mode=poll_mode(poll), candidates=poll_candidate_ids(poll), ballots=rows)
    published = (poll.result or {}).get("counts", {})
    return [
        {
            "label": option["label"],
            "ballots": sum(1 for row in rows if option["value"] in map(str, row["choices"])),
            "votes": counts.get(option["value"], 0),
            "published": published.get(option["value"], 0),
        }
        for option in poll_options(poll)
    ]


@require_http_methods(["GET", "HEAD", "POST"])
@assembly_page()
def receipts(request: HttpRequest, assembly: Assembly, poll_id: int) -> HttpResponse:
    """Public after publication: each receipt's hash with its choice and weight, the totals per
    choice, and a check for one code. The code is sent by POST only: in a query string it would
    stay in proxy logs and browser history, where with the public list it tells how that voter
    voted. An old link with ?code= gets the form, not the answer."""
    poll = _poll_or_none(assembly, poll_id)
    if poll is None:
        return _not_found(request)
    if poll.state != PollState.PUBLISHED:
        return _refused(request, _("Receipts are listed once the result is published."))
    rows = receipt_list(poll)
    checked = request.method == "POST" and bool(request.POST.get("code", "").strip())
    wanted = receipt_hash(request.POST["code"]) if checked else None
    totals = receipt_totals(poll, rows) if poll.kind != PollKind.HAND else []
    response = render(
        request,
        "voting/receipts.html",
        {
            "assembly": assembly,
            "poll": poll,
            "rows": rows,
            "weighted": any(row["weight"] != 1 for row in rows),
            "totals": totals,
            "totals_match": all(t["votes"] == t["published"] for t in totals),
            "by_hand": poll.kind == PollKind.HAND,
            "checked": checked,
            "found": next((row for row in rows if row["receipt_hash"] == wanted), None),
        },
    )
    if request.method == "POST":
        # The answer names a choice for a code: no browser or proxy keeps a copy.
        add_never_cache_headers(response)  # Cache-Control: ... no-cache, no-store ... private
    return response
