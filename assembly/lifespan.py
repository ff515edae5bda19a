"""ASGI lifespan: starts the server's own background work with the server and stops it after."""

import asyncio
import logging
from collections.abc import Callable
from typing import Any

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
        try:
            for hook in hooks:
                await asyncio.to_thread(hook)
        except Exception as error:
            logger.exception("lifespan %s failed", phase)
            await send({"type": f"lifespan.{phase}.failed", "message": str(error)})
        else:
            await send({"type": f"lifespan.{phase}.complete"})
