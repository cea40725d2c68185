"""saferplaces seasons --place "Tower Hamlets" --window bonfire-period --format table

A window of the year over every year held: the count per year, the days counted, whether
the year is complete, the average night and each night; and whether the latest year (or
``--year``) is significantly different from the complete years before it (an incomplete
year is refused). Windows: halloween, mischief-night, bonfire-night, bonfire-period,
diwali, christmas, christmas-period, freshers-week, october-november, the partnership's
own (SAFERPLACES_SEASON_WINDOWS) or one written here: 10-29..11-12, 11-05, 10..11.

JSON is a list with one object per year (``year``, ``count``, ``days``, ``complete``, the
nights, and on the compared year its ``comparison``); notes go to standard error.
"""

from __future__ import annotations

import csv
import json
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser

from saferplaces.evidence.scope import ScopeError, resolve_place
from saferplaces.evidence.seasons import SeasonsAnswer, seasons
from saferplaces.insight.windows import WindowError
from saferplaces.partnership.models import Place

CSV_FIELDS = [
    "year",
    "start",
    "end",
    "count",
    "days",
    "days_in_window",
    "complete",
    "average_night",
    "dataset",
    "resolution",
    "motive",
    "verdict",
    "p_value",
    "reason",
]
NIGHT_FIELDS = ["year", "date", "count"]


class Command(BaseCommand):
    help = "Count a window of the year (Bonfire period, Diwali, ...) for a place, year by year."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--place", required=True, help="a place name or ONS code")
        parser.add_argument(
            "--window",
            required=True,
            help="a window's name (halloween, mischief-night, bonfire-night, bonfire-period, "
            "diwali, christmas, christmas-period, freshers-week, october-november, or one "
            "set in SAFERPLACES_SEASON_WINDOWS) or MM-DD..MM-DD, MM-DD, MM..MM",
        )
        parser.add_argument(
            "--category",
            help="category slugs separated by commas, or 'deliberate' (deliberate fires); "
            "every incident of the place when not given",
        )
        parser.add_argument(
            "--dataset",
            metavar="SOURCE/DATASET",
            help="count this dataset (default: the one holding most days)",
        )
        parser.add_argument("--year", type=int, help="the year compared (default: the latest)")
        parser.add_argument(
            "--nights",
            action="store_true",
            help="csv and table: one row per night instead of per year",
        )
        parser.add_argument("--format", choices=["json", "csv", "table"], default="table")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            scope = resolve_place(options["place"])
        except (Place.DoesNotExist, Place.MultipleObjectsReturned, ScopeError) as exc:
            raise CommandError(str(exc)) from None
        try:
            answer = seasons(
                scope,
                options["window"],
                category=options["category"],
                dataset=options["dataset"],
                year=options["year"],
            )
        except WindowError as exc:
            raise CommandError(f"{scope.name}, {options['window']}: {exc}") from None
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from None
        fmt = options["format"]
        if fmt == "json":
            self.stdout.write(json.dumps(answer.rows(), indent=2))
            for note in [*answer.notes, answer.source_line]:
                self.stderr.write(note)
        elif fmt == "csv":
            self._csv(answer, nights=options["nights"])
        else:
            self._table(answer, nights=options["nights"])

    def _csv(self, answer: SeasonsAnswer, *, nights: bool) -> None:
        if nights:
            writer = csv.DictWriter(self.stdout, fieldnames=NIGHT_FIELDS)
            writer.writeheader()
            for y in answer.count.years:
                for n in y.nights:
                    writer.writerow(
                        {
                            "year": y.year,
                            "date": n.day.isoformat(),
                            "count": "" if n.count is None else n.count,
                        }
                    )
            return
        writer = csv.DictWriter(self.stdout, fieldnames=CSV_FIELDS, extrasaction="ignore")
        writer.writeheader()
        for row in answer.rows():
            cmp = row.get("comparison") or {}
            row["verdict"], row["p_value"] = cmp.get("verdict"), cmp.get("p_value")
            writer.writerow({k: "" if row.get(k) is None else row[k] for k in CSV_FIELDS})

    def _table(self, answer: SeasonsAnswer, *, nights: bool) -> None:
        what = ", ".join(answer.categories) if answer.categories else "all incidents"
        self.stdout.write(f"{answer.place}, {answer.window} ({what}), year by year")
        if nights:
            self.stdout.write(f"{'Night':<12} {'Count':>7}")
            for y in answer.count.years:
                for n in y.nights:
                    count = "not held" if n.count is None else f"{n.count:,}"
                    self.stdout.write(f"{n.day.isoformat():<12} {count:>7}")
        else:
            self.stdout.write(
                f"{'Year':<6} {'Dates':<25} {'Count':>7} {'Days':>7} {'Per night':>9}  Complete"
            )
            for y in answer.count.years:
                count = "no data" if y.count is None else f"{y.count:,}"
                per = "–" if y.average_night is None else f"{y.average_night:.2f}"
                dates = f"{y.start:%d %b %Y} – {y.end:%d %b}"
                done = "yes" if y.complete else f"no: {y.reason}"
                self.stdout.write(
                    f"{y.year:<6} {dates:<25} {count:>7} "
                    f"{y.days:>3}/{y.days_in_window:<3} {per:>9}  {done}"
                )
        c = answer.comparison
        if c.verdict is not None:
            detail = f" (p = {c.p_value:.3f})" if c.p_value is not None else ""
            self.stdout.write(
                f"{c.year} against {len(c.baseline_years)} complete years before (average "
                f"{c.baseline_mean}): {c.verdict}{detail}."
            )
            self.stdout.write(f"Method: {c.method}")
        for note in answer.notes:
            self.stdout.write(f"Note: {note}")
        self.stdout.write(answer.source_line)
