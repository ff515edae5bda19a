"""Reads shared by pages, the API and consumers: roles, members, assembly summaries."""

from collections import Counter
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import models
from django.db.models import QuerySet

from assembly.models import (
    STAFF_ROLES,
    Assembly,
    MemberKind,
    MemberOrganization,
    Region,
    Role,
    StaffRole,
)


def roles_for(*, user: AbstractBaseUser | AnonymousUser, assembly: Assembly) -> frozenset[Role]:
    """The roles a user holds at an assembly; superusers hold every staff role.

    Only an approved registration makes a delegate: one still submitted (or waitlisted,
    rejected) opens the registrant's own pages (assembly_page(registrant=True)) and nothing else.
    """
    if not user.is_authenticated:
        return frozenset()
    roles: set[Role] = set()
    if user.is_superuser:
        roles |= STAFF_ROLES
    roles |= {
        Role(value)
        for value in StaffRole.objects.filter(assembly=assembly, user=user).values_list(
            "role", flat=True
        )
    }
    from registration.selectors import is_approved_delegate

    if is_approved_delegate(user=user, assembly=assembly):
        roles.add(Role.DELEGATE)
    return frozenset(roles)


def may_hold_api_tokens(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Staff at some assembly, or a superuser: who may create bearer tokens, and whose work."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or StaffRole.objects.filter(user=user).exists()


def has_any_role(roles: frozenset[Role], allowed: frozenset[Role] | set[Role]) -> bool:
    """Secretariat may do anything staff may do; other roles only what they are given."""
    if Role.SECRETARIAT in roles and (allowed & STAFF_ROLES):
        return True
    return bool(roles & allowed)


def assemblies_visible_to(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Assembly]:
    return Assembly.objects.order_by("-start_date")


def voting_members(assembly: Assembly) -> QuerySet[MemberOrganization]:
    """The General Assembly's electorate under the assembly's rule."""
    return MemberOrganization.objects.filter(assembly.voting_member_filter())


def member_counts(assembly: Assembly) -> dict[str, Any]:
    """Members by kind and by region, and the electorate's size, in two queries."""
    rows = MemberOrganization.objects.values_list("kind", "region")
    by_kind: Counter[str] = Counter()
    by_region: Counter[str] = Counter()
    local_by_region: Counter[str] = Counter()
    for kind, region in rows:
        by_kind[kind] += 1
        by_region[region] += 1
        if kind == MemberKind.LOCAL_GOVERNMENT:
            local_by_region[region] += 1
    return {
        "total": sum(by_kind.values()),
        "by_kind": {kind.value: by_kind[kind.value] for kind in MemberKind},
        "by_region": {region.value: by_region[region.value] for region in Region},
        "local_governments_by_region": {
            region.value: local_by_region[region.value] for region in Region
        },
        "voting_members": voting_members(assembly).count(),
    }


def used_choices(choices: type[models.TextChoices], field: str) -> list[tuple[str, str]]:
    """The choices of a member field that some member has, in the choices' order."""
    used = set(MemberOrganization.objects.values_list(field, flat=True).distinct())
    return [(value, label) for value, label in choices.choices if value in used]


def any_member_has_population() -> bool:
    return MemberOrganization.objects.filter(population__isnull=False).exists()


def members_list(
    *, region: str | None = None, kind: str | None = None, search: str | None = None
) -> QuerySet[MemberOrganization]:
    members = MemberOrganization.objects.all()
    if region:
        members = members.filter(region=region)
    if kind:
        members = members.filter(kind=kind)
    if search:
        members = members.filter(name__icontains=search)
    return members.order_by("name")
