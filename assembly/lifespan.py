"""ASGI lifespan: starts the server's own background work with the server and stops it after."""

import logging
from collections.abc import Callable
from typing import Any

from asgiref.sync import sync_to_async
from django.db import connection

logger = logging.getLogger(__name__)

Hook = Callable[[], None]


class Lifespan:
    """Wraps an ASGI app: `lifespan` events run the hooks (in a thread: they may block), the
    rest goes to the app. A server started with lifespan off runs none of them."""

    def __init__(self, app: Any, *, startup: list[Hook], shutdown: list[Hook]) -> None:
        self.app = app
        self.startup = startup
        self.shutdown = shutdown

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "lifespan":
            await self.app(scope, receive, send)
            return
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await self._run(self.startup, "startup", send)
            elif message["type"] == "lifespan.shutdown":
                await self._run(self.shutdown, "shutdown", send)
                return

    async def _run(self, hooks: list[Hook], phase: str, send: Callable) -> None:
        """Every hook runs, even after one fails (a stop must not skip the next stop)."""
        errors = []
        for hook in hooks:
            try:
                await sync_to_async(_run_hook, thread_sensitive=False)(hook)
            except Exception as error:
                logger.exception("lifespan %s: %s failed", phase, getattr(hook, "__name__", hook))
                errors.append(str(error))
        if errors:
            await send({"type": f"lifespan.{phase}.failed", "message": "; ".join(errors)})
        else:
            await send({"type": f"lifespan.{phase}.complete"})


def _run_hook(hook: Hook) -> None:
    try:
        hook()
    finally:
        connection.close()  # the hook's thread's, if it read the database
