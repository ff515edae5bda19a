"""Template context every page gets: the assembly in view and the caller's roles there."""

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from assembly.models import Role


def plenary(request: HttpRequest) -> dict[str, object]:
    roles = getattr(request, "roles", frozenset())
    assembly = getattr(request, "assembly", None)

    def has_registration() -> bool:
        from registration.selectors import has_live_registration

        return assembly is not None and has_live_registration(user=request.user, assembly=assembly)

    return {
        "current_assembly": assembly,
        "roles": roles,
        "is_secretariat": Role.SECRETARIAT in roles,
        "is_desk": bool(roles & {Role.DESK, Role.SECRETARIAT}),
        "is_chair": bool(roles & {Role.CHAIR, Role.SECRETARIAT}),
        "is_delegate": Role.DELEGATE in roles,
        # A registration in any state but cancelled (its own pages open, approved or not yet):
        # read once, and only by a page that asks after is_delegate said no.
        "has_registration": SimpleLazyObject(has_registration),
    }
