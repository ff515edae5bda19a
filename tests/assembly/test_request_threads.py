"""Served requests: each on a thread of its own while it runs, threads kept for later requests."""

import asyncio
import threading

import httpx
import pytest
from django.core.signals import request_finished, request_started
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.urls import path

from assembly.asgi import application

second_arrived = threading.Event()
seen: list[dict] = []


def first(request: HttpRequest) -> JsonResponse:
    """Waits for the second request: only answers in time if both run at once."""
    return JsonResponse({"met": second_arrived.wait(timeout=5)})


def second(request: HttpRequest) -> JsonResponse:
    second_arrived.set()
    return JsonResponse({"ok": True})


def touch_database(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    seen[-1]["view"] = threading.get_ident()
    seen[-1]["connection"] = connection
    return JsonResponse({"ok": True})


urlpatterns = [
    path("first/", first),
    path("second/", second),
    path("touch/", touch_database),
]


def on_started(**kwargs) -> None:
    seen.append({"started": threading.get_ident()})


def on_finished(**kwargs) -> None:
    seen[-1]["finished"] = threading.get_ident()


@pytest.fixture
def served(settings):
    settings.ROOT_URLCONF = __name__
    settings.ALLOWED_HOSTS = ["testserver"]
    second_arrived.clear()
    seen.clear()
    request_started.connect(on_started)
    request_finished.connect(on_finished)
    yield httpx.AsyncClient(
        transport=httpx.ASGITransport(app=application), base_url="http://testserver"
    )
    request_started.disconnect(on_started)
    request_finished.disconnect(on_finished)


@pytest.mark.asyncio
async def test_two_requests_at_once_run_side_by_side(served):
    async with served as client:
        slow = asyncio.create_task(client.get("/first/"))
        await asyncio.sleep(0.05)
        quick = await client.get("/second/")
        answer = await slow
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
        if request["connection"].vendor == "postgresql":
            assert request["connection"].connection is None
    # One request after another: the first one's thread served them all.
    assert len({request["view"] for request in seen}) == 1
