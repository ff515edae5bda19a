"""Benchmark (a): badge scans over HTTP against uvicorn, on SQLite and PostgreSQL.

Run: .venv/bin/python bench/scans_http.py [--db sqlite|postgres|both] [--workers 2]
For each database: migrate a fresh database, create an assembly with 400 delegates and
badges, start the served app (DEBUG off) in the README's layout for that database, then
  1. 500 scans one at a time (p50/p99 ms),
  2. 2,000 scans from 8 desks flat out (scans/s, p50/p99),
  3. the same two loads against /bench/bare/, an endpoint that only inserts one row,
and print the ratio scan/bare. Counts "database is locked" in answers and the server log.
Layouts: SQLite is the embedded default (one uvicorn process, in-memory layer); PostgreSQL is
production (N uvicorn processes, default 2, on ports --port.., sharing the Redis layer at
BENCH_REDIS_URL; the client spreads the desks over them as the reverse proxy would).
Loads go to 127.0.0.1 only, are bounded in count, and stop by themselves.
"""

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.ballots import blast, spread  # noqa: E402
from bench.postgres import database_cpu_seconds, ensure_database  # noqa: E402

PYTHON = ROOT / ".venv/bin/python"
UVICORN = ROOT / ".venv/bin/uvicorn"
PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/plenary_badges")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
KEY = "YmVuY2gtb25seS1iYWRnZS1zZWVkLTAxMjM0NTY3ODk="  # bench-only signing seed
DELEGATES = 400


