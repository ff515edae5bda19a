"""Benchmark (a): badge scans over HTTP against uvicorn, on SQLite and PostgreSQL.

Run: .venv/bin/python bench/scans_http.py [--db sqlite|postgres|both] [--workers 2]
For each database: migrate a fresh database, create an assembly with 400 delegates and
badges, start the served app (DEBUG off) in the README's layout for that database, then
  1. 500 scans one at a time (p50/p99 ms),
  2. 2,000 scans from 8 desks flat out (scans/s, p50/p99),
  3. the same two loads against /bench/bare/, an endpoint that only inserts one row,
and print the ratio scan/bare. Counts "database is locked" in answers and the server log.
Layouts: SQLite is the embedded default (one uvicorn process, in-memory layer); PostgreSQL is
production (uvicorn --workers N, default 2, sharing the Redis layer at BENCH_REDIS_URL).
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


async def one_at_a_time(client, make_request, count):
    latencies, failures = [], []
    for i in range(count):
        started = time.perf_counter()
        response = await make_request(client, i)
        latencies.append(1000 * (time.perf_counter() - started))
        if response.status_code not in (200, 201):
            failures.append(response.text[:200])
    return latencies, failures


async def flat_out(client, make_request, count, desks):
    latencies, failures = [], []
    counter = iter(range(count))

    async def desk():
        for i in counter:
            started = time.perf_counter()
            response = await make_request(client, i)
            latencies.append(1000 * (time.perf_counter() - started))
            if response.status_code not in (200, 201):
                failures.append(response.text[:200])

    started = time.perf_counter()
    await asyncio.gather(*(desk() for _ in range(desks)))
    return latencies, failures, time.perf_counter() - started


def line(label, latencies, failures, seconds=None, cpu=None):
    rate = f"{len(latencies) / seconds:7.0f}/s" if seconds else "        "
    cpu_each = f"  server CPU {1000 * cpu / len(latencies):4.1f} ms/req" if cpu is not None else ""
    print(
        f"  {label:<30} n={len(latencies):>5} {rate} p50 {percentile(latencies, 0.5):6.1f} ms"
        f"  p99 {percentile(latencies, 0.99):6.1f} ms  errors {len(failures)}{cpu_each}"
    )


async def run_loads(base, bearer, tokens, server_pid):
    headers = {"Authorization": f"Bearer {bearer}"}
    limits = httpx.Limits(max_connections=16, max_keepalive_connections=16)
    async with httpx.AsyncClient(
        base_url=base, headers=headers, limits=limits, timeout=30
    ) as client:

        async def scan(client, i):
            # Walk the roster: each badge goes in, then out, then in again, at one checkpoint.
            token = tokens[i % len(tokens)]
            direction = "in" if (i // len(tokens)) % 2 == 0 else "out"
            return await client.post(
                "/api/v1/assemblies/bench/scans",
                json={
                    "token": token,
                    "checkpoint": "plenary",
                    "direction": direction,
                    "desk": f"bench {i % 8}",
                    "idempotency_key": uuid.uuid4().hex,
                },
            )

        async def bare(client, i):
            return await client.post("/bench/bare/")

        for _ in range(40):  # warm up connections, the pool and the code paths (every worker)
            await scan(client, 0)
            await bare(client, 0)
        results = {}
        cpu = {}
        for key, label, request, desks, count in [
            ("scan1", "scan, one desk", scan, 1, 500),
            ("bare1", "bare insert, one client", bare, 1, 500),
            ("scan8", "scan, 8 desks flat out", scan, 8, 2000),
            ("bare8", "bare insert, 8 clients", bare, 8, 2000),
        ]:
            before = server_cpu_seconds(server_pid)
            if desks == 1:
                lat, fail = await one_at_a_time(client, request, count)
                results[key] = (lat, fail)
                cpu[key] = server_cpu_seconds(server_pid) - before
                line(label, lat, fail, cpu=cpu[key])
            else:
                lat, fail, secs = await flat_out(client, request, count, desks)
                results[key] = (lat, fail, secs)
                cpu[key] = server_cpu_seconds(server_pid) - before
                line(label, lat, fail, secs, cpu=cpu[key])
        one = statistics.median(results["bare1"][0]) / statistics.median(results["scan1"][0])
        many = (2000 / results["scan8"][2]) / (2000 / results["bare8"][2])
        by_cpu = cpu["bare8"] / cpu["scan8"]
        print(
            f"  ratio scan/bare: one at a time (p50 bare / p50 scan) {one:.2f};"
            f" 8 desks (rate) {many:.2f}; server CPU per request (8 desks) {by_cpu:.2f}"
        )
        locked = sum("database is locked" in text for key in results for text in results[key][1])
        return locked


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
    server = subprocess.Popen(
        [
            str(UVICORN),
            "assembly.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-access-log",
            "--log-level",
            "warning",
            "--workers",
            str(workers),
        ],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code in (200, 503):
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        layer = "Redis layer" if workers > 1 else "in-memory layer"
        print(
            f"{db}: uvicorn, {workers} process(es), {layer}, {DELEGATES} delegates"
            f" (load average {os.getloadavg()[0]:.1f})"
        )
        locked = asyncio.run(run_loads(base, bearer, tokens.split(","), server.pid))
        log.seek(0)
        locked += log.read().count("database is locked")
        print(f"  'database is locked' errors: {locked}")
    finally:
        server.terminate()
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
