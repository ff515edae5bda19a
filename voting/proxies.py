"""Who may be represented by a proxy: the one rule the proxies page lists by and request_proxy
keeps, so the page offers exactly the members the service (and so the API) accepts."""

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from assembly.models import Assembly, MemberOrganization
from voting.errors import ProxyRefused
from voting.models import BodyKind, BodySeat, Proxy, ProxyState
from voting.selectors import _why_not_in_general_assembly


def proxy_electorate(assembly: Assembly) -> QuerySet[MemberOrganization]:
    """Members with a vote to give: the assembly's voting rule (the General Assembly's
    electorate) or a seat on one of its listed bodies. A proxy carries a member's vote
    (DESIGN: member A represented by member B's voting delegate); a member with none has
    nothing to carry, and would only use up a place of the holder's limit."""
    seated = BodySeat.objects.filter(body__assembly=assembly, body__kind=BodyKind.LISTED)
    return MemberOrganization.objects.filter(
        Q(assembly.voting_member_filter()) | Q(pk__in=seated.values("member_id"))
    )


def members_to_represent(assembly: Assembly) -> QuerySet[MemberOrganization]:
    """The members a new proxy may be recorded for: voters not already represented by a live
    (requested or approved) proxy. Whether a member has a delegate of its own does not matter:
    a member whose delegate cannot attend gives its proxy."""
    live = Proxy.objects.filter(assembly=assembly).exclude(state=ProxyState.REVOKED)
    return proxy_electorate(assembly).exclude(pk__in=live.values("member_id")).order_by("name")


def refuse_member_without_vote(*, assembly: Assembly, member: MemberOrganization) -> None:
    """Refuse, in words, a proxy for a member that has no vote in this assembly."""
    if proxy_electorate(assembly).filter(pk=member.pk).exists():
        return
    raise ProxyRefused(
        _("%(member)s has no vote in this assembly (%(why)s), so no one can hold its proxy.")
        % {"member": member.name, "why": _why_not_in_general_assembly(assembly, member)}
    )
