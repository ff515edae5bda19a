"""A 10,000-row registration import into an assembly that already holds 20,000 delegates.

Prints the seconds of the preview, of the confirmation (what the secretariat waits for: the
request's answer, then the import's end when it runs in the background), and until the last
email reached a local SMTP sink through the queue's sender, with the SMTP connections the
emails took. Meanwhile other writers go on as a served app's requests would (--writers public
registrations and one tour sign-up/cancel loop, each in a thread of its own): their answers,
slowest wait and "database is locked" refusals are printed.
SQLite by default (a file under /tmp); PostgreSQL when DATABASE_URL says so:

    .venv/bin/python bench/imports.py [--rows 10000] [--existing 20000] [--writers 6]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/plenary_bench_imports \\
        .venv/bin/python bench/imports.py
"""

import argparse
import asyncio
import os
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("DATABASE_URL", "sqlite:////tmp/plenary-bench-imports.sqlite3")
SLUG = "bench-import"


class SmtpSink:
    """A minimal SMTP server on 127.0.0.1 that accepts every message and counts them."""

    def __init__(self) -> None:
        self.messages = 0
        self.connections = 0
        self.last_message_at = 0.0
        self.port = 0
        started = threading.Event()
        threading.Thread(target=self._serve, args=(started,), daemon=True).start()
        started.wait()

    def _serve(self, started: threading.Event) -> None:
        loop = asyncio.new_event_loop()
        server = loop.run_until_complete(asyncio.start_server(self._session, "127.0.0.1", 0))
        self.port = server.sockets[0].getsockname()[1]
        started.set()
        loop.run_forever()

    async def _session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        writer.write(b"220 sink\r\n")
        while line := await reader.readline():
            verb = line[:4].upper()
            if verb == b"DATA":
                writer.write(b"354 go on\r\n")
                await reader.readuntil(b"\r\n.\r\n")
                self.messages += 1
                self.last_message_at = time.perf_counter()
                writer.write(b"250 queued\r\n")
            elif verb == b"QUIT":
                writer.write(b"221 bye\r\n")
                break
            else:
                writer.write(b"250 ok\r\n")
            await writer.drain()
        writer.close()


def setup_django(sink: SmtpSink) -> None:
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.smtp.EmailBackend"
    os.environ["EMAIL_HOST"] = "127.0.0.1"
    os.environ["EMAIL_PORT"] = str(sink.port)
    import django

    from bench.postgres import ensure_database

    ensure_database(os.environ["DATABASE_URL"])
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def seed(existing: int) -> object:
    """A fresh bench assembly holding `existing` delegates (bulk-created)."""
    from datetime import timedelta

    from django.db import transaction
    from django.utils import timezone

    from assembly.models import Assembly, MemberOrganization
    from registration.models import Delegate

    with transaction.atomic():
        Assembly.objects.filter(slug=SLUG).delete()
        today = timezone.localdate()
        assembly = Assembly.objects.create(
            slug=SLUG,
            name="Bench Assembly",
            city="Seoul",
            venue="Hall",
            time_zone="Asia/Seoul",
            start_date=today + timedelta(days=30),
            end_date=today + timedelta(days=32),
        )
        MemberOrganization.objects.get_or_create(
            name="Bench City",
            defaults={"kind": "local_government", "country": "Korea", "region": "asia_pacific"},
        )
        Delegate.objects.bulk_create(
            (
                Delegate(
                    assembly=assembly,
                    full_name=f"Existing {n}",
                    email=f"existing{n}@bench.invalid",
                    role="observer",
                    state="approved",
                )
                for n in range(existing)
            ),
            batch_size=2000,
        )
    return assembly


def csv_text(rows: int) -> str:
    """Half approved voting delegates of a member, half submitted observers; mixed-case emails."""
    lines = ["full_name,email,role,member,attendance,state"]
    for n in range(rows):
        if n % 2:
            lines.append(f"Imported {n},New{n}@Bench.invalid,voting_delegate,Bench City,,approved")
        else:
            lines.append(f"Imported {n},new{n}@bench.invalid,observer,,online,")
    return "\n".join(lines) + "\n"


