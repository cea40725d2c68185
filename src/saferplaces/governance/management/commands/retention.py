"""`saferplaces retention purge`: delete casework records past their retention period."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from saferplaces.governance import retention


class Command(BaseCommand):
    help = "Delete records past their retention period and record that it did (audit trail)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["purge", "show"])
        parser.add_argument(
            "--dry-run", action="store_true", help="say what would go, delete nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "show":
            for record_type in retention.REGISTRY.values():
                days = retention.keep_days(record_type)
                self.stdout.write(f"{record_type.key}: {record_type.label}, kept {days} days")
            return
        dry = options["dry_run"]
        for result in retention.purge(dry_run=dry):
            verb = "would delete" if dry else "deleted"
            self.stdout.write(
                f"{result.record_type}: {verb} {result.deleted} {result.label} that ended "
                f"before {result.cutoff:%d %B %Y}"
            )
