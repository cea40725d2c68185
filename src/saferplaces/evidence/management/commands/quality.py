"""saferplaces quality --place "West Lancashire" --period 2014/15"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from saferplaces.evidence.arguments import add_place_and_period, place_and_period
from saferplaces.evidence.quality import quality_report

COLUMNS = [
    ("source", "Source"), ("dataset", "Dataset"), ("month", "Month"), ("rows", "Rows"),
    ("no_location", "No location"), ("no_lsoa", "No LSOA"), ("outside_area", "Outside area"),
]  # fmt: skip


class Command(BaseCommand):
    help = "Data quality per source and month: gaps, unlocated rows, rows outside the place."
    # A data command: the site's system checks (URLs, templates, deploy settings) cost
    # more than a small import; `saferplaces check` runs them.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        add_place_and_period(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        scope, period = place_and_period(options)
        report = quality_report(scope, period)
        self.stdout.write(f"Data quality for {scope.name}, {period.label}")
        rows = [[str(getattr(m, k) if getattr(m, k) is not None else "") for k, _ in COLUMNS]
                for m in report.months]  # fmt: skip
        widths = [max(len(t), *(len(r[i]) for r in rows)) for i, (_, t) in enumerate(COLUMNS)]
        self.stdout.write("  ".join(t.ljust(w) for (_, t), w in zip(COLUMNS, widths, strict=True)))
        for r in rows:
            self.stdout.write("  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)))
        for source, months in report.missing.items():
            if not months:
                self.stdout.write(f"No missing months for {source} in {period.label}.")
                continue
            self.stdout.write(f"Missing months for {source}: {', '.join(months)}")
            for month, districts in months.items():
                self.stdout.write(f"  {month}: no data for {', '.join(districts)}")
