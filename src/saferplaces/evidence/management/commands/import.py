"""saferplaces import police-uk PATH... | saferplaces import incidents --mapping FILE PATH..."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from saferplaces.evidence.services import ImportRefused, import_files

SHOWN = 50


class Command(BaseCommand):
    help = "Import incident data into the incident store (atomic and idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="kind", required=True, metavar="{police-uk,incidents}")
        police = sub.add_parser(
            "police-uk",
            help="police.uk street files: CSV, .csv.gz, folders, or the bulk archive zip",
        )
        incidents = sub.add_parser(
            "incidents", help="any dated incident CSV, through a mapping file (TOML)"
        )
        incidents.add_argument("--mapping", required=True, type=Path, help="mapping file")
        for p in (police, incidents):
            p.add_argument("paths", nargs="+", type=Path, metavar="PATH")
            p.add_argument(
                "--skip-bad-rows",
                action="store_true",
                help="import the good rows and write the rejected ones to a report",
            )
            p.add_argument("--user", help="username to record as the importer")
            p.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        user = None
        if options.get("user"):
            try:
                user = get_user_model().objects.get(username=options["user"])
            except get_user_model().DoesNotExist:
                raise CommandError(f"No user called {options['user']!r}") from None
        missing = [str(p) for p in options["paths"] if not p.exists()]
        if missing:
            raise CommandError("No such file or folder: " + ", ".join(missing))
        bar = tqdm(
            total=0,
            unit="B",
            unit_scale=True,
            desc="Importing",
            file=sys.stderr,
            disable=options["no_progress"] or not sys.stderr.isatty(),
        )

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.n = done
            bar.refresh()

        try:
            outcome = import_files(
                options["kind"],
                options["paths"],
                mapping=options.get("mapping"),
                skip_bad_rows=options["skip_bad_rows"],
                user=user,
                progress=progress,
            )
        except ImportRefused as refused:
            bar.close()
            problems = refused.rejected.problems
            for problem in problems[:SHOWN]:
                self.stderr.write(str(problem))
            if len(problems) > SHOWN:
                self.stderr.write(f"… and {len(problems) - SHOWN} more problems")
            raise CommandError(
                f"Import rejected: {len(problems)} problem(s); nothing was imported. "
                "Fix the file(s), or use --skip-bad-rows to import the good rows."
            ) from None
        except (ValueError, FileNotFoundError) as exc:
            bar.close()
            raise CommandError(str(exc)) from None
        bar.close()
        for run in outcome.runs:
            line = (
                f"{run.file_name}: {run.get_status_display()}, "
                f"{run.rows_accepted:,} rows accepted, {run.rows_rejected:,} rejected"
            )
            if run.month_range:
                line += f" ({run.month_range})"
            self.stdout.write(line)
            for warning in run.warnings:
                self.stdout.write(f"  warning: {warning}")
        if outcome.rejects_report:
            self.stdout.write(f"Rejected rows written to {outcome.rejects_report}")
