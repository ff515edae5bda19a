"""Fan-out benchmark: 1,000 phones/projectors on the live room while 1,000 ballots land.

For each client, the delay from each ballot's commit (its HTTP response) to the first turnout
message that shows it, messages per second, who missed the final turnout; server RSS; and, in
the same run on the same server, bare inserts as the throughput reference.

    # PostgreSQL + Redis layer, two uvicorn workers (sockets and ballots spread over both):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/plenary_live \\
    REDIS_URL=redis://127.0.0.1:6379/7 .venv/bin/python bench/fanout.py --workers 2
    # The embedded default: SQLite, in-memory layer, one uvicorn process:
    .venv/bin/python bench/fanout.py --workers 1
"""

import argparse
import asyncio
import bisect
import json
import os
import resource
import secrets
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "sqlite:////tmp/plenary-live-fanout.sqlite3")

from bench.ballots import fire, prepare, setup_django, summary, wait_for_server  # noqa: E402

SERVE = ["--host", "127.0.0.1", "--log-level", "warning", "--no-access-log", "--backlog", "2048"]


def percentile(ordered: list[float], share: float) -> float:
    return ordered[max(0, min(len(ordered) - 1, int(len(ordered) * share) - 1))]


def rss_mb(pid: int) -> tuple[float, float]:
    """Current and peak resident memory of one process, in MB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        fields[name] = value.strip()
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


class Client:
    """One socket: every turnout message with its arrival time."""

    def __init__(self) -> None:
        self.turnouts: list[tuple[float, int]] = []
        self.messages = 0
        self.snapshot = False
        self.error: str | None = None
        self.socket = None


async def hold(port: int, slug: str, key: str, client: Client, stop: asyncio.Event) -> None:
    import websockets

    try:
        async with websockets.connect(
            f"ws://127.0.0.1:{port}/ws/a/{slug}/room/",
            additional_headers={"Cookie": f"sessionid={key}", "Origin": f"http://127.0.0.1:{port}"},
            open_timeout=60,
            max_queue=None,
        ) as socket:
            client.socket = socket
            async for raw in socket:
                now = time.perf_counter()
                message = json.loads(raw)
                if message["type"] == "snapshot":
                    client.snapshot = True
                    continue
                client.messages += 1
                if message["type"] == "poll.turnout":
                    client.turnouts.append((now, message["payload"]["turnout"]))
    except Exception as error:
        client.error = f"{type(error).__name__}: {error}"


async def ballots_with_times(requests: list[dict], concurrency: int, ports: list[int]) -> tuple:
    """Cast each ballot (round-robin over workers); the time each response arrived."""
    import httpx

    done: list[float] = []
    statuses: list[int] = []
    latencies: list[float] = []
    queue: asyncio.Queue = asyncio.Queue()
    for i, request in enumerate(requests):
        queue.put_nowait((ports[i % len(ports)], request))
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=60) as http:

        async def worker() -> None:
            while not queue.empty():
                port, request = queue.get_nowait()
                started = time.perf_counter()
                response = await http.post(
                    f"http://127.0.0.1:{port}{request['path']}",
                    content=json.dumps(request["json"]),
                    headers={"Content-Type": "application/json", **request["headers"]},
                    cookies=request["cookies"],
                )
                now = time.perf_counter()
                latencies.append(now - started)
                statuses.append(response.status_code)
                if response.status_code == 201:
                    done.append(now)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        wall = time.perf_counter() - started
    return sorted(done), wall, latencies, statuses


def delays(commits: list[float], client: Client) -> list[float]:
    """For the i-th commit, the wait until the first message showing a turnout >= i."""
    times = [t for t, _n in client.turnouts]
    counts = [n for _t, n in client.turnouts]
    # Turnout only grows, so the running maximum is the count the screen shows.
    shown = []
    best = 0
    for n in counts:
        best = max(best, n)
        shown.append(best)
    out = []
    for i, committed in enumerate(commits, 1):
        at = bisect.bisect_left(shown, i)
        if at == len(shown):
            out.append(float("inf"))
        else:
            out.append(max(0.0, times[at] - committed))
    return out


async def measure(args: argparse.Namespace, prepared: dict, ports: list[int]) -> dict:
    csrf = secrets.token_hex(16)
    slug, poll = prepared["slug"], prepared["poll"]
    sessions = prepared["sessions"]
    ballots = [
        {
            "path": f"/api/v1/assemblies/{slug}/polls/{poll}/ballots",
            "json": {"choices": ["yes" if i % 5 else "no"]},
            "cookies": {"sessionid": key, "csrftoken": csrf},
            "headers": {"X-CSRFToken": csrf},
        }
        for i, key in enumerate(sessions[: args.ballots])
    ]
    bare = [
        {"path": "/bench/bare/", "json": {"key": f"fan-{secrets.token_hex(8)}"}}
        for _ in range(args.ballots)
    ]
    for port in ports:  # warm each worker (imports, pool)
        warm = [{"path": "/bench/bare/", "json": {"key": secrets.token_hex(8)}} for _ in range(20)]
        await fire(warm, 10, port)
    stop = asyncio.Event()
    clients = [Client() for _ in range(args.clients)]
    holders = []
    # --split: ballots (HTTP) to the first worker only, sockets to the others.
    http_ports = ports[:1] if args.split else ports
    socket_ports = ports[1:] if args.split else ports
    for i, client in enumerate(clients):
        key = sessions[i % len(sessions)]
        port = socket_ports[i % len(socket_ports)]
        holders.append(asyncio.create_task(hold(port, slug, key, client, stop)))
        if i % 100 == 99:
            await asyncio.sleep(0.2)  # connect in waves, as phones would
    deadline = time.perf_counter() + 60
    while sum(c.snapshot for c in clients) < args.clients and time.perf_counter() < deadline:
        await asyncio.sleep(0.2)
    connected = sum(c.snapshot for c in clients)
    print(f"  clients: {connected} of {args.clients} connected with their snapshot")
    bare_result = summary("bare", *await fire(bare, args.concurrency, ports[0]))
    first_sent = time.perf_counter()
    commits, wall, latencies, statuses = await ballots_with_times(
        ballots, args.concurrency, http_ports
    )
    ballot_result = summary("ballots", wall, latencies, statuses)
    await asyncio.sleep(args.settle)
    stop.set()
    await asyncio.gather(*(c.socket.close() for c in clients if c.socket), return_exceptions=True)
    await asyncio.gather(*holders)
    return {
        "clients": clients,
        "commits": commits,
        "bare": bare_result,
        "ballots": ballot_result,
        "connected": connected,
        "first_sent": first_sent,
    }


def report(figures: dict, servers: list[subprocess.Popen]) -> bool:
    clients, commits = figures["clients"], figures["commits"]
    final = len(commits)
    every: list[float] = []
    rates: list[float] = []
    peaks: list[int] = []
    missed = 0
    for client in clients:
        every.extend(delays(commits, client))
        if not client.turnouts or max(n for _t, n in client.turnouts) != final:
            missed += 1
        if client.turnouts:
            # From the first ballot sent to the last update: the burst as a phone lives it.
            span = max(client.turnouts[-1][0] - figures["first_sent"], 1e-3)
            rates.append(client.messages / span)
            times = [t for t, _n in client.turnouts]
            peaks.append(max(bisect.bisect_right(times, t + 1.0) - i for i, t in enumerate(times)))
    finite = sorted(d for d in every if d != float("inf"))
    p50, p99 = statistics.median(finite) * 1000, percentile(finite, 0.99) * 1000
    errors = [c.error for c in clients if c.error]
    print(f"  ballots committed: {final}")
    print(
        f"  commit -> update shown: p50 {p50:.0f} ms, p99 {p99:.0f} ms over {len(every)} "
        f"(client, ballot) pairs (target p99 < 500 ms)"
    )
    print(
        f"  messages per client per second: mean {statistics.mean(rates):.2f}, "
        f"max {max(rates):.2f} (target <= 4); most in any 1 s window: {max(peaks)}"
    )
    print(f"  clients that missed the final turnout: {missed} (target 0); errors: {len(errors)}")
    if errors:
        print(f"    first error: {errors[0]}")
    for server in servers:
        now, peak = rss_mb(server.pid)
        print(f"  server pid {server.pid}: RSS {now:.0f} MB (peak {peak:.0f} MB)")
    ratio = figures["ballots"]["per_s"] / figures["bare"]["per_s"]
    print(f"  ratio ballots/bare inserts (same server, same run): {ratio:.2f}")
    return missed == 0 and p99 < 500


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2, help="uvicorn processes (1 or 2)")
    parser.add_argument("--port", type=int, default=8174, help="first port (8170-8179)")
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--ballots", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument(
        "--split", action="store_true", help="HTTP to the first worker, sockets to the rest"
    )
    parser.add_argument("--settle", type=float, default=3.0, help="seconds to wait at the end")
    args = parser.parse_args()
    redis = os.environ.get("REDIS_URL")
    if args.split and args.workers < 2:
        raise SystemExit("--split needs --workers 2 or more.")
    if args.workers > 1 and not redis:
        raise SystemExit("Several workers share sockets only through Redis: set REDIS_URL.")
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    setup_django()
    from django.conf import settings

    layer = settings.CHANNEL_LAYERS["default"]["BACKEND"].rsplit(".", 1)[-1]
    database = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    started = time.perf_counter()
    prepared = prepare(args.ballots)
    print(
        f"layout: {args.workers} uvicorn worker(s){' split' if args.split else ''}, {database}, "
        f"{layer}; prepared "
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
        figures = asyncio.run(measure(args, prepared, ports))
        ok = report(figures, servers)
    finally:
        for server in servers:
            os.killpg(server.pid, signal.SIGTERM)
        for server in servers:
            server.wait(timeout=20)
    if not ok:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
