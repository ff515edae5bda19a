"""Who is calling: bearer tokens for desks and scripts, sessions for browsers, role checks."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from ninja.security import HttpBearer, SessionAuth

from assembly.errors import Forbidden, NotFound
from assembly.models import Assembly, Role
from assembly.selectors import has_any_role, roles_for
from assembly.services import user_for_api_token


class BearerTokenAuth(HttpBearer):
    """Authorization: Bearer <token> issued to a staff user."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = user_for_api_token(token)
        if user is None:
            return None
        request.user = user
        return user


api_auth = [BearerTokenAuth(), SessionAuth(csrf=True)]


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


def assembly_page(*allowed: Role) -> Callable[..., Callable[..., HttpResponse]]:
    """Decorate a page view taking `slug`: load the assembly, check the role, pass both on.

    Anonymous visitors go to the login page; a logged-in user without the role gets 403.
    With no roles given, the page is public.
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
            if allowed and not has_any_role(roles, set(allowed)):
                if not request.user.is_authenticated:
                    return redirect_to_login(request.get_full_path())
                return render(
                    request,
                    "errors/message.html",
                    {"message": _("Your role at this assembly does not open this page.")},
                    status=403,
                )
            return view(request, assembly, *args, **kwargs)

        return wrapper

    return decorator
