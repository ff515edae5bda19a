"""Reconnect storm: N phones open the live room at the same moment (weak venue wifi dropped them).

For each round, every socket is opened at once (in `--client-procs` processes of their own),
and the bench prints the time from the start to each phone holding its snapshot (p50, p90,
max) and the CPU the servers (and PostgreSQL) spent per connection in that window. With
`--ballots`, delegates cast that many ballots while the first round connects.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/plenary_reconnect \\
    REDIS_URL=redis://127.0.0.1:6379/7 .venv/bin/python bench/reconnect.py --workers 2 \\
        --clients 250 --clients 1000
"""

import argparse
import asyncio
import base64
import json
import os
import resource
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.ballots import prepare, setup_django, wait_for_server  # noqa: E402
from bench.fanout import SERVE, ballots_with_times, cpu_seconds, percentile  # noqa: E402
from bench.postgres import database_cpu_seconds, ensure_database  # noqa: E402

os.environ.setdefault("BADGE_SIGNING_KEY", base64.b64encode(secrets.token_bytes(32)).decode())


# --- the connecting processes -----------------------------------------------------------------


async def open_one(url: str, key: str, origin: str, started: float, out: dict) -> None:
    import websockets

    try:
        async with websockets.connect(
            url,
            additional_headers={"Cookie": f"sessionid={key}", "Origin": origin},
            open_timeout=120,
            max_queue=None,
        ) as socket:
            async for raw in socket:
                if json.loads(raw)["type"] == "snapshot":
                    out["after"] = time.monotonic() - started
                    out["bytes"] = len(raw)
                    break
            await out["release"].wait()
    except Exception as error:
        out["error"] = f"{type(error).__name__}: {error}"


