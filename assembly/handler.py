"""Django's ASGI handler, keeping each request's thread for a later request instead of ending it."""

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import ThreadSensitiveContext
from django.core.handlers.asgi import ASGIHandler


class RequestThreads:
    """Single-thread executors, each lent to one request at a time and kept when it ends."""

    def __init__(self, keep: int) -> None:
        self.keep = keep
        self.idle: list[ThreadPoolExecutor] = []

    def lend(self) -> ThreadPoolExecutor:
        if self.idle:
            return self.idle.pop()  # the most recent: its thread is the likeliest still cached
        return ThreadPoolExecutor(max_workers=1, thread_name_prefix="request")

    def take_back(self, executor: ThreadPoolExecutor) -> None:
        if len(self.idle) < self.keep:
            self.idle.append(executor)
        else:  # shutting down joins the thread: never on the event loop
            threading.Thread(target=executor.shutdown, daemon=True).start()


class ThreadKeepingASGIHandler(ASGIHandler):
    """As Django's handler, each request runs all its sync code (the request_started and
    request_finished signals, middleware, view) on one thread of its own; but that thread
    serves a later request when this one ends.

    Django makes a thread for each request and joins it afterwards, both on the event loop:
    starting one waits until it holds the GIL, which under load the request threads keep
    for milliseconds (bench/ballots.py; the README has the figures). Kept
    threads are what WSGI servers do: Django closes a request's database connection at
    request_finished, on that thread, so a connection is never carried to the next request.
    """

    keep_threads = 64  # idle threads kept per event loop; more run only while busy

    def __init__(self) -> None:
        super().__init__()
        self._threads: dict[int, tuple[asyncio.AbstractEventLoop, RequestThreads]] = {}

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            raise ValueError(f"Django can only handle ASGI/HTTP connections, not {scope['type']}.")
        threads = self.request_threads()
        executor = threads.lend()
        try:
            async with ThreadSensitiveContext(executor=executor):
                await self.handle(scope, receive, send)
        finally:
            threads.take_back(executor)

    def request_threads(self) -> RequestThreads:
        """This event loop's threads (one loop per server process; tests run several)."""
        loop = asyncio.get_running_loop()
        found = self._threads.get(id(loop))
        if found is None or found[0] is not loop:
            found = self._threads[id(loop)] = (loop, RequestThreads(self.keep_threads))
        return found[1]
