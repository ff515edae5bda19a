"""Fan-out benchmark: 1,000 phones/projectors on the live room while 1,000 ballots land.

For each client, the delay from each ballot's commit (its HTTP response) to the first turnout
message that shows it, messages per second, who missed the final turnout; server RSS and CPU;
each listening process's own loop lag (a lagging client inflates every delay); and, in the
same run on the same server, bare inserts as the throughput reference.

The sockets live in `--client-procs` processes of their own (uvloop), not in the process that
casts the ballots: one Python process reading 1,000 sockets was itself the bottleneck.
Arrival and commit times are CLOCK_MONOTONIC, shared by every process of the machine.

    # PostgreSQL + Redis layer, two uvicorn workers (sockets and ballots spread over both):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/plenary_live \\
    REDIS_URL=redis://127.0.0.1:6379/7 .venv/bin/python bench/fanout.py --workers 2
    # The embedded default: SQLite, in-memory layer, one uvicorn process:
    .venv/bin/python bench/fanout.py --workers 1
"""

import argparse
import asyncio
import base64
import bisect
import json
import os
import resource
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "sqlite:////tmp/plenary-live-fanout.sqlite3")

from bench.ballots import fire, prepare, setup_django, summary, wait_for_server  # noqa: E402
from bench.postgres import ensure_database  # noqa: E402

# Badges are signed; a fresh bench-only key each run (the servers inherit it).
os.environ.setdefault("BADGE_SIGNING_KEY", base64.b64encode(secrets.token_bytes(32)).decode())

SERVE = ["--host", "127.0.0.1", "--log-level", "warning", "--no-access-log", "--backlog", "2048"]
TICK = 0.02  # the loop-lag probe's sleep


def percentile(ordered: list[float], share: float) -> float:
    return ordered[max(0, min(len(ordered) - 1, int(len(ordered) * share) - 1))]


def rss_mb(pid: int) -> tuple[float, float]:
    """Current and peak resident memory of one process, in MB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        fields[name] = value.strip()
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process (all its threads) so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_busy() -> tuple[float, float]:
    """(busy, total) CPU ticks of the whole machine so far."""
    ticks = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = ticks[3] + ticks[4]
    return sum(ticks) - idle, sum(ticks)


# --- the listening processes ------------------------------------------------------------------


async def hold(url: str, key: str, origin: str, client: dict) -> None:
    import websockets

    try:
        async with websockets.connect(
            url,
            additional_headers={"Cookie": f"sessionid={key}", "Origin": origin},
            open_timeout=60,
            max_queue=None,  # compression as browsers offer it: the server deflates per socket
        ) as socket:
            client["socket"] = socket
            async for raw in socket:
                now = time.monotonic()
                message = json.loads(raw)
                if message["type"] == "snapshot":
                    client["snapshot"] = True
                    continue
                client["times"].append(now)  # one frame, whatever it holds
                merged = message["payload"] if message["type"] == "batch" else [message]
                for each in merged:
                    if each["type"] == "quorum.changed":
                        present = each["payload"]["bodies"][0]["present"]
                        client["quorums"].append((each["seq"], present))
                    if each["type"] == "poll.turnout":
                        client["turnouts"].append((now, each["payload"]["turnout"]))
                        # seq is the server's wall clock (ns) when it started the send.
                        client["in_flight"].append(time.time() - each["seq"] / 1e9)
                        client["seqs"].append(each["seq"])
    except Exception as error:
        client["error"] = f"{type(error).__name__}: {error}"


async def probe_lag(samples: list[tuple[float, float]], stop: asyncio.Event) -> None:
    """How late this loop wakes up: a late wake-up delays every message it reads."""
    while not stop.is_set():
        before = time.monotonic()
        await asyncio.sleep(TICK)
        now = time.monotonic()
        samples.append((now, now - before - TICK))


async def listen(config: dict) -> dict:
    """Hold this process's share of the sockets until told to stop on stdin; report all."""
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    lags: list[tuple[float, float]] = []
    clients = [
        {
            "times": [],
            "turnouts": [],
            "in_flight": [],
            "seqs": [],
            "quorums": [],
            "snapshot": False,
            "error": None,
            "socket": None,
        }
        for _ in config["sockets"]
    ]
    holders = []
    for i, ((port, key), client) in enumerate(zip(config["sockets"], clients, strict=True)):
        url = f"ws://127.0.0.1:{port}/ws/a/{config['slug']}/room/"
        holders.append(asyncio.create_task(hold(url, key, f"http://127.0.0.1:{port}", client)))
        if i % 50 == 49:
            await asyncio.sleep(0.1)  # connect in waves, as phones would
    deadline = time.monotonic() + 60
    while sum(c["snapshot"] for c in clients) < len(clients) and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
    prober = asyncio.create_task(probe_lag(lags, stop))
    cpu_before = resource.getrusage(resource.RUSAGE_SELF)
    print(f"ready {sum(c['snapshot'] for c in clients)}", flush=True)
    await loop.run_in_executor(None, sys.stdin.readline)
    cpu_after = resource.getrusage(resource.RUSAGE_SELF)
    stop.set()
    await prober
    sockets = [c["socket"] for c in clients if c["socket"]]
    await asyncio.gather(*(s.close() for s in sockets), return_exceptions=True)
    await asyncio.gather(*holders)
    used = sum(getattr(cpu_after, f) - getattr(cpu_before, f) for f in ("ru_utime", "ru_stime"))
    for client in clients:
        del client["socket"]
    return {"clients": clients, "lags": lags, "cpu": used}


