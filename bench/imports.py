"""A 10,000-row registration import into an assembly that already holds 20,000 delegates.

Prints the seconds of the preview, of the confirmation (what the secretariat waits for; its
transaction queues the emails too), and until the last email reached a local SMTP sink through
the queue's sender, with the SMTP connections the emails took.
SQLite by default (a file under /tmp); PostgreSQL when DATABASE_URL says so:

    .venv/bin/python bench/imports.py [--rows 10000] [--existing 20000]
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


def wait_for_emails(sink: SmtpSink, expected: int, started: float, limit: float = 900) -> float:
    while sink.messages < expected and time.perf_counter() - started < limit:
        time.sleep(0.05)
    return (sink.last_message_at or time.perf_counter()) - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--existing", type=int, default=20_000)
    args = parser.parse_args()
    sink = SmtpSink()
    setup_django(sink)
    from django.db import connection

    from assembly.mail import start_email_sender
    from registration.imports import import_registrations, preview_import

    start_email_sender()  # as a served process does (ASGI lifespan)

    assembly = seed(args.existing)
    text = csv_text(args.rows)
    started = time.perf_counter()
    preview = preview_import(assembly=assembly, text=text)
    preview_seconds = time.perf_counter() - started
    assert preview.valid, [row.errors for row in preview.rows if row.errors][:3]
    started = time.perf_counter()
    created = import_registrations(assembly=assembly, text=text, by=None)
    confirm_seconds = time.perf_counter() - started
    emails_seconds = wait_for_emails(sink, len(created), started)
    print(
        f"{connection.vendor}: {len(created)} rows into {args.existing} delegates: "
        f"preview {preview_seconds:.1f} s, confirm {confirm_seconds:.1f} s, "
        f"last email delivered {emails_seconds:.1f} s after the confirm began "
        f"({sink.messages} emails over {sink.connections} SMTP connections)"
    )


if __name__ == "__main__":
    main()
