"""saferplaces import police-uk PATH... | saferplaces import incidents --mapping FILE PATH...
saferplaces import history | saferplaces import withdraw IMPORT-ID"""

from __future__ import annotations

import sys
import uuid
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from saferplaces.evidence.models import Import
from saferplaces.evidence.services import (
    ImportNeedsConfirmation,
    ImportRefused,
    import_files,
    reconcile_imports,
    withdraw_import,
)
from saferplaces.insight.problems import ImportProblem
from saferplaces.insight.store import StoreDamaged

SHOWN = 50


class Command(BaseCommand):
    help = "Import incident data into the incident store (atomic and idempotent)."
    # A data command: the site's system checks (URLs, templates, deploy settings) cost
    # more than a small import; `saferplaces check` runs them.
    requires_system_checks: list[str] = []

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
        sub.add_parser("history", help="the imports, newest first, with their ids")
        withdraw = sub.add_parser(
            "withdraw", help="withdraw an import: the store then holds what it held before it"
        )
        withdraw.add_argument("import_id", help="the import's id (see `import history`)")
        for p in (police, incidents):
            p.add_argument(
                "--replace",
                action="store_true",
                help="replace months the store holds even where they would shrink",
            )
            p.add_argument("paths", nargs="+", type=Path, metavar="PATH")
            p.add_argument(
                "--skip-bad-rows",
                action="store_true",
                help="import the good rows and write the rejected ones to a report",
            )
            p.add_argument("--user", help="username to record as the importer")
            p.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["kind"] == "history":
            return self._history()
        if options["kind"] == "withdraw":
            return self._withdraw(options["import_id"])
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
                replace=options["replace"],
            )
        except ImportNeedsConfirmation as refused:
            bar.close()
            for r in refused.replaced:
                self.stderr.write(str(r))
            raise CommandError(
                "Nothing was imported: these months would shrink. Check the file covers the "
                "whole month, then import again with --replace to replace them. What they "
                "hold now stays restorable: `saferplaces import withdraw ID` with the id that "
                "import prints brings it back."
            ) from None
        except ImportRefused as refused:
            bar.close()
            problems = refused.rejected.problems
            for problem in problems[:SHOWN]:
                self.stderr.write(str(problem))
            if len(problems) > SHOWN:
                self.stderr.write(f"… and {len(problems) - SHOWN} more problems")
            raise CommandError(_rejected(problems, options["skip_bad_rows"])) from None
        except (ValueError, OSError, StoreDamaged) as exc:
            bar.close()
            raise CommandError(str(exc)) from None
        bar.close()
        self.stdout.write(f"Import {outcome.batch.id}: {outcome.batch.get_status_display()}")
        for r in outcome.replaced:
            self.stdout.write(f"  replaced {r}")
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
        if (
            options["skip_bad_rows"]
            and not outcome.landed
            and any(r.rows_rejected for r in outcome.runs)
        ):
            raise CommandError("Nothing was imported: every row was rejected.")

    def _history(self) -> None:
        reconcile_imports()
        for record in Import.objects.all()[:100]:
            self.stdout.write(
                f"{record.id}  {record.started_at:%Y-%m-%d %H:%M}  "
                f"{record.get_status_display():<24} {record.rows_accepted:>10,} rows  "
                f"{record.imported_by_name}  {', '.join(record.files)[:80]}"
            )

    def _withdraw(self, import_id: str) -> None:
        try:
            batch = uuid.UUID(import_id)
        except ValueError:
            raise CommandError(
                f"{import_id!r} is not an import id (see `import history`)"
            ) from None
        try:
            record = withdraw_import(None, batch)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        self.stdout.write(f"Import {record.id} withdrawn: the store holds what it held before it.")


def _rejected(problems: list[ImportProblem], skipping: bool) -> str:
    """The command's last word on a rejected import: one problem is quoted; the advice to
    skip bad rows is given only where there are rows to skip (a file refused whole, for
    its size or damage, is not imported by skipping)."""
    what = (
        str(problems[0]).rstrip(".")
        if len(problems) == 1
        else f"{len(problems):,} problems (above)"
    )
    advice = "Fix the file(s)"
    if not skipping and any(p.line > 0 for p in problems):
        advice += ", or use --skip-bad-rows to import the good rows"
    return f"Import rejected, nothing was imported: {what}. {advice}."
