"""saferplaces geography: load the reference geography of England and Wales (idempotent)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from saferplaces.partnership.geography import load_geography


class Command(BaseCommand):
    help = (
        "Load every district, LSOA, community safety partnership, police force area, fire "
        "and rescue authority area, county and region of England and Wales (safe to rerun)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        report = load_geography()
        took = time.perf_counter() - started
        self.stdout.write(
            f"Reference geography: {report.places:,} places ({report.created:,} created, "
            f"{report.updated:,} updated, {report.populations:,} population figures written) "
            f"in {took:.1f} s."
        )
