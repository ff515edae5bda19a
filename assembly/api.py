"""The one NinjaAPI: authentication, the error shape, and each app's router under /api/v1/."""

import inspect
import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.params.models import BodyModel

from assembly.api_routes import router as assembly_router
from assembly.auth import api_auth
from assembly.errors import DomainError
from assembly.parser import ObjectParser
from badges.api import router as badges_router
from registration.api import router as registration_router
from sessions.api import router as agenda_router
from voting.api import router as voting_router

logger = logging.getLogger(__name__)

api = NinjaAPI(
    title="Plenary API",
    version="1",
    description=(
        "Runs a general assembly: members, registration, tours, badges and check-in, "
        "agenda and calendar feeds, quorum and voting. Browsers use their session "
        "(with the CSRF token); desks and scripts send `Authorization: Bearer <token>`. "
        'Every error answers `{"code": "...", "detail": "..."}`.'
    ),
    auth=api_auth,
    parser=ObjectParser(),
    urls_namespace="api",
)


def error(
    request: HttpRequest, status: int, code: str, detail: str, **extra: object
) -> HttpResponse:
    return api.create_response(request, {"code": code, "detail": detail, **extra}, status=status)


# The bodies the API reads: JSON (ObjectParser). A form-urlencoded body keeps its answer (400,
# not JSON). Any other declared type is refused before anything reads the body: a session's
# CSRF check reads a multipart body as a form, and then nothing else could read it (a 500).
READ_AS_JSON = frozenset({"", "application/json", "application/x-www-form-urlencoded"})


def body_readable(content_type: str) -> bool:
    return content_type in READ_AS_JSON or content_type.endswith("+json")


def refuse_unreadable_bodies(run: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Wrap an operation that takes a JSON body: 415 for a body of another type, checked
    before authentication. Operations without a body are left as they are."""
    # ninja hands each operation's bound run, perhaps inside a view decorator (gzip_page).
    operation = getattr(inspect.unwrap(run), "__self__", None)
    if operation is not None and not any(issubclass(m, BodyModel) for m in operation.models):
        return run

    @wraps(run)
    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not body_readable(request.content_type or ""):
            detail = _("Send the body as JSON (Content-Type: application/json), not %(type)s.")
            return error(
                request, 415, "unsupported_media_type", detail % {"type": request.content_type}
            )
        return run(request, *args, **kwargs)

    return checked


api.add_decorator(refuse_unreadable_bodies, mode="view")


@api.exception_handler(DomainError)
def on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return error(request, exc.status, exc.code, exc.detail)


LISTED_ERRORS = 20  # a body with a million unknown keys must not answer with a million lines


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    listed = exc.errors[:LISTED_ERRORS]
    fields = [
        ".".join(str(part) for part in item.get("loc", []) if part not in ("body", "query", "path"))
        for item in listed
    ]
    detail = _("Invalid input: %(fields)s") % {
        "fields": ", ".join(
            f"{field or 'request'} ({item.get('msg', 'invalid')})"
            for field, item in zip(fields, listed, strict=True)
        )
    }
    if len(exc.errors) > len(listed):
        detail += " " + _("(the first %(listed)s of %(count)s errors)") % {
            "listed": len(listed),
            "count": len(exc.errors),
        }
    return error(request, 422, "invalid_input", detail, errors=listed)


@api.exception_handler(RequestDataTooBig)
def on_body_too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    detail = _("The request body is larger than %(mb)s MB.") % {"mb": round(limit / 1_048_576, 1)}
    return error(request, 413, "request_too_large", detail)


@api.exception_handler(AuthenticationError)
def on_authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error(request, 401, "not_authenticated", _("Log in, or send a valid bearer token."))


@api.exception_handler(PermissionDenied)
def on_permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return error(request, 403, "forbidden", str(exc) or _("Your role does not allow this."))


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error(request, 404, "not_found", str(exc) or _("Not found."))


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc.__cause__, DomainError):  # our body parser's refusal, wrapped by ninja
        return on_domain_error(request, exc.__cause__)
    codes = {
        400: "bad_request",
        401: "not_authenticated",
        403: "forbidden",
        404: "not_found",
        405: "method_not_allowed",
        409: "conflict",
        429: "rate_limited",
    }
    return error(request, exc.status_code, codes.get(exc.status_code, "error"), str(exc))


@api.exception_handler(Exception)
def on_unexpected_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    if settings.DEBUG:
        raise exc
    logger.exception("Unhandled API error on %s", request.path)
    return error(request, 500, "server_error", _("Something went wrong on the server."))


api.add_router("/", assembly_router)
api.add_router("/", registration_router)
api.add_router("/", agenda_router)
api.add_router("/", badges_router)
api.add_router("/", voting_router)
