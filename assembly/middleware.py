"""Middleware of our own: NUL refused in addresses; the API's 405 in its error shape; the
session's user by fixed SQL; one thread."""

from collections.abc import Callable

from django.contrib.auth.middleware import AuthenticationMiddleware
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from assembly.auth import session_user


class RefuseNulInAddress:
    """A NUL in the path or the query is refused with 400 before any view sees it.

    PostgreSQL cannot store or compare text with NUL in it, so a filter such as ?q=%00 would
    otherwise end in a server error wherever a view passes the value to a query.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path or _query_has_nul(request):
            detail = _("Addresses and queries cannot contain NUL characters.")
            if request.path.startswith("/api/"):
                return JsonResponse({"code": "invalid_input", "detail": detail}, status=400)
            return HttpResponseBadRequest(detail, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


def _query_has_nul(request: HttpRequest) -> bool:
    return any(
        "\x00" in key or any("\x00" in value for value in values)
        for key, values in request.GET.lists()
    )


class ApiMethodNotAllowed:
    """A method the API's path does not take answers 405 in the API's {code, detail} shape.

    django-ninja answers it itself, before any of the API's error handlers, as text/html
    "Method not allowed".
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code != 405 or not request.path.startswith("/api/"):
            return response
        if response.get("Content-Type", "").startswith("application/json"):
            return response
        allowed = response.get("Allow", "")
        detail = _("%(method)s is not allowed here; this address takes %(allowed)s.") % {
            "method": request.method,
            "allowed": allowed,
        }
        answer = JsonResponse({"code": "method_not_allowed", "detail": detail}, status=405)
        answer["Allow"] = allowed
        return answer


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
