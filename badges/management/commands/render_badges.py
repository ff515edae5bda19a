"""Render (or refresh) the badge PDF of every approved delegate of an assembly."""

from django.core.management.base import BaseCommand, CommandError

from assembly.models import Assembly
from badges.services import ensure_badges_rendered
from registration.models import Delegate, RegistrationState


class Command(BaseCommand):
    help = "Render the badge PDF of each approved delegate whose printed fields changed."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The assembly's short name.")

    def handle(self, *args, **options):
        assembly = Assembly.objects.filter(slug=options["slug"]).first()
        if assembly is None:
            raise CommandError(f"No assembly {options['slug']!r}.")
        delegates = list(
            Delegate.objects.filter(assembly=assembly, state=RegistrationState.APPROVED)
            .select_related("assembly", "member", "badge")
            .order_by("pk")
        )
        before = [getattr(getattr(d, "badge", None), "rendered_at", None) for d in delegates]
        badges = ensure_badges_rendered(delegates=delegates)
        rendered = sum(b.rendered_at != at for b, at in zip(badges, before, strict=True))
        self.stdout.write(f"{len(delegates)} badges, {rendered} rendered now.")
