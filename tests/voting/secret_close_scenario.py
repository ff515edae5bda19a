"""A secret poll voted in and closed in a SQLite file database, run as its own process (the test
suite's database lives in memory, where SQLite keeps no write-ahead log).

    DATABASE_URL=sqlite:////tmp/x/db.sqlite3 python -m tests.voting.secret_close_scenario 8

Prints the ballots' receipt hashes in the order they were cast, then waits for a line on
standard input before closing the poll, and again before it exits: the database connection
stays open meanwhile, as a server's does, so the files are read as a running server leaves them.
"""

import json
import sys

import django


def main(voters: int) -> None:
    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from tests.factories import AssemblyFactory, CheckpointFactory, StaffRoleFactory, UserFactory
    from tests.voting.factories import draft_poll, election, electorate_of, ga_body
    from voting.presence import record_hall_entry
    from voting.services import cast_ballots, close_poll, open_poll
    from voting.verify import receipt_hash

    call_command("migrate", verbosity=0)
    assembly = AssemblyFactory(slug="ga")
    CheckpointFactory(assembly=assembly, code="plenary", kind="plenary", is_voting=True)
    chair = UserFactory(username="chair")
    StaffRoleFactory(assembly=assembly, user=chair, role="chair")
    delegates = electorate_of(assembly, voters)
    body = ga_body(assembly)
    for delegate in delegates:
        record_hall_entry(delegate=delegate, at=timezone.now())
    motion = election(body, names=["Kampala", "São Paulo", "Almaty"], seats=1)
    choices = [str(c.pk) for c in motion.candidates.order_by("position")] + ["abstain"]
    poll = open_poll(poll=draft_poll(motion), by=chair)
    cast = []
    for n, delegate in enumerate(delegates):
        [receipt] = cast_ballots(poll=poll, delegate=delegate, choices=[choices[n % 4]])
        cast.append(receipt_hash(receipt.code))
    print(json.dumps(cast), flush=True)
    sys.stdin.readline()
    close_poll(poll=poll, by=chair)
    print("closed", flush=True)
    sys.stdin.readline()


if __name__ == "__main__":
    main(int(sys.argv[1]))
