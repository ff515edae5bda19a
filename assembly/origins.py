"""Websocket handshakes from the page's own origin only, or from one CSRF_TRUSTED_ORIGINS names."""

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.http.request import split_domain_port, validate_host
from django.utils.http import is_same_domain

from assembly.consumers import Refused

DEFAULT_PORTS = {"http": 80, "https": 443}


def origin_key(url: str) -> tuple[str, str, int] | None:
    """An http(s) origin as (scheme, host, port), the default port filled in; None otherwise."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    return parts.scheme, parts.hostname, port or DEFAULT_PORTS[parts.scheme]


def allowed_hosts() -> list[str]:
    """ALLOWED_HOSTS as Django's get_host() reads it (localhost variants in DEBUG when empty)."""
    if settings.DEBUG and not settings.ALLOWED_HOSTS:
        return [".localhost", "127.0.0.1", "[::1]"]
    return settings.ALLOWED_HOSTS


def opened_over_tls(scope: dict[str, Any], headers: dict[bytes, bytes]) -> bool:
    """As request.is_secure(): the socket's scheme, or SECURE_PROXY_SSL_HEADER from the proxy."""
    if scope.get("scheme") in ("wss", "https"):
        return True
    if not settings.SECURE_PROXY_SSL_HEADER:
        return False
    name, secure_value = settings.SECURE_PROXY_SSL_HEADER
    header = name.removeprefix("HTTP_").replace("_", "-").lower().encode()
    value = headers.get(header, b"").decode("latin1").split(",", 1)[0].strip()
    return value == secure_value


def own_origin(scope: dict[str, Any], headers: dict[bytes, bytes], host: str) -> tuple | None:
    """The origin of the page that opened the socket: the scheme and the Host it was opened on.
    None for a Host the site does not answer to (a rebound DNS name is no origin of ours)."""
    domain, _port = split_domain_port(host)
    if not domain or not validate_host(domain, allowed_hosts()):
        return None
    scheme = "https" if opened_over_tls(scope, headers) else "http"
    return origin_key(f"{scheme}://{host}")


def trusted_origin(origin: str) -> bool:
    """Named in CSRF_TRUSTED_ORIGINS (a page served through a proxy under another name),
    exactly or by a `*.` subdomain pattern, as Django's CSRF check reads it."""
    key = origin_key(origin)
    parts = urlsplit(origin)
    for trusted in settings.CSRF_TRUSTED_ORIGINS:
        if "*" in trusted:
            pattern = urlsplit(trusted)
            if pattern.scheme == parts.scheme and is_same_domain(
                parts.netloc, pattern.netloc.lstrip("*")
            ):
                return True
        elif key is not None and origin_key(trusted) == key:
            return True
    return False


def origin_allowed(scope: dict[str, Any]) -> bool:
    """Whether the handshake comes from the page's own origin (scheme, host and port), or from a
    trusted one. Browsers send Origin with every websocket handshake: one without is refused."""
    headers = dict(scope.get("headers", []))
    origin = headers.get(b"origin", b"").decode("latin1").strip()
    key = origin_key(origin)
    if key is None:
        return False
    host = headers.get(b"host", b"").decode("latin1").strip()
    if not host:
        # No browser opens a socket without Host (HTTP/1.1 requires it): test communicators
        # and scripts do, and forge Origin anyway. Their Origin's host must be one we answer to.
        domain, _port = split_domain_port(urlsplit(origin).netloc)
        return bool(domain) and validate_host(domain, allowed_hosts())
    return own_origin(scope, headers, host) == key or trusted_origin(origin)


class SameOriginValidator:
    """Refuse a websocket handshake whose Origin is not the page's own (channels'
    AllowedHostsOriginValidator took any port and scheme of an allowed host)."""

    def __init__(self, application: Any) -> None:
        self.application = application
        self.refuse = Refused.as_asgi()

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if origin_allowed(scope):
            return await self.application(scope, receive, send)
        return await self.refuse(scope, receive, send)
