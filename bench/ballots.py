"""Ballot benchmark: 1,000 logged-in voting delegates cast 1,000 ballots over HTTP, 50 at a time.

Against uvicorn on PostgreSQL, with sockets listening on the assembly's live group. In the same
run it times a bare endpoint that inserts one row with a unique key, and prints the ratio.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/plenary_voting \\
    .venv/bin/python bench/ballots.py --port 8150
"""

import argparse
import asyncio
import json
import os
import secrets
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-" + secrets.token_hex(24))
for name in ("SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE"):
    os.environ.setdefault(name, "false")
os.environ.setdefault("LOG_LEVEL", "WARNING")


def setup_django() -> None:
    import django

    django.setup()


def prepare(voters: int) -> dict:
    """A fresh assembly: `voters` members, each with a logged-in voting delegate, all present."""
    from datetime import timedelta

    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command
    from django.utils import timezone

    from assembly.models import Assembly, MemberOrganization
    from bench.urls import reset_bare_table
    from registration.models import Accreditation, Delegate
    from voting.models import BodyKind, DelegatePresence, MemberPresence, PollKind
    from voting.presence import recount_quorum
    from voting.services import create_body, create_motion, create_poll, open_poll

    call_command("migrate", verbosity=0)
    reset_bare_table()
    run = secrets.token_hex(3)
    user_model = get_user_model()
    today = timezone.localdate()
    assembly = Assembly.objects.create(
        slug=f"bench-{run}",
        name=f"Benchmark {run}",
        city="Seoul",
        venue="Bench",
        time_zone="Asia/Seoul",
        start_date=today,
        end_date=today + timedelta(days=1),
    )
    members = MemberOrganization.objects.bulk_create(
        MemberOrganization(
            name=f"Bench {run} member {i}", kind="corporation", country="KR", region="asia_pacific"
        )
        for i in range(voters)
    )
    users = user_model.objects.bulk_create(
        user_model(username=f"bench-{run}-{i}", email=f"bench-{run}-{i}@bench.example")
        for i in range(voters)
    )
    delegates = Delegate.objects.bulk_create(
        Delegate(
            assembly=assembly,
            member=member,
            user=user,
            full_name=f"Delegate {i}",
            email=user.email,
            role="voting_delegate",
            state="approved",
        )
        for i, (member, user) in enumerate(zip(members, users, strict=True))
    )
    Accreditation.objects.bulk_create(
        Accreditation(assembly=assembly, member=d.member, delegate=d, kind="voting")
        for d in delegates
    )
    now = timezone.now()
    DelegatePresence.objects.bulk_create(
        DelegatePresence(assembly=assembly, delegate=d, in_hall=True, changed_at=now)
        for d in delegates
    )
    MemberPresence.objects.bulk_create(
        MemberPresence(assembly=assembly, member=m, present=True, changed_at=now) for m in members
    )
    # A listed body: earlier runs' members stay in the database and must not join this electorate.
    body = create_body(
        assembly=assembly, code="bench", name="Bench", kind=BodyKind.LISTED, members=members
    )
    recount_quorum(body=body)
    motion = create_motion(
        body=body, code="bench", kind="resolution", title="Benchmark motion", majority="simple"
    )
    chair = user_model.objects.create(
        username=f"bench-{run}-chair", is_superuser=True, is_staff=True
    )
    poll = open_poll(poll=create_poll(motion=motion, kind=PollKind.SECRET), by=chair)
    cookies = []
    for user in users:  # logged in as by the magic link: one server-side session each
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        cookies.append(session.session_key)
    return {"slug": assembly.slug, "poll": poll.pk, "sessions": cookies}


def counted(poll_id: int) -> int:
    from voting.models import Ballot, VoteCast

    casts = VoteCast.objects.filter(poll_id=poll_id).count()
    ballots = Ballot.objects.filter(poll_id=poll_id).count()
    return casts if casts == ballots else -1


async def fire(requests: list[dict], concurrency: int, port: int) -> tuple[float, list, list]:
    """Send each request, `concurrency` at a time; returns wall time, latencies and statuses."""
    import httpx

    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    latencies: list[float] = []
    statuses: list[int] = []
    queue: asyncio.Queue = asyncio.Queue()
    for request in requests:
        queue.put_nowait(request)
    async with httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{port}", limits=limits, timeout=60
    ) as client:

        async def worker() -> None:
            while not queue.empty():
                request = queue.get_nowait()
                started = time.perf_counter()
                response = await client.post(
                    request["path"],
                    content=json.dumps(request["json"]),
                    headers={"Content-Type": "application/json", **request.get("headers", {})},
                    cookies=request.get("cookies"),
                )
                latencies.append(time.perf_counter() - started)
                statuses.append(response.status_code)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        wall = time.perf_counter() - started
    return wall, latencies, statuses