async def storm(config: dict) -> list[dict]:
    """Open every socket of this share at config["at"] (CLOCK_MONOTONIC), hold them until told."""
    release = asyncio.Event()
    results = [{"after": None, "error": None, "release": release} for _ in config["sockets"]]
    await asyncio.sleep(max(0.0, config["at"] - time.monotonic()))
    started = config["at"]
    tasks = [
        asyncio.create_task(
            open_one(
                f"ws://127.0.0.1:{port}/ws/a/{config['slug']}/room/",
                key,
                f"http://127.0.0.1:{port}",
                started,
                result,
            )
        )
        for (port, key), result in zip(config["sockets"], results, strict=True)
    ]
    while any(r["after"] is None and r["error"] is None for r in results):
        await asyncio.sleep(0.01)
    print("snapshots", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    release.set()
    await asyncio.gather(*tasks)
    for result in results:
        del result["release"]
    return results


def storm_main(path: str) -> None:
    import uvloop

    config = json.loads(Path(path).read_text())
    Path(config["out"]).write_text(json.dumps(uvloop.run(storm(config))))
    print("done", flush=True)


# --- the driving process ----------------------------------------------------------------------


async def one_round(args, prepared: dict, ports: list[int], servers, clients: int, tmp: Path):
    """Open `clients` sockets at once; print the times to snapshot and the CPU per connection."""
    sessions = prepared["sessions"]
    shares: list[list] = [[] for _ in range(args.client_procs)]
    for i in range(clients):
        shares[i % args.client_procs].append((ports[i % len(ports)], sessions[i % len(sessions)]))
    at = time.monotonic() + 1.5  # the processes are up by then
    procs = []
    for n, share in enumerate(shares):
        config, out = tmp / f"storm-{n}.json", tmp / f"result-{n}.json"
        config.write_text(
            json.dumps({"slug": prepared["slug"], "sockets": share, "out": str(out), "at": at})
        )
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            __file__,
            "--storm",
            str(config),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        procs.append((process, out))
    await asyncio.sleep(max(0.0, at - time.monotonic() - 0.05))
    cpu_before = [cpu_seconds(s.pid) for s in servers]
    db_before = database_cpu_seconds()
    ballots = None
    if args.ballots and clients > 20 and not prepared.get("voted"):
        prepared["voted"] = True
        ballots = asyncio.create_task(cast_during(args, prepared, ports))
    for process, _out in procs:
        await process.stdout.readline()
    cpu = sum(cpu_seconds(s.pid) - b for s, b in zip(servers, cpu_before, strict=True))
    db = database_cpu_seconds() - db_before
    if ballots is not None:
        await ballots
    results = []
    for process, _out in procs:
        process.stdin.write(b"go\n")
        await process.stdin.drain()
    for process, out in procs:
        await process.stdout.readline()
        await process.wait()
        results.extend(json.loads(out.read_text()))
    times = sorted(r["after"] for r in results if r["after"] is not None)
    errors = [r["error"] for r in results if r["error"]]
    note = " while ballots landed" if ballots is not None else ""
    print(
        f"  {clients} sockets at once{note}: snapshot after p50 {percentile(times, 0.5) * 1000:.0f}"
        f" ms, p90 {percentile(times, 0.9) * 1000:.0f} ms, max {times[-1] * 1000:.0f} ms; "
        f"server CPU {cpu * 1000 / clients:.1f} ms per connection ({cpu:.2f} s), PostgreSQL "
        f"{db * 1000 / clients:.1f} ms; errors {len(errors)}"
        + (f" (first: {errors[0]})" if errors else "")
    )
    await asyncio.sleep(1.0)  # the closes settle before the next round


async def cast_during(args, prepared: dict, ports: list[int]) -> None:
    csrf = secrets.token_hex(16)
    slug, poll = prepared["slug"], prepared["poll"]
    ballots = [
        {
            "path": f"/api/v1/assemblies/{slug}/polls/{poll}/ballots",
            "json": {"choices": ["yes" if i % 5 else "no"]},
            "cookies": {"sessionid": key, "csrftoken": csrf},
            "headers": {"X-CSRFToken": csrf},
        }
        for i, key in enumerate(prepared["sessions"][-args.ballots :])
    ]
    _done, _wall, _latencies, statuses = await ballots_with_times(ballots, 20, ports)
    print(f"  ({statuses.count(201)} ballots counted during the round)")


async def measure(args, prepared: dict, ports: list[int], servers) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        # Warm each worker: imports, the pool, the first plans.
        await one_round(args, prepared, ports, servers, 20, Path(tmp))
        for clients in args.clients:
            for _ in range(args.rounds):
                await one_round(args, prepared, ports, servers, clients, Path(tmp))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2, help="uvicorn processes")
    parser.add_argument("--port", type=int, default=8340, help="first port")
    parser.add_argument("--clients", type=int, action="append", help="sockets per round")
    parser.add_argument("--rounds", type=int, default=2, help="rounds per --clients figure")
    parser.add_argument("--client-procs", type=int, default=2, help="processes opening sockets")
    parser.add_argument("--ballots", type=int, default=0, help="ballots cast in the first round")
    parser.add_argument("--storm", help=argparse.SUPPRESS)  # a connecting process's config
    args = parser.parse_args()
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if args.storm:
        storm_main(args.storm)
        return
    args.clients = args.clients or [250, 1000]
    if args.workers > 1 and not os.environ.get("REDIS_URL"):
        raise SystemExit("Several workers share sockets only through Redis: set REDIS_URL.")
    ensure_database(os.environ["DATABASE_URL"])
    setup_django()
    started = time.perf_counter()
    prepared = prepare(max(args.clients))
    print(
        f"layout: {args.workers} uvicorn worker(s); prepared {max(args.clients)} delegates "
        f"in {time.perf_counter() - started:.1f} s"
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
        asyncio.run(measure(args, prepared, ports, servers))
    finally:
        for server in servers:
            os.killpg(server.pid, signal.SIGTERM)
        for server in servers:
            server.wait(timeout=20)


if __name__ == "__main__":
    main()
