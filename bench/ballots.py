"""Ballot benchmark: 1,000 logged-in voting delegates cast 1,000 ballots over HTTP, 50 at a time.

Against uvicorn (`--workers` processes on consecutive ports, sharing the Redis layer, the
client spreading its connections over them as a reverse proxy would) on PostgreSQL, while phones
(the delegates' own sessions) and projectors (a projector link) hold room sockets that follow
the poll's turnout. In the same run, before and after the ballots, it times a bare endpoint on
the same server that inserts one row with a unique key, and prints the ratio to the mean of
the two (the load of a shared machine drifts within a run). At the end it checks that exactly
1,000 were counted (vote-cast rows, ballots, turnout, audit rows), closes the poll, verifies
the audit chain and recomputes the result.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/plenary_ballots_b \
    REDIS_URL=redis://127.0.0.1:6379/12 .venv/bin/python bench/ballots.py --workers 2
"""

import argparse
import asyncio
import collections
import json
import os
import secrets
import signal
import statistics
import subprocess
import sys
import time
from importlib import import_module
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-" + secrets.token_hex(24))
for name in ("SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE"):
    os.environ.setdefault(name, "false")
os.environ.setdefault("LOG_LEVEL", "WARNING")

from bench.postgres import (  # noqa: E402
    database_cpu_seconds,
    ensure_database,
    refresh_planner_statistics,
)


def setup_django() -> None:
    import django

    django.setup()


def prepare(voters: int) -> dict:
    """A fresh assembly: `voters` members, each with a logged-in voting delegate, all present."""
    from datetime import timedelta

    from django.conf import settings
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.core.management import call_command
    from django.utils import timezone

    from assembly.models import Assembly, MemberOrganization
    from bench.urls import reset_bare_table
    from registration.models import Accreditation, Delegate
    from voting.live import projector_token
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
    # The server warms up on a first poll, as an assembly's first vote of the day warms it for
    # the next: each pooled connection plans a statement a few times before it reuses a plan.
    warm_motion = create_motion(
        body=body, code="warm", kind="resolution", title="Warm-up motion", majority="simple"
    )
    warm_poll = open_poll(poll=create_poll(motion=warm_motion, kind=PollKind.SECRET), by=chair)
    poll = open_poll(poll=create_poll(motion=motion, kind=PollKind.SECRET), by=chair)
    session_store = import_module(settings.SESSION_ENGINE).SessionStore
    cookies = []
    for user in users:  # logged in as by the magic link: one server-side session each
        session = session_store()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        cookies.append(session.session_key)
    refresh_planner_statistics()
    return {
        "slug": assembly.slug,
        "poll": poll.pk,
        "warm_poll": warm_poll.pk,
        "sessions": cookies,
        "projector": projector_token(assembly),
    }


def counted(poll_id: int) -> int:
    from voting.models import Ballot, VoteCast

    casts = VoteCast.objects.filter(poll_id=poll_id).count()
    ballots = Ballot.objects.filter(poll_id=poll_id).count()
    return casts if casts == ballots else -1


def count_and_verify(poll_id: int) -> dict:
    """Every count of the poll's ballots, then close it, verify the audit chain and the result."""
    from voting.audit import link_pending_now
    from voting.export import audit_export
    from voting.models import AuditEntry, AuditPending, Ballot, Poll, VoteCast
    from voting.selectors import poll_turnout
    from voting.services import close_poll
    from voting.verify import verify_export

    poll = Poll.objects.get(pk=poll_id)
    # The servers' background linkers should have linked every entry by now.
    waiting = AuditPending.objects.filter(assembly_id=poll.assembly_id).count()
    link_pending_now(poll.assembly)
    audited = sum(
        json.loads(body)["data"]["poll"] == poll_id
        for body in AuditEntry.objects.filter(
            assembly_id=poll.assembly_id, event="ballot.cast"
        ).values_list("body", flat=True)
    )
    figures = {
        "vote_casts": VoteCast.objects.filter(poll_id=poll_id).count(),
        "ballots": Ballot.objects.filter(poll_id=poll_id).count(),
        "turnout": poll_turnout(poll_id).turnout,
        "audit_rows": audited,
        "audit_waiting": waiting,
    }
    closed = close_poll(poll=poll, by=None, scheduled=True)
    problems, _checked = verify_export(audit_export(closed.assembly))
    figures["chain_problems"] = len(problems)
    figures["result"] = closed.result["counts"]
    return figures


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


