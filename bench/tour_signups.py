"""500 concurrent tour sign-ups over HTTP against the app served by uvicorn on PostgreSQL.

Prints sign-ups per second, p50/p99 latency, the oversell count (must be 0), and the same
figures for a bare one-row-INSERT endpoint on the same server, with the ratio between them.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/plenary_registration \\
        .venv/bin/python bench/tour_signups.py [--port 8120] [--n 500] [--capacity 100]
"""

import argparse
import asyncio
import os
import secrets
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
os.environ.setdefault("DEBUG", "true")


def setup_django() -> None:
    import logging

    import django

    from bench.postgres import ensure_database

    logging.getLogger("httpx").setLevel(logging.WARNING)
    ensure_database(os.environ.get("DATABASE_URL", ""))
    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a PostgreSQL database: the benchmark is about PostgreSQL.")


def seed(n: int, capacity: int) -> tuple[list[dict[str, str]], str]:
    """A fresh bench assembly, one tour, n approved delegates each with a logged-in session."""
    from datetime import datetime, timedelta

    from django.conf import settings
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from assembly.models import Assembly, MemberOrganization
    from bench.urls import reset_bare_table
    from registration.models import Delegate, Tour

    call_command("migrate", verbosity=0)
    user_model = get_user_model()
    with transaction.atomic():
        Assembly.objects.filter(slug="bench").delete()
        user_model.objects.filter(username__startswith="bench-").delete()
        reset_bare_table()
        today = timezone.localdate()
        assembly = Assembly.objects.create(
            slug="bench",
            name="Bench Assembly",
            city="Seoul",
            venue="Hall",
            time_zone="Asia/Seoul",
            start_date=today,
            end_date=today + timedelta(days=2),
        )
        member, _ = MemberOrganization.objects.get_or_create(
            name="Bench City",
            defaults={"kind": "local_government", "country": "Korea", "region": "asia_pacific"},
        )
        # The last day: today's 09:00 in Seoul may be past, and a tour that has left is closed.
        start = datetime.combine(assembly.end_date, datetime.min.time(), tzinfo=assembly.zone)
        Tour.objects.create(
            assembly=assembly,
            code="bench-tour",
            title="Bench tour",
            meeting_point="Gate",
            capacity=capacity,
            starts_at=start + timedelta(hours=9),
            ends_at=start + timedelta(hours=11),
        )
        users = user_model.objects.bulk_create(
            [
                user_model(username=f"bench-{i}", email=f"bench-{i}@example.org", password="!")  # noqa: S106 - unusable
                for i in range(n)
            ]
        )
        Delegate.objects.bulk_create(
            [
                Delegate(
                    assembly=assembly,
                    member=member,
                    user=u,
                    full_name=f"Bench {i}",
                    email=u.email,
                    role="observer",
                    state="approved",
                    attendance="in_person",
                )
                for i, u in enumerate(users)
            ]
        )
    clients = []
    for user in users:
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        csrf = secrets.token_hex(16)  # an unmasked 32-character secret is a valid token
        clients.append(
            {
                "cookie": f"{settings.SESSION_COOKIE_NAME}={session.session_key}; "
                f"{settings.CSRF_COOKIE_NAME}={csrf}",
                "csrf": csrf,
            }
        )
    return clients, "bench-tour"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def fire(url: str, requests: list[dict[str, str]]) -> tuple[float, list[float], list[int]]:
    import httpx

    limits = httpx.Limits(max_connections=len(requests), max_keepalive_connections=0)
    async with httpx.AsyncClient(limits=limits, timeout=120) as client:
        start_gate = asyncio.Event()

        async def one(headers: dict[str, str]) -> tuple[float, int]:
            await start_gate.wait()
            t0 = time.perf_counter()
            response = await client.post(url, headers=headers, content=b"{}")
            return time.perf_counter() - t0, response.status_code

        tasks = [asyncio.create_task(one(h)) for h in requests]
        await asyncio.sleep(0.2)
        began = time.perf_counter()
        start_gate.set()
        results = await asyncio.gather(*tasks)
        wall = time.perf_counter() - began
    return wall, [r[0] for r in results], [r[1] for r in results]


def wait_for(port: int, proc: subprocess.Popen) -> None:
    import httpx

    for _ in range(200):
        if proc.poll() is not None:
            sys.exit("uvicorn exited early; see its output above.")
        try:
            httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    sys.exit("uvicorn did not answer within 20 s")


def report(label: str, wall: float, latencies: list[float], statuses: list[int]) -> float:
    ok = sum(1 for s in statuses if s in (200, 201))
    rate = ok / wall
    print(
        f"{label:<28} {ok:>4}/{len(statuses)} ok in {wall:6.2f} s = {rate:7.1f} req/s · "
        f"p50 {statistics.median(latencies) * 1000:6.0f} ms · "
        f"p99 {percentile(latencies, 0.99) * 1000:6.0f} ms"
    )
    others = sorted({s for s in statuses if s not in (200, 201)})
    if others:
        print(f"{'':<28} other statuses: {others}")
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8120)
    parser.add_argument("--n", type=int, default=500)
    parser.add_argument("--capacity", type=int, default=100)
    parser.add_argument(
        "--pool-timeout",
        type=int,
        default=60,
        help="DATABASE_POOL_TIMEOUT for the server: a 500-request burst queues longer than the "
        "default 10 s on a busy 2-core machine, and a timed-out request is a 500",
    )
    args = parser.parse_args()
    setup_django()
    clients, code = seed(args.n, args.capacity)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "LOG_LEVEL": "WARNING",
        "DATABASE_POOL_TIMEOUT": str(args.pool_timeout),
    }
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/uvicorn"),
            "assembly.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(args.port),
            "--log-level",
            "warning",
            "--backlog",
            "2048",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        wait_for(args.port, server)
        base = f"http://127.0.0.1:{args.port}"
        signup_headers = [
            {"Cookie": c["cookie"], "X-CSRFToken": c["csrf"], "Content-Type": "application/json"}
            for c in clients
        ]
        bare_headers = [{"Content-Type": "application/json"} for _ in clients]
        print(
            f"{args.n} concurrent requests each, one uvicorn process, PostgreSQL, "
            f"pool timeout {args.pool_timeout} s"
        )
        bare = report(
            "bare one-row INSERT", *asyncio.run(fire(f"{base}/bench/bare/", bare_headers))
        )
        signups = report(
            "tour sign-up (API)",
            *asyncio.run(
                fire(f"{base}/api/v1/assemblies/bench/tours/{code}/signup", signup_headers)
            ),
        )
    finally:
        server.terminate()
        server.wait(timeout=20)

    from registration.models import Tour, TourSignup

    tour = Tour.objects.get(assembly__slug="bench", code=code)
    confirmed = TourSignup.objects.filter(tour=tour, status="confirmed")
    places = sum(confirmed.values_list("places", flat=True))
    waiting = TourSignup.objects.filter(tour=tour, status="waitlisted").count()
    oversell = max(0, places - tour.capacity)
    print(
        f"capacity {tour.capacity}: confirmed {places}, waitlisted {waiting}, "
        f"counters taken {tour.taken} / waiting {tour.waiting} -> oversell {oversell}"
    )
    print(f"ratio sign-up / bare insert: {signups / bare:.2f}")
    if oversell or tour.taken != places or tour.waiting != waiting:
        sys.exit("OVERSOLD or counters out of step")


if __name__ == "__main__":
    main()
