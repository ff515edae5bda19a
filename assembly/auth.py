"""Who is calling: bearer tokens for desks and scripts, sessions for browsers, role checks."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import auth
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from ninja.security import HttpBearer, SessionAuth

from assembly.errors import Forbidden, NotFound
from assembly.models import Assembly, Role
from assembly.rows import columns, fetch, load_model
from assembly.selectors import has_any_role, roles_for
from assembly.services import user_for_api_token
from registration.selectors import has_live_registration


class BearerTokenAuth(HttpBearer):
    """Authorization: Bearer <token> issued to a staff user."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = user_for_api_token(token)
        if user is None:
            return None
        request.user = user
        return user


class LoggedInSessionAuth(SessionAuth):
    """The session's user, its CSRF token checked. Without a logged-in session there is no
    token to check: the caller is not authenticated (401), not refused for CSRF (403)."""

    def __call__(self, request: HttpRequest) -> Any:
        if not request.user.is_authenticated:
            return None
        return super().__call__(request)


api_auth = [BearerTokenAuth(), LoggedInSessionAuth(csrf=True)]


# --- the session's user -------------------------------------------------------------------------
#
# Every logged-in request loads its user. Django compiles that query anew each time, which cost
# more CPU than a ballot's own writes; here it is fixed SQL, loaded into the same instance.


def _plain_get_user(backend: type) -> bool:
    """Does the backend load a session's user by primary key, active users only, as Django's?"""
    if not issubclass(backend, ModelBackend):
        return False
    if backend.user_can_authenticate is not ModelBackend.user_can_authenticate:
        return False
    if backend.get_user is ModelBackend.get_user:
        return True
    from sesame import settings as sesame_settings
    from sesame.backends import ModelBackend as SesameBackend

    return backend.get_user is SesameBackend.get_user and sesame_settings.PRIMARY_KEY_FIELD == "pk"


_plain_backends: dict[tuple[str, ...], frozenset[str]] = {}


def _plain_backend_paths() -> frozenset[str]:
    configured = tuple(settings.AUTHENTICATION_BACKENDS)
    paths = _plain_backends.get(configured)
    if paths is None:
        paths = frozenset(path for path in configured if _plain_get_user(import_string(path)))
        _plain_backends[configured] = paths
    return paths


def _user_sql() -> tuple[str, tuple[str, ...]]:
    user_model = auth.get_user_model()
    fields = tuple(f.attname for f in user_model._meta.concrete_fields)
    table = user_model._meta.db_table
    pk = user_model._meta.pk.column
    return f"SELECT {columns('u', fields)} FROM {table} u WHERE u.{pk} = %s", fields  # noqa: S608


def session_user(request: HttpRequest) -> AbstractBaseUser | AnonymousUser:
    """auth.get_user(request), with the user read by fixed SQL when its backend is a ModelBackend.

    Only the common answer is ours: an active user whose session hash matches. Anything else
    (no session, another backend, an unknown or inactive user, a stale hash) is Django's own
    get_user, which logs out, cycles or flushes the session as it always did.
    """
    session = request.session
    if session.get(BACKEND_SESSION_KEY) not in _plain_backend_paths():
        return auth.get_user(request)
    user_model = auth.get_user_model()
    try:
        user_id = user_model._meta.pk.to_python(session[SESSION_KEY])
    except (KeyError, ValidationError):
        return auth.get_user(request)
    sql, fields = _user_sql()
    row = fetch(sql, [user_id])
    if row is None:
        return auth.get_user(request)
    user = load_model(user_model, fields, row)
    session_hash = session.get(HASH_SESSION_KEY)
    if (
        user.is_active
        and session_hash
        and constant_time_compare(session_hash, user.get_session_auth_hash())
    ):
        return user
    return auth.get_user(request)


def get_assembly(slug: str) -> Assembly:
    try:
        return Assembly.objects.get(slug=slug)
    except Assembly.DoesNotExist:
        raise NotFound(_("No assembly “%(slug)s”.") % {"slug": slug}) from None


def require_role(request: HttpRequest, assembly: Assembly, *allowed: Role) -> frozenset[Role]:
    """The caller's roles, or Forbidden when none of them is allowed here."""
    roles = roles_for(user=request.user, assembly=assembly)
    if not has_any_role(roles, set(allowed)):
        raise Forbidden()
    return roles


def login_first(request: HttpRequest) -> HttpResponse:
    """To the login page and back; a form sent without a session is lost, and the page says so."""
    if request.method in ("GET", "HEAD"):
        return redirect_to_login(request.get_full_path())
    return redirect_to_login(request.get_full_path(), login_url=reverse("login") + "?unsaved=1")


def assembly_page(
    *allowed: Role, registrant: bool = False
) -> Callable[..., Callable[..., HttpResponse]]:
    """Decorate a page view taking `slug`: load the assembly, check the role, pass both on.

    Anonymous visitors go to the login page; a logged-in user without the role gets 403.
    With no roles given, the page is public. With registrant=True, the page is also open to
    whoever has a registration there that is not cancelled, approved or not yet: the pages of
    their own registration (its state, details, photo, withdrawal), none of the members' data.
    The view runs in the assembly's time zone, so its pages, PDFs and forms show and read
    every time as the assembly's local time.
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, slug: str, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                assembly = get_assembly(slug)
            except NotFound as error:
                return render(request, "errors/message.html", {"message": error.detail}, status=404)
            roles = roles_for(user=request.user, assembly=assembly)
            request.assembly = assembly
            request.roles = roles
            if (allowed or registrant) and not (
                has_any_role(roles, set(allowed))
                or (registrant and has_live_registration(user=request.user, assembly=assembly))
            ):
                if not request.user.is_authenticated:
                    return login_first(request)
                return render(
                    request,
                    "errors/message.html",
                    {"message": _("Your role at this assembly does not open this page.")},
                    status=403,
                )
            with timezone.override(assembly.zone):
                return view(request, assembly, *args, **kwargs)

        return wrapper

    return decorator
