"""Close every open poll whose scheduled close has passed (run it every few seconds, or cron)."""

from typing import Any

from django.core.management.base import BaseCommand

from assembly.models import Assembly
from voting.services import close_due_polls


class Command(BaseCommand):
    help = "Close open polls whose countdown has run out, in every assembly."

    def handle(self, *args: Any, **options: Any) -> None:
        for assembly in Assembly.objects.all():
            for poll in close_due_polls(assembly=assembly):
                self.stdout.write(f"{assembly.slug}: closed poll {poll.pk} ({poll.motion.title})")
