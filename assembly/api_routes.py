"""API endpoints of the core domain: assemblies, members, the caller."""

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from assembly.auth import get_assembly, require_role
from assembly.models import MemberKind, Region, Role
from assembly.pagination import BoundedPageNumberPagination
from assembly.schemas import AssemblyOut, AssemblySummaryOut, MemberOut, MeOut
from assembly.selectors import (
    assemblies_visible_to,
    member_counts,
    members_list,
    roles_for,
)
from assembly.services import revoke_api_token

router = Router(tags=["assemblies"])

ANY_ROLE = (Role.SECRETARIAT, Role.DESK, Role.CHAIR, Role.DELEGATE)


class MemberFilters(Schema):
    region: Region | None = None
    kind: MemberKind | None = None
    search: str | None = None


@router.get("/me", response=MeOut, operation_id="me")
def me(request: HttpRequest) -> dict:
    user = request.user
    return {
        "username": user.get_username(),
        "name": user.get_full_name() or user.get_username(),
        "is_staff": user.is_staff,
        # Only assemblies where the caller has a role: others are not theirs to learn of.
        "roles": {
            assembly.slug: sorted(roles)
            for assembly in assemblies_visible_to(user)
            if (roles := roles_for(user=user, assembly=assembly))
        },
    }


@router.get("/assemblies", response=list[AssemblySummaryOut], operation_id="list_assemblies")
def list_assemblies(request: HttpRequest) -> list:
    return [
        assembly
        for assembly in assemblies_visible_to(request.user)
        if roles_for(user=request.user, assembly=assembly)
    ]


@router.get("/assemblies/{slug}", response=AssemblyOut, operation_id="read_assembly")
def read_assembly(request: HttpRequest, slug: str) -> dict:
    assembly = get_assembly(slug)
    roles = require_role(request, assembly, *ANY_ROLE)
    return {
        "slug": assembly.slug,
        "name": assembly.name,
        "organisation": assembly.organisation,
        "city": assembly.city,
        "country": assembly.country,
        "venue": assembly.venue,
        "time_zone": assembly.time_zone,
        "start_date": assembly.start_date,
        "end_date": assembly.end_date,
        "rules": assembly,
        "checkpoints": list(assembly.checkpoints.all()),
        "members": member_counts(assembly),
        "your_roles": sorted(roles),
    }


@router.get("/assemblies/{slug}/members", response=list[MemberOut], operation_id="list_members")
@paginate(BoundedPageNumberPagination, page_size=50)
def list_members(request: HttpRequest, slug: str, filters: Query[MemberFilters]) -> object:
    assembly = get_assembly(slug)
    require_role(request, assembly, *ANY_ROLE)
    return members_list(region=filters.region, kind=filters.kind, search=filters.search)


@router.post("/tokens/{token_id}/revoke", response={200: dict}, operation_id="revoke_api_token")
def revoke_token(request: HttpRequest, token_id: int) -> dict:
    """Revoke one of your own bearer tokens (a lost desk laptop, say)."""
    token = revoke_api_token(token_id=token_id, by=request.user)
    return {"id": token.pk, "revoked_at": token.revoked_at.isoformat()}
