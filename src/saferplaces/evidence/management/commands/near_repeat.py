"""saferplaces near_repeat --place "Tower Hamlets" --category dwelling-fire
--from 2019-01-01 --to 2019-12-31 --format table

The Knox test of near repeats: every pair of the place's dated, located incidents of a
category in the period, by distance apart (space bands) and days apart (time bands);
observed pairs, the pairs expected if time and place were unrelated (the mean of
``--permutations`` seeded shuffles of the dates), their ratio and a p-value per cell;
and a plain reading. Month-level data (police.uk) is refused with the reason.

Defaults as in the Near Repeat Calculator: 0 m, 1–100 m, …, 401–500 m and beyond;
0–7, 8–14, 15–21 days and beyond; 999 permutations, seed 1. Each label names the first
and last whole metre or day its band holds.

JSON is one object (bands, labels, cells, zone, readings, notes, source).
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from saferplaces.evidence.near_repeat import NearRepeatAnswer, near_repeats
from saferplaces.evidence.scope import ScopeError, resolve_place
from saferplaces.insight.near_repeat import Bands, NearRepeatRefused
from saferplaces.insight.windows import WindowError
from saferplaces.partnership.models import Place


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{text!r} is not a date: write YYYY-MM-DD") from None


class Command(BaseCommand):
    help = "Near repeats: the Knox test of a place's dated incidents of one category."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--place", required=True, help="a place name or ONS code")
        parser.add_argument(
            "--category",
            required=True,
            help="a category slug (burglary, vehicle-crime, dwelling-fire, ...) or several "
            "separated by commas",
        )
        parser.add_argument("--from", dest="first", help="first day YYYY-MM-DD (inclusive)")
        parser.add_argument("--to", dest="last", help="last day YYYY-MM-DD (inclusive)")
        parser.add_argument("--space-band", type=int, default=100, help="metres (100)")
        parser.add_argument("--space-bands", type=int, default=5, help="how many (5)")
        parser.add_argument("--time-band", type=int, default=7, help="days (7)")
        parser.add_argument("--time-bands", type=int, default=3, help="how many (3)")
        parser.add_argument("--permutations", type=int, default=999)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--dataset", metavar="SOURCE/DATASET", help="test this dataset (default: the "
            "day-level one holding most of the incidents)"
        )  # fmt: skip
        parser.add_argument("--format", choices=["json", "table"], default="table")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            scope = resolve_place(options["place"])
        except (Place.DoesNotExist, Place.MultipleObjectsReturned, ScopeError) as exc:
            raise CommandError(str(exc)) from None
        first = _day(options["first"]) if options["first"] else None
        last = _day(options["last"]) if options["last"] else None
        try:
            bands = Bands(
                space_band=options["space_band"],
                space_bands=options["space_bands"],
                time_band=options["time_band"],
                time_bands=options["time_bands"],
            )
            answer = near_repeats(
                scope,
                options["category"],
                first=first,
                last=last,
                bands=bands,
                permutations=options["permutations"],
                seed=options["seed"],
                dataset=options["dataset"],
            )
        except (NearRepeatRefused, WindowError) as exc:
            raise CommandError(f"{scope.name}, {options['category']}: {exc}") from None
        if options["format"] == "json":
            self.stdout.write(json.dumps(answer.as_dict(), indent=2))
        else:
            self._table(answer)

    def _table(self, answer: NearRepeatAnswer) -> None:
        r = answer.result
        self.stdout.write(
            f"{answer.place}, near repeats of {', '.join(answer.categories)}, "
            f"{answer.first:%d %b %Y} to {answer.last:%d %b %Y}: {r.events:,} incidents, "
            f"{r.pairs:,} pairs"
        )
        self.stdout.write("Observed pairs / expected (ratio, p) by distance and days apart")
        cells = r.cells()
        text = {
            (c.row, c.column): f"{c.observed:,} / {c.expected:,.1f} "
            f"({'–' if c.ratio is None else f'{c.ratio:.2f}'}, {c.p_value:.3f})"
            + ("*" if c.elevated else "")
            for c in cells
        }
        width = max(len(s) for s in r.space_labels)
        cell_width = max(max(len(t) for t in text.values()), *(len(t) for t in r.time_labels))
        self.stdout.write(
            " " * width + " | " + " | ".join(t.ljust(cell_width) for t in r.time_labels)
        )
        for row, label in enumerate(r.space_labels):
            parts = [text[(row, col)].rjust(cell_width) for col in range(len(r.time_labels))]
            self.stdout.write(label.ljust(width) + " | " + " | ".join(parts))
        self.stdout.write("* more pairs than chance would give (ratio above 1, p ≤ 0.05)")
        for reading in r.readings():
            self.stdout.write(reading)
        self.stdout.write(
            "Bands: distance d rounded to whole metres, days Δ whole calendar days apart; "
            "each label names the first and last value its band holds."
        )
        self.stdout.write(f"Method: {r.method}")
        for note in [*answer.notes, *r.notes]:
            self.stdout.write(f"Note: {note}")
        self.stdout.write(answer.source_line)
