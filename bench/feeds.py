"""Times the personal and whole-programme calendar feeds for 2,000 delegates x 60 sessions.

Usage: .venv/bin/python bench/feeds.py [--delegates 2000] [--per-delegate 60] [--sample 300]
Uses a fresh SQLite file in /tmp unless DATABASE_URL is set (then that database is migrated
and a "bench-feeds" assembly is rebuilt in it). Requests run in-process through Django's
handler (no network), one at a time, so figures are the app's own cost per feed. A bare
reference (an unknown path answered 404 through the whole middleware stack) is timed in the
same run and every figure is also printed as a ratio to it.
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "sqlite:////tmp/plenary-bench-feeds.sqlite3")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("WHITENOISE_USE_FINDERS", "true")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "assembly.settings")

import logging  # noqa: E402
import warnings  # noqa: E402

import django  # noqa: E402

warnings.filterwarnings("ignore", message="No directory at")
django.setup()
logging.getLogger("django.request").setLevel(logging.ERROR)  # the reference's 404s

from django.conf import settings  # noqa: E402
from django.core.cache import caches  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from assembly.models import Assembly  # noqa: E402
from registration.models import Delegate, RegistrationState  # noqa: E402
from sessions.calendar import personal_feed_token  # noqa: E402
from sessions.models import AgendaChoice, PersonalFeed, Room, Session  # noqa: E402

SLUG = "bench-feeds"


def build(delegates: int, per_delegate: int) -> tuple[Assembly, list[str]]:
    AgendaChoice.objects.filter(session__assembly__slug=SLUG).delete()
    Assembly.objects.filter(slug=SLUG).delete()
    assembly = Assembly.objects.create(
        slug=SLUG,
        name="Bench Assembly",
        city="Paris",
        venue="Palais des Congrès",
        time_zone="Europe/Paris",
        start_date=date(2026, 10, 24),
        end_date=date(2026, 10, 26),
    )
    rooms = Room.objects.bulk_create(
        Room(assembly=assembly, code=f"room-{n}", name=f"Room {n}", order=n) for n in range(10)
    )
    sessions = []
    # 3 days x 10 rooms x 4 slots = 120 sessions, so each delegate picks 60 of them.
    for day in range(3):
        for slot in range(4):
            for room in rooms:
                starts = datetime(2026, 10, 24 + day, 9 + 2 * slot, tzinfo=assembly.zone)
                sessions.append(
                    Session(
                        assembly=assembly,
                        code=f"s-{day}-{slot}-{room.order}",
                        title=f"Session {day}.{slot} in {room.name}",
                        kind="workshop",
                        room=room,
                        starts_at=starts,
                        ends_at=starts + timedelta(hours=1, minutes=45),
                        description="Smart city practice, with questions from the floor. " * 4,
                    )
                )
    sessions = Session.objects.bulk_create(sessions)
    people = Delegate.objects.bulk_create(
        Delegate(
            assembly=assembly,
            full_name=f"Delegate {n}",
            email=f"d{n}@bench.invalid",
            state=RegistrationState.APPROVED,
        )
        for n in range(delegates)
    )
    chooser = random.Random(6)
    AgendaChoice.objects.bulk_create(
        (
            AgendaChoice(delegate=person, session=session)
            for person in people
            for session in chooser.sample(sessions, per_delegate)
        ),
        batch_size=5000,
    )
    feeds = PersonalFeed.objects.bulk_create(PersonalFeed(delegate=p) for p in people)
    tokens = [
        reverse("agenda:personal-feed", args=[SLUG, personal_feed_token(feed)]) for feed in feeds
    ]
    return assembly, tokens


def timed(
    client: Client, urls: list[str], expect: int | None = None, **headers: str
) -> list[float]:
    samples = []
    for url in urls:
        started = time.perf_counter()
        response = client.get(url, **headers)
        samples.append(time.perf_counter() - started)
        ok = (expect,) if expect else (200, 304)
        if response.status_code not in ok:
            raise SystemExit(f"{url} answered {response.status_code}")
    return samples


def line(label: str, samples: list[float], reference: float) -> None:
    mean = statistics.fmean(samples)
    p99 = sorted(samples)[max(0, int(len(samples) * 0.99) - 1)]
    print(
        f"  {label:<46} {len(samples):>5} req  {1 / mean:>8.1f} feeds/s  "
        f"p50 {statistics.median(samples) * 1000:>7.2f} ms  p99 {p99 * 1000:>7.2f} ms  "
        f"x{mean / reference:>6.1f} bare"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--delegates", type=int, default=2000)
    parser.add_argument("--per-delegate", type=int, default=60)
    parser.add_argument("--sample", type=int, default=300, help="delegates timed per phase")
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    _assembly, personal = build(args.delegates, args.per_delegate)
    print(
        f"built {args.delegates} delegates x {args.per_delegate} sessions "
        f"({AgendaChoice.objects.filter(delegate__assembly__slug=SLUG).count()} choices) in "
        f"{time.perf_counter() - started:.1f} s on {settings.DATABASES['default']['ENGINE']}"
    )
    client = Client()
    programme = reverse("agenda:programme-feed", args=[SLUG])
    sample = random.Random(7).sample(personal, min(args.sample, len(personal)))
    # Bare reference: Django's whole middleware stack answering an unknown path (404).
    timed(client, ["/bench-bare-reference"] * 50, expect=404)
    bare = statistics.fmean(timed(client, ["/bench-bare-reference"] * 300, expect=404))
    print(
        f"bare reference (404 through the stack): {1 / bare:.0f} req/s, mean {bare * 1000:.2f} ms"
    )

    print("before caching (AGENDA_FEED_CACHE_SECONDS=0)")
    settings.AGENDA_FEED_CACHE_SECONDS = 0
    caches["agenda-feeds"].clear()
    line("personal feed (60 events)", timed(client, sample), bare)
    line("whole programme (120 events)", timed(client, [programme] * 100), bare)

    print("after caching (events by revision, bodies by ETag, 304 on ETag)")
    settings.AGENDA_FEED_CACHE_SECONDS = 3600
    caches["agenda-feeds"].clear()
    line("personal feed, first 50 fetches (events cold)", timed(client, sample[:50]), bare)
    line("personal feed, next 250 first fetches", timed(client, sample[50:]), bare)
    line("personal feed, refetch (body cached)", timed(client, sample), bare)
    etags = {url: client.get(url)["ETag"] for url in sample}
    samples = []
    for url in sample:
        samples += timed(client, [url], HTTP_IF_NONE_MATCH=etags[url])
    line("personal feed, calendar poll -> 304", samples, bare)
    line("whole programme, cached", timed(client, [programme] * 300), bare)
    etag = client.get(programme)["ETag"]
    line(
        "whole programme, poll -> 304",
        timed(client, [programme] * 300, HTTP_IF_NONE_MATCH=etag),
        bare,
    )
    everyone = timed(client, personal)
    line(f"all {len(personal)} personal feeds once (cached)", everyone, bare)
    Assembly.objects.filter(slug=SLUG).delete()


if __name__ == "__main__":
    main()
