"""saferplaces indicators --place "West Lancashire" --period 2014/15 --format json"""

from __future__ import annotations

import csv
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from saferplaces.evidence.arguments import add_place_and_period, place_and_period
from saferplaces.evidence.figures import latest_month, summary

TABLE_COLUMNS = [
    ("name", "Indicator", "<"),
    ("count", "Count", ">"),
    ("previous_count", "Previous", ">"),
    ("change", "Change", ">"),
    ("pct_change", "% change", ">"),
    ("rate_per_1000", "Per 1,000", ">"),
    ("z", "z", ">"),
    ("verdict", "Verdict", "<"),
]


class Command(BaseCommand):
    help = "Print every indicator for a place and period, compared with a year earlier."

    def add_arguments(self, parser: CommandParser) -> None:
        add_place_and_period(parser)
        parser.add_argument("--format", choices=["json", "table", "csv"], default="table")

    def handle(self, *args: Any, **options: Any) -> None:
        scope, period = place_and_period(options)
        results = [r.as_dict() for r in summary(scope, period)]
        if not any(r["months_with_data"] or r["previous_months_with_data"] for r in results):
            held = latest_month()
            raise CommandError(
                f"No incident data for {period.label} or {period.previous().label}"
                + (f": the latest month held is {held}" if held else ": nothing is imported yet")
            )
        if options["format"] == "json":
            self.stdout.write(json.dumps(results, indent=2))
        elif options["format"] == "csv":
            fields = [k for k in results[0] if k != "warnings"] if results else []
            writer = csv.DictWriter(self.stdout, fieldnames=[*fields, "warnings"])
            writer.writeheader()
            for row in results:
                writer.writerow({**row, "warnings": "; ".join(row.get("warnings", []))})
        else:
            self._table(results, scope.name, period.label, period.previous().label)

    def _table(self, rows: list[dict[str, Any]], place: str, label: str, previous: str) -> None:
        def cell(row: dict[str, Any], key: str) -> str:
            value = row.get(key)
            if value is None:
                return "–"
            if key == "pct_change":
                return f"{value:+.1f}%"
            if key == "change":
                return f"{value:+,}"
            if key == "z":
                return f"{value:+.2f}"
            if isinstance(value, float):
                return f"{value:,.2f}"
            if isinstance(value, int):
                return f"{value:,}"
            return str(value)

        cells = [[cell(r, k) for k, _, _ in TABLE_COLUMNS] for r in rows]
        widths = [
            max([len(title), *(len(c[i]) for c in cells)])
            for i, (_, title, _) in enumerate(TABLE_COLUMNS)
        ]

        def line(values: list[str]) -> str:
            return "  ".join(
                f"{v:{align}{w}}"
                for v, w, (_, _, align) in zip(values, widths, TABLE_COLUMNS, strict=True)
            )

        self.stdout.write(f"{place}, {label} compared with {previous}")
        self.stdout.write(line([t for _, t, _ in TABLE_COLUMNS]))
        self.stdout.write(line(["-" * w for w in widths]))
        for c in cells:
            self.stdout.write(line(c))
        notes = sorted({w for r in rows for w in r.get("warnings", [])})
        for note in notes:
            self.stdout.write(f"Note: {note}")
