"""The secretariat's proxies page, under /a/<slug>/proxies/."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from assembly.auth import assembly_page
from assembly.errors import DomainError
from assembly.models import Assembly, MemberOrganization, Role
from registration.models import AccreditationKind, Delegate
from voting import services
from voting.models import Proxy
from voting.proxies import members_to_represent
from voting.views import _int


@assembly_page(Role.SECRETARIAT)
def proxies(request: HttpRequest, assembly: Assembly) -> HttpResponse:
    """Recorded proxies with approve and revoke; a form to record one. The member list is the
    rule request_proxy keeps (voting.proxies), so what the page offers the service accepts."""
    if request.method == "POST":
        try:
            action = request.POST.get("action")
            if action == "request":
                member = MemberOrganization.objects.get(pk=_int(request.POST.get("member")))
                holder = Delegate.objects.get(
                    assembly=assembly, pk=_int(request.POST.get("holder"))
                )
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
    holders = Delegate.objects.filter(
        accreditations__assembly=assembly,
        accreditations__kind=AccreditationKind.VOTING,
        accreditations__ended_at__isnull=True,
    ).select_related("member")
    return render(
        request,
        "voting/proxies.html",
        {
            "assembly": assembly,
            "proxies": Proxy.objects.filter(assembly=assembly).select_related("member", "holder"),
            "holders": holders,
            "members": members_to_represent(assembly),
        },
    )
