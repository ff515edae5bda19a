"""A login link asked for while the emails of a 20,000-row import are being sent: its wait.

Run: flock /tmp/bench.lock .venv/bin/python bench/login_link.py [--rows 20000]
The import (submitted observers: one email each, no badge) is confirmed with this process's
sender running, as a served process runs it; two seconds into the sending, a delegate asks
for a login link. Prints the seconds until it reached a local SMTP sink, with how many of the
import's emails were still queued when it was asked for and when it arrived. SQLite in a
temporary folder; BENCH_DATABASE_URL=postgres://… for PostgreSQL.
"""

import argparse
import asyncio
import os
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.served import use_fresh_database

LINK_TO = "ana@lima.example"


class RecipientSink:
    """A minimal SMTP server on 127.0.0.1 that accepts every message and notes when each
    recipient's arrived."""

    def __init__(self) -> None:
        self.arrived: dict[str, float] = {}
        self.messages = 0
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
        writer.write(b"220 sink\r\n")
        to: list[str] = []
        while line := await reader.readline():
            verb = line[:4].upper()
            if verb == b"RCPT":
                to.append(line.decode().split(":", 1)[1].strip().strip("<>").lower())
                writer.write(b"250 ok\r\n")
            elif verb == b"DATA":
                writer.write(b"354 go on\r\n")
                await reader.readuntil(b"\r\n.\r\n")
                self.messages += 1
                for address in to:
                    self.arrived[address] = time.perf_counter()
                to = []
                writer.write(b"250 queued\r\n")
            elif verb == b"QUIT":
                writer.write(b"221 bye\r\n")
                break
            else:
                writer.write(b"250 ok\r\n")
            await writer.drain()
        writer.close()


def prepare() -> object:
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from assembly.models import Assembly
    from registration.models import Delegate

    today = timezone.localdate()
    assembly = Assembly.objects.create(
        slug="bench",
        name="Bench Assembly",
        city="Seoul",
        venue="Hall",
        time_zone="Asia/Seoul",
        start_date=today + timedelta(days=30),
        end_date=today + timedelta(days=32),
    )
    user = get_user_model().objects.create_user(username=LINK_TO, email=LINK_TO, password=None)
    Delegate.objects.create(
        assembly=assembly, user=user, full_name="Ana", email=LINK_TO, state="approved"
    )
    return assembly


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=20_000)
    args = parser.parse_args()
    sink = RecipientSink()
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.smtp.EmailBackend"
    os.environ["EMAIL_HOST"] = "127.0.0.1"
    os.environ["EMAIL_PORT"] = str(sink.port)
    use_fresh_database("login-link")
    from django.db import connection
    from mailer.models import Message

    from assembly.mail import start_email_sender, stop_email_sender
    from assembly.services import send_magic_link
    from registration.imports import import_registrations

    assembly = prepare()
    rows = "".join(f"Person {n},person{n}@bulk.invalid,observer\n" for n in range(args.rows))
    start_email_sender()  # as a served process does (ASGI lifespan)
    started = time.perf_counter()
    import_registrations(assembly=assembly, text="full_name,email,role\n" + rows, by=None)
    imported = time.perf_counter() - started
    time.sleep(2)
    waiting_then = Message.objects.count()
    asked = time.perf_counter()
    send_magic_link(email=LINK_TO)
    while LINK_TO not in sink.arrived and time.perf_counter() - asked < 1800:
        time.sleep(0.02)
    waited = sink.arrived.get(LINK_TO, time.perf_counter()) - asked
    waiting_after = Message.objects.count()
    stop_email_sender()
    print(
        f"{connection.vendor}: {args.rows} rows imported in {imported:.1f} s; a login link asked"
        f" for with {waiting_then} emails queued arrived {waited:.2f} s later"
        f" ({waiting_after} still queued then)"
    )


if __name__ == "__main__":
    main()
