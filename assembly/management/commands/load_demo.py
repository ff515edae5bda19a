"""Load (or refresh) the 6th WeGO General Assembly demo; idempotent."""

from django.core.management.base import BaseCommand

from assembly.demo import load_demo


class Command(BaseCommand):
    help = "Load the WeGO 6th General Assembly demo data. Safe to run again: it changes nothing."

    def add_arguments(self, parser):
        parser.add_argument(
            "--original-dates",
            action="store_true",
            help="Use the real dates, 25-27 September 2023, instead of starting today.",
        )

    def handle(self, *args, **options) -> None:
        assembly = load_demo(original_dates=options["original_dates"])
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded {assembly.name} ({assembly.start_date} to {assembly.end_date})."
            )
        )
