"""The served app for a benchmark: a fresh database, Django set up here on it, uvicorn beside.

A benchmark script calls use_fresh_database() before anything imports Django, fills the
database through the ORM, then runs its load against served() and reads the server's
memory from /proc. SQLite in a temporary folder by default; BENCH_DATABASE_URL=postgres://…
for PostgreSQL (the database is created when missing, and flushed).
"""

import os
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
UVICORN = ROOT / ".venv/bin/uvicorn"
KEY = "YmVuY2gtb25seS1iYWRnZS1zZWVkLTAxMjM0NTY3ODk="  # bench-only signing seed
CSRF = secrets.token_hex(16)  # a 32-character secret: Django takes it unmasked, as cookie and field


def use_fresh_database(name: str) -> Path:
    """Point this process (and the server it starts) at a new database; its work folder."""
    workdir = Path(tempfile.mkdtemp(prefix=f"plenary-bench-{name}-"))
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{workdir}/bench.sqlite3"
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DEBUG": "false",
            "SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnop",
            "SECURE_SSL_REDIRECT": "false",
            "SESSION_COOKIE_SECURE": "false",
            "CSRF_COOKIE_SECURE": "false",
            "BADGE_SIGNING_KEY": KEY,
            "DATABASE_URL": url,
            "MEDIA_ROOT": str(workdir / "media"),
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT),
        }
    )
    os.environ.pop("REDIS_URL", None)
    sys.path.insert(0, str(ROOT))
    if url.startswith("postgres"):
        from bench.postgres import ensure_database

        ensure_database(url)
    import django

    django.setup()
    from django.core.management import call_command

    if url.startswith("postgres"):
        call_command("flush", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0)
    return workdir


def session_cookies(user: object) -> dict[str, str]:
    """Cookies of a browser logged in as user, with a CSRF secret its forms can send back."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    return {
        settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value,
        settings.CSRF_COOKIE_NAME: CSRF,
    }


@contextmanager
def served(workdir: Path, port: int) -> Iterator[subprocess.Popen]:
    """uvicorn serving the app (lifespan on, as deployed) until the block ends."""
    from django.db import connections

    connections.close_all()  # this process only reads from now on
    log = (workdir / "uvicorn.log").open("w+")
    server = subprocess.Popen(
        [
            *(str(UVICORN), "assembly.asgi:application", "--host", "127.0.0.1"),
            *("--port", str(port), "--no-access-log", "--log-level", "warning"),
        ],
        env=os.environ,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        for _ in range(150):
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code < 600:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        yield server
    finally:
        server.terminate()
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            print("  the server did not stop within 20 s of SIGTERM: killed")
            server.kill()
            server.wait()
        log.close()


def server_log(workdir: Path) -> str:
    return (workdir / "uvicorn.log").read_text(errors="replace")


def memory_mb(pid: int) -> tuple[float, float]:
    """The process's resident memory now and its high-water mark, in MB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        fields[key] = value.strip()
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def cpu_seconds(pid: int) -> float:
    """User + system CPU the process has used so far: a figure other load does not skew."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]