async def listen(port: int, slug: str, sessions: list[str], stop: asyncio.Event) -> list[int]:
    """Hold sockets open on the assembly's live group for the whole run; count messages."""
    import websockets

    received = [0] * len(sessions)

    async def one(i: int, key: str) -> None:
        async with websockets.connect(
            f"ws://127.0.0.1:{port}/ws/a/{slug}/",
            additional_headers={"Cookie": f"sessionid={key}", "Origin": f"http://127.0.0.1:{port}"},
        ) as socket:
            while not stop.is_set():
                try:
                    await asyncio.wait_for(socket.recv(), timeout=0.5)
                    received[i] += 1
                except TimeoutError:
                    continue

    await asyncio.gather(*(one(i, key) for i, key in enumerate(sessions)), return_exceptions=True)
    return received


def summary(name: str, wall: float, latencies: list[float], statuses: list[int]) -> dict:
    ordered = sorted(latencies)
    p99 = ordered[max(0, int(len(ordered) * 0.99) - 1)]
    result = {
        "name": name,
        "requests": len(statuses),
        "wall_s": round(wall, 3),
        "per_s": round(len(statuses) / wall, 1),
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p99_ms": round(p99 * 1000, 1),
        "statuses": {str(s): statuses.count(s) for s in sorted(set(statuses))},
    }
    print(
        f"{name:>8}: {result['requests']} in {result['wall_s']} s = {result['per_s']}/s, "
        f"p50 {result['p50_ms']} ms, p99 {result['p99_ms']} ms, statuses {result['statuses']}"
    )
    return result


def wait_for_server(port: int, process: subprocess.Popen) -> None:
    import httpx

    for _ in range(200):
        if process.poll() is not None:
            raise SystemExit("uvicorn stopped before answering")
        try:
            httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise SystemExit("uvicorn did not answer")


async def measure(args: argparse.Namespace, prepared: dict) -> dict:
    bare = [{"path": "/bench/bare/", "json": {"key": f"k{i}"}} for i in range(args.ballots)]
    csrf = secrets.token_hex(16)
    ballots = [
        {
            "path": f"/api/v1/assemblies/{prepared['slug']}/polls/{prepared['poll']}/ballots",
            "json": {"choices": ["yes" if i % 5 else "no"]},
            "cookies": {"sessionid": key, "csrftoken": csrf},
            "headers": {"X-CSRFToken": csrf},
        }
        for i, key in enumerate(prepared["sessions"][: args.ballots])
    ]
    warm = [{"path": "/bench/bare/", "json": {"key": f"warm{i}"}} for i in range(50)]
    await fire(warm, args.concurrency, args.port)
    stop = asyncio.Event()
    listeners = asyncio.create_task(
        listen(args.port, prepared["slug"], prepared["sessions"][: args.sockets], stop)
    )
    await asyncio.sleep(1.0 + args.sockets / 200)
    bare_result = summary("bare", *await fire(bare, args.concurrency, args.port))
    ballot_result = summary("ballots", *await fire(ballots, args.concurrency, args.port))
    stop.set()
    received = await listeners
    open_sockets = sum(1 for r in received if r > 0)
    print(f"  sockets: {open_sockets} of {args.sockets} held open and received their snapshot")
    return {"bare": bare_result, "ballots": ballot_result, "sockets": open_sockets}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8150)
    parser.add_argument("--ballots", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--sockets", type=int, default=200)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit(
            "Set DATABASE_URL to a PostgreSQL database (the figure is for PostgreSQL)."
        )
    setup_django()
    started = time.perf_counter()
    prepared = prepare(args.ballots)
    print(
        f"prepared {args.ballots} logged-in voting delegates "
        f"in {time.perf_counter() - started:.1f} s"
    )
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
            "--no-access-log",
            "--backlog",
            "2048",
        ],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings"},
        start_new_session=True,
    )
    try:
        wait_for_server(args.port, server)
        figures = asyncio.run(measure(args, prepared))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
    total = counted(prepared["poll"])
    ratio = figures["ballots"]["per_s"] / figures["bare"]["per_s"]
    print(f"counted: {total} ballots (expected exactly {args.ballots})")
    print(
        f"ratio ballots/bare: {ratio:.2f} (target >= 0.5); "
        f"ballots wall {figures['ballots']['wall_s']} s (target < 5 s)"
    )
    if total != args.ballots:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
