"""Print an assembly's URL and a login for each role, delegates as fresh magic links."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from assembly.demo import DEMO_PASSWORD
from assembly.demo_data import ASSEMBLY, STAFF
from assembly.models import Assembly, StaffRole
from assembly.services import magic_link_url
from registration.models import Delegate, RegistrationState

ROLE_PAGES = {"secretariat": "secretariat-home", "desk": "desk-home", "chair": "chair-home"}


class Command(BaseCommand):
    help = (
        "Print an assembly's URL, its staff logins and fresh login links for its approved "
        "delegates (each link works once). For rehearsing your own assembly: --assembly <slug>."
    )

    def add_arguments(self, parser):
        parser.add_argument("--delegates", type=int, default=3, help="How many delegate links.")
        parser.add_argument(
            "--assembly",
            default=ASSEMBLY["slug"],
            help=f"The assembly's short name (slug); default the demo's, {ASSEMBLY['slug']}.",
        )

    def handle(self, *args, **options) -> None:
        slug = options["assembly"]
        assembly = Assembly.objects.filter(slug=slug).first()
        if assembly is None:
            known = ", ".join(Assembly.objects.order_by("slug").values_list("slug", flat=True))
            raise CommandError(
                f"No assembly is called {slug!r} in this database. "
                + (f"Its assemblies: {known}." if known else "It has no assembly yet.")
                + " Run with --assembly <slug>."
            )
        site = settings.SITE_URL
        out = self.stdout.write
        out("")
        out(self.style.SUCCESS(f"Plenary is serving {assembly.name} at {site}/"))
        out(f"  assembly page   {site}{reverse('assembly-home', args=[assembly.slug])}")
        out(f"  API docs        {site}/api/v1/docs")
        out("")
        if assembly.slug == ASSEMBLY["slug"]:
            self.demo_staff(assembly, site)
        else:
            self.own_staff(assembly, site)
        out("")
        self.delegate_links(assembly, options["delegates"])

    def demo_staff(self, assembly: Assembly, site: str) -> None:
        self.stdout.write(
            "Staff (password for all: " + DEMO_PASSWORD + f") at {site}{reverse('login')}"
        )
        for person in STAFF:
            page = reverse(ROLE_PAGES[person["role"]], args=[assembly.slug])
            self.stdout.write(f"  {person['role']:<12} {person['username']:<12} then {site}{page}")

    def own_staff(self, assembly: Assembly, site: str) -> None:
        """Staff of another assembly log in with their own passwords (never printed)."""
        self.stdout.write(f"Staff (their own passwords) at {site}{reverse('login')}")
        roles = StaffRole.objects.filter(assembly=assembly).select_related("user")
        for role in roles.order_by("role", "user__username"):
            page = reverse(ROLE_PAGES[role.role], args=[assembly.slug])
            self.stdout.write(f"  {role.role:<12} {role.user.get_username():<12} then {site}{page}")
        if not roles.exists():
            self.stdout.write(
                "  none yet: superusers hold every role; add staff roles in the admin"
            )

    def delegate_links(self, assembly: Assembly, how_many: int) -> None:
        delegates = (
            Delegate.objects.filter(
                assembly=assembly, state=RegistrationState.APPROVED, user__isnull=False
            )
            .select_related("user", "member")
            .order_by("created_at")[:how_many]
        )
        if not delegates:
            self.stdout.write("No approved delegates yet: approve registrations first.")
            return
        again = "`make logins`" if assembly.slug == ASSEMBLY["slug"] else "this command again"
        self.stdout.write(f"Delegates (each link logs in once; run {again} for fresh ones):")
        for delegate in delegates:
            self.stdout.write(f"  {delegate.full_name} ({delegate.organization_label})")
            self.stdout.write(f"    {magic_link_url(user=delegate.user, assembly=assembly)}")
        self.stdout.write("")
