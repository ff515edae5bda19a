"""Close every open poll whose countdown has run out (a server with ASGI lifespan does it too)."""

from typing import Any

from django.core.management.base import BaseCommand

from voting.services import close_due_polls


class Command(BaseCommand):
    help = "Close open polls whose countdown has run out, in every assembly."

    def handle(self, *args: Any, **options: Any) -> None:
        for poll in close_due_polls():
            self.stdout.write(f"{poll.assembly.slug}: closed poll {poll.pk} ({poll.motion.title})")
