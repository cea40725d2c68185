"""Did it work: an initiative judged on the indicators and windows it is evaluated on.

For each `EvaluationMeasure` the window is counted year by year over the initiative's
place (one query per measure, through `saferplaces.insight.seasons.window_counts`, as
the dashboard's seasonal charts are), and the initiative's year is set against the year
before and against the mean of the earlier years with the exact test of
`saferplaces.insight.stats`. The verdict is honest: a year not held has no count ("no
data", never 0); a day window over month-level data cannot be counted ("cannot say:
police.uk records only the month"); a place only partly covered gets its counts with no
verdict; a handful of incidents is "too few incidents to judge". Each `ValueCase` is
worked through `saferplaces.insight.value` with the arithmetic shown.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from saferplaces.delivery.models import EvaluationMeasure, EvaluationWindow, Initiative, ValueCase
from saferplaces.evidence.figures import indicator_set
from saferplaces.evidence.performance import part_note
from saferplaces.evidence.scope import PlaceScope, ScopeError, scope_for
from saferplaces.evidence.seasons import freshers_weeks
from saferplaces.evidence.sources import SourceNote, sources_for
from saferplaces.evidence.store import incident_store
from saferplaces.insight.compare import held_months
from saferplaces.insight.indicators import Indicator
from saferplaces.insight.periods import add_months, custom, month_start
from saferplaces.insight.seasons import (
    BONFIRE_MONTHS,
    BONFIRE_PERIOD,
    HALLOWEEN,
    MISCHIEF_NIGHT,
    DayWindow,
    MonthWindow,
    WindowResult,
    window_counts,
)
from saferplaces.insight.stats import TEST_NAME, TOO_FEW, judge
from saferplaces.insight.value import ValueResult, avoided_cost

Window = MonthWindow | DayWindow

NO_DATA = "no data"
MONTH_ONLY = "cannot say: police.uk records only the month"
TOO_FEW_INCIDENTS = "too few incidents to judge"
PARTIAL = "no verdict: only part of the place is covered"
CANNOT_SAY = "cannot say"

NAMED_WINDOWS: dict[str, Window] = {
    EvaluationWindow.OCTOBER_NOVEMBER: BONFIRE_MONTHS,
    EvaluationWindow.BONFIRE_PERIOD: BONFIRE_PERIOD,
    EvaluationWindow.HALLOWEEN: HALLOWEEN,
    EvaluationWindow.MISCHIEF_NIGHT: MISCHIEF_NIGHT,
}


@dataclass(frozen=True)
class YearCount:
    """The window in one year: its count, or None with the reason (never a zero)."""

    year: int
    start: str
    end: str
    count: int | None
    reason: str | None
    initiative_year: bool
    resolution_ok: bool = True
    """False: the source records only the month, so a day window cannot be counted."""

    @property
    def complete(self) -> bool:
        return self.count is not None


@dataclass(frozen=True)
class ChangeTest:
    """The initiative's year against one baseline (a year, or the mean of earlier years)."""

    against: str
    baseline: int
    mean: Decimal | None
    verdict: str
    p_value: float | None
    z: float
    change_pct: Decimal | None

    @property
    def sentence(self) -> str:
        base = f"the mean of {self.against} ({self.mean})" if self.mean is not None else (
            f"{self.baseline} in {self.against}"
        )  # fmt: skip
        change = f", {self.change_pct:+}%" if self.change_pct is not None else ""
        p = f", p = {self.p_value:.3f}" if self.p_value is not None else ""
        return f"Against {base}{change}: {self.verdict}{p}."


@dataclass(frozen=True)
class Comparison:
    """Before and after: the initiative's year against the year before and the mean."""

    year: int | None
    current: int | None
    against_previous: ChangeTest | None
    against_mean: ChangeTest | None
    verdict: str
    reason: str


@dataclass(frozen=True)
class MeasureResult:
    measure_id: int
    indicator_key: str
    indicator_name: str
    window: str
    window_label: str
    years: list[YearCount]
    comparison: Comparison
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ValueCaseResult:
    case_id: int
    name: str
    unit_cost_source: str
    basis: str
    result: ValueResult


@dataclass(frozen=True)
class Evaluation:
    initiative: Initiative
    place: str
    measures: list[MeasureResult]
    value_cases: list[ValueCaseResult]
    sources: list[SourceNote]
    note: str | None
    test: str = TEST_NAME


# Windows ---------------------------------------------------------------------------------


def _day(month: int, day: int) -> tuple[int, int]:
    return (2, 28) if (month, day) == (2, 29) else (month, day)


