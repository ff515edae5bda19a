"""Django's Redis cache with one connection pool and one client per process, not per request."""

import threading
from functools import cached_property
from typing import Any

from django.core.cache.backends.redis import RedisCache, RedisCacheClient

_clients: dict[tuple, RedisCacheClient] = {}
_clients_lock = threading.Lock()


class ReusedRedisCacheClient(RedisCacheClient):
    """Django built a redis-py client for every cache call, and each filled its table of reply
    callbacks (a tenth of a session read's CPU); redis-py's clients are thread-safe, so one per
    pool serves every call."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._redis_clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        index = self._get_connection_pool_index(write)
        client = self._redis_clients.get(index)
        if client is None:
            pool = self._get_connection_pool(write)
            client = self._redis_clients.setdefault(index, self._client(connection_pool=pool))
        return client


class SharedPoolRedisCache(RedisCache):
    """Django makes a cache backend per thread (per request under ASGI), and each opened its
    own pool and connection: a TCP connect a request, measured at a fifth of a ballot's CPU.
    redis-py's pool is thread-safe, so every backend of the process shares one client.
    """

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = ReusedRedisCacheClient

    @cached_property
    def _cache(self) -> RedisCacheClient:
        key = (tuple(self._servers), repr(sorted(self._options.items())))
        with _clients_lock:
            client = _clients.get(key)
            if client is None:
                client = _clients[key] = self._class(self._servers, **self._options)
        return client
