"""Print the demo's URL and a login for each role, delegates as fresh magic links."""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.urls import reverse

from assembly.demo import DEMO_PASSWORD
from assembly.demo_data import ASSEMBLY, STAFF
from assembly.models import Assembly
from assembly.services import magic_link_url
from registration.models import Delegate, RegistrationState


class Command(BaseCommand):
    help = "Print the demo URL and one login per role (delegate links work once)."

    def add_arguments(self, parser):
        parser.add_argument("--delegates", type=int, default=3, help="How many delegate links.")

    def handle(self, *args, **options) -> None:
        assembly = Assembly.objects.get(slug=ASSEMBLY["slug"])
        site = settings.SITE_URL
        out = self.stdout.write
        out("")
        out(self.style.SUCCESS(f"Plenary is serving {assembly.name} at {site}/"))
        out(f"  assembly page   {site}{reverse('assembly-home', args=[assembly.slug])}")
        out(f"  API docs        {site}/api/v1/docs")
        out("")
        out("Staff (password for all: " + DEMO_PASSWORD + f") at {site}{reverse('login')}")
        pages = {
            "secretariat": "secretariat-home",
            "desk": "desk-home",
            "chair": "chair-home",
        }
        for person in STAFF:
            page = reverse(pages[person["role"]], args=[assembly.slug])
            out(f"  {person['role']:<12} {person['username']:<12} then {site}{page}")
        out("")
        out("Delegates (each link logs in once; run `make logins` for fresh ones):")
        delegates = (
            Delegate.objects.filter(
                assembly=assembly, state=RegistrationState.APPROVED, user__isnull=False
            )
            .select_related("user", "member")
            .order_by("created_at")[: options["delegates"]]
        )
        for delegate in delegates:
            out(f"  {delegate.full_name} ({delegate.organization_label})")
            out(f"    {magic_link_url(user=delegate.user, assembly=assembly)}")
        out("")