def initiative_window(initiative: Initiative) -> Window | None:
    """The initiative's own span each year: whole months as a month window (countable
    from month-level data), other dates as a day window; None when it runs a year or more."""
    s, e = initiative.starts_on, initiative.ends_on
    if (e - s).days >= 365:
        return None
    if s.day == 1 and (e + datetime.timedelta(days=1)).day == 1:
        name = f"{s:%B}" if s.month == e.month else f"{s:%B}–{e:%B}"
        return MonthWindow(name, s.month, e.month)
    return DayWindow(f"{s:%-d %B}–{e:%-d %B}", _day(s.month, s.day), _day(e.month, e.day))


def window_for(measure: EvaluationMeasure, initiative: Initiative) -> Window | None:
    if measure.window == EvaluationWindow.INITIATIVE:
        return initiative_window(initiative)
    if measure.window == EvaluationWindow.FRESHERS_WEEK:
        return place_freshers_week(initiative)
    return NAMED_WINDOWS.get(measure.window)


def place_freshers_week(initiative: Initiative) -> DayWindow | None:
    """The place's own Freshers' week (``SAFERPLACES_FRESHERS_WEEKS``); None when it has
    none, for universities set their own dates and no default would be honest."""
    place = initiative.place
    weeks = freshers_weeks()
    for key in (place.slug, place.code, place.lad_code):
        if key and key.casefold() in weeks:
            return weeks[key.casefold()]
    return None


def _last_day(window: Window, year: int) -> datetime.date:
    end = window.bounds(year)[1]
    if isinstance(window, MonthWindow):
        return add_months(end, 1) - datetime.timedelta(days=1)
    return end


def initiative_year(window: Window, initiative: Initiative) -> int:
    """The year whose window overlaps the initiative (the year it starts in, or the year
    before for a window that wraps over New Year); else the year it starts in."""
    s, e = initiative.starts_on, initiative.ends_on
    for y in (s.year - 1, s.year):
        if window.bounds(y)[0] <= e and _last_day(window, y) >= s:
            return y
    return s.year


# Comparison ------------------------------------------------------------------------------


def _pct(current: int, baseline: Decimal) -> Decimal | None:
    if baseline == 0:
        return None
    return (Decimal(100) * (current - baseline) / baseline).quantize(Decimal("0.1"), ROUND_HALF_UP)


def _test(current: int, baseline: int, against: str, mean: Decimal | None = None) -> ChangeTest:
    j = judge(current, baseline)
    verdict = TOO_FEW_INCIDENTS if j.verdict == TOO_FEW else j.verdict
    return ChangeTest(against, baseline, mean, verdict, j.p_value, j.z,
                _pct(current, mean if mean is not None else Decimal(baseline)))  # fmt: skip


def _span(years: list[int]) -> str:
    return f"{years[0]}–{years[-1]}" if len(years) > 1 else str(years[0])


def _month_only(rows: list[YearCount], year: int) -> bool:
    """Whether month-level data stops the comparison: the initiative's year cannot be
    counted in the window, or no earlier year can and some could not."""
    this = next((r for r in rows if r.year == year), None)
    if this is not None and not this.resolution_ok:
        return True
    earlier = [r for r in rows if r.year < year]
    return any(not r.resolution_ok for r in earlier) and not any(
        r.count is not None for r in earlier
    )


def compare(rows: list[YearCount], year: int, *, partial: str | None = None) -> Comparison:
    """The verdict on the initiative's year against the year before and the earlier mean
    (a year not held, or held only by month for a day window, is left out, never 0)."""
    this = next((r for r in rows if r.year == year), None)
    if _month_only(rows, year):
        return Comparison(year, None, None, None, MONTH_ONLY,
                          "This window is a matter of days: it needs day-level data (a force "
                          "incident log or fire service incidents); police.uk records only the "
                          "month of each incident.")  # fmt: skip
    if this is None or this.count is None:
        why = this.reason if this is not None and this.reason else "not held"
        return Comparison(year, None, None, None, NO_DATA, f"No data for {year}: {why}.")
    current = this.count
    earlier = [r for r in rows if r.year < year and r.count is not None]
    prev = next((r for r in earlier if r.year == year - 1), None)
    against_previous = (
        _test(current, prev.count, str(prev.year)) if prev and prev.count is not None else None
    )
    against_mean = None
    if len(earlier) >= 2 or (earlier and against_previous is None):
        mean = Decimal(sum(r.count or 0 for r in earlier)) / len(earlier)
        mean = mean.quantize(Decimal("0.1"), ROUND_HALF_UP)
        baseline = int(mean.quantize(Decimal(1), ROUND_HALF_UP))
        against_mean = _test(current, baseline, _span([r.year for r in earlier]), mean)
    if partial:
        return Comparison(year, current, against_previous, against_mean, PARTIAL, partial)
    primary = against_previous or against_mean
    if primary is None:
        return Comparison(year, current, None, None, NO_DATA,
                          f"No earlier year is held to compare {year} with.")  # fmt: skip
    reason = " ".join(t.sentence for t in (against_previous, against_mean) if t is not None)
    if against_previous is None:
        reason = f"No data for {year - 1}. {reason}"
    return Comparison(year, current, against_previous, against_mean, primary.verdict, reason)


