"""Verify each assembly's audit chain and recompute every closed and published result."""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from assembly.models import Assembly
from voting.export import audit_export
from voting.verify import check_export, summary


class Command(BaseCommand):
    help = (
        "Check the hash chain (edited, inserted or deleted rows, the heads recorded at each poll's "
        "open and close), replay each poll's life from the log against its stored state, and "
        "recompute every closed or published poll from its ballots. Prints the final head. "
        "Exits with status 1 when anything is wrong. "
        "--export FILE writes the JSON an observer checks with voting/verify.py."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", nargs="?", help="one assembly (default: all)")
        parser.add_argument("--export", help="write the audit export (JSON) to this file")

    def handle(self, *args: Any, **options: Any) -> None:
        assemblies = Assembly.objects.all()
        if options["slug"]:
            assemblies = assemblies.filter(slug=options["slug"])
            if not assemblies:
                raise CommandError(f"No assembly {options['slug']!r}.")
        failed = 0
        for assembly in assemblies:
            export = audit_export(assembly)
            if options["export"]:
                Path(options["export"]).write_text(
                    json.dumps(export, ensure_ascii=False, indent=1), encoding="utf-8"
                )
                self.stdout.write(f"Export written to {options['export']}")
            verdict = check_export(export)
            for line in verdict.checked:
                self.stdout.write(f"{assembly.slug}: checked {line}")
            for line in verdict.notes:
                self.stdout.write(f"{assembly.slug}: {line}")
            for line in verdict.problems:
                self.stdout.write(self.style.ERROR(f"{assembly.slug}: PROBLEM {line}"))
            self.stdout.write(f"{assembly.slug}: {summary(export, verdict)}")
            failed += len(verdict.problems)
        if failed:
            raise SystemExit(1)
