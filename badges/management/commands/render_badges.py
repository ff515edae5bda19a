"""Render (or refresh) the badge PDF of every approved delegate of an assembly."""

from django.core.management.base import BaseCommand, CommandError

from assembly.models import Assembly
from badges.services import ensure_badge_rendered
from registration.models import Delegate, RegistrationState


class Command(BaseCommand):
    help = "Render the badge PDF of each approved delegate whose printed fields changed."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The assembly's short name.")

    def handle(self, *args, **options):
        assembly = Assembly.objects.filter(slug=options["slug"]).first()
        if assembly is None:
            raise CommandError(f"No assembly {options['slug']!r}.")
        delegates = Delegate.objects.filter(
            assembly=assembly, state=RegistrationState.APPROVED
        ).select_related("assembly", "member")
        rendered = 0
        for delegate in delegates:
            before = getattr(getattr(delegate, "badge", None), "rendered_at", None)
            badge = ensure_badge_rendered(delegate=delegate)
            rendered += badge.rendered_at != before
        self.stdout.write(f"{delegates.count()} badges, {rendered} rendered now.")