# Evaluation ------------------------------------------------------------------------------


def _no_data_rows(window: Window, years: list[int], y0: int, reason: str) -> list[YearCount]:
    out = []
    for y in years:
        a, b = window.bounds(y)[0], _last_day(window, y)
        out.append(YearCount(y, a.isoformat(), b.isoformat(), None, reason, y == y0))
    return out


def _rows(found: list[WindowResult], y0: int, window: Window) -> list[YearCount]:
    """The engine's rows, a month window's end given as its last day (not the month)."""
    return [YearCount(r.year, r.start, _last_day(window, r.year).isoformat(), r.count, r.reason,
                      r.year == y0, r.resolution_ok) for r in found]  # fmt: skip


def _refusal(
    m: EvaluationMeasure, name: str, reason: str, verdict: str = CANNOT_SAY
) -> MeasureResult:
    return MeasureResult(m.pk, m.indicator_key, name, m.window, m.get_window_display(), [],
                         Comparison(None, None, None, None, verdict, reason))  # fmt: skip


def evaluate_measure(
    measure: EvaluationMeasure,
    initiative: Initiative,
    scope: PlaceScope | None,
    indicators: dict[str, Indicator],
    held_cache: dict[str, tuple[list[str], set[datetime.date]]] | None = None,
) -> MeasureResult:
    """One measure: the window year by year and the verdict."""
    ind = indicators.get(measure.indicator_key)
    if ind is None:
        return _refusal(measure, measure.indicator_key,
                        f"Unknown indicator {measure.indicator_key!r}: it is not one of the "
                        "partnership's indicators.")  # fmt: skip
    window = window_for(measure, initiative)
    if window is None and measure.window == EvaluationWindow.FRESHERS_WEEK:
        return _refusal(measure, ind.name,
                        f"No Freshers' week is set for {initiative.place.name}: universities "
                        "set their own dates; set SAFERPLACES_FRESHERS_WEEKS="
                        f"{initiative.place.slug}=MM-DD:DAYS.")  # fmt: skip
    if window is None:
        return _refusal(measure, ind.name,
                        f"{initiative.name} runs for a year or more: choose a named window "
                        "to compare year by year.")  # fmt: skip
    y0 = initiative_year(window, initiative)
    years = list(range(y0 - measure.years + 1, y0 + 1))
    label = measure.get_window_display()
    if measure.window == EvaluationWindow.INITIATIVE:
        label = f"{window.name} (the initiative's dates)"
    if scope is None:
        reason = f"{initiative.place.name} is not a place the indicators cover"
        rows = _no_data_rows(window, years, y0, reason)
        return MeasureResult(measure.pk, ind.slug, ind.name, measure.window, label, rows,
                             compare(rows, y0))  # fmt: skip
    store = incident_store()
    cache = held_cache if held_cache is not None else {}
    if ind.slug not in cache:
        cache[ind.slug] = held_months(store, districts=scope.districts, indicator=ind)
    counted, held = cache[ind.slug]
    if not counted:
        reason = f"no {ind.name.lower()} data is held for {scope.name}"
        rows = _no_data_rows(window, years, y0, reason)
        return MeasureResult(measure.pk, ind.slug, ind.name, measure.window, label, rows,
                             compare(rows, y0))  # fmt: skip
    found = window_counts(store, window, years=years, indicator=ind, districts=counted,
                          held=held)  # fmt: skip
    rows = _rows(found, y0, window)
    partial = part_note(scope, counted)
    notes = [n for n in (partial, _gap_note(rows)) if n]
    verdict = compare(rows, y0, partial=partial)
    return MeasureResult(measure.pk, ind.slug, ind.name, measure.window, label, rows, verdict,
                         notes)  # fmt: skip


def _gap_note(rows: list[YearCount]) -> str | None:
    missing = [str(r.year) for r in rows if r.count is None]
    if not missing or len(missing) == len(rows):
        return None
    return "No data held for " + ", ".join(missing) + "; those years are left blank, not zero."


