"""An assembly's log with every kind of poll in every state, as the audit tests tamper with it."""

from dataclasses import dataclass

from django.core.management import call_command

from tests.voting.factories import draft_poll, election, resolution
from voting.models import Poll, PollKind
from voting.services import (
    cast_ballots,
    close_poll,
    confirm_hand_counts,
    enter_hand_counts,
    open_poll,
    publish_poll,
)


@dataclass
class EveryPoll:
    secret: Poll  # published, 3 yes 1 no 1 abstain
    roll_call: Poll  # published, 2 yes 2 no 1 abstain
    hand: Poll  # counts entered, confirmed, published
    election: Poll  # published, 2-2-1: a runoff
    runoff: Poll  # the runoff's draft
    closed: Poll  # secret, closed, not published
    open_roll_call: Poll  # two ballots cast so far
    draft: Poll


def vote(poll, voters, choices):
    for delegate, choice in zip(voters, choices, strict=False):
        cast_ballots(poll=poll, delegate=delegate, choices=[choice])


def every_poll(body, voters, chair, secretariat) -> EveryPoll:
    """Build through the services only, as the console and the phones would."""
    secret = open_poll(poll=draft_poll(resolution(body, code="secret")), by=chair)
    vote(secret, voters, ["yes", "yes", "no", "yes", "abstain"])
    publish_poll(poll=close_poll(poll=secret, by=chair), by=chair)

    roll_call = open_poll(
        poll=draft_poll(resolution(body, code="named"), kind=PollKind.ROLL_CALL), by=chair
    )
    vote(roll_call, voters, ["yes", "no", "yes", "no", "abstain"])
    publish_poll(poll=close_poll(poll=roll_call, by=chair), by=chair)

    hand = open_poll(poll=draft_poll(resolution(body, code="hand"), kind=PollKind.HAND), by=chair)
    close_poll(poll=hand, by=chair)
    enter_hand_counts(
        poll=hand, by=secretariat, counts={"yes": 3, "no": 2, "abstain": 0}, ballots=5
    )
    confirm_hand_counts(poll=hand, by=chair)
    publish_poll(poll=hand, by=chair)

    motion = election(body, names=["Kampala", "São Paulo", "Ulaanbaatar"], seats=1)
    ids = [str(c.pk) for c in motion.candidates.order_by("position")]
    elected = open_poll(poll=draft_poll(motion), by=chair)
    vote(elected, voters, [ids[0], ids[0], ids[1], ids[1], ids[2]])
    publish_poll(poll=close_poll(poll=elected, by=chair), by=chair)
    runoff = elected.runoffs.get()

    closed = open_poll(poll=draft_poll(resolution(body, code="closed")), by=chair)
    vote(closed, voters, ["no", "no", "yes"])
    close_poll(poll=closed, by=chair)

    open_roll_call = open_poll(
        poll=draft_poll(resolution(body, code="open"), kind=PollKind.ROLL_CALL), by=chair
    )
    vote(open_roll_call, voters, ["yes", "no"])

    draft = draft_poll(resolution(body, code="draft"))
    return EveryPoll(
        secret=Poll.objects.get(pk=secret.pk),
        roll_call=Poll.objects.get(pk=roll_call.pk),
        hand=Poll.objects.get(pk=hand.pk),
        election=Poll.objects.get(pk=elected.pk),
        runoff=runoff,
        closed=Poll.objects.get(pk=closed.pk),
        open_roll_call=Poll.objects.get(pk=open_roll_call.pk),
        draft=draft,
    )


def verify_audit(capsys) -> tuple[int, str]:
    """The server's own check, as `manage.py verify_audit`: exit status and output."""
    try:
        call_command("verify_audit")
        status = 0
    except SystemExit as exc:
        status = exc.code
    return status, capsys.readouterr().out
