"""The --place and --period arguments that the indicators, quality and report commands
share, read into a place scope and a period or a clear CommandError."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from saferplaces.evidence.figures import latest_month
from saferplaces.evidence.periods import PeriodAfterData, period_from
from saferplaces.evidence.scope import PlaceScope, ScopeError, resolve_place
from saferplaces.insight.periods import Period, PeriodError
from saferplaces.partnership.models import Place


def add_place_and_period(parser: CommandParser) -> None:
    parser.add_argument("--place", required=True, help="a place name or ONS code")
    parser.add_argument(
        "--period", help="2014/15 (financial year), 2021 (calendar year), rolling[:YYYY-MM]"
    )
    parser.add_argument("--from", dest="from_month", metavar="YYYY-MM")
    parser.add_argument("--to", dest="to_month", metavar="YYYY-MM")


def place_and_period(options: dict[str, Any]) -> tuple[PlaceScope, Period]:
    try:
        scope = resolve_place(options["place"])
    except (Place.DoesNotExist, Place.MultipleObjectsReturned, ScopeError) as exc:
        raise CommandError(str(exc)) from None
    latest = latest_month()
    try:
        period = period_from(options["period"], options["from_month"], options["to_month"], latest)
    except PeriodAfterData as exc:
        raise CommandError(f"Unknown period: {exc}") from None
    except PeriodError as exc:
        held = f"the latest month held is {latest}" if latest else "nothing is imported yet"
        raise CommandError(f"Unknown period: {exc} ({held})") from None
    return scope, period