def value_case(case: ValueCase) -> ValueCaseResult:
    """A value case worked through, the arithmetic shown."""
    cost = case.unit_cost
    result = avoided_cost(baseline_per_period=case.baseline_per_period, unit_cost=cost.amount,
                          observed_per_period=case.observed_per_period, periods=case.periods,
                          unit=cost.unit, period=case.period)  # fmt: skip
    return ValueCaseResult(case.pk, cost.name, cost.source, case.basis, result)


def evaluate(initiative: Initiative) -> Evaluation:
    """The initiative's evaluation: every measure year by year with its verdict, and its
    value cases."""
    measures = list(initiative.evaluation_measures.all())
    cases = [value_case(c) for c in initiative.value_cases.select_related("unit_cost")]
    try:
        scope: PlaceScope | None = scope_for(initiative.place)
    except ScopeError:
        scope = None
    indicators = {i.slug: i for i in indicator_set()} if measures else {}
    held_cache: dict[str, tuple[list[str], set[datetime.date]]] = {}
    results = [evaluate_measure(m, initiative, scope, indicators, held_cache) for m in measures]
    sources: list[SourceNote] = []
    if scope is not None and measures:
        period = custom(month_start(initiative.starts_on), month_start(initiative.ends_on))
        sources = sources_for(scope, period)
    note = None
    if not measures:
        note = (
            f"{initiative.name} has no evaluation measures yet: add an indicator and a window "
            "to compare year by year."
        )
    return Evaluation(initiative, initiative.place.name, results, cases, sources, note)


# Plain JSON -------------------------------------------------------------------------------


def _money(value: Decimal | None) -> str | None:
    return None if value is None else str(value.quantize(Decimal("0.01")))


def _test_dict(t: ChangeTest | None) -> dict[str, Any] | None:
    if t is None:
        return None
    return {"against": t.against, "baseline": t.baseline,
            "mean": None if t.mean is None else str(t.mean), "verdict": t.verdict,
            "p_value": None if t.p_value is None else round(t.p_value, 6), "z": round(t.z, 4),
            "change_pct": None if t.change_pct is None else str(t.change_pct)}  # fmt: skip


def _measure_dict(m: MeasureResult) -> dict[str, Any]:
    c = m.comparison
    return {
        "indicator": m.indicator_key,
        "indicator_name": m.indicator_name,
        "window": m.window,
        "window_label": m.window_label,
        "years": [
            {
                "year": y.year,
                "start": y.start,
                "end": y.end,
                "count": y.count,
                "complete": y.complete,
                "reason": y.reason,
            }
            for y in m.years
        ],
        "comparison": {
            "year": c.year,
            "current": c.current,
            "verdict": c.verdict,
            "reason": c.reason,
            "against_previous": _test_dict(c.against_previous),
            "against_mean": _test_dict(c.against_mean),
        },
        "notes": m.notes,
    }


def _case_dict(v: ValueCaseResult) -> dict[str, Any]:
    r = v.result
    return {
        "name": v.name,
        "unit": r.unit,
        "unit_cost": _money(r.unit_cost),
        "period": r.period,
        "periods": r.periods,
        "baseline_per_period": str(r.baseline_per_period),
        "observed_per_period": None
        if r.observed_per_period is None
        else str(r.observed_per_period),
        "baseline_cost_per_period": _money(r.baseline_cost_per_period),
        "avoided_per_period": _money(r.avoided_per_period),
        "avoided_total": _money(r.avoided_total),
        "steps": list(r.steps),
        "headline": r.headline,
        "unit_cost_source": v.unit_cost_source,
        "basis": v.basis,
    }


def evaluation_dict(e: Evaluation) -> dict[str, Any]:
    """The evaluation as plain JSON (money as decimal strings, no count ever a stand-in 0)."""
    i = e.initiative
    return {
        "initiative": {"name": i.name, "slug": i.slug, "kind": i.kind},
        "place": e.place,
        "period": {"starts_on": i.starts_on.isoformat(), "ends_on": i.ends_on.isoformat()},
        "note": e.note,
        "test": e.test,
        "measures": [_measure_dict(m) for m in e.measures],
        "value_cases": [_case_dict(v) for v in e.value_cases],
        "sources": [s.sentence for s in e.sources],
    }


__all__ = [
    "CANNOT_SAY",
    "MONTH_ONLY",
    "NO_DATA",
    "PARTIAL",
    "TOO_FEW_INCIDENTS",
    "ChangeTest",
    "Comparison",
    "Evaluation",
    "MeasureResult",
    "ValueCaseResult",
    "YearCount",
    "compare",
    "evaluate",
    "evaluation_dict",
    "initiative_window",
    "initiative_year",
    "value_case",
]
