"""saferplaces families --place "West Lancashire" --period 2014/15 --format table

A partnership beside its most similar partnerships (15 by default): the measures and
distances, each member's rate per 1,000 for one indicator ("no data" where a partnership
has none, never 0), the family's pooled rate, the band against exact Poisson funnel limits
(95%, 99.8%) around the national rate, and the rank within the family with its 95%
interval. JSON gives the whole answer (with the method and the measures missing); CSV one
row per member.
"""

from __future__ import annotations

import csv
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from saferplaces.evidence.arguments import add_place_and_period, place_and_period
from saferplaces.evidence.families import (
    NO_DATA,
    SOURCE,
    Family,
    FamilyError,
    band_text,
    family_for,
    indicator_named,
    member_row,
)
from saferplaces.insight.families import DEFAULT_PEERS, MEASURES


class Command(BaseCommand):
    help = "A partnership beside its most similar partnerships, with funnel bands and rank."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        add_place_and_period(parser)
        parser.add_argument("--indicator", default="all-crime", help="an indicator's slug")
        parser.add_argument("--peers", type=int, default=DEFAULT_PEERS)
        parser.add_argument("--format", choices=["json", "csv", "table"], default="table")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["peers"] < 1:
            raise CommandError("--peers must be at least 1")
        scope, period = place_and_period(options)
        try:
            answer = family_for(
                scope, period, indicator_named(options["indicator"]), options["peers"]
            )
        except FamilyError as exc:
            raise CommandError(str(exc)) from None
        if options["format"] == "json":
            self.stdout.write(json.dumps(answer.as_dict(), indent=2))
        elif options["format"] == "csv":
            rows = [member_row(m) for m in answer.members]
            writer = csv.DictWriter(self.stdout, fieldnames=list(rows[0]))
            writer.writeheader()
            for row in rows:
                writer.writerow({k: "" if v is None else v for k, v in row.items()})
        else:
            self._table(answer)

    def _table(self, a: Family) -> None:
        def rate(x: float | None) -> str:
            return NO_DATA if x is None else f"{x:.2f}"

        self.stdout.write(f"{a.csp_name} ({a.csp_code}) and its most similar partnerships, "
                          f"{a.indicator}, {a.period}")  # fmt: skip
        family, national = rate(a.family_rate_per_1000), rate(a.national_rate_per_1000)
        self.stdout.write(
            f"Family rate per 1,000: {family}; all {a.with_data} partnerships with data: {national}"
        )
        if a.rank is None:
            self.stdout.write(f"Rank in family: {NO_DATA}")
        else:
            self.stdout.write(f"Rank in family (1 = highest rate): {a.rank.rank} of {a.rank.of} "
                              f"with data (95% interval {a.rank.low}–{a.rank.high})")  # fmt: skip
        head = (
            f"{'Partnership':<32} {'Pop. 2020':>10} {'IMD rank':>8} {'Decile 1':>8} "
            f"{'Distance':>8} {'Per 1,000':>10}  Band"
        )
        self.stdout.write(head)
        for m in a.members:
            dist = "–" if m.distance is None else f"{m.distance:.3f}"
            v = m.measures
            pop = "–" if v["population"] is None else f"{v['population']:,.0f}"
            imd = "–" if v["imd_mean_rank"] is None else f"{v['imd_mean_rank']:,.0f}"
            dec = "–" if v["imd_decile1_share"] is None else f"{v['imd_decile1_share']:.1%}"
            self.stdout.write(
                f"{m.name[:32]:<32} {pop:>10} {imd:>8} {dec:>8} {dist:>8} "
                f"{rate(m.rate_per_1000):>10}  {band_text(m)}"
            )
        for note in a.notes:
            self.stdout.write(f"Note: {note}")
        self.stdout.write(f"Measures used: {', '.join(MEASURES)}. Missing: "
                          f"{', '.join(a.missing_measures)}.")  # fmt: skip
        self.stdout.write(f"Method: {a.method}")
        self.stdout.write(SOURCE)
