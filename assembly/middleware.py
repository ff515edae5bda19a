"""Middleware of our own: the session's user by fixed SQL; the whole request on one thread."""

from collections.abc import Callable

from django.contrib.auth.middleware import AuthenticationMiddleware
from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject

from assembly.auth import session_user


class SessionUserMiddleware(AuthenticationMiddleware):
    """Django's AuthenticationMiddleware, loading request.user with assembly.auth.session_user."""

    def process_request(self, request: HttpRequest) -> None:
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: _cached_user(request))


def _cached_user(request: HttpRequest) -> object:
    # The attribute Django's own middleware caches the user in (login() and logout() reset it).
    if not hasattr(request, "_cached_user"):
        request._cached_user = session_user(request)
    return request._cached_user


class OneThreadPerRequest:
    """Sync-only and last in MIDDLEWARE, so Django runs the whole chain in one sync thread.

    Otherwise, under ASGI, each of Django's middleware hops between the event loop and the
    request's thread before and after the view (about 34 hops a request, measured), and that
    cost as much CPU as a one-row insert. Our views are sync; the async health check is
    adapted once.
    """

    sync_capable = True
    async_capable = False

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)
