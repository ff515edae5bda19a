"""Check in the demo's voting delegates, open a poll and cast their ballots over about a minute."""

import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from assembly.demo_data import ASSEMBLY
from assembly.models import Assembly
from voting.models import Poll, PollState
from voting.selectors import with_live_turnout
from voting.simulation import Simulation, SimulationError, remote_token


class Command(BaseCommand):
    help = (
        "Give every voting member of the poll's body a voting delegate (simulated ones where the "
        "demo has none), check them into the plenary hall, open the poll and cast their ballots "
        "over --seconds, then close and publish it. With --url, the running DEBUG server does it "
        "(so the embedded in-memory layer reaches its sockets): watch the projector."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--assembly", default=ASSEMBLY["slug"])
        parser.add_argument("--motion", help="motion code (default: the first draft GA poll)")
        parser.add_argument("--seconds", type=float, default=60.0)
        parser.add_argument("--turnout", type=float, default=0.9, help="share who vote")
        parser.add_argument("--keep-open", action="store_true", help="do not close at the end")
        parser.add_argument("--seed", type=int, default=None)
        parser.add_argument(
            "--url", help="the running server, e.g. http://127.0.0.1:8000 (DEBUG only)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        assembly = Assembly.objects.filter(slug=options["assembly"]).first()
        if assembly is None:
            raise CommandError("No such assembly: run load_demo first.")
        try:
            simulation = Simulation(
                assembly=assembly,
                motion=options["motion"],
                seconds=options["seconds"],
                turnout=options["turnout"],
                keep_open=options["keep_open"],
                seed=options["seed"],
                write=self.stdout.write,
            )
        except SimulationError as error:
            raise CommandError(str(error)) from None
        if options["url"]:
            self.start_remote(assembly, simulation.poll, options)
            return
        try:
            poll = simulation.run()
        except SimulationError as error:
            raise CommandError(str(error)) from None
        if poll.state == PollState.PUBLISHED:
            self.stdout.write(self.style.SUCCESS("Done."))

    def start_remote(self, assembly: Assembly, poll: Poll, options: dict[str, Any]) -> None:
        """Ask the server to run it, then follow the poll in the shared database."""
        url = options["url"].rstrip("/") + f"/a/{assembly.slug}/polls/simulate/remote/"
        fields = {
            "token": remote_token(assembly),
            "motion": poll.motion.code,
            "seconds": options["seconds"],
            "turnout": options["turnout"],
            "keep_open": "1" if options["keep_open"] else "",
            "seed": "" if options["seed"] is None else options["seed"],
        }
        data = urllib.parse.urlencode(fields).encode()
        try:
            with urllib.request.urlopen(url, data=data, timeout=10) as response:  # noqa: S310
                self.stdout.write(response.read().decode())
        except urllib.error.HTTPError as error:
            raise CommandError(
                f"The server refused: {error.code} {error.read().decode()}"
            ) from None
        except urllib.error.URLError as error:
            raise CommandError(f"No server at {options['url']}: {error.reason}") from None
        deadline = time.monotonic() + options["seconds"] * 2 + 60
        seen = None
        while time.monotonic() < deadline:
            poll.refresh_from_db()
            with_live_turnout(poll)
            now = (poll.state, poll.turnout)
            if now != seen:
                self.stdout.write(f"  {poll.state}: turnout {poll.turnout}")
                seen = now
            if poll.state == PollState.PUBLISHED or (
                options["keep_open"] and poll.state == PollState.OPEN
            ):
                self.stdout.write(self.style.SUCCESS("Done."))
                return
            time.sleep(1)
        raise CommandError("The simulation did not finish in time: see the server's log.")
