"""Runtime: health endpoint, the assembly socket, and settings that refuse unsafe starts."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from channels.testing import WebsocketCommunicator
from django.test import Client

from assembly.asgi import application
from assembly.live import assembly_group, broadcast_on_commit

ROOT = Path(__file__).resolve().parents[2]


def test_healthz_reports_database_and_channel_layer(db):
    response = Client().get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["database"] == "ok"
    assert body["channel_layer"] == "ok"


# Set by tests/settings.py for the test process; a production start has none of them.
TEST_ONLY = {
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "SECRET_KEY",
    "DEBUG",
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "WHITENOISE_USE_FINDERS",
    "SITE_URL",
}


def production_env(**env: str) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if k not in TEST_ONLY}
    return {**clean, "DJANGO_SETTINGS_MODULE": "assembly.settings", **env}


def run_python(code: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=production_env(**env),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_server_refuses_to_start_without_secret_key_when_debug_is_off():
    result = run_python("import django; django.setup()", DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_demo_key_is_used_only_in_debug():
    result = run_python(
        "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)",
        DEBUG="true",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


def test_bad_boolean_setting_is_a_clear_error():
    result = run_python("import django; django.setup()", DEBUG="maybe")
    assert "DEBUG must be true or false" in result.stderr


def test_check_deploy_passes_with_production_values():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(
            SECRET_KEY="x7#kq2!v9@production-like-secret-key-of-sufficient-length-and-entropy",
            DEBUG="false",
            ALLOWED_HOSTS="ga.example.org",
            CSRF_TRUSTED_ORIGINS="https://ga.example.org",
        ),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_assembly_socket_sends_a_snapshot_then_forwards_events(assembly, delegate):
    from channels.db import database_sync_to_async

    communicator = WebsocketCommunicator(
        application, f"/ws/a/{assembly.slug}/", headers=[(b"origin", b"http://127.0.0.1")]
    )
    communicator.scope["user"] = delegate.user
    connected, _ = await communicator.connect()
    assert connected
    snapshot = await communicator.receive_json_from()
    assert snapshot["type"] == "snapshot"
    assert snapshot["payload"]["assembly"] == "ga"

    def announce() -> None:
        from django.db import transaction

        with transaction.atomic():
            broadcast_on_commit(
                group=assembly_group(assembly.pk), event="assembly.notice", payload={"text": "hi"}
            )

    await database_sync_to_async(announce)()
    event = await communicator.receive_json_from()
    assert event["type"] == "assembly.notice"
    assert event["payload"] == {"text": "hi"}
    assert event["seq"] > snapshot["seq"]
    await communicator.disconnect()


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_assembly_socket_refuses_anonymous_visitors(assembly):
    communicator = WebsocketCommunicator(
        application, f"/ws/a/{assembly.slug}/", headers=[(b"origin", b"http://127.0.0.1")]
    )
    connected, code = await communicator.connect()
    assert not connected
    assert code == 4403
    await communicator.disconnect()


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_staff_news_reaches_desks_and_not_delegates(assembly, delegate, desk_user):
    from channels.db import database_sync_to_async

    from assembly.live import staff_group

    async def listen(user):
        communicator = WebsocketCommunicator(
            application, f"/ws/a/{assembly.slug}/", headers=[(b"origin", b"http://127.0.0.1")]
        )
        communicator.scope["user"] = user
        connected, _ = await communicator.connect()
        assert connected
        assert (await communicator.receive_json_from())["type"] == "snapshot"
        return communicator

    phone, desk = await listen(delegate.user), await listen(desk_user)

    def announce() -> None:
        from django.db import transaction

        with transaction.atomic():
            broadcast_on_commit(
                group=staff_group(assembly.pk), event="badges.changed", payload={"delegate": 7}
            )

    await database_sync_to_async(announce)()
    assert (await desk.receive_json_from())["payload"] == {"delegate": 7}
    assert await phone.receive_nothing(timeout=0.3)
    await phone.disconnect()
    await desk.disconnect()


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (the Redis cache)")
def test_requests_on_new_threads_reuse_the_redis_connections():
    """Under ASGI each request runs on a new thread with its own cache backend object."""
    import threading

    import redis
    from django.core.cache import cache

    cache.set("plenary-test-pool", "warm")
    server = redis.Redis.from_url(os.environ["REDIS_URL"])
    before = server.info("stats")["total_connections_received"]

    def one_request() -> None:
        assert cache.get("plenary-test-pool") == "warm"

    for _ in range(20):
        thread = threading.Thread(target=one_request)
        thread.start()
        thread.join()
    # Other suites may share this Redis: allow a few of theirs, far fewer than 20.
    assert server.info("stats")["total_connections_received"] - before <= 5
