"""A stopped server takes its badge PDF workers with it, and its batch reads as failed."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="finds the server's processes in /proc"
)

ROOT = Path(__file__).resolve().parents[2]
UVICORN = str(Path(sys.executable).with_name("uvicorn"))
DELEGATES = 240
# Small parts: the batch is still rendering when the server is stopped.
CHUNK = 2
SETUP = f"""
from assembly.models import Role
from assembly.services import issue_api_token
from tests.factories import AssemblyFactory, DelegateFactory, StaffRoleFactory, UserFactory

assembly = AssemblyFactory(slug="ga")
for number in range({DELEGATES}):
    DelegateFactory(assembly=assembly, full_name=f"Delegate {{number:03d}}")
user = UserFactory(username="secretariat")
StaffRoleFactory(assembly=assembly, user=user, role=Role.SECRETARIAT)
print(issue_api_token(user=user, name="tests")[1])
"""


@dataclass(frozen=True)
class Proc:
    """A process as /proc shows it; the start time tells it from a later one with its pid."""

    pid: int
    parent: int
    started: int

    @classmethod
    def read(cls, pid: int) -> "Proc | None":
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            return None
        fields = stat.rsplit(")", 1)[1].split()
        if fields[0] == "Z":  # ended; only its exit status is left for the parent
            return None
        return cls(pid=pid, parent=int(fields[1]), started=int(fields[19]))

    def running(self) -> bool:
        now = Proc.read(self.pid)
        return now is not None and now.started == self.started


def descendants(pid: int) -> list[Proc]:
    processes = [
        p for entry in os.listdir("/proc") if entry.isdigit() if (p := Proc.read(int(entry)))
    ]
    found, parents = [], {pid}
    while True:
        more = [p for p in processes if p.parent in parents and p not in found]
        if not more:
            return found
        found += more
        parents = {p.pid for p in more}


def wait_for(condition, timeout: float = 60, step: float = 0.1):
    deadline = time.monotonic() + timeout
    while not (result := condition()) and time.monotonic() < deadline:
        time.sleep(step)
    return result


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def prepared(tmp_path_factory) -> tuple[Path, dict[str, str], str]:
    """A database file with an assembly, its approved delegates and a secretariat token.

    The server has its own SQLite file, whatever database the suite runs on.
    """
    folder = tmp_path_factory.mktemp("served")
    database = folder / "template.sqlite3"
    env = {
        key: value for key, value in os.environ.items() if key not in ("REDIS_URL", "DATABASE_URL")
    }
    env |= {
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": f"sqlite:///{database}",
        "TEST_MEDIA_ROOT": str(folder / "media"),
        "BADGE_PDF_WORKERS": "2",
        "BADGE_BATCH_CHUNK": str(CHUNK),
    }
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    token = subprocess.run(
        [*manage, "shell", "-c", SETUP], cwd=ROOT, env=env, check=True, capture_output=True
    ).stdout.decode()
    return database, env, token.split()[-1]  # after the shell's own notes


@pytest.fixture
def database(prepared, tmp_path) -> Path:
    template, _env, _token = prepared
    return Path(shutil.copy(template, tmp_path / "db.sqlite3"))


@dataclass
class Server:
    process: subprocess.Popen
    client: httpx.Client
    seen: list[Proc]  # ended by force after the test if still running

    def start_batch(self) -> int:
        response = self.client.post("/api/v1/assemblies/ga/badge-batches", json={"layout": "a6"})
        assert response.status_code == 201, response.text
        return response.json()["id"]

    def batch(self, batch_id: int) -> dict:
        return self.client.get(f"/api/v1/assemblies/ga/badge-batches/{batch_id}").json()

    def workers(self) -> list[Proc]:
        """The PDF workers: forked by the fork server, the server's child."""
        return [p for p in descendants(self.process.pid) if p.parent != self.process.pid]


@contextmanager
def serving(database: Path, env: dict[str, str], token: str) -> Iterator[Server]:
    port = free_port()
    process = subprocess.Popen(
        [UVICORN, "assembly.asgi:application", "--port", str(port), "--log-level", "warning"],
        cwd=ROOT,
        env={**env, "DATABASE_URL": f"sqlite:///{database}"},
    )
    client = httpx.Client(
        base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {token}"}
    )
    server = Server(process=process, client=client, seen=[])
    try:
        assert wait_for(lambda: healthy(client)), "the server did not start"
        yield server
    finally:
        client.close()
        server.seen += descendants(process.pid)
        if process.poll() is None:
            process.kill()
            process.wait()
        for leftover in server.seen:  # a failed test leaves no process behind
            if leftover.running():
                os.kill(leftover.pid, signal.SIGKILL)


def healthy(client: httpx.Client) -> bool:
    try:
        return client.get("/healthz", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def stop_mid_batch(server: Server, stop: signal.Signals) -> tuple[int, list[Proc]]:
    """Start a batch, stop the server with stop while the workers render it: the batch's
    id and every process the server had started."""
    batch_id = server.start_batch()
    assert wait_for(lambda: len(server.workers()) >= 2), "the PDF workers did not start"
    assert wait_for(lambda: server.batch(batch_id)["done"] > 0), "the batch did not progress"
    processes = descendants(server.process.pid)
    server.seen += processes
    server.process.send_signal(stop)
    server.process.wait(timeout=60)
    return batch_id, processes


@pytest.mark.parametrize(
    "stop", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL], ids=lambda stop: stop.name
)
def test_pdf_workers_end_when_the_server_stops(prepared, database, stop):
    _template, env, token = prepared
    with serving(database, env, token) as server:
        _batch_id, processes = stop_mid_batch(server, stop)
        assert wait_for(lambda: not [p for p in processes if p.running()], timeout=30), [
            Path(f"/proc/{p.pid}/cmdline").read_text() for p in processes if p.running()
        ]


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=lambda stop: stop.name)
def test_batch_of_a_stopped_server_reads_as_failed_and_can_start_again(prepared, database, stop):
    _template, env, token = prepared
    with serving(database, env, token) as server:
        batch_id, _processes = stop_mid_batch(server, stop)
    with serving(database, env, token) as restarted:
        batch = restarted.batch(batch_id)
        assert batch["status"] == "failed", batch
        assert "start the batch again" in batch["error"]
        assert restarted.start_batch() > batch_id