def encode(request: dict, port: int) -> bytes:
    """One POST as bytes on the wire, JSON body, cookies and headers included."""
    body = json.dumps(request["json"]).encode()
    headers = {
        "Host": f"127.0.0.1:{port}",
        "Content-Type": "application/json",
        "Content-Length": str(len(body)),
        **request.get("headers", {}),
    }
    if request.get("cookies"):
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in request["cookies"].items())
    head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    return f"POST {request['path']} HTTP/1.1\r\n{head}\r\n".encode() + body


async def blast(requests: list[dict], concurrency: int, port: int) -> tuple[float, list, list]:
    """fire() with a lean keep-alive HTTP/1.1 client (the load shares the server's two cores).

    httpx spent more CPU per request than the server's bare endpoint did. A request whose
    connection breaks counts with status 0 and is not sent again.
    """
    queue = collections.deque(encode(request, port) for request in requests)
    latencies: list[float] = []
    statuses: list[int] = []

    async def worker() -> None:
        reader = writer = None
        while queue:
            wire = queue.popleft()
            started = time.perf_counter()
            try:
                if writer is None:
                    reader, writer = await asyncio.open_connection("127.0.0.1", port)
                writer.write(wire)
                head = await reader.readuntil(b"\r\n\r\n")
                length = next(
                    int(line.split(b":", 1)[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length:")
                )
                await reader.readexactly(length)
                status = int(head[9:12])
            except (OSError, asyncio.IncompleteReadError, StopIteration):
                status = 0
                if writer is not None:
                    writer.close()
                reader = writer = None
            latencies.append(time.perf_counter() - started)
            statuses.append(status)
        if writer is not None:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.perf_counter() - started, latencies, statuses


class Screen:
    """One room socket (a phone or a projector): messages received and the turnout it shows."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.snapshot = False
        self.messages = 0
        self.turnout = 0
        self.error = ""


async def watch(port: int, path: str, cookie: str, poll_id: int, screen: Screen) -> None:
    """Hold a room socket until cancelled; keep the highest turnout shown for the poll."""
    import websockets

    headers = {"Origin": f"http://127.0.0.1:{port}"}
    if cookie:
        headers["Cookie"] = f"sessionid={cookie}"
    try:
        async with websockets.connect(
            f"ws://127.0.0.1:{port}{path}",
            additional_headers=headers,
            open_timeout=60,
            max_queue=None,
        ) as socket:
            async for raw in socket:
                message = json.loads(raw)
                if message["type"] == "snapshot":
                    screen.snapshot = True
                    continue
                if message["type"] == "heartbeat":  # every 15 s on a quiet socket
                    continue
                screen.messages += 1
                merged = message["payload"] if message["type"] == "batch" else [message]
                for each in merged:
                    if each["type"] == "poll.turnout" and each["payload"]["poll"] == poll_id:
                        screen.turnout = max(screen.turnout, each["payload"]["turnout"])
    except asyncio.CancelledError:
        raise
    except Exception as error:  # reported, not raised: one socket must not stop the run
        screen.error = f"{type(error).__name__}: {error}"


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


def process_tree(root: int) -> list[int]:
    """The process and all its descendants (uvicorn's supervisor and its workers)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, []))
    return tree


def cpu_seconds(pids: list[int], *, stat: str = "/proc/{pid}/stat") -> float:
    """User + system CPU time the processes have used so far."""
    total = 0
    for pid in pids:
        try:
            fields = Path(stat.format(pid=pid)).read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def loop_cpu_seconds(pids: list[int]) -> float:
    """CPU time of the processes' main threads: each server worker's event loop."""
    return cpu_seconds(pids, stat="/proc/{pid}/task/{pid}/stat")


async def timed_phase(name: str, requests: list[dict], args: argparse.Namespace) -> dict:
    """fire() with the server's and this client's CPU time per request."""
    servers = [pid for root in args.server_pids for pid in process_tree(root)]
    server_cpu, client_cpu = cpu_seconds(servers), time.process_time()
    loop_cpu, database_cpu = loop_cpu_seconds(servers), database_cpu_seconds()
    result = summary(name, *await spread(requests, args.concurrency, args.ports))
    server_ms = (cpu_seconds(servers) - server_cpu) * 1000 / len(requests)
    loop_ms = (loop_cpu_seconds(servers) - loop_cpu) * 1000 / len(requests)
    database_ms = (database_cpu_seconds() - database_cpu) * 1000 / len(requests)
    client_ms = (time.process_time() - client_cpu) * 1000 / len(requests)
    result["server_cpu_ms"], result["client_cpu_ms"] = round(server_ms, 2), round(client_ms, 2)
    result["database_cpu_ms"] = round(database_ms, 2)
    print(
        f"{'':>10}CPU per request: server {server_ms:.2f} ms "
        f"(all {len(servers)} server processes; event loops {loop_ms:.2f} ms, other threads "
        f"{server_ms - loop_ms:.2f} ms), database {database_ms:.2f} ms, "
        f"load generator {client_ms:.2f} ms"
    )
    return result


async def measure(args: argparse.Namespace, prepared: dict) -> dict:
    def bare_inserts(prefix: str) -> list[dict]:
        return [
            {"path": "/bench/bare/", "json": {"key": f"{prefix}{i}"}} for i in range(args.ballots)
        ]

    csrf = secrets.token_hex(16)
    slug, poll = prepared["slug"], prepared["poll"]

    def ballots_for(poll_id: int, sessions: list[str]) -> list[dict]:
        return [
            {
                "path": f"/api/v1/assemblies/{slug}/polls/{poll_id}/ballots",
                "json": {"choices": ["yes" if i % 5 else "no"]},
                "cookies": {"sessionid": key, "csrftoken": csrf},
                "headers": {"X-CSRFToken": csrf},
            }
            for i, key in enumerate(sessions)
        ]

    ballots = ballots_for(poll, prepared["sessions"][: args.ballots])
    warm = [{"path": "/bench/bare/", "json": {"key": f"warm{i}"}} for i in range(args.warm)]
    await spread(warm, args.concurrency, args.ports)
    await spread(
        ballots_for(prepared["warm_poll"], prepared["sessions"][: args.warm]),
        args.concurrency,
        args.ports,
    )
    # Phones: the voters' own sessions on the room socket; projectors: an unattended link.
    screens = [Screen("phone") for _ in range(args.phones)]
    screens += [Screen("projector") for _ in range(args.projectors)]
    watchers = []
    for i, screen in enumerate(screens):
        if screen.kind == "phone":
            path, cookie = f"/ws/a/{slug}/room/", prepared["sessions"][i]
        else:
            path, cookie = f"/ws/a/{slug}/room/?projector={prepared['projector']}&display=1", ""
        port = args.ports[i % len(args.ports)]
        watchers.append(asyncio.create_task(watch(port, path, cookie, poll, screen)))
        if i % 100 == 99:
            await asyncio.sleep(0.2)  # connect in waves, as phones would
    deadline = time.perf_counter() + 60
    while not all(s.snapshot or s.error for s in screens) and time.perf_counter() < deadline:
        await asyncio.sleep(0.1)
    print(f" sockets: {sum(s.snapshot for s in screens)} of {len(screens)} connected", end="")
    print(f" ({args.phones} phones, {args.projectors} projectors), snapshot received")
    bare_before = await timed_phase("bare", bare_inserts("before"), args)
    ballot_result = await timed_phase("ballots", ballots, args)
    expected = ballot_result["statuses"].get("201", 0)
    deadline = time.perf_counter() + args.settle
    while time.perf_counter() < deadline and not all(s.turnout >= expected for s in screens):
        await asyncio.sleep(0.1)
    for watcher in watchers:
        watcher.cancel()
    await asyncio.gather(*watchers, return_exceptions=True)
    live = {
        "screens": len(screens),
        "connected": sum(s.snapshot for s in screens),
        "final": sum(s.turnout == expected for s in screens),
        "messages": statistics.mean(s.messages for s in screens) if screens else 0,
        "errors": [s.error for s in screens if s.error],
    }
    print(
        f" sockets: {live['final']} of {live['screens']} show the final turnout {expected} "
        f"within {args.settle:.0f} s; {live['messages']:.1f} messages each on average; "
        f"{len(live['errors'])} errors {live['errors'][:1]}"
    )
    # The bare insert again after the ballots: on a shared machine the load drifts within a
    # run, and the ballots are compared with the mean of both.
    bare_after = await timed_phase("bare #2", bare_inserts("after"), args)
    return {"bare": mean_phase(bare_before, bare_after), "ballots": ballot_result, "live": live}


def mean_phase(first: dict, second: dict) -> dict:
    """The figures of two runs of one phase, each the mean of both."""
    return {
        key: round((first[key] + second[key]) / 2, 2)
        for key in ("per_s", "server_cpu_ms", "client_cpu_ms", "database_cpu_ms")
    }


def serve(args: argparse.Namespace) -> list[subprocess.Popen]:
    """One uvicorn process per port; the client spreads its connections over them as the
    reverse proxy would (uvicorn --workers left every keep-alive connection on one worker)."""
    return [
        subprocess.Popen(
            [
                str(ROOT / ".venv/bin/uvicorn"),
                "assembly.asgi:application",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
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
        for port in args.ports
    ]


async def spread(requests: list[dict], concurrency: int, ports: list[int]) -> tuple:
    """blast() over every worker: each gets its share of the requests and of the clients."""
    shares = [requests[index :: len(ports)] for index in range(len(ports))]
    started = time.perf_counter()
    parts = await asyncio.gather(
        *(
            blast(share, max(1, concurrency // len(ports)), port)
            for share, port in zip(shares, ports, strict=True)
        )
    )
    latencies = [latency for part in parts for latency in part[1]]
    statuses = [status for part in parts for status in part[2]]
    return time.perf_counter() - started, latencies, statuses


def verdict(name: str, ok: bool) -> str:
    return f"{name} {'met' if ok else 'MISSED'}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8150)
    parser.add_argument("--ballots", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--warm", type=int, default=400, help="warm-up requests of each kind")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn processes, one per port")
    parser.add_argument("--phones", type=int, default=200, help="voters' phones on the room")
    parser.add_argument("--projectors", type=int, default=2, help="projector-link screens")
    parser.add_argument("--settle", type=float, default=5.0, help="seconds for the last turnout")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit(
            "Set DATABASE_URL to a PostgreSQL database (the figure is for PostgreSQL)."
        )
    if args.workers > 1 and not os.environ.get("REDIS_URL"):
        raise SystemExit("Several workers share the live layer only through Redis: set REDIS_URL.")
    args.phones = min(args.phones, args.ballots)
    ensure_database(os.environ["DATABASE_URL"])
    setup_django()
    from django.conf import settings

    started = time.perf_counter()
    prepared = prepare(args.ballots)
    layer = settings.CHANNEL_LAYERS["default"]["BACKEND"].rsplit(".", 1)[-1]
    print(
        f"prepared {args.ballots} logged-in voting delegates "
        f"in {time.perf_counter() - started:.1f} s; uvicorn x{args.workers}, "
        f"{settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}, {layer}, "
        f"sessions {settings.SESSION_ENGINE.rsplit('.', 1)[-1]}"
    )
    print(" load average at start: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    args.ports = [args.port + index for index in range(args.workers)]
    servers = serve(args)
    args.server_pids = [server.pid for server in servers]
    try:
        for port, server in zip(args.ports, servers, strict=True):
            wait_for_server(port, server)
        figures = asyncio.run(measure(args, prepared))
    finally:
        for server in servers:
            os.killpg(server.pid, signal.SIGTERM)
        for server in servers:
            server.wait(timeout=20)
    print(" load average at end:   {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    checks = count_and_verify(prepared["poll"])
    exact = all(
        checks[k] == args.ballots for k in ("vote_casts", "ballots", "turnout", "audit_rows")
    )
    print(
        f"counted: {checks['vote_casts']} vote-cast rows, {checks['ballots']} ballots, "
        f"turnout {checks['turnout']}, {checks['audit_rows']} audit rows "
        f"(expected exactly {args.ballots} each; {checks['audit_waiting']} were still waiting "
        "to be linked when the run ended); after closing: audit chain "
        f"{checks['chain_problems']} problems, result {checks['result']}"
    )
    ballots, bare = figures["ballots"], figures["bare"]
    ratio = ballots["per_s"] / bare["per_s"]
    print(
        f"ballots/s {ballots['per_s']}, wall {ballots['wall_s']} s, p50 {ballots['p50_ms']} ms, "
        f"p99 {ballots['p99_ms']} ms; bare {bare['per_s']}/s (mean of before and after); "
        f"ratio ballots/bare {ratio:.2f}"
    )

    def machine_ms(phase: dict) -> float:
        return phase["server_cpu_ms"] + phase["database_cpu_ms"] + phase["client_cpu_ms"]

    # On two shared cores the rates follow the CPU each request costs the whole machine; this
    # ratio of costs moves less from run to run than the ratio of rates.
    print(
        f"CPU per request, server + database + load generator: ballots "
        f"{machine_ms(ballots):.2f} ms, bare {machine_ms(bare):.2f} ms; "
        f"ratio bare/ballots {machine_ms(bare) / machine_ms(ballots):.2f}"
    )
    print(
        "targets: "
        + "; ".join(
            [
                verdict("wall < 5 s", ballots["wall_s"] < 5),
                verdict(">= 225 ballots/s (5x OpenSlides)", ballots["per_s"] >= 225),
                verdict("ratio >= 0.5", ratio >= 0.5),
                verdict("exactly counted", exact and checks["chain_problems"] == 0),
                verdict(
                    "every screen shows the final turnout",
                    figures["live"]["final"] == figures["live"]["screens"],
                ),
            ]
        )
    )
    if not exact or checks["chain_problems"]:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
