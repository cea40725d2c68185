"""saferplaces report performance --place PLACE --period 2014/15 --format pptx --output FILE"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from saferplaces.evidence.figures import latest_month
from saferplaces.evidence.periods import period_from
from saferplaces.evidence.scope import ScopeError, resolve_place
from saferplaces.insight.periods import PeriodError
from saferplaces.partnership.models import Place
from saferplaces.reports.models import PaperFormat
from saferplaces.reports.papers import write_paper


class Command(BaseCommand):
    help = "Write a board paper (PowerPoint, PDF or Excel) for a place and period."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="kind", required=True, metavar="{performance}")
        perf = sub.add_parser("performance", help="the annual performance briefing")
        perf.add_argument("--place", required=True, help="a place name or ONS code")
        perf.add_argument("--period", help="2014/15, 2021, rolling[:YYYY-MM]")
        perf.add_argument("--from", dest="from_month", metavar="YYYY-MM")
        perf.add_argument("--to", dest="to_month", metavar="YYYY-MM")
        perf.add_argument("--format", required=True, choices=[f.value for f in PaperFormat])
        perf.add_argument("--output", required=True, type=Path, help="file to write")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            scope = resolve_place(options["place"])
        except (Place.DoesNotExist, Place.MultipleObjectsReturned, ScopeError) as exc:
            raise CommandError(str(exc)) from None
        try:
            period = period_from(
                options["period"], options["from_month"], options["to_month"], latest_month()
            )
        except PeriodError as exc:
            raise CommandError(f"Unknown period: {exc}") from None
        output: Path = options["output"]
        if output.suffix.lower() != f".{options['format']}":
            raise CommandError(f"--output should end in .{options['format']}")
        started = time.perf_counter()
        with tqdm(
            total=100, desc="Writing", file=sys.stderr, disable=not sys.stderr.isatty()
        ) as bar:

            def progress(pct: int, stage: str) -> None:
                bar.set_description(stage)
                bar.n = pct
                bar.refresh()

            write_paper(scope.place, period, options["format"], output, progress)
        self.stdout.write(
            f"Wrote {output} ({output.stat().st_size:,} bytes) in "
            f"{time.perf_counter() - started:.1f} s"
        )
