"""Served requests: each on a thread of its own while it runs, threads kept for later requests."""

import asyncio
import threading
import time

import httpx
import pytest
from django.core.signals import request_finished, request_started
from django.db import connection, connections
from django.http import HttpRequest, JsonResponse
from django.urls import path

from assembly.asgi import application

second_arrived = threading.Event()
seen: list[dict] = []
slow_view: dict = {}


def first(request: HttpRequest) -> JsonResponse:
    """Waits for the second request: only answers in time if both run at once."""
    return JsonResponse({"met": second_arrived.wait(timeout=5)})


def second(request: HttpRequest) -> JsonResponse:
    second_arrived.set()
    return JsonResponse({"ok": True})


def touch_database(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    seen[-1]["view"] = threading.get_native_id()
    return JsonResponse({"ok": True})


def slow(request: HttpRequest) -> JsonResponse:
    slow_view["thread"] = threading.get_native_id()
    time.sleep(0.5)
    slow_view["ended"] = time.monotonic()
    return JsonResponse({"ok": True})


urlpatterns = [
    path("first/", first),
    path("second/", second),
    path("touch/", touch_database),
    path("slow/", slow),
]


def on_started(**kwargs) -> None:
    seen.append({"started": threading.get_native_id()})


def on_finished(**kwargs) -> None:
    # Connected after Django's close_old_connections: sees what it left on this thread.
    seen[-1]["finished"] = threading.get_native_id()
    seen[-1]["connection_closed"] = connections["default"].connection is None
    seen[-1]["finished_at"] = time.monotonic()


@pytest.fixture
def served(settings):
    settings.ROOT_URLCONF = __name__
    settings.ALLOWED_HOSTS = ["testserver"]
    second_arrived.clear()
    seen.clear()
    slow_view.clear()
    request_started.connect(on_started)
    request_finished.connect(on_finished)
    yield httpx.AsyncClient(
        transport=httpx.ASGITransport(app=application), base_url="http://testserver"
    )
    request_started.disconnect(on_started)
    request_finished.disconnect(on_finished)


def scope(route: str) -> dict:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": route,
        "raw_path": route.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }


async def leave_after(seconds: float) -> object:
    """An ASGI receive whose client sends its request, then goes away."""
    sent = False

    async def receive() -> dict:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await asyncio.sleep(seconds)
        return {"type": "http.disconnect"}

    return receive


async def ignore(message: dict) -> None:
    pass


@pytest.mark.asyncio
async def test_two_requests_at_once_run_side_by_side(served):
    async with served as client:
        slow_task = asyncio.create_task(client.get("/first/"))
        await asyncio.sleep(0.05)
        quick = await client.get("/second/")
        answer = await slow_task
    assert quick.status_code == 200
    assert answer.json() == {"met": True}  # on one shared thread the first would wait alone


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_a_request_opens_and_closes_its_connection_on_its_own_thread(served):
    async with served as client:
        for _ in range(20):
            assert (await client.get("/touch/")).status_code == 200
    for request in seen:
        # Django closes the request's connection at request_finished, on the thread that
        # opened it: on any other thread the connection would stay out of the pool.
        assert request["started"] == request["view"] == request["finished"]
        if connection.vendor == "postgresql":  # SQLite's in-memory test database stays open
            assert request["connection_closed"]
    # One request after another: the first one's thread served them all.
    assert len({request["view"] for request in seen}) == 1


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_a_client_that_leaves_mid_request_frees_its_thread_only_when_the_view_ends(served):
    await application(scope("/slow/"), await leave_after(0.1), ignore)
    returned = time.monotonic()
    # Django let the view finish and ran request_finished on its thread before returning.
    assert slow_view["ended"] <= seen[0]["finished_at"] <= returned
    assert seen[0]["started"] == slow_view["thread"] == seen[0]["finished"]
    async with served as client:
        assert (await client.get("/touch/")).status_code == 200
    assert seen[1]["view"] == slow_view["thread"]  # the same thread, free again


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_a_cancelled_request_keeps_its_thread_from_the_next_request(served):
    cancelled = asyncio.create_task(application(scope("/slow/"), await leave_after(10), ignore))
    while "thread" not in slow_view:
        await asyncio.sleep(0.01)
    cancelled.cancel()
    with pytest.raises(asyncio.CancelledError):
        await cancelled
    async with served as client:
        assert (await client.get("/touch/")).status_code == 200
    answered = time.monotonic()
    # The next request did not queue behind the view still running on the old thread.
    assert seen[-1]["view"] != slow_view["thread"]
    assert "ended" not in slow_view or answered < slow_view["ended"]
    while "ended" not in slow_view:  # let the old view end before the database goes
        await asyncio.sleep(0.05)
