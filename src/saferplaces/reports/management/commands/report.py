"""saferplaces report performance --place PLACE --period 2014/15 --format pptx --output FILE"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from saferplaces.evidence.arguments import add_place_and_period, place_and_period
from saferplaces.reports.models import PaperFormat
from saferplaces.reports.papers import write_paper


class Command(BaseCommand):
    help = "Write a board paper (PowerPoint, PDF or Excel) for a place and period."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="kind", required=True, metavar="{performance}")
        perf = sub.add_parser("performance", help="the annual performance briefing")
        add_place_and_period(perf)
        perf.add_argument("--format", required=True, choices=[f.value for f in PaperFormat])
        perf.add_argument("--output", required=True, type=Path, help="file to write")

    def handle(self, *args: Any, **options: Any) -> None:
        scope, period = place_and_period(options)
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
