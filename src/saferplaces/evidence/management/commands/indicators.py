"""saferplaces indicators --place "West Lancashire" --period 2014/15 --format json

JSON and CSV give one record per indicator with the months counted on each side
(``months``, ``previous_months``), the districts counted and left out, the verdict and,
when there is none, the reason. The table ends with where the figures come from.
"""

from __future__ import annotations

import csv
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from saferplaces.evidence.arguments import add_place_and_period, place_and_period
from saferplaces.evidence.figures import latest_month, store_holds, summary
from saferplaces.evidence.sources import sources_for

NO_DATA = "no data"
TABLE_COLUMNS = [
    ("name", "Indicator", "<"),
    ("count", "Count", ">"),
    ("previous_count", "Previous", ">"),
    ("change", "Change", ">"),
    ("pct_change", "% change", ">"),
    ("rate_per_1000", "Per 1,000", ">"),
    ("months_with_data", "Months", ">"),
    ("verdict", "Verdict", "<"),
]
LISTS = ("months", "previous_months", "districts", "districts_without_data", "warnings")


class Command(BaseCommand):
    help = "Print every indicator for a place and period, compared with a year earlier."
    # A data command: the site's system checks (URLs, templates, deploy settings) cost
    # more than a small import; `saferplaces check` runs them.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        add_place_and_period(parser)
        parser.add_argument("--format", choices=["json", "table", "csv"], default="table")

    def handle(self, *args: Any, **options: Any) -> None:
        scope, period = place_and_period(options)
        if not store_holds(period):
            held = latest_month()
            raise CommandError(
                f"No incident data for {period.label} or {period.previous().label} anywhere"
                + (f": the latest month held is {held}" if held else ": nothing is imported yet")
            )
        found = summary(scope, period)
        results = [r.as_dict() for r in found]
        if options["format"] == "json":
            self.stdout.write(json.dumps(results, indent=2))
        elif options["format"] == "csv":
            self._csv(results)
        else:
            self._table(results, scope.name, period.label, period.previous().label)
            for note in sources_for(scope, period):
                self.stdout.write(f"Source: {note.sentence} {note.caveat or ''}".rstrip())

    def _csv(self, results: list[dict[str, Any]]) -> None:
        fields = [k for k in results[0] if k != "like_for_like"]
        writer = csv.DictWriter(self.stdout, fieldnames=fields, extrasaction="ignore")
        writer.writeheader()
        for row in results:
            flat = {k: " ".join(v) if k in LISTS else v for k, v in row.items()}
            writer.writerow({k: "" if flat.get(k) is None else flat[k] for k in fields})

    def _table(self, rows: list[dict[str, Any]], place: str, label: str, previous: str) -> None:
        def cell(row: dict[str, Any], key: str) -> str:
            value = row.get(key)
            if row["count"] is None and key in ("count", "verdict"):
                return NO_DATA
            if value is None:
                return "–"
            if key == "pct_change":
                return f"{value:+.1f}%"
            if key == "change":
                return f"{value:+,}"
            if key == "months_with_data":
                return f"{value}/{row['months_expected']}"
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
        reasons: dict[str, list[str]] = {}
        for r in rows:
            if r["reason"] and not r.get("like_for_like"):
                reasons.setdefault(r["reason"], []).append(r["name"])
        for reason, names in reasons.items():
            self.stdout.write(f"{', '.join(names)}: {reason}.")
        for r in rows:
            like = r.get("like_for_like")
            if like:
                self.stdout.write(f"{r['name']}: {r['reason']}.")
                self.stdout.write(
                    f"  like for like, {like['months'][0]} to {like['months'][-1]}: "
                    f"{like['count']:,} against {like['previous_count']:,}"
                    + (f" ({like['pct_change']:+.1f}%)" if like["pct_change"] is not None else "")
                    + f", {like['verdict']}"
                )
        notes: dict[str, list[str]] = {}
        for r in rows:
            for w in r.get("warnings", []):
                if w != r["reason"]:
                    notes.setdefault(w, []).append(r["name"])
        for note, names in notes.items():
            self.stdout.write(f"Note ({', '.join(names)}): {note.rstrip('.')}.")
