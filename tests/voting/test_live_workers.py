"""Two ASGI workers on the Redis layer: a ballot cast through worker A reaches a socket on B."""

import json
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from websockets.sync.client import connect

from tests.voting.ballot_steps import confirm_fields

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql" or not settings.REDIS_URL,
        reason="needs PostgreSQL and REDIS_URL: worker processes cannot share SQLite's test "
        "database or the in-memory channel layer",
    ),
]

ROOT = Path(__file__).resolve().parents[2]
SERVE = ["--host", "127.0.0.1", "--log-level", "warning", "--no-access-log", "--backlog", "2048"]


def database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return (
        f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
        f"/{db['NAME']}"
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def ports() -> tuple[int, int]:
    """Two free ports: another test worker of the suite may be serving at the same time."""
    return free_port(), free_port()


@pytest.fixture
def workers(ports):
    """Two uvicorn processes on the test database and this run's Redis."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "assembly.settings",
        "DEBUG": "true",
        "SECRET_KEY": settings.SECRET_KEY,
        "DATABASE_URL": database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "SITE_URL": f"http://127.0.0.1:{ports[0]}",
    }
    uvicorn = str(Path(sys.executable).with_name("uvicorn"))
    processes = [
        subprocess.Popen(
            [uvicorn, "assembly.asgi:application", "--port", str(port), *SERVE],
            cwd=ROOT,
            env=env,
        )
        for port in ports
    ]
    try:
        for port in ports:
            deadline = time.monotonic() + 30
            while True:
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    pytest.fail(f"worker on port {port} did not start")
                time.sleep(0.2)
        yield [f"http://127.0.0.1:{port}" for port in ports]
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=10)


def session_cookie(user) -> dict[str, str]:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    return {cookie.key: cookie.value}


def next_of(socket, kind: str, timeout: float = 10) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        received = json.loads(socket.recv(timeout=max(0.1, deadline - time.monotonic())))
        merged = received["payload"] if received["type"] == "batch" else [received]
        for message in merged:
            if message["type"] == kind:
                return message


def test_a_ballot_through_worker_a_reaches_a_projector_on_worker_b(
    workers, assembly, open_secret_poll, present_voters
):
    worker_a, worker_b = workers
    slug, poll = assembly.slug, open_secret_poll.pk
    listener = session_cookie(present_voters[1].user)
    cookie = "; ".join(f"{k}={v}" for k, v in listener.items())
    with connect(
        f"ws://{worker_b.removeprefix('http://')}/ws/a/{slug}/room/",
        additional_headers={"Cookie": cookie, "Origin": worker_b},
    ) as socket:
        snapshot = next_of(socket, "snapshot")
        assert snapshot["payload"]["polls"][0]["turnout"] == 0

        with httpx.Client(base_url=worker_a, cookies=session_cookie(present_voters[0].user)) as a:
            ballot = a.get(f"/a/{slug}/vote/")
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', ballot.text).group(1)
            confirm = a.post(
                f"/a/{slug}/vote/{poll}/confirm/",
                data={"choice": "yes", "csrfmiddlewaretoken": token},
                headers={"Referer": worker_a},
            )
            cast = a.post(
                f"/a/{slug}/vote/{poll}/confirm/",
                data={**confirm_fields(confirm.text), "csrfmiddlewaretoken": token},
                headers={"Referer": worker_a},
            )
        assert cast.status_code == 200
        assert "Your vote is recorded" in cast.text

        turnout = next_of(socket, "poll.turnout")
        assert turnout["payload"]["turnout"] == 1
        assert turnout["seq"] > snapshot["seq"]


def test_the_server_closes_a_poll_when_its_countdown_ends_and_tells_the_room(
    workers, assembly, open_secret_poll, present_voters
):
    from datetime import timedelta

    from django.utils import timezone

    from voting.models import Poll, PollState

    listener = session_cookie(present_voters[1].user)
    cookie = "; ".join(f"{k}={v}" for k, v in listener.items())
    with connect(
        f"ws://{workers[1].removeprefix('http://')}/ws/a/{assembly.slug}/room/",
        additional_headers={"Cookie": cookie, "Origin": workers[1]},
    ) as socket:
        next_of(socket, "snapshot")
        # Opened outside the servers (no wake-up): they find it on their own, with no page open.
        Poll.objects.filter(pk=open_secret_poll.pk).update(
            closes_at=timezone.now() + timedelta(seconds=1)
        )
        state = next_of(socket, "poll.state", timeout=15)
    assert state["payload"]["id"] == open_secret_poll.pk
    assert state["payload"]["state"] == PollState.CLOSED
    open_secret_poll.refresh_from_db()
    assert open_secret_poll.state == PollState.CLOSED