def listen_main(path: str) -> None:
    import uvloop

    config = json.loads(Path(path).read_text())
    result = uvloop.run(listen(config))
    Path(config["out"]).write_text(json.dumps(result))
    print("done", flush=True)


# --- the driving process ----------------------------------------------------------------------


def prepare_hall(slug: str, count: int) -> dict:
    """`count` more members of the bench body, their delegates outside the hall with badges, and
    a desk's token: scanning them in and out moves the quorum while the ballots land."""
    from django.contrib.auth import get_user_model

    from assembly.models import Assembly, Checkpoint, MemberOrganization, StaffRole
    from assembly.services import issue_api_token
    from badges.models import Badge
    from badges.services import token_for
    from registration.models import Accreditation, Delegate
    from voting.models import BodySeat, GoverningBody
    from voting.presence import recount_quorum

    assembly = Assembly.objects.get(slug=slug)
    body = GoverningBody.objects.get(assembly=assembly, code="bench")
    Checkpoint.objects.create(
        assembly=assembly, code="hall", name="Hall", kind="plenary", is_voting=True
    )
    members = MemberOrganization.objects.bulk_create(
        MemberOrganization(
            name=f"{slug} walker {i}", kind="corporation", country="KR", region="asia_pacific"
        )
        for i in range(count)
    )
    BodySeat.objects.bulk_create(BodySeat(body=body, member=member) for member in members)
    delegates = Delegate.objects.bulk_create(
        Delegate(
            assembly=assembly,
            member=member,
            full_name=f"Walker {i}",
            email=f"{slug}-walker-{i}@bench.example",
            role="voting_delegate",
            state="approved",
        )
        for i, member in enumerate(members)
    )
    Accreditation.objects.bulk_create(
        Accreditation(assembly=assembly, member=d.member, delegate=d, kind="voting")
        for d in delegates
    )
    badges = [Badge.objects.create(delegate=d, assembly=assembly) for d in delegates]
    recount_quorum(body=body)
    desk = get_user_model().objects.create(username=f"{slug}-desk")
    StaffRole.objects.create(assembly=assembly, user=desk, role="desk")
    _token, raw = issue_api_token(user=desk, name="bench desk")
    return {"token": raw, "badges": [token_for(badge) for badge in badges]}


def final_quorum(slug: str) -> int:
    from assembly.models import Assembly
    from voting.live import quorum_state

    return quorum_state(Assembly.objects.get(slug=slug).pk)["bodies"][0]["present"]


