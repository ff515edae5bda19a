"""The secretariat's proxies page, under /a/<slug>/proxies/."""

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from assembly.auth import assembly_page
from assembly.errors import DomainError
from assembly.models import Assembly, MemberOrganization, Role
from assembly.picks import Pick, members_matching, short_list
from badges.selectors import delegates_matching
from registration.models import AccreditationKind, Delegate
from voting import services
from voting.models import Proxy
from voting.proxies import members_to_represent
from voting.views import _int


@assembly_page(Role.SECRETARIAT)
def proxies(request: HttpRequest, assembly: Assembly) -> HttpResponse:
    """Recorded proxies with approve and revoke; a form to record one. The member list is the
    rule request_proxy keeps (voting.proxies), so what the page offers the service accepts.
    Member and holder are chosen from lists, or typed and then chosen among their matches."""
    member_pick, holder_pick = picks(assembly, request.POST if request.method == "POST" else {})
    if request.method == "POST":
        try:
            action = request.POST.get("action")
            if action == "request":
                member = picked_member(assembly, request.POST, member_pick)
                holder = picked_holder(assembly, request.POST, holder_pick)
                if member is None or holder is None:
                    return render_page(request, assembly, member_pick, holder_pick)
                services.request_proxy(
                    assembly=assembly, member=member, holder=holder, by=request.user
                )
            else:
                proxy = Proxy.objects.get(assembly=assembly, pk=_int(request.POST.get("proxy")))
                if action == "approve":
                    services.approve_proxy(proxy=proxy, by=request.user)
                elif action == "revoke":
                    services.revoke_proxy(proxy=proxy, by=request.user)
            messages.success(request, _("Saved."))
        except (MemberOrganization.DoesNotExist, Delegate.DoesNotExist, Proxy.DoesNotExist):
            messages.error(request, _("Choose a member and a holder from the lists."))
        except DomainError as error:
            messages.error(request, error.detail)
        return redirect("voting-proxies", slug=assembly.slug)
    return render_page(request, assembly, member_pick, holder_pick)


def render_page(
    request: HttpRequest, assembly: Assembly, member_pick: Pick, holder_pick: Pick
) -> HttpResponse:
    return render(
        request,
        "voting/proxies.html",
        {
            "assembly": assembly,
            "proxies": Proxy.objects.filter(assembly=assembly).select_related(
                "member", "holder__member"
            ),
            "member_pick": member_pick,
            "holder_pick": holder_pick,
        },
    )


def holders(assembly: Assembly) -> QuerySet[Delegate]:
    """Delegates who may hold a proxy: those with a current voting accreditation."""
    return (
        Delegate.objects.filter(
            accreditations__assembly=assembly,
            accreditations__kind=AccreditationKind.VOTING,
            accreditations__ended_at__isnull=True,
        )
        .select_related("member")
        .order_by("full_name")
    )


def picks(assembly: Assembly, data: dict[str, str]) -> tuple[Pick, Pick]:
    """The member and holder fields: lists while short, else names to type (what was typed
    kept)."""
    member_text = data.get("member_name", "").strip()
    holder_text = data.get("holder_name", "").strip()
    members = None if member_text else short_list(members_to_represent(assembly))
    people = None if holder_text else short_list(holders(assembly))
    return (
        Pick(
            name="member",
            label=_("Member to be represented") if members is not None else _("Member: name"),
            options=members,
            kind="member",
            text=member_text,
            field_id="px-member",
            hint_id="px-member-hint",
            empty=_("Every voting member is already represented by a proxy."),
        ),
        Pick(
            name="holder",
            label=_("Held by (another member's voting delegate)")
            if people is not None
            else _("Held by (another member's voting delegate): name, email or badge number"),
            options=people,
            text=holder_text,
            field_id="px-holder",
        ),
    )


def picked_member(
    assembly: Assembly, data: dict[str, str], pick: Pick
) -> MemberOrganization | None:
    """The member chosen, or the one its typed name names among those the page offers."""
    if data.get("member") or not pick.text:
        return MemberOrganization.objects.get(pk=_int(data.get("member")))
    return pick.resolve(members_matching(members=members_to_represent(assembly), text=pick.text))


def picked_holder(assembly: Assembly, data: dict[str, str], pick: Pick) -> Delegate | None:
    """The holder chosen, or the one its typed name names among the voting delegates."""
    if data.get("holder") or not pick.text:
        return Delegate.objects.get(assembly=assembly, pk=_int(data.get("holder")))
    return pick.resolve(
        delegates_matching(assembly=assembly, text=pick.text, among=holders(assembly))
    )
