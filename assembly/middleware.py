"""Middleware of our own: one that keeps the whole request on one thread under ASGI."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


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
