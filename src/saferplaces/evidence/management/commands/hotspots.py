"""saferplaces hotspots --place "West Lancashire" --year 2014/15 --format json

Getis-Ord Gi* hot and cold spots over the place's LSOA rates per 1,000 residents.
JSON is one object: ``summary`` (method, counts per class, legend, sources, limitations)
and ``lsoas``, one record per LSOA (``code``, ``name``, ``count``, ``rate_per_1000``,
``z``, ``p_sim``, ``p``, ``q``, ``spot``, ``confidence``; with ``--years`` above 1 also
``pattern``, ``pattern_label`` and ``trend``). LSOAs left out have ``spot`` "excluded"
and an ``excluded_reason``, never a 0. CSV is the LSOA records; the table lists the
significant ones and says what the rest were.
"""

from __future__ import annotations

import csv
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from saferplaces.evidence.arguments import add_place_and_period, place_and_period
from saferplaces.evidence.hotspots import HotspotReport, density_for, find_indicator, hotspots
from saferplaces.insight.density import DensityError
from saferplaces.insight.hotspots import (
    DEFAULT_PERMUTATIONS,
    DEFAULT_SEED,
    HotspotError,
)

CSV_FIELDS = [
    "code",
    "name",
    "district",
    "count",
    "population",
    "rate_per_1000",
    "neighbours",
    "z",
    "p_sim",
    "p",
    "q",
    "spot",
    "confidence",
    "legend",
    "excluded_reason",
    "pattern",
    "pattern_label",
    "trend",
]


class Command(BaseCommand):
    help = "Hot and cold spots (Getis-Ord Gi*) of a place's LSOA rates per 1,000 residents."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        add_place_and_period(parser)
        parser.add_argument("--year", help="the same as --period: 2014/15, 2021 …")
        parser.add_argument("--category", help="an indicator or police.uk category slug")
        parser.add_argument("--permutations", type=int, default=DEFAULT_PERMUTATIONS)
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
        parser.add_argument(
            "--years",
            type=int,
            default=1,
            help="Gi* for this many years ending with the period, and "
            "each LSOA's pattern over them",
        )
        parser.add_argument(
            "--distance-band",
            type=float,
            metavar="METRES",
            help="neighbours within this distance instead of contiguity",
        )
        parser.add_argument(
            "--density",
            action="store_true",
            help="also describe the density surface of the mapped points",
        )
        parser.add_argument(
            "--bandwidth",
            default=None,
            help="density bandwidth in metres, or 'scott' (Scott's rule); default "
            "SAFERPLACES_DENSITY_BANDWIDTH_M (250)",
        )
        parser.add_argument("--format", choices=["json", "table", "csv"], default="table")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["year"]:
            if options["period"]:
                raise CommandError("Give --year or --period, not both")
            options["period"] = options["year"]
        scope, period = place_and_period(options)
        try:
            indicator = find_indicator(options["category"])
        except KeyError as exc:
            raise CommandError(str(exc.args[0])) from None
        if options["years"] < 1:
            raise CommandError("--years must be 1 or more")
        try:
            report = hotspots(
                scope,
                period,
                indicator,
                years=options["years"],
                permutations=options["permutations"],
                seed=options["seed"],
                band_m=options["distance_band"],
            )
        except HotspotError as exc:
            raise CommandError(str(exc)) from None
        if report.latest.refusal:
            raise CommandError(f"No hot spots for {report.latest.label}: {report.latest.refusal}")
        summary = report.summary()
        if options["density"]:
            summary["density"] = self._density(scope, period, indicator, options["bandwidth"])
        rows = report.rows()
        if options["format"] == "json":
            self.stdout.write(json.dumps({"summary": summary, "lsoas": rows}, indent=2))
        elif options["format"] == "csv":
            writer = csv.DictWriter(self.stdout, fieldnames=CSV_FIELDS, extrasaction="ignore")
            writer.writeheader()
            for r in rows:
                writer.writerow({k: "" if r.get(k) is None else r[k] for k in CSV_FIELDS})
        else:
            self._table(report, summary, rows)

    def _density(
        self, scope: Any, period: Any, indicator: Any, bandwidth: str | None
    ) -> dict[str, Any]:
        try:
            band: float | str | None = (
                None if bandwidth is None else "scott" if bandwidth == "scott" else float(bandwidth)
            )
        except ValueError:
            raise CommandError("--bandwidth is metres or 'scott'") from None
        try:
            view = density_for(scope, period, indicator, bandwidth=band)  # type: ignore[arg-type]
        except DensityError as exc:
            return {"refusal": str(exc)}
        s = view.surface
        peak = divmod(int(s.values.argmax()), s.values.shape[1])
        cx, cy = s.centres()
        return {
            "method": s.method,
            "bandwidth_m": s.bandwidth_m,
            "bandwidth_rule": s.bandwidth_rule,
            "cell_m": s.cell,
            "cells": list(s.values.shape),
            "points": s.points,
            "peak_per_km2": float(s.values.max()),
            "peak_bng": [float(cx[peak[1]]), float(cy[peak[0]])],
            "bounds_lonlat": list(s.bounds_lonlat()),
            "note": view.note,
            "limitation": view.limitation,
        }

    def _table(
        self, report: HotspotReport, summary: dict[str, Any], rows: list[dict[str, Any]]
    ) -> None:
        out = self.stdout.write
        out(f"{report.place}: {report.indicator.name}, {report.latest.label} - hot and cold spots")
        out(f"Method: {summary['method']}.")
        for y in summary["years"]:
            if y["refusal"]:
                out(f"{y['period']}: not computed: {y['refusal']}.")
                continue
            labels = {e["spot"]: e["label"] for e in summary["legend"]}
            counts = "; ".join(f"{labels[k]}: {v}" for k, v in y["counts"].items() if v)
            out(f"{y['period']}: {y['tested']} LSOAs tested ({counts}); {y['excluded']} left out.")
        significant = [r for r in rows if r["spot"] not in ("not-significant", "excluded")]
        significant.sort(
            key=lambda r: (
                not r["spot"].startswith("hot"),
                -(r["confidence"] or 0),
                -(r["z"] or 0) if r["spot"].startswith("hot") else r["z"],
            )
        )
        if significant:
            width = max(len(r["name"]) for r in significant)
            out(f"{'LSOA':<9}  {'Name':<{width}}  {'Per 1,000':>9}  {'z':>6}  {'q':>6}  Class")
            for r in significant:
                extra = f"; {r['pattern_label']}" if r.get("pattern_label") else ""
                out(
                    f"{r['code']:<9}  {r['name']:<{width}}  {r['rate_per_1000']:>9.2f}  "
                    f"{r['z']:>6.2f}  {r['q']:>6.3f}  {r['legend']}{extra}"
                )
        else:
            out("No LSOA is a significant hot or cold spot at 90% confidence.")
        excluded = [r for r in rows if r["spot"] == "excluded"]
        if excluded:
            reasons: dict[str, int] = {}
            for r in excluded:
                reasons[r["excluded_reason"]] = reasons.get(r["excluded_reason"], 0) + 1
            out(
                "Left out (not counted as low): "
                + "; ".join(f"{n} - {why}" for why, n in reasons.items())
                + "."
            )
        for note in summary["notes"]:
            out(f"Note: {note}")
        if "density" in summary:
            d = summary["density"]
            out(f"Density: {d.get('note') or d.get('refusal')}")
        out(summary["legend_note"])
        for text in summary["limitations"]:
            out(f"Limits: {text}")
        for source in summary["sources"]:
            out(f"Source: {source}")