class Writers:
    """Threads writing as requests would while the import runs: public registrations (a new
    address each) and a delegate signing up for a tour and cancelling, over and over."""

    def __init__(self, assembly: object, count: int) -> None:
        self.assembly = assembly
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.waits: dict[str, list[float]] = {"registration": [], "tour sign-up": []}
        self.failures: dict[str, list[str]] = {"registration": [], "tour sign-up": []}
        self.tour, self.walker = self._tour_and_walker()
        self.threads = [
            threading.Thread(target=self._register, args=(n,), daemon=True) for n in range(count)
        ]
        self.threads.append(threading.Thread(target=self._sign_up, daemon=True))

    def _tour_and_walker(self) -> tuple[object, object]:
        from datetime import datetime, timedelta

        from registration.models import Delegate, Tour

        day = self.assembly.start_date + timedelta(days=1)
        starts = datetime.combine(day, datetime.min.time(), tzinfo=self.assembly.zone)
        tour = Tour.objects.create(
            assembly=self.assembly,
            code="bench-walk",
            title="Bench walk",
            starts_at=starts.replace(hour=9),
            ends_at=starts.replace(hour=11),
            meeting_point="Gate",
            capacity=1000,
        )
        walker = Delegate.objects.create(
            assembly=self.assembly,
            full_name="Walker",
            email="walker@bench.invalid",
            role="observer",
            state="approved",
        )
        return tour, walker

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def finish(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join()

    def _timed(self, kind: str, work: object) -> None:
        from django.db import connection

        started = time.perf_counter()
        try:
            work()
        except Exception as error:  # what a request would have answered with a 500
            with self.lock:
                self.failures[kind].append(f"{type(error).__name__}: {error}")
        finally:
            connection.close()  # a request's connection goes back at its end
        with self.lock:
            self.waits[kind].append(time.perf_counter() - started)

    def _register(self, n: int) -> None:
        from registration.models import RegistrationSource
        from registration.services import DelegateDetails, register_delegate

        count = 0
        while not self.stop.is_set():
            count += 1
            details = DelegateDetails(
                full_name=f"Walk-in {n}-{count}",
                email=f"walkin{n}-{count}@bench.invalid",
                role="observer",
            )
            self._timed(
                "registration",
                lambda details=details: register_delegate(
                    assembly=self.assembly, details=details, source=RegistrationSource.PUBLIC
                ),
            )
            self.stop.wait(0.2)

    def _sign_up(self) -> None:
        from registration.tours import cancel_signup, sign_up

        while not self.stop.is_set():
            self._timed("tour sign-up", lambda: sign_up(tour=self.tour, delegate=self.walker))
            self._timed("tour sign-up", lambda: cancel_signup(tour=self.tour, delegate=self.walker))
            self.stop.wait(0.2)

    def report(self) -> str:
        lines = []
        for kind, waits in self.waits.items():
            failures = self.failures[kind]
            locked = sum("locked" in failure for failure in failures)
            waits = sorted(waits) or [0.0]
            lines.append(
                f"  {kind}: {len(waits)} writes, {len(failures)} failed ({locked} 'database is "
                f"locked'), median {waits[len(waits) // 2]:.2f} s, slowest {waits[-1]:.2f} s"
                + (f"; first failure: {failures[0]}" if failures else "")
            )
        return "\n".join(lines)


def confirm(assembly: object, text: str) -> tuple[int, float, float]:
    """Confirm the import as the page does: how many rows, the seconds until the request
    answered, and until the import ended (the same when it runs in the request)."""
    from registration import imports

    started = time.perf_counter()
    run = imports.start_import(assembly=assembly, key="bench", text=text, by=None)
    answered = time.perf_counter() - started
    run = imports.wait_for_import(run)
    assert run.status == "done", run.error
    return run.done, answered, time.perf_counter() - started


def wait_for_emails(sink: SmtpSink, expected: int, started: float, limit: float = 900) -> float:
    while sink.messages < expected and time.perf_counter() - started < limit:
        time.sleep(0.05)
    return (sink.last_message_at or time.perf_counter()) - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--existing", type=int, default=20_000)
    parser.add_argument("--writers", type=int, default=6)
    parser.add_argument("--part", type=int, help="rows an import part writes (IMPORT_PART)")
    parser.add_argument("--lock-share", type=float, help="LOCK_SHARE: the pause after a part")
    parser.add_argument(
        "--no-email-wait", action="store_true", help="print without waiting for the emails"
    )
    args = parser.parse_args()
    sink = SmtpSink()
    setup_django(sink)
    from django.db import connection

    from assembly.mail import start_email_sender
    from registration.imports import preview_import

    start_email_sender()  # as a served process does (ASGI lifespan)
    from registration import imports

    if args.part:
        imports.IMPORT_PART = args.part
    if args.lock_share is not None:
        imports.LOCK_SHARE = args.lock_share

    assembly = seed(args.existing)
    text = csv_text(args.rows)
    started = time.perf_counter()
    preview = preview_import(assembly=assembly, text=text)
    preview_seconds = time.perf_counter() - started
    assert preview.valid, [row.errors for row in preview.rows if row.errors][:3]
    writers = Writers(assembly, args.writers)
    started = time.perf_counter()
    writers.start()
    try:
        created, answered, ended = confirm(assembly, text)
    finally:
        writers.finish()
    emails_seconds = 0.0 if args.no_email_wait else wait_for_emails(sink, created, started)
    emails = (
        f"last email delivered {emails_seconds:.1f} s after the confirm began"
        if emails_seconds
        else "emails not waited for"
    )
    print(
        f"{connection.vendor}: {created} rows into {args.existing} delegates: "
        f"preview {preview_seconds:.1f} s, confirm answered in {answered:.1f} s, import ended "
        f"after {ended:.1f} s, {emails} ({sink.messages} emails over {sink.connections} SMTP "
        "connections)"
    )
    print("Other writes meanwhile:\n" + writers.report())


if __name__ == "__main__":
    main()
