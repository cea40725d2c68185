"""saferplaces funding summary --place PLACE --year 2014/15 --format json|csv|xlsx
[--output FILE]

JSON: each stream with its funder, amount, allocated, spent and returns due or overdue,
and the totals; money as decimal strings ("10000.00"). CSV: one row per stream and a
total row. xlsx: the year's workbook, written to --output (required: a workbook is not
for a terminal).
"""

from __future__ import annotations

import csv
import datetime
import io
import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from saferplaces.delivery.funding import (
    FundingSummary,
    FundingYearError,
    parse_year,
    summary,
    year_returns,
)
from saferplaces.partnership.models import Place
from saferplaces.reports.funding_workbook import funding_xlsx

FORMATS = ("json", "csv", "xlsx")
CSV_HEADER = ["funder", "name", "amount", "allocated", "unallocated", "spent", "returns_due",
              "returns_overdue", "returns_submitted"]  # fmt: skip


def to_csv(s: FundingSummary) -> str:
    """One row per stream, then the total row; money as decimal strings."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for r in s.rows:
        writer.writerow([r.funder, r.name, r.amount, r.allocated, r.unallocated, r.spent,
                         r.returns_due, r.returns_overdue, r.returns_submitted])  # fmt: skip
    t = s.totals
    writer.writerow(["Total", "", t.amount, t.allocated, t.unallocated, t.spent,
                     t.returns_due, t.returns_overdue, t.returns_submitted])  # fmt: skip
    return out.getvalue()


class Command(BaseCommand):
    help = "The year's funding for a place: streams, allocations, spend and returns."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="kind", required=True, metavar="{summary}")
        p = sub.add_parser("summary", help="the year's funding summary")
        p.add_argument("--place", required=True, help="a place name, slug or ONS code")
        p.add_argument("--year", required=True, help="the financial year, for example 2014/15")
        p.add_argument("--format", default="json", choices=FORMATS)
        p.add_argument("--output", type=Path, help="file to write (required for xlsx)")
        p.add_argument("--today", help="as at this date (YYYY-MM-DD; default today)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            place = Place.objects.by_name_or_code(options["place"])
        except (Place.DoesNotExist, Place.MultipleObjectsReturned) as exc:
            raise CommandError(str(exc)) from None
        try:
            year = parse_year(options["year"])
        except FundingYearError as exc:
            raise CommandError(str(exc)) from None
        today = None
        if options["today"]:
            try:
                today = datetime.date.fromisoformat(options["today"])
            except ValueError:
                raise CommandError(
                    f"--today {options['today']!r} is not a YYYY-MM-DD date"
                ) from None
        fmt: str = options["format"]
        output: Path | None = options["output"]
        if fmt == "xlsx" and output is None:
            raise CommandError("--format xlsx needs --output FILE.xlsx (a workbook is not text)")
        if output is not None and output.suffix.lower() != f".{fmt}":
            raise CommandError(f"--output should end in .{fmt}")
        s = summary(place, year, today)
        if fmt == "xlsx":
            assert output is not None
            data = funding_xlsx(s, year_returns(place, year, s.today),
                                partnership_name=settings.PARTNERSHIP_NAME)  # fmt: skip
            output.parent.mkdir(parents=True, exist_ok=True)
            output.write_bytes(data)
            self.stdout.write(f"Wrote {output} ({len(data):,} bytes)")
            return
        text = json.dumps(s.as_json(), indent=2) + "\n" if fmt == "json" else to_csv(s)
        if output is None:
            self.stdout.write(text, ending="")
        else:
            output.parent.mkdir(parents=True, exist_ok=True)
            output.write_text(text, encoding="utf-8")
            self.stdout.write(f"Wrote {output}")