async def scan_the_hall(
    slug: str, hall: dict, rate: float, ports: list[int], stop: asyncio.Event
) -> list[int]:
    """Desks scan the walkers in, then out, then in..., `rate` scans a second until stopped."""
    import httpx

    statuses: list[int] = []
    headers = {"Authorization": f"Bearer {hall['token']}"}
    desks = [
        httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", headers=headers, timeout=60)
        for port in ports
    ]

    async def scan(i: int) -> None:
        badges = hall["badges"]
        body = {
            "token": badges[i % len(badges)],
            "checkpoint": "hall",
            "direction": "in" if (i // len(badges)) % 2 == 0 else "out",
            "desk": "bench",
            "idempotency_key": f"{slug}-scan-{i:06d}",
        }
        try:
            response = await desks[i % len(desks)].post(
                f"/api/v1/assemblies/{slug}/scans", json=body
            )
            statuses.append(response.status_code)
        except httpx.TransportError:
            statuses.append(0)

    scans = []
    started = time.monotonic()
    while not stop.is_set():
        scans.append(asyncio.create_task(scan(len(scans))))
        await asyncio.sleep(max(0.0, started + len(scans) / rate - time.monotonic()))
    await asyncio.gather(*scans)
    for desk in desks:
        await desk.aclose()
    return statuses


async def ballots_with_times(requests: list[dict], concurrency: int, ports: list[int]) -> tuple:
    """Send each request (a ballot), spread evenly over the workers; when each answer came.

    Each connection stays with one worker and is never idle: a keep-alive connection left
    idle past uvicorn's 5 s timeout is closed under the client, which reads as a failure.
    """
    import httpx

    done: list[float] = []
    statuses: list[int] = []
    latencies: list[float] = []
    queues: list[asyncio.Queue] = [asyncio.Queue() for _ in ports]
    for i, request in enumerate(requests):
        queues[i % len(ports)].put_nowait(request)
    share = max(1, concurrency // len(ports))
    limits = httpx.Limits(max_connections=share, max_keepalive_connections=share)

    async def worker(http: httpx.AsyncClient, queue: asyncio.Queue) -> None:
        while not queue.empty():
            request = queue.get_nowait()
            started = time.monotonic()
            try:
                response = await http.post(
                    request["path"],
                    content=json.dumps(request["json"]),
                    headers={"Content-Type": "application/json", **request.get("headers", {})},
                    cookies=request.get("cookies"),
                )
            except httpx.TransportError as error:
                print(f"  {request['path']} on {http.base_url} failed: {type(error).__name__}")
                statuses.append(0)
                continue
            now = time.monotonic()
            latencies.append(now - started)
            statuses.append(response.status_code)
            if response.status_code == 201:
                done.append(now)

    clients = [
        httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", limits=limits, timeout=60)
        for port in ports
    ]
    started = time.monotonic()
    await asyncio.gather(
        *(
            worker(http, queue)
            for http, queue in zip(clients, queues, strict=True)
            for _ in range(share)
        )
    )
    wall = time.monotonic() - started
    for http in clients:
        await http.aclose()
    return sorted(done), wall, latencies, statuses


def delays(commits: list[float], turnouts: list[tuple[float, int]]) -> list[float]:
    """For the i-th commit, the wait until the first message showing a turnout >= i."""
    times = [t for t, _n in turnouts]
    # Turnout only grows, so the running maximum is the count the screen shows.
    shown = []
    best = 0
    for _t, n in turnouts:
        best = max(best, n)
        shown.append(best)
    out = []
    for i, committed in enumerate(commits, 1):
        at = bisect.bisect_left(shown, i)
        out.append(float("inf") if at == len(shown) else max(0.0, times[at] - committed))
    return out


async def start_listeners(args, prepared: dict, socket_ports: list[int], tmp: Path) -> list:
    sessions = prepared["sessions"]
    shares: list[list] = [[] for _ in range(args.client_procs)]
    for i in range(args.clients):
        port = socket_ports[i % len(socket_ports)]
        shares[i % args.client_procs].append((port, sessions[i % len(sessions)]))
    listeners = []
    for n, share in enumerate(shares):
        config = tmp / f"listen-{n}.json"
        out = tmp / f"heard-{n}.json"
        config.write_text(json.dumps({"slug": prepared["slug"], "sockets": share, "out": str(out)}))
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            __file__,
            "--listen",
            str(config),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        listeners.append((process, out))
    return listeners


async def measure(args: argparse.Namespace, prepared: dict, ports: list[int], servers) -> dict:
    csrf = secrets.token_hex(16)
    slug, poll = prepared["slug"], prepared["poll"]
    ballots = [
        {
            "path": f"/api/v1/assemblies/{slug}/polls/{poll}/ballots",
            "json": {"choices": ["yes" if i % 5 else "no"]},
            "cookies": {"sessionid": key, "csrftoken": csrf},
            "headers": {"X-CSRFToken": csrf},
        }
        for i, key in enumerate(prepared["sessions"][: args.ballots])
    ]
    bare = [
        {"path": "/bench/bare/", "json": {"key": f"fan-{secrets.token_hex(8)}"}}
        for _ in range(args.ballots)
    ]
    for port in ports:  # warm each worker (imports, pool)
        warm = [{"path": "/bench/bare/", "json": {"key": secrets.token_hex(8)}} for _ in range(20)]
        await fire(warm, 10, port)
    # --split: ballots (HTTP) to the first worker only, sockets to the others.
    http_ports = ports[:1] if args.split else ports
    socket_ports = ports[1:] if args.split else ports
    with tempfile.TemporaryDirectory() as tmp:
        listeners = await start_listeners(args, prepared, socket_ports, Path(tmp))
        connected = 0
        for process, _out in listeners:
            line = (await process.stdout.readline()).decode().split()
            connected += int(line[1]) if line and line[0] == "ready" else 0
        print(f"  clients: {connected} of {args.clients} connected with their snapshot")
        _done, *bare_figures = await ballots_with_times(bare, args.concurrency, ports[:1])
        bare_result = summary("bare", *bare_figures)
        cpu_before = [cpu_seconds(s.pid) for s in servers]
        busy_before = machine_busy()
        first_sent = time.monotonic()
        scanning = asyncio.Event()
        scanner = None
        if args.scans:
            scanner = asyncio.create_task(
                scan_the_hall(slug, prepared["hall"], args.scans, http_ports, scanning)
            )
        commits, wall, latencies, statuses = await ballots_with_times(
            ballots, args.concurrency, http_ports
        )
        scanning.set()
        scans = await scanner if scanner else []
        ballot_result = summary("ballots", wall, latencies, statuses)
        if scanner:
            print(f"   scans: {len(scans)} during the ballots, statuses {dict(Counter(scans))}")
        await asyncio.sleep(args.settle)
        busy_after = machine_busy()
        phase = time.monotonic() - first_sent
        cpu = [(cpu_seconds(s.pid) - b) / phase for s, b in zip(servers, cpu_before, strict=True)]
        heard = []
        for process, _out in listeners:
            process.stdin.write(b"stop\n")
            await process.stdin.drain()
        for process, out in listeners:
            await process.stdout.readline()
            await process.wait()
            heard.append(json.loads(out.read_text()))
    return {
        "heard": heard,
        "quorum": await asyncio.to_thread(final_quorum, slug) if args.scans else None,
        "commits": commits,
        "bare": bare_result,
        "ballots": ballot_result,
        "connected": connected,
        "first_sent": first_sent,
        "phase": phase,
        "server_cpu": cpu,
        "machine_busy": (busy_after[0] - busy_before[0]) / (busy_after[1] - busy_before[1]),
    }


def peak_in_one_second(times: list[float]) -> int:
    """The most messages arriving within one second ([t, t + 1 s)) of a client's run."""
    return max((bisect.bisect_left(times, t + 1.0) - i for i, t in enumerate(times)), default=0)


def report(figures: dict, servers: list[subprocess.Popen]) -> bool:
    commits, first_sent = figures["commits"], figures["first_sent"]
    clients = [c for h in figures["heard"] for c in h["clients"]]
    final = len(commits)
    every: list[float] = []
    rates: list[float] = []
    peaks: list[int] = []
    missed = 0
    for client in clients:
        turnouts = client["turnouts"]
        every.extend(delays(commits, turnouts))
        if not turnouts or max(n for _t, n in turnouts) != final:
            missed += 1
        if client["times"]:
            # From the first ballot sent to the last update: the burst as a phone lives it.
            span = max(client["times"][-1] - first_sent, 1e-3)
            rates.append(len(client["times"]) / span)
            peaks.append(peak_in_one_second(client["times"]))
    finite = sorted(d for d in every if d != float("inf"))
    p50, p99 = statistics.median(finite) * 1000, percentile(finite, 0.99) * 1000
    flight = sorted(f for c in clients for f in c["in_flight"])
    errors = [c["error"] for c in clients if c["error"]]
    print(f"  ballots committed: {final}")
    print(
        f"  commit -> update shown: p50 {p50:.0f} ms, p99 {p99:.0f} ms over {len(every)} "
        f"(client, ballot) pairs (target p99 < 500 ms)"
    )
    print(
        f"    of which from the server starting a send to the client reading it: p50 "
        f"{percentile(flight, 0.5) * 1000:.0f} ms, p99 {percentile(flight, 0.99) * 1000:.0f} ms"
    )
    print(
        f"  messages per client per second: mean {statistics.mean(rates):.2f}, "
        f"max {max(rates):.2f} (target <= 4); most in any 1 s window: {max(peaks)}"
    )
    print(f"  clients that missed the final turnout: {missed} (target 0); errors: {len(errors)}")
    if figures["quorum"] is not None:
        shown = [max(c["quorums"], default=(0, None))[1] for c in clients]
        behind = sum(present != figures["quorum"] for present in shown)
        print(
            f"  quorum updates per client: mean "
            f"{statistics.mean(len(c['quorums']) for c in clients):.1f}; clients not showing the "
            f"final quorum ({figures['quorum']} present): {behind} (target 0)"
        )
        missed += behind
    if errors:
        print(f"    first error: {errors[0]}")
    for server, cpu in zip(servers, figures["server_cpu"], strict=True):
        now, peak = rss_mb(server.pid)
        print(
            f"  server pid {server.pid}: RSS {now:.0f} MB (peak {peak:.0f} MB), "
            f"CPU {cpu:.0%} of a core while ballots landed"
        )
    for n, heard in enumerate(figures["heard"]):
        lags = sorted(lag for t, lag in heard["lags"] if t >= first_sent)
        print(
            f"  listener {n} ({len(heard['clients'])} sockets): CPU "
            f"{heard['cpu'] / figures['phase']:.0%} of a core, loop lag p50 "
            f"{percentile(lags, 0.5) * 1000:.0f} ms, p99 {percentile(lags, 0.99) * 1000:.0f} ms, "
            f"max {lags[-1] * 1000:.0f} ms"
        )
    print(f"  machine CPU busy while ballots landed: {figures['machine_busy']:.0%} of 2 cores")
    ratio = figures["ballots"]["per_s"] / figures["bare"]["per_s"]
    print(f"  ratio ballots/bare inserts (same server, same run): {ratio:.2f}")
    return missed == 0 and p99 < 500


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2, help="uvicorn processes (1 or 2)")
    parser.add_argument("--port", type=int, default=8174, help="first port (8170-8179)")
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--client-procs", type=int, default=2, help="processes holding sockets")
    parser.add_argument("--ballots", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument(
        "--split", action="store_true", help="HTTP to the first worker, sockets to the rest"
    )
    parser.add_argument(
        "--scans", type=float, default=0, help="hall scans a second during the ballots (quorum)"
    )
    parser.add_argument("--settle", type=float, default=3.0, help="seconds to wait at the end")
    parser.add_argument("--dump", help="write every client's arrivals to this JSON file")
    parser.add_argument("--listen", help=argparse.SUPPRESS)  # a listening process's config
    args = parser.parse_args()
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if args.listen:
        listen_main(args.listen)
        return
    redis = os.environ.get("REDIS_URL")
    if args.split and args.workers < 2:
        raise SystemExit("--split needs --workers 2 or more.")
    if args.workers > 1 and not redis:
        raise SystemExit("Several workers share sockets only through Redis: set REDIS_URL.")
    ensure_database(os.environ["DATABASE_URL"])
    setup_django()
    from django.conf import settings

    layer = settings.CHANNEL_LAYERS["default"]["BACKEND"].rsplit(".", 1)[-1]
    database = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    started = time.perf_counter()
    prepared = prepare(args.ballots)
    if args.scans:
        prepared["hall"] = prepare_hall(prepared["slug"], 100)
    print(
        f"layout: {args.workers} uvicorn worker(s){' split' if args.split else ''}, {database}, "
        f"{layer}, {args.client_procs} listening process(es); prepared "
        f"{args.ballots} delegates in {time.perf_counter() - started:.1f} s"
    )
    ports = [args.port + i for i in range(args.workers)]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings"}
    servers = [
        subprocess.Popen(
            [
                str(ROOT / ".venv/bin/uvicorn"),
                "assembly.asgi:application",
                "--port",
                str(port),
                *SERVE,
            ],
            cwd=ROOT,
            env=env,
            start_new_session=True,
        )
        for port in ports
    ]
    try:
        for port, server in zip(ports, servers, strict=True):
            wait_for_server(port, server)
        figures = asyncio.run(measure(args, prepared, ports, servers))
        ok = report(figures, servers)
        if args.dump:
            Path(args.dump).write_text(json.dumps(figures))
    finally:
        for server in servers:
            os.killpg(server.pid, signal.SIGTERM)
        for server in servers:
            server.wait(timeout=20)
    if not ok:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
