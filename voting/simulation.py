"""The voting simulation behind simulate_voting: in its own process, or inside the server."""

import asyncio
import random
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from asgiref.sync import SyncToAsync, sync_to_async
from django.contrib.auth import get_user_model
from django.core import signing
from django.db import close_old_connections
from django.utils import timezone

from assembly.models import Assembly, Role, StaffRole
from registration.models import (
    Accreditation,
    AccreditationKind,
    Delegate,
    DelegateRole,
    RegistrationState,
)
from voting.errors import DomainError
from voting.models import Poll, PollKind, PollState
from voting.presence import record_hall_entry
from voting.selectors import electorate, poll_options, poll_turnout, quorum_snapshot
from voting.services import cast_ballots, close_poll, open_poll, publish_poll

SIMULATED_DOMAIN = "simulated.plenary.example"
REMOTE_SALT = "plenary.voting.simulate"
REMOTE_TOKEN_SECONDS = 120


class SimulationError(Exception):
    """The simulation cannot start (not the demo, no poll left, no chair)."""


NOT_THE_DEMO = (
    "The vote simulation runs only on the demo assembly (loaded by load_demo): it invents "
    "delegates and casts ballots in members' names, so it never runs on a real assembly."
)


def refuse_unless_demo(assembly: Assembly) -> None:
    """Only the demo assembly may have fake delegates checked in and ballots cast for them."""
    if not assembly.is_demo:
        raise SimulationError(NOT_THE_DEMO)


