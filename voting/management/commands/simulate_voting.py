"""Check in the demo's voting delegates, open a poll and cast their ballots over about a minute."""

import random
import time
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from assembly.demo_data import ASSEMBLY
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
from voting.selectors import electorate, poll_options, quorum_snapshot
from voting.services import cast_ballots, close_poll, open_poll, publish_poll

SIMULATED_DOMAIN = "simulated.plenary.example"


class Command(BaseCommand):
    help = (
        "Give every voting member of the poll's body a voting delegate (simulated ones where the "
        "demo has none), check them into the plenary hall, open the poll and cast their ballots "
        "over --seconds, then close and publish it. Watch the chair console and projector."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--assembly", default=ASSEMBLY["slug"])
        parser.add_argument("--motion", help="motion code (default: the first draft GA poll)")
        parser.add_argument("--seconds", type=float, default=60.0)
        parser.add_argument("--turnout", type=float, default=0.9, help="share who vote")
        parser.add_argument("--keep-open", action="store_true", help="do not close at the end")
        parser.add_argument("--seed", type=int, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        rng = random.Random(options["seed"])  # noqa: S311 - a simulation, not a secret
        assembly = Assembly.objects.filter(slug=options["assembly"]).first()
        if assembly is None:
            raise CommandError("No such assembly: run load_demo first.")
        poll = self.pick_poll(assembly, options["motion"])
        chair = self.chair(assembly)
        body = poll.motion.body
        delegates = self.voting_delegates(assembly, body)
        pace = options["seconds"] / 3 / max(1, len(delegates))
        self.stdout.write(f"Checking in {len(delegates)} voting delegates ...")
        for i, delegate in enumerate(delegates, 1):
            record_hall_entry(delegate=delegate, at=timezone.now())
            if i % 10 == 0 or i == len(delegates):
                q = quorum_snapshot(body)
                self.stdout.write(f"  quorum {q['present']}/{q['eligible']} ({q['status']})")
            time.sleep(pace)
        quorum = quorum_snapshot(body)
        reason = "" if quorum["reached"] else "Simulation: opened without quorum"
        poll = open_poll(poll=poll, by=chair, override_reason=reason)
        self.stdout.write(f"Opened poll {poll.pk}: {poll.motion.title}")
        voters = [d for d in delegates if rng.random() < options["turnout"]]
        values = [o["value"] for o in poll_options(poll)]
        pace = options["seconds"] * 2 / 3 / max(1, len(voters))
        for i, delegate in enumerate(voters, 1):
            choice = self.choice(rng, values, poll.seats)
            try:
                cast_ballots(poll=poll, delegate=delegate, choices=choice)
            except DomainError as error:
                self.stdout.write(f"  {delegate}: {error.code}")
            if i % 10 == 0 or i == len(voters):
                poll.refresh_from_db()
                self.stdout.write(f"  turnout {poll.turnout}/{len(delegates)}")
            time.sleep(pace)
        if options["keep_open"]:
            return
        poll = close_poll(poll=poll, by=chair, scheduled=True)
        poll = publish_poll(poll=poll, by=chair)
        self.stdout.write(self.style.SUCCESS(f"Published: {poll.result['outcome']}"))

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
            raise CommandError("No electronic draft poll left to simulate (load_demo adds them).")
        return poll

    def chair(self, assembly: Assembly) -> Any:
        role = StaffRole.objects.filter(assembly=assembly, role=Role.CHAIR).first()
        if role is not None:
            return role.user
        user = get_user_model().objects.filter(is_superuser=True).first()
        if user is None:
            raise CommandError("No chair at this assembly.")
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
