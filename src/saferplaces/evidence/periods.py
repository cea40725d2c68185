"""Reading a period from what a person typed: the CLI and the pages share this."""

from __future__ import annotations

from saferplaces.insight.periods import Period, PeriodError, custom, parse_period, rolling_12


def period_from(
    period: str | None = None,
    from_month: str | None = None,
    to_month: str | None = None,
    latest_month: str | None = None,
) -> Period:
    """`2014/15`, `2021`, `rolling` (12 months to the latest month held, or `rolling:2022-10`),
    or a custom range `from_month`..`to_month`. Raises PeriodError saying what to type."""
    if from_month or to_month:
        if period:
            raise PeriodError("give either a period or --from and --to, not both")
        if not (from_month and to_month):
            raise PeriodError("a custom period needs both --from YYYY-MM and --to YYYY-MM")
        return custom(from_month, to_month)
    if not period:
        raise PeriodError("give a period: 2014/15, 2021, rolling, or --from YYYY-MM --to YYYY-MM")
    text = period.strip().lower()
    if text.startswith("rolling"):
        end = text.partition(":")[2] or latest_month
        if not end:
            raise PeriodError("no data is held yet, so a rolling period has no end month")
        return rolling_12(end)
    return parse_period(period)