class Simulation:
    """Check in every voting member's delegate, open a poll, cast ballots, close and publish."""

    def __init__(
        self,
        *,
        assembly: Assembly,
        motion: str | None = None,
        seconds: float = 60.0,
        turnout: float = 0.9,
        keep_open: bool = False,
        seed: int | None = None,
        write: Callable[[str], None] = print,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        refuse_unless_demo(assembly)
        self.assembly = assembly
        self.options = {
            "motion": motion,
            "seconds": seconds,
            "turnout": turnout,
            "keep_open": keep_open,
            "seed": seed,
        }
        self.write = write
        self.sleep = sleep
        self.poll = self.pick_poll(assembly, motion)

    def run(self) -> Poll:
        refuse_unless_demo(self.assembly)
        options = self.options
        rng = random.Random(options["seed"])  # noqa: S311 - a simulation, not a secret
        assembly = self.assembly
        poll = self.poll
        chair = self.chair(assembly)
        body = poll.motion.body
        delegates = self.voting_delegates(assembly, body)
        pace = options["seconds"] / 3 / max(1, len(delegates))
        self.write(f"Checking in {len(delegates)} voting delegates ...")
        for i, delegate in enumerate(delegates, 1):
            record_hall_entry(delegate=delegate, at=timezone.now())
            if i % 10 == 0 or i == len(delegates):
                q = quorum_snapshot(body)
                self.write(f"  quorum {q['present']}/{q['eligible']} ({q['status']})")
            self.sleep(pace)
        quorum = quorum_snapshot(body)
        reason = "" if quorum["reached"] else "Simulation: opened without quorum"
        poll = open_poll(poll=poll, by=chair, override_reason=reason)
        self.write(f"Opened poll {poll.pk}: {poll.motion.title}")
        voters = [d for d in delegates if rng.random() < options["turnout"]]
        values = [o["value"] for o in poll_options(poll)]
        pace = options["seconds"] * 2 / 3 / max(1, len(voters))
        for i, delegate in enumerate(voters, 1):
            choice = self.choice(rng, values, poll.seats)
            try:
                cast_ballots(poll=poll, delegate=delegate, choices=choice)
            except DomainError as error:
                self.write(f"  {delegate}: {error.code}")
            if i % 10 == 0 or i == len(voters):
                self.write(f"  turnout {poll_turnout(poll.pk).turnout}/{len(delegates)}")
            self.sleep(pace)
        if options["keep_open"]:
            return poll
        poll = close_poll(poll=poll, by=chair, scheduled=True)
        poll = publish_poll(poll=poll, by=chair)
        self.write(f"Published: {poll.result['outcome']}")
        return poll

    def pick_poll(self, assembly: Assembly, code: str | None) -> Poll:
        polls = Poll.objects.filter(assembly=assembly, state=PollState.DRAFT).exclude(
            kind=PollKind.HAND
        )
        polls = polls.filter(motion__code=code) if code else polls.filter(motion__body__code="ga")
        poll = (
            polls.select_related("motion", "motion__body")
            .order_by("motion__agenda_item_number", "pk")
            .first()
        )
        if poll is None:
            raise SimulationError(
                "No electronic draft poll left to simulate (load_demo adds them)."
            )
        return poll

    def chair(self, assembly: Assembly) -> Any:
        role = StaffRole.objects.filter(assembly=assembly, role=Role.CHAIR).first()
        if role is not None:
            return role.user
        user = get_user_model().objects.filter(is_superuser=True).first()
        if user is None:
            raise SimulationError("No chair at this assembly.")
        return user

    def voting_delegates(self, assembly: Assembly, body: Any) -> list[Delegate]:
        """Each voting member's active voting delegate, creating a simulated one where missing."""
        accredited = dict(
            Accreditation.objects.filter(
                assembly=assembly, kind=AccreditationKind.VOTING, ended_at__isnull=True
            ).values_list("member_id", "delegate_id")
        )
        delegates = []
        for member in electorate(body).order_by("name"):
            delegate_id = accredited.get(member.pk)
            if delegate_id is None:
                delegate, _created = Delegate.objects.get_or_create(
                    assembly=assembly,
                    email=f"member-{member.pk}@{SIMULATED_DOMAIN}",
                    defaults={
                        "member": member,
                        "full_name": f"Voting delegate of {member.name}",
                        "role": DelegateRole.VOTING_DELEGATE,
                        "state": RegistrationState.APPROVED,
                        "country": member.country,
                    },
                )
                Accreditation.objects.create(
                    assembly=assembly,
                    member=member,
                    delegate=delegate,
                    kind=AccreditationKind.VOTING,
                )
                delegate_id = delegate.pk
            delegates.append(delegate_id)
        return list(Delegate.objects.filter(pk__in=delegates).order_by("?"))

    def choice(self, rng: random.Random, values: list[str], seats: int) -> list[str]:
        if values[:2] == ["yes", "no"]:
            return [rng.choices(["yes", "no", "abstain"], weights=[8, 1, 1])[0]]
        candidates = [v for v in values if v != "abstain"]
        if rng.random() < 0.05:
            return ["abstain"]
        return rng.sample(candidates, k=max(1, min(seats, len(candidates))))


# --- inside the server -------------------------------------------------------------------------

_running: set[Future] = set()


def remote_token(assembly: Assembly) -> str:
    """A short-lived token the command sends to a DEBUG server to start a simulation there."""
    return signing.dumps({"a": assembly.pk, "p": "simulate"}, salt=REMOTE_SALT)


def remote_token_valid(*, assembly: Assembly, token: str) -> bool:
    try:
        data = signing.loads(token, salt=REMOTE_SALT, max_age=REMOTE_TOKEN_SECONDS)
    except signing.BadSignature:
        return False
    return data.get("p") == "simulate" and data.get("a") == assembly.pk


def _run_in_thread(simulation: Simulation) -> None:
    try:
        simulation.run()
    except (DomainError, SimulationError) as error:
        simulation.write(f"Simulation stopped: {error}")
    finally:
        close_old_connections()


def start_in_server(simulation: Simulation) -> None:
    """Run the simulation beside the server's sockets, so the in-memory layer reaches them.

    Under ASGI it runs in a worker thread of the server's event loop: its broadcasts and
    coalesced turnout take the same path as a request's. Elsewhere, in a plain thread.
    """
    loop = getattr(SyncToAsync.threadlocal, "main_event_loop", None)
    if loop is None:
        threading.Thread(target=_run_in_thread, args=(simulation,), daemon=True).start()
        return
    runner = sync_to_async(_run_in_thread, thread_sensitive=False)
    future = asyncio.run_coroutine_threadsafe(runner(simulation), loop)
    _running.add(future)
    future.add_done_callback(_running.discard)
