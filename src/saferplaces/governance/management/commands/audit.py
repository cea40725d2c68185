"""`saferplaces audit verify`: check the casework audit trail has not been altered."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from saferplaces.governance import audit


class Command(BaseCommand):
    help = "Check the casework audit trail: exits non-zero and names the first broken link."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        result = audit.verify(lambda n: self.stderr.write(f"  {n:,} events checked"))
        took = time.perf_counter() - started
        if not result.ok:
            raise CommandError(
                f"Audit trail broken at event #{result.broken_at}: {result.reason}. "
                f"{result.events:,} events before it are intact."
            )
        self.stdout.write(f"Audit trail intact: {result.events:,} events checked in {took:.1f} s.")