def server_cpu_seconds(pid: int) -> float:
    """User + system CPU of the server process and its workers: a figure load does not skew."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        own_pid = int(stat.parent.name)
        if own_pid == pid or int(fields[1]) == pid:  # fields[1] is the parent's pid
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def line(label, latencies, failures, seconds=None, cpu=None, database_cpu=None):
    rate = f"{len(latencies) / seconds:7.0f}/s" if seconds else "        "
    cpu_each = f"  server CPU {1000 * cpu / len(latencies):4.1f} ms/req" if cpu is not None else ""
    if database_cpu is not None:
        cpu_each += f", database {1000 * database_cpu / len(latencies):4.1f}"
    print(
        f"  {label:<30} n={len(latencies):>5} {rate} p50 {percentile(latencies, 0.5):6.1f} ms"
        f"  p99 {percentile(latencies, 0.99):6.1f} ms  errors {len(failures)}{cpu_each}"
    )


async def run_loads(ports, bearer, tokens, server_pids, database):
    """The four timed phases, sent by a lean keep-alive client (httpx cost more CPU per request
    than the server's bare endpoint, on the same two cores)."""
    headers = {"Authorization": f"Bearer {bearer}"}

    def scans(count):
        # Walk the roster: each badge goes in, then out, then in again, at one checkpoint.
        return [
            {
                "path": "/api/v1/assemblies/bench/scans",
                "headers": headers,
                "json": {
                    "token": tokens[i % len(tokens)],
                    "checkpoint": "plenary",
                    "direction": "in" if (i // len(tokens)) % 2 == 0 else "out",
                    "desk": f"bench {i % 8}",
                    "idempotency_key": uuid.uuid4().hex,
                },
            }
            for i in range(count)
        ]

    def bares(count):
        return [{"path": "/bench/bare/", "json": {}} for _ in range(count)]

    # Warm up every worker: connections, the pool, the code paths and, on PostgreSQL, the
    # prepared statements (a plan is reused after a few runs on each pooled connection). Each
    # badge goes in and out again, so the timed phases start from an empty hall as before.
    await spread(scans(2 * len(tokens)), 8, ports)
    await spread(bares(2 * len(tokens)), 8, ports)
    results, cpu, database_cpu = {}, {}, {}
    for key, label, requests, desks in [
        ("scan1", "scan, one desk", scans(500), 1),
        ("bare1", "bare insert, one client", bares(500), 1),
        ("scan8", "scan, 8 desks flat out", scans(2000), 8),
        ("bare8", "bare insert, 8 clients", bares(2000), 8),
    ]:
        before = sum(server_cpu_seconds(pid) for pid in server_pids)
        database_before = database_cpu_seconds()
        if desks == 1:
            seconds, latencies, statuses = await blast(requests, 1, ports[0])
        else:
            seconds, latencies, statuses = await spread(requests, desks, ports)
        cpu[key] = sum(server_cpu_seconds(pid) for pid in server_pids) - before
        database_cpu[key] = database_cpu_seconds() - database_before
        latencies = [1000 * latency for latency in latencies]
        failures = [status for status in statuses if status not in (200, 201)]
        results[key] = (latencies, failures, seconds)
        line(
            label,
            latencies,
            failures,
            seconds if desks > 1 else None,
            cpu=cpu[key],
            database_cpu=database_cpu[key] if database == "postgres" else None,
        )
    one = statistics.median(results["bare1"][0]) / statistics.median(results["scan1"][0])
    many = results["bare8"][2] / results["scan8"][2]
    by_cpu = cpu["bare8"] / cpu["scan8"]
    print(
        f"  ratio scan/bare: one at a time (p50 bare / p50 scan) {one:.2f};"
        f" 8 desks (rate) {many:.2f}; server CPU per request (8 desks) {by_cpu:.2f}"
    )


def run(db: str, port: int, workers: int) -> None:
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnop",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "BADGE_SIGNING_KEY": KEY,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "PYTHONPATH": str(ROOT),
        "LOG_LEVEL": "WARNING",
    }
    env.pop("REDIS_URL", None)
    if workers > 1:
        env["REDIS_URL"] = REDIS_URL  # several processes share live updates only through Redis
    workdir = tempfile.mkdtemp(prefix="plenary-bench-")
    if db == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{workdir}/bench.sqlite3"
    else:
        env["DATABASE_URL"] = PG_URL
        ensure_database(PG_URL)
    setup = subprocess.run(
        [str(PYTHON), str(ROOT / "bench/setup_scans.py"), str(DELEGATES)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    bearer, tokens = setup.stdout.strip().splitlines()[-2:]
    log = open(f"{workdir}/uvicorn.log", "w+")  # noqa: SIM115
    # One uvicorn process per port, the client spreading its connections over them as a
    # reverse proxy would (uvicorn --workers left every keep-alive connection on one).
    ports = [port + index for index in range(workers)]
    servers = [
        subprocess.Popen(
            [
                str(UVICORN),
                "assembly.asgi:application",
                "--host",
                "127.0.0.1",
                "--port",
                str(each),
                "--no-access-log",
                "--log-level",
                "warning",
            ],
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        for each in ports
    ]
    try:
        for each in ports:
            for _ in range(100):
                try:
                    answer = httpx.get(f"http://127.0.0.1:{each}/healthz", timeout=1)
                    if answer.status_code in (200, 503):
                        break
                except httpx.HTTPError:
                    time.sleep(0.2)
        layer = "Redis layer" if workers > 1 else "in-memory layer"
        print(
            f"{db}: uvicorn, {workers} process(es), {layer}, {DELEGATES} delegates"
            f" (load average {os.getloadavg()[0]:.1f})"
        )
        asyncio.run(run_loads(ports, bearer, tokens.split(","), [s.pid for s in servers], db))
        log.seek(0)
        locked = log.read().count("database is locked")
        print(f"  'database is locked' errors: {locked}")
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(10)
        log.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--port", type=int, default=8140)
    parser.add_argument(
        "--workers", type=int, default=2, help="uvicorn processes for PostgreSQL (SQLite: 1)"
    )
    args = parser.parse_args()
    for db in ["sqlite", "postgres"] if args.db == "both" else [args.db]:
        run(db, args.port, 1 if db == "sqlite" else args.workers)


if __name__ == "__main__":
    sys.exit(main())
