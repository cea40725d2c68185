"""saferplaces quality --place "West Lancashire" --period 2014/15"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from saferplaces.evidence.figures import latest_month
from saferplaces.evidence.periods import period_from
from saferplaces.evidence.quality import quality_report
from saferplaces.evidence.scope import ScopeError, resolve_place
from saferplaces.insight.periods import PeriodError
from saferplaces.partnership.models import Place

COLUMNS = [
    ("source", "Source"), ("dataset", "Dataset"), ("month", "Month"), ("rows", "Rows"),
    ("no_location", "No location"), ("no_lsoa", "No LSOA"), ("outside_area", "Outside area"),
]  # fmt: skip


class Command(BaseCommand):
    help = "Data quality per source and month: gaps, unlocated rows, rows outside the place."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--place", required=True, help="a place name or ONS code")
        parser.add_argument("--period", help="2014/15, 2021, rolling[:YYYY-MM]")
        parser.add_argument("--from", dest="from_month", metavar="YYYY-MM")
        parser.add_argument("--to", dest="to_month", metavar="YYYY-MM")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            scope = resolve_place(options["place"])
            period = period_from(
                options["period"], options["from_month"], options["to_month"], latest_month()
            )
        except (Place.DoesNotExist, Place.MultipleObjectsReturned, ScopeError) as exc:
            raise CommandError(str(exc)) from None
        except PeriodError as exc:
            raise CommandError(f"Unknown period: {exc}") from None
        report = quality_report(scope, period)
        self.stdout.write(f"Data quality for {scope.name}, {period.label}")
        rows = [[str(getattr(m, k) if getattr(m, k) is not None else "") for k, _ in COLUMNS]
                for m in report.months]  # fmt: skip
        widths = [max(len(t), *(len(r[i]) for r in rows)) for i, (_, t) in enumerate(COLUMNS)]
        self.stdout.write("  ".join(t.ljust(w) for (_, t), w in zip(COLUMNS, widths, strict=True)))
        for r in rows:
            self.stdout.write("  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)))
        for source, months in report.missing.items():
            if months:
                self.stdout.write(f"Missing months for {source}: {', '.join(months)}")
            else:
                self.stdout.write(f"No missing months for {source} in {period.label}.")
