"""Django's ASGI handler, keeping each request's thread for a later request instead of ending it."""

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import ThreadSensitiveContext
from django.core.handlers.asgi import ASGIHandler


def _shut_down_apart(executor: ThreadPoolExecutor) -> None:
    """Shutting down joins the thread, which may still be running: never on the event loop."""
    threading.Thread(target=executor.shutdown, daemon=True).start()


class RequestThreads:
    """Single-thread executors, each lent to one request at a time and kept when it ends."""

    def __init__(self, loop: asyncio.AbstractEventLoop, keep: int) -> None:
        self.loop = loop
        self.keep = keep
        self.idle: list[ThreadPoolExecutor] = []

    def lend(self) -> ThreadPoolExecutor:
        if self.idle:
            return self.idle.pop()  # the most recent: its thread is the likeliest still cached
        return ThreadPoolExecutor(max_workers=1, thread_name_prefix="request")

    def take_back(self, executor: ThreadPoolExecutor) -> None:
        if len(self.idle) < self.keep:
            self.idle.append(executor)
        else:
            _shut_down_apart(executor)

    def close(self) -> None:
        for executor in self.idle:
            _shut_down_apart(executor)
        self.idle.clear()


class ThreadKeepingASGIHandler(ASGIHandler):
    """As Django's handler, each request runs all its sync code (the request_started and
    request_finished signals, middleware, view) on one thread of its own; but that thread
    serves a later request when this one ends.

    Django makes a thread for each request and joins it afterwards, both on the event loop:
    starting one waits until it holds the GIL, which under load the request threads keep
    for milliseconds (bench/ballots.py; the README has the figures). Kept threads are what
    WSGI servers do: Django closes a request's database connection at request_finished, on
    that thread, so a connection is never carried to the next request.

    Work a request leaves running on the loop inherits its context: once the request has
    ended, a thread-sensitive sync_to_async there raises RuntimeError (asgiref), where
    Django's handler gave it a fresh thread. Ours runs in a fresh context (assembly.live)
    or is not thread-sensitive (voting.simulation).
    """

    keep_threads = 64  # idle threads kept per event loop; more run only while busy

    def __init__(self) -> None:
        super().__init__()
        self._threads: dict[int, RequestThreads] = {}

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            raise ValueError(f"Django can only handle ASGI/HTTP connections, not {scope['type']}.")
        threads = self.request_threads()
        executor = threads.lend()
        finished = False
        try:
            async with ThreadSensitiveContext(executor=executor):
                await self.handle(scope, receive, send)
            finished = True
        finally:
            # handle() returns once its thread has run the view and request_finished; a
            # request cancelled before that may still hold its thread, which no other gets.
            if finished:
                threads.take_back(executor)
            else:
                _shut_down_apart(executor)

    def request_threads(self) -> RequestThreads:
        """This event loop's threads (one loop per server process; tests run one per test)."""
        loop = asyncio.get_running_loop()
        threads = self._threads.get(id(loop))
        if threads is None or threads.loop is not loop:
            for key, old in list(self._threads.items()):
                if old.loop.is_closed():  # its idle threads would wait for it forever
                    old.close()
                    del self._threads[key]
            threads = self._threads[id(loop)] = RequestThreads(loop, self.keep_threads)
        return threads
