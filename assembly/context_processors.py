"""Template context every page gets: the assembly in view and the caller's roles there."""

from django.http import HttpRequest

from assembly.models import Role


def plenary(request: HttpRequest) -> dict[str, object]:
    roles = getattr(request, "roles", frozenset())
    return {
        "current_assembly": getattr(request, "assembly", None),
        "roles": roles,
        "is_secretariat": Role.SECRETARIAT in roles,
        "is_desk": bool(roles & {Role.DESK, Role.SECRETARIAT}),
        "is_chair": bool(roles & {Role.CHAIR, Role.SECRETARIAT}),
        "is_delegate": Role.DELEGATE in roles,
    }
