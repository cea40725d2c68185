"""The board pack's "Where and when" section: hot spots, a window of the year, and the
partnership beside its most similar partnerships, each gathered from the evidence layer.

:func:`where_when_for` queries the evidence functions once and keeps plain values (a
:class:`WhereWhen` of three :class:`Part`); the document builders only read them. A part
the evidence cannot give (a refusal, too little data, a place that is no partnership)
becomes a sentence saying why, never a failed pack. A figure that is not held is None
("No data" in words), never 0. Every part carries its source line.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from saferplaces.evidence import families
from saferplaces.evidence.figures import indicator_set
from saferplaces.evidence.hotspots import HotspotReport, place_hotspots
from saferplaces.evidence.scope import PlaceScope
from saferplaces.evidence.seasons import SeasonsAnswer, seasons
from saferplaces.insight.periods import Period, add_months
from saferplaces.insight.windows import WindowError

SECTION_TITLE = "Where and when"
NO_DATA = "No data"
DAY_WINDOW = "bonfire-period"
MONTH_WINDOW = "october-november"
HOTSPOT_YEARS = 3
WINDOW_MONTH = 10
"""The windows begin in October (the bonfire period on 29 October)."""

TEXT, INT, RATE, DIST = "text", "int", "rate", "dist"
"""Column kinds: how a value is shown in words and formatted in a workbook."""

PART_FAILURES: tuple[type[Exception], ...] = (ValueError, LookupError, ImproperlyConfigured)
"""What a part may raise and still leave the pack whole: FamilyError, HotspotError,
DensityError and WindowError are ValueErrors; an unknown name is a LookupError; a
setting that cannot be read is ImproperlyConfigured."""


def shown(value: Any, kind: str) -> str:
    """A value in words: None is "No data", never 0."""
    if value is None:
        return NO_DATA
    if isinstance(value, str):
        return value
    if kind == INT:
        return f"{value:,}"
    if kind == RATE:
        return f"{value:,.2f}"
    if kind == DIST:
        return f"{value:.3f}"
    return str(value)


@dataclass(frozen=True)
class Part:
    """One part of the section: a table (values, None for no data), the sentences that
    read it, the notes (method, limits) and the source line. ``failure`` says why the
    part could not be given (then there is no table)."""

    key: str
    title: str
    header: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    widths: tuple[float, ...] = ()
    rows: list[list[Any]] = field(default_factory=list)
    lead: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    source: str = ""
    failure: str | None = None

    def text_rows(self) -> list[list[str]]:
        """The table in words."""
        return [[shown(v, k) for v, k in zip(row, self.kinds, strict=True)] for row in self.rows]

    @property
    def sentences(self) -> list[str]:
        """What the part says, in order: the failure or the lead, then the notes, then
        the source line."""
        body = [self.failure] if self.failure else list(self.lead)
        return [*body, *self.notes, *([self.source] if self.source else [])]


@dataclass(frozen=True)
class WhereWhen:
    """The section for one place and period: hot spots, when, compared with whom."""

    place: str
    period: str
    indicator: str
    parts: list[Part]

    @property
    def title(self) -> str:
        return SECTION_TITLE

    def part(self, key: str) -> Part:
        for p in self.parts:
            if p.key == key:
                return p
        raise KeyError(key)


# ---------------------------------------------------------------- gathering


def where_when_for(scope: PlaceScope, period: Period) -> WhereWhen:
    """The section for ``scope`` in ``period``, on the headline indicator (the first of
    the indicator set, as the hot spot and family pages default to)."""
    indicator = indicator_set()[0]
    parts = [
        _guarded("hotspots", "Hot spots", lambda: hotspot_part(scope, period, indicator)),
        _guarded("when", "When", lambda: when_part(scope, period)),
        _guarded("family", "Compared with whom", lambda: family_part(scope, period, indicator)),
    ]
    return WhereWhen(scope.name, period.label, indicator.name, parts)


def _guarded(key: str, title: str, make: Callable[[], Part]) -> Part:
    try:
        return make()
    except PART_FAILURES as exc:
        reason = str(exc).rstrip(".") or type(exc).__name__
        return Part(key, title, failure=f"{title} cannot be given here: {reason}.")


def hotspot_part(scope: PlaceScope, period: Period, indicator: Any) -> Part:
    """The significant hot spots of the latest year (name, rate, confidence, pattern over
    three years), the cold spots counted, what was left out and why."""
    report = place_hotspots(scope.place, period, indicator, years=HOTSPOT_YEARS)
    return _hotspot_part(report)


def _hotspot_part(report: HotspotReport) -> Part:
    rows = report.rows()
    hot = sorted(
        (r for r in rows if r["spot"].startswith("hot")),
        key=lambda r: (-(r["confidence"] or 0), -(r["rate_per_1000"] or 0), r["name"]),
    )
    table = [
        [r["name"], r["rate_per_1000"], r["confidence"],
         r["pattern_label"] or "no pattern (one year only)"]
        for r in hot
    ]  # fmt: skip
    cold = sum(1 for r in rows if r["spot"].startswith("cold"))
    left = Counter(r["excluded_reason"] or "not tested" for r in rows if r["spot"] == "excluded")
    tested = len(rows) - sum(left.values())
    summary = report.summary()
    label, name = report.latest.label, report.indicator.name
    lead = []
    refusal = (report.latest.refusal or "not computed").rstrip(".")
    if report.latest.result is None:
        lead.append(f"No hot spots for {label}: {refusal[:1].lower() + refusal[1:]}.")
    else:
        lead.append(
            f"{len(hot)} hot spot{'s' if len(hot) != 1 else ''} and {cold} cold "
            f"spot{'s' if cold != 1 else ''} at 90% confidence or more among {tested} LSOAs "
            f"tested ({name} per 1,000 residents, {label}, {report.place})."
        )
    if left:
        lead.append(
            f"{sum(left.values())} LSOAs left out: "
            + "; ".join(f"{n} {reason}" for reason, n in sorted(left.items()))
            + "."
        )
    notes = (
        [
            f"Method: {summary['method']}; patterns over {len(report.years)} years.",
            f"Limitation: {report.limitations[0]}",
        ]
        if report.latest.result is not None
        else []
    )
    notes += [n for n in report.notes if not n.startswith(f"{label}: ")]
    source = (
        "Source: "
        + (" ".join(s.sentence for s in report.sources) if report.sources else "none held.")
        + " Residents from ONS LSOA mid-year population estimates."
    )
    return Part(
        "hotspots",
        "Hot spots",
        ("LSOA", "Rate per 1,000 residents", "Confidence (%)", "Pattern"),
        (TEXT, RATE, INT, TEXT),
        (0.38, 0.17, 0.15, 0.3),
        table,
        lead,
        notes,
        source,
    )


def when_part(scope: PlaceScope, period: Period) -> Part:
    """The bonfire period year by year, the pack's year judged, when the data is dated by
    day; else why a day window cannot be answered, and the October to November months."""
    year = window_year(period)
    refusal = None
    try:
        answer, moved = _seasons(scope, DAY_WINDOW, year)
    except WindowError as exc:
        refusal = f"The bonfire period (29 October to 12 November) cannot be answered: {exc}."
        answer, moved = _seasons(scope, MONTH_WINDOW, year)
    part = _when_part(answer, refusal)
    return replace(part, notes=[*part.notes, moved]) if moved else part


def window_year(period: Period) -> int | None:
    """The year whose October the period holds (the autumn window the pack is about);
    None when the period holds no October."""
    for k in range(period.length):
        month = add_months(period.start, k)
        if month.month == WINDOW_MONTH:
            return month.year
    return None


def _seasons(scope: PlaceScope, window: str, year: int | None) -> tuple[SeasonsAnswer, str]:
    """The window with ``year`` judged; when that year is not counted, the latest year
    judged and a sentence saying so."""
    try:
        return seasons(scope, window, year=year), ""
    except WindowError:
        if year is None:
            raise
        answer = seasons(scope, window)  # raises the refusal that is not about the year
        return answer, (
            f"{year} is not among the years counted, so the latest year held "
            f"({answer.comparison.year}) is judged instead."
        )


def _when_part(answer: SeasonsAnswer, refusal: str | None) -> Part:
    c = answer.comparison
    lead = [refusal] if refusal else []
    if c.verdict is not None:
        base = ", ".join(map(str, c.baseline_years))
        lead.append(
            f"{answer.window} {c.year}: {shown(c.count, INT)} incidents against an average "
            f"of {c.baseline_mean:,.1f} in {base}: {c.verdict}."
        )
    unit = "months" if answer.count.resolution == "month" else "days"
    rows = [[y.year, f"{y.start:%-d %b %Y} to {y.end:%-d %b %Y}", y.count,
             "complete" if y.complete else (y.reason or "incomplete")]
            for y in answer.count.years]  # fmt: skip
    return Part(
        "when",
        f"When: {answer.window}",
        ("Year", f"Window ({unit})", "Incidents", "Held"),
        (TEXT, TEXT, INT, TEXT),
        (0.12, 0.34, 0.16, 0.38),
        rows,
        lead,
        list(answer.notes),
        answer.source_line,
    )


def family_part(scope: PlaceScope, period: Period, indicator: Any) -> Part:
    """The partnership beside its most similar partnerships: distance, rate, band; the
    rank with its interval; and, when few partnerships hold data, why there are no
    bands."""
    fam = families.place_family(scope, period, indicator)
    lead = []
    rate = fam.family_rate_per_1000
    lead.append(
        f"{fam.csp_name} beside its {len(fam.members) - 1} most similar partnerships, "
        f"{indicator.name} per 1,000 residents, {fam.period}: family rate "
        + (f"{rate:,.2f} per 1,000." if rate is not None else "no data.")
    )
    if fam.rank is not None:
        r = fam.rank
        lead.append(
            f"Rank {r.rank} of {r.of} in the family by rate (1 is the highest; 95% "
            f"interval {r.low} to {r.high})."
        )
    notes = list(fam.notes)
    if fam.with_data < families.MINIMUM_FOR_FUNNEL:
        notes = [n for n in notes if not n.startswith("Only ")]
        lead.append(
            f"No bands or funnel verdicts: the reference rate would rest on {fam.with_data} "
            f"partnership{'s' if fam.with_data != 1 else ''} (at least "
            f"{families.MINIMUM_FOR_FUNNEL} are needed)."
        )
    rows = [[m.name + (" (this partnership)" if m.code == fam.csp_code else ""),
             "itself" if m.code == fam.csp_code else m.distance,
             m.rate_per_1000, families.band_text(m)] for m in fam.members]  # fmt: skip
    return Part(
        "family",
        "Compared with whom",
        ("Partnership", "Distance (0 is identical)", "Rate per 1,000 residents", "Band"),
        (TEXT, DIST, RATE, TEXT),
        (0.4, 0.18, 0.18, 0.24),
        rows,
        lead,
        notes,
        families.SOURCE,
    )
