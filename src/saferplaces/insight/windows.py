"""Named windows of the year, counted night by night from day-level incidents.

The catalogue (:data:`NAMED`):

* ``halloween`` 31 October; ``mischief-night`` 4 November; ``bonfire-night`` 5 November;
* ``bonfire-period`` 29 October to 12 November (the "Guy Fawkes" days of the London Fire
  Brigade's festival-days file and of Lancashire's Bright Sparx campaign);
* ``christmas`` 24 to 26 December (Christmas Eve, Christmas Day, Boxing Day);
  ``christmas-period`` 18 December to 2 January (the days the London Fire Brigade's
  festival-days file flags "Christmas");
* ``diwali`` the five days of the festival (Dhanteras to Bhai Dooj, the main night of
  Lakshmi Puja in the middle) from :data:`DIWALI_DAYS`, a table per year;
* ``freshers-week`` from a setting per place (:func:`saferplaces.insight.seasons.freshers_week`);
* ``october-november`` whole months (the only kind of window month-level data answers);
* any window a user writes: ``10-29..11-12`` (days, inclusive, may run over New Year),
  ``11-05`` (one day) or ``10..11`` (whole months).

Counting (:func:`count_window`): one dataset at a time. Two exports of one service can
hold the same incident (the London Fire Brigade's dwelling-fires file and its
festival-days file both hold a dwelling fire on 5 November), so datasets are never added
together. A day is *held* by a dataset when the dataset has at least one incident that
day anywhere (in any district): the festival-days file holds only its festival days, and
a window outside them is not counted from it as zero. A year whose window has a day not
held is *incomplete*: its count covers the held days only and says so, and it is never
compared.

This year against the years before (:func:`compare_years`): see its docstring.
"""

# ruff: noqa: S608 - SQL is assembled from internal column names and placeholders

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, TypeAlias

from scipy.stats import binomtest, chi2
from scipy.stats import t as student_t

from saferplaces.insight.compare import held_months
from saferplaces.insight.indicators import Indicator
from saferplaces.insight.periods import add_months
from saferplaces.insight.query import StoreLike, backend_of, store_fingerprint
from saferplaces.insight.seasons import (
    BONFIRE_MONTHS,
    BONFIRE_PERIOD,
    HALLOWEEN,
    MISCHIEF_NIGHT,
    DayWindow,
    MonthWindow,
    freshers_week,
    window_counts,
)
from saferplaces.insight.stats import (
    ALPHA,
    INCREASE,
    MINIMUM_TOTAL,
    NORMAL,
    REDUCTION,
    TOO_FEW,
)


class WindowError(ValueError):
    """A window could not be read or has no dates for a year; the message says why."""


BONFIRE_NIGHT = DayWindow("Bonfire Night", (11, 5), (11, 5))
CHRISTMAS = DayWindow("Christmas", (12, 24), (12, 26))
CHRISTMAS_PERIOD = DayWindow("Christmas period", (12, 18), (1, 2))

DIWALI_SOURCE = (
    "London Fire Brigade fire incidents on festival days 2009-2024 (Mazedaa/"
    "Fire-Incidents-MajorEvents-Project, from the LFB Incident Records, OGL): its Diwali "
    "flag marks these five days each year; the middle day is Diwali (Lakshmi Puja) as "
    "published in Hindu calendars (2024: 1 November; some UK calendars give 31 October)"
)
DIWALI_DAYS: dict[int, date] = {
    2009: date(2009, 10, 15),
    2010: date(2010, 11, 3),
    2011: date(2011, 10, 24),
    2012: date(2012, 11, 11),
    2013: date(2013, 11, 1),
    2014: date(2014, 10, 21),
    2015: date(2015, 11, 9),
    2016: date(2016, 10, 28),
    2017: date(2017, 10, 17),
    2018: date(2018, 11, 5),
    2019: date(2019, 10, 25),
    2020: date(2020, 11, 12),
    2021: date(2021, 11, 2),
    2022: date(2022, 10, 22),
    2023: date(2023, 11, 10),
    2024: date(2024, 10, 30),
}
"""First day (Dhanteras) of the five days of Diwali, per year. Only the years the source
(:data:`DIWALI_SOURCE`) gives are held; a later year needs its date added here (or in
the ``extra`` of :func:`diwali`) before it is counted."""
DIWALI_LENGTH = 5


@dataclass(frozen=True)
class DatedWindow:
    """A window whose days move from year to year (Diwali): a table of first and last
    days per year, with where the dates come from."""

    name: str
    spans: Mapping[int, tuple[date, date]]
    source: str

    def bounds(self, year: int) -> tuple[date, date]:
        """First and last day in ``year``; :class:`WindowError` when the table has none."""
        if year not in self.spans:
            held = sorted(self.spans)
            raise WindowError(
                f"no {self.name} dates held for {year} (the table holds "
                f"{held[0]}-{held[-1]}: {self.source})"
                if held
                else f"no {self.name} dates held"
            )
        return self.spans[year]


def diwali(extra: Mapping[int, date] | None = None) -> DatedWindow:
    """Diwali from :data:`DIWALI_DAYS` and ``extra`` (year → first of the five days)."""
    firsts = {**DIWALI_DAYS, **(extra or {})}
    spans = {y: (d, d + timedelta(days=DIWALI_LENGTH - 1)) for y, d in firsts.items()}
    return DatedWindow("Diwali", spans, DIWALI_SOURCE)


Window: TypeAlias = DayWindow | DatedWindow | MonthWindow

NAMED: dict[str, Window] = {
    "halloween": HALLOWEEN,
    "mischief-night": MISCHIEF_NIGHT,
    "bonfire-night": BONFIRE_NIGHT,
    "bonfire-period": BONFIRE_PERIOD,
    "diwali": diwali(),
    "christmas": CHRISTMAS,
    "christmas-period": CHRISTMAS_PERIOD,
    "october-november": BONFIRE_MONTHS,
}
"""The named windows every place has (``freshers-week`` is per place: a setting)."""
FRESHERS = "freshers-week"

_DAY = r"(\d{1,2})-(\d{1,2})"


def _month_day(month: int, day: int, text: str) -> tuple[int, int]:
    if (month, day) == (2, 29):
        raise WindowError(f"{text!r}: 29 February is not in every year; use 02-28 or 03-01")
    try:
        date(2001, month, day)
    except ValueError:
        raise WindowError(f"{text!r}: {month:02d}-{day:02d} is not a day of the year") from None
    return month, day


def parse_window(text: str, name: str | None = None) -> DayWindow | MonthWindow:
    """A window a user writes: ``10-29..11-12`` (days, inclusive), ``11-05`` (one day)
    or ``10..11`` (whole months); a range ending before it starts runs over New Year."""
    raw = text.strip()
    if m := re.fullmatch(rf"{_DAY}(?:\.\.{_DAY})?", raw):
        start = _month_day(int(m.group(1)), int(m.group(2)), text)
        end = _month_day(int(m.group(3)), int(m.group(4)), text) if m.group(3) else start
        return DayWindow(name or raw, start, end)
    if m := re.fullmatch(r"(\d{1,2})\.\.(\d{1,2})", raw):
        first, last = int(m.group(1)), int(m.group(2))
        if not (1 <= first <= 12 and 1 <= last <= 12):
            raise WindowError(f"{text!r}: months are 01 to 12")
        return MonthWindow(name or raw, first, last)
    raise WindowError(
        f"{text!r} is not a window: write MM-DD..MM-DD (days, e.g. 10-29..11-12), MM-DD "
        f"(one day) or MM..MM (whole months), or a name: {', '.join([*NAMED, FRESHERS])}"
    )


def parse_freshers(text: str) -> DayWindow:
    """Freshers' week from ``MM-DD:DAYS`` (``09-15:7``: seven days from 15 September)."""
    m = re.fullmatch(rf"\s*{_DAY}\s*:\s*(\d{{1,2}})\s*", text)
    if not m or not 1 <= int(m.group(3)) <= 31:
        raise WindowError(f"{text!r}: write the first day and the length, e.g. 09-15:7")
    start = _month_day(int(m.group(1)), int(m.group(2)), text)
    return freshers_week(start, int(m.group(3)))


def window_days(window: DayWindow | DatedWindow, year: int) -> list[date]:
    """Every day of ``window`` in ``year`` (the year it starts in)."""
    first, last = window.bounds(year)
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


# ------------------------------------------------------------------ the store


@dataclass(frozen=True)
class Dataset:
    """One (source, dataset) of the store, as a window sees it."""

    source: str
    dataset: str
    day_level: bool
    first: date | None
    """First and last day with a dated incident (None for month-level data)."""
    last: date | None
    categories: frozenset[str]
    districts: frozenset[str] = frozenset()

    @property
    def key(self) -> str:
        return f"{self.source}/{self.dataset}"


_DATASETS: dict[str, list[Dataset]] = {}


def datasets(store_or_con: StoreLike, districts: Sequence[str] | None = None) -> list[Dataset]:
    """The datasets with any incident in ``districts`` (all districts when None), each
    with whether it records the day, its first and last dated day and its categories."""
    key = store_fingerprint(store_or_con)
    found = _DATASETS.get(key) if key else None
    if found is None:
        con = backend_of(store_or_con).con
        rows = con.execute(
            "SELECT source, dataset, min(occurred_at)::DATE, max(occurred_at)::DATE "
            "FROM incidents_raw GROUP BY ALL"
        ).fetchall()
        cats = con.execute(
            "SELECT source, dataset, district, list(DISTINCT category) FROM rollup_district "
            "GROUP BY ALL"
        ).fetchall()
        by: dict[tuple[str, str], dict[str | None, set[str]]] = {}
        for s, d, district, c in cats:
            by.setdefault((s, d), {})[district] = set(c)
        found = []
        for s, d, first, last in sorted(rows):
            per = by.get((s, d), {})
            found.append(
                Dataset(s, d, first is not None, first, last,
                        frozenset(c for v in per.values() for c in v),
                        frozenset(k for k in per if k))
            )  # fmt: skip
        if key:
            if len(_DATASETS) > 32:
                _DATASETS.clear()
            _DATASETS[key] = found
    if districts is None:
        return list(found)
    return [d for d in found if d.districts & set(districts)]


MOTIVE_CATEGORIES = frozenset(
    {"deliberate-primary-fire", "deliberate-secondary-fire", "accidental-dwelling-fire"}
)
DELIBERATE = ("deliberate-primary-fire", "deliberate-secondary-fire")
"""The categories of "deliberate" (the ASB-fire indicator of the founding document)."""
FIRE_CATEGORIES = frozenset(
    {*MOTIVE_CATEGORIES, "dwelling-fire", "outdoor-fire", "vehicle-fire", "other-fire"}
)


def motive_recorded(d: Dataset) -> bool | None:
    """Whether a fire dataset records motive (deliberate or accidental); None when the
    dataset holds no fires."""
    if not d.categories & FIRE_CATEGORIES:
        return None
    return bool(d.categories & MOTIVE_CATEGORIES)


MOTIVE_NOT_RECORDED = (
    "{name} does not record motive (deliberate or accidental), so deliberate fires (the "
    "ASB-fire indicator) cannot be counted from it: its fires are counted whatever the cause."
)


@dataclass
class Night:
    """One day of a window: its count, or None when the dataset does not hold the day."""

    day: date
    count: int | None

    def as_dict(self) -> dict[str, Any]:
        return {"date": self.day.isoformat(), "count": self.count}


@dataclass
class WindowYear:
    """One window in one year."""

    window: str
    year: int
    start: date
    end: date
    count: int | None
    """Incidents on the days counted (None: no day of the window is held)."""
    days: int
    """Days counted (held by the dataset)."""
    days_in_window: int
    nights: list[Night] = field(default_factory=list)
    reason: str | None = None

    @property
    def complete(self) -> bool:
        return self.count is not None and self.days == self.days_in_window

    @property
    def average_night(self) -> float | None:
        if self.count is None or not self.days:
            return None
        return round(self.count / self.days, 2)

    def as_dict(self, *, nights: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {
            "year": self.year,
            "window": self.window,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "count": self.count,
            "days": self.days,
            "days_in_window": self.days_in_window,
            "complete": self.complete,
            "average_night": self.average_night,
            "reason": self.reason,
        }
        if nights:
            out["nights"] = [n.as_dict() for n in self.nights]
        return out


@dataclass
class WindowCount:
    """A window over every year a dataset holds, with what was counted and left out."""

    window: str
    dataset: Dataset | None
    years: list[WindowYear]
    notes: list[str]
    districts: list[str] = field(default_factory=list)
    """The place's districts the dataset holds incidents for (the ones counted)."""
    resolution: str = "day"


def _incomplete_reason(y: WindowYear) -> str | None:
    if y.count is None:
        return "no day of the window is held"
    if y.days < y.days_in_window:
        gone = [n.day for n in y.nights if n.count is None]
        return (
            f"{y.days} of {y.days_in_window} days held (not held: "
            + ", ".join(d.strftime("%d %b").lstrip("0") for d in gone[:5])
            + (" …" if len(gone) > 5 else "")
            + ")"
        )
    return None


def window_years(window: DayWindow | DatedWindow, first: date, last: date) -> list[int]:
    """Years whose window meets the span ``first``..``last`` (of a dated window, those
    its table holds)."""
    out = []
    for y in range(first.year - 1, last.year + 1):
        try:
            a, b = window.bounds(y)
        except WindowError:
            continue
        if a <= last and b >= first:
            out.append(y)
    return out


def count_window(
    store_or_con: StoreLike,
    window: DayWindow | DatedWindow,
    *,
    districts: Sequence[str],
    categories: Sequence[str] | None = None,
    dataset: str | None = None,
    years: Sequence[int] | None = None,
) -> WindowCount:
    """Count ``window`` night by night in ``districts``, over every year the chosen
    dataset holds (or ``years``), for ``categories`` (all when None).

    ``dataset`` ("source/dataset") picks the dataset; without it the day-level dataset of
    the place that holds the most days of the window (then the most incidents in it) is
    counted, and the others are named in the notes, never added in.
    """
    held = datasets(store_or_con, districts)
    notes: list[str] = []
    month_level = [d for d in held if not d.day_level]
    candidates = [d for d in held if d.day_level]
    if dataset is not None:
        chosen = [d for d in held if d.key == dataset]
        if not chosen:
            names = ", ".join(d.key for d in held) or "none"
            raise WindowError(f"no dataset {dataset!r} for this place (held: {names})")
        if not chosen[0].day_level:
            raise WindowError(_month_level_refusal(chosen, window))
        candidates = chosen
    if not candidates:
        if month_level:
            raise WindowError(_month_level_refusal(month_level, window))
        raise WindowError("no incidents held for this place")
    if categories is not None:
        with_cat = [d for d in candidates if d.categories & set(categories)]
        if not with_cat:
            raise WindowError(
                "none of the place's day-level datasets ("
                + ", ".join(d.key for d in candidates)
                + ") holds "
                + ", ".join(categories)
            )
        candidates = with_cat
    spans: dict[tuple[str, int], list[date]] = {}
    for d in candidates:
        assert d.first is not None and d.last is not None
        for y in years if years is not None else window_years(window, d.first, d.last):
            spans[(d.key, y)] = window_days(window, y)
    all_days = sorted({x for v in spans.values() for x in v})
    per_day = _day_counts(store_or_con, all_days, districts, categories,
                          [d.key for d in candidates])  # fmt: skip

    def score(d: Dataset) -> tuple[int, int]:
        got = [per_day.get((d.key, x)) for (k, _), v in spans.items() if k == d.key for x in v]
        return sum(g is not None for g in got), sum(g[1] for g in got if g is not None)

    best = max(candidates, key=lambda d: (*score(d), d.key))
    others = [d.key for d in held if d.day_level and d.key != best.key]
    if others and dataset is None:
        notes.append(
            f"Counted from {best.key} (the place's day-level data holding most days of the "
            f"window); {', '.join(others)} not added in: two exports can hold the same "
            "incident."
        )
    if month_level:
        notes.append(
            "Not counted: " + ", ".join(d.key for d in month_level) + " (month-level data "
            "records only the month of each incident, so it answers month windows only)."
        )
    if motive_recorded(best) is False:
        notes.append(MOTIVE_NOT_RECORDED.format(name=best.key))
    if isinstance(window, DatedWindow) and years is None:
        missing = _years_without_dates(window, best)
        if missing:
            notes.append(
                f"No {window.name} dates held for {', '.join(map(str, missing))}, which the "
                f"data reaches: not counted (the table holds {min(window.spans)}-"
                f"{max(window.spans)}; add a year's dates to count it)."
            )
    counted = sorted(best.districts & set(districts))
    if len(counted) < len(set(districts)):
        notes.append(
            f"Counts {len(counted)} of the place's {len(set(districts))} districts ("
            + ", ".join(counted)
            + f"): {best.key} holds no incidents for the others, so this is that part, "
            "not the whole place."
        )
    out = []
    for (k, y), days in sorted(spans.items()):
        if k != best.key:
            continue
        nights = [Night(x, None if (g := per_day.get((k, x))) is None else g[1]) for x in days]
        seen = [n.count for n in nights if n.count is not None]
        row = WindowYear(window.name, y, days[0], days[-1], sum(seen) if seen else None,
                         len(seen), len(days), nights)  # fmt: skip
        row.reason = _incomplete_reason(row)
        out.append(row)
    return WindowCount(window.name, best, out, notes, counted)


def count_month_window(
    store_or_con: StoreLike,
    window: MonthWindow,
    *,
    districts: Sequence[str],
    categories: Sequence[str] | None = None,
    dataset: str | None = None,
    years: Sequence[int] | None = None,
) -> WindowCount:
    """Count a whole-month window, which month-level data answers too.

    Each dataset is counted on its own: day-level data day by day (:func:`count_window`
    over the months' days, so a file that holds only some days of those months is
    incomplete, not low), month-level data with
    :func:`saferplaces.insight.seasons.window_counts` (a month the place does not hold
    leaves the year without a count). The dataset with the most complete years (then
    the most incidents) is shown unless ``dataset`` is given; the others are named.
    """
    held = datasets(store_or_con, districts)
    if dataset is not None:
        held = [d for d in held if d.key == dataset]
        if not held:
            raise WindowError(f"no dataset {dataset!r} for this place")
    if categories is not None:
        held = [d for d in held if d.categories & set(categories)]
    if not held:
        raise WindowError("no incidents held for this place" + (
            " in " + ", ".join(categories) if categories is not None else ""))  # fmt: skip
    results: list[WindowCount] = []
    for d in held:
        if d.day_level:
            results.append(_month_window_by_day(store_or_con, window, d, districts=districts,
                                                categories=categories, years=years))  # fmt: skip
        else:
            found = _month_window_by_month(store_or_con, window, d, districts=districts,
                                           categories=categories, years=years)  # fmt: skip
            if found is not None:
                results.append(found)
    if not results:
        raise WindowError("no months held for this place")

    def rank(r: WindowCount) -> tuple[int, int, str]:
        key = r.dataset.key if r.dataset else ""
        return sum(y.complete for y in r.years), sum(int(y.count or 0) for y in r.years), key

    best = max(results, key=rank)
    others = [r.dataset.key for r in results if r is not best and r.dataset]
    notes = [n for n in best.notes if not n.startswith(("Counted from", "Not counted:"))]
    if others:
        notes.insert(
            0,
            f"Counted from {best.dataset.key if best.dataset else ''}; {', '.join(others)} "
            "not added in: two datasets can hold the same incident.",
        )
    if best.resolution == "month":
        notes.append(
            f"{best.dataset.key if best.dataset else 'This data'} records only the month of "
            "each incident: the window counts whole months and says nothing about nights."
        )
    return WindowCount(window.name, best.dataset, best.years, notes, best.districts,
                       best.resolution)  # fmt: skip


def _month_spans(window: MonthWindow, first: date, last: date) -> dict[int, tuple[date, date]]:
    out = {}
    for y in range(first.year - 1, last.year + 1):
        a, b = window.bounds(y)
        end = add_months(b, 1) - timedelta(days=1)
        if a <= last and end >= first:
            out[y] = (a, end)
    return out


def _month_window_by_day(
    store_or_con: StoreLike,
    window: MonthWindow,
    d: Dataset,
    *,
    districts: Sequence[str],
    categories: Sequence[str] | None,
    years: Sequence[int] | None,
) -> WindowCount:
    assert d.first is not None and d.last is not None
    spans = _month_spans(window, date(d.first.year - 1, 1, 1), date(d.last.year + 1, 12, 31))
    as_days = DatedWindow(window.name, spans, "whole months")
    wanted = years if years is not None else window_years(as_days, d.first, d.last)
    return count_window(store_or_con, as_days, districts=districts, categories=categories,
                        dataset=d.key, years=wanted)  # fmt: skip


def _month_window_by_month(
    store_or_con: StoreLike,
    window: MonthWindow,
    d: Dataset,
    *,
    districts: Sequence[str],
    categories: Sequence[str] | None,
    years: Sequence[int] | None,
) -> WindowCount | None:
    spec: dict[str, Sequence[str]] = {"sources": [d.source], "datasets": [d.dataset]}
    if categories is not None:
        spec["categories"] = list(categories)
    indicator = Indicator("window", window.name, spec=spec)
    counted, months = held_months(store_or_con, districts=districts, indicator=indicator)
    if not months:
        return None
    spans = _month_spans(window, min(months), add_months(max(months), 1) - timedelta(days=1))
    wanted = sorted(spans) if years is None else list(years)
    rows = window_counts(store_or_con, window, years=wanted, indicator=indicator,
                         districts=counted, held=months)  # fmt: skip
    out = []
    for r in rows:
        a, b = window.bounds(r.year)
        end = add_months(b, 1) - timedelta(days=1)
        n_days = (end - a).days + 1
        out.append(WindowYear(window.name, r.year, a, end, r.count,
                              n_days if r.count is not None else 0, n_days, [],
                              r.reason))  # fmt: skip
    notes = []
    if len(counted) < len(set(districts)):
        notes.append(
            f"Counts {len(counted)} of the place's {len(set(districts))} districts ("
            + ", ".join(counted) + f"): {d.key} holds no data for the others, so this is "
            "that part, not the whole place."
        )  # fmt: skip
    if motive_recorded(d) is False:
        notes.append(MOTIVE_NOT_RECORDED.format(name=d.key))
    return WindowCount(window.name, d, out, notes, counted, "month")


def _years_without_dates(window: DatedWindow, d: Dataset) -> list[int]:
    """Years the dataset reaches, from the earliest day of the year the window has
    ever started on, that the window's table has no dates for."""
    if d.first is None or d.last is None or not window.spans:
        return []
    earliest = min((a.month, a.day) for a, _ in window.spans.values())
    return [y for y in range(d.first.year, d.last.year + 1)
            if y not in window.spans and date(y, *earliest) <= d.last]  # fmt: skip


def _month_level_refusal(month_level: Sequence[Dataset], window: DayWindow | DatedWindow) -> str:
    return (
        f"{window.name} is a day window, and this place's data ("
        + ", ".join(d.key for d in month_level)
        + ") records only the month of each incident (police.uk), so it answers month "
        "windows only, such as october-november or 10..11"
    )


def _list(values: Sequence[str]) -> str:
    """SQL string literals for an IN list (never empty: NULL matches nothing)."""
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values) or "NULL"


DAY_ROLLUP = "seasons_days"
"""A temporary table on the store's connection: dated incidents counted by source,
dataset, district, category and day (made once per connection, which the store renews
when its data changes)."""


def _day_rollup(store_or_con: StoreLike) -> Any:
    """The connection, with :data:`DAY_ROLLUP` made on it if it is not there yet.

    Windows fall in scattered days of many years, and the store's files are ordered for
    month queries, so each window would scan every dated row; counted by day once, a
    window reads a few thousand rows of the rollup instead."""
    con = backend_of(store_or_con).con
    con.execute(
        f"""CREATE TEMP TABLE IF NOT EXISTS {DAY_ROLLUP} AS
        SELECT source || '/' || dataset AS k, CAST(occurred_at AS DATE) AS d, district,
               category, count(*) AS n
        FROM incidents WHERE occurred_at IS NOT NULL GROUP BY ALL ORDER BY d"""
    )
    return con


def _day_counts(
    store_or_con: StoreLike,
    days: Sequence[date],
    districts: Sequence[str],
    categories: Sequence[str] | None,
    keys: Sequence[str],
) -> dict[tuple[str, date], tuple[int, int]]:
    """(source/dataset, day) → (incidents anywhere that day, incidents of the place and
    categories), from the day rollup."""
    if not days:
        return {}
    con = _day_rollup(store_or_con)
    cat_filter = f"AND category IN ({_list(categories)})" if categories is not None else ""
    day_list = ", ".join(f"DATE '{d.isoformat()}'" for d in sorted(set(days)))
    sql = f"""
        SELECT k, d, sum(n) AS n_all,
               coalesce(sum(n) FILTER (WHERE district IN ({_list(districts)}) {cat_filter}), 0)
        FROM {DAY_ROLLUP}
        WHERE d IN ({day_list}) AND k IN ({_list(keys)})
        GROUP BY ALL"""
    return {(k, d): (int(n_all), int(n)) for k, d, n_all, n in con.execute(sql).fetchall()}


# ------------------------------------------------------- this year vs before


@dataclass(frozen=True)
class YearComparison:
    """This year's window against the same window in the years before."""

    year: int
    count: int | None
    baseline_years: list[int]
    baseline_mean: float | None
    verdict: str | None
    significant: bool
    p_value: float | None
    overdispersed: bool | None
    prediction_interval: tuple[float, float] | None
    reason: str | None
    method: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "count": self.count,
            "baseline_years": self.baseline_years,
            "baseline_mean": self.baseline_mean,
            "verdict": self.verdict,
            "significant": self.significant,
            "p_value": self.p_value,
            "overdispersed": self.overdispersed,
            "prediction_interval": list(self.prediction_interval)
            if self.prediction_interval
            else None,
            "reason": self.reason,
            "method": self.method,
        }


COMPARISON_METHOD = (
    "Exact conditional binomial test: if this year and the k complete years before share "
    "one Poisson rate, this year's count given the total is Binomial(total, 1/(k+1)); "
    "two-sided, 95%. When the years before vary more than Poisson allows (index of "
    "dispersion, chi-square, 5%), a change is significant only if this year also falls "
    "outside the 95% prediction interval from those years (Student t, k-1 df). Fewer than "
    f"{MINIMUM_TOTAL} incidents in all, or fewer than 2 complete years before: no verdict."
)
MINIMUM_YEARS = 2


def compare_years(rows: Sequence[WindowYear], year: int | None = None) -> YearComparison:
    """Is ``year`` (the latest by default) significantly different from the complete
    years before it? A year that is incomplete is refused, not compared.

    Method (:data:`COMPARISON_METHOD`): under equal Poisson rates the conditional test
    is exact, like :func:`saferplaces.insight.stats.judge` (which is its k = 1 case).
    Festival nights vary with the weather and the day of the week, more than Poisson
    chance; the dispersion check keeps such years from being called significant on the
    Poisson test alone.
    """
    if not rows:
        raise WindowError("no years to compare")
    by_year = {r.year: r for r in rows}
    year = max(by_year) if year is None else year
    if year not in by_year:
        raise WindowError(f"{year} is not among the years counted ({min(by_year)}-{max(by_year)})")
    this = by_year[year]
    before = [r for r in rows if r.year < year]
    base = [r for r in before if r.complete]
    counts = [int(r.count or 0) for r in base]
    mean = round(sum(counts) / len(counts), 2) if counts else None

    def refuse(reason: str) -> YearComparison:
        return YearComparison(year, this.count, [r.year for r in base], mean, None, False,
                              None, None, None, reason, COMPARISON_METHOD)  # fmt: skip

    if not this.complete:
        return refuse(f"{year} is incomplete ({_incomplete_reason(this)}): not compared")
    if len(base) < MINIMUM_YEARS:
        return refuse(f"fewer than {MINIMUM_YEARS} complete years before {year}")
    current, k = int(this.count or 0), len(base)
    total = current + sum(counts)
    if total < MINIMUM_TOTAL:
        return YearComparison(year, current, [r.year for r in base], mean, TOO_FEW, False,
                              None, None, None, None, COMPARISON_METHOD)  # fmt: skip
    p = float(binomtest(current, total, 1.0 / (k + 1), alternative="two-sided").pvalue)
    m = sum(counts) / k
    var = sum((c - m) ** 2 for c in counts) / (k - 1)
    dispersion = (k - 1) * var / m if m > 0 else 0.0
    over = m > 0 and float(chi2.sf(dispersion, k - 1)) < ALPHA
    half = float(student_t.ppf(1 - ALPHA / 2, k - 1)) * math.sqrt(max(var, m) * (1 + 1 / k))
    interval = (round(max(0.0, m - half), 2), round(m + half, 2))
    outside = not interval[0] <= current <= interval[1]
    significant = p < ALPHA and current * k != sum(counts) and (not over or outside)
    verdict = (INCREASE if current > m else REDUCTION) if significant else NORMAL
    return YearComparison(year, current, [r.year for r in base], mean, verdict, significant,
                          p, over, interval, None, COMPARISON_METHOD)  # fmt: skip


__all__ = [
    "BONFIRE_NIGHT",
    "CHRISTMAS",
    "CHRISTMAS_PERIOD",
    "DELIBERATE",
    "DIWALI_DAYS",
    "DIWALI_SOURCE",
    "FRESHERS",
    "NAMED",
    "Dataset",
    "DatedWindow",
    "Night",
    "Window",
    "WindowCount",
    "WindowError",
    "WindowYear",
    "compare_years",
    "count_month_window",
    "count_window",
    "datasets",
    "diwali",
    "motive_recorded",
    "parse_freshers",
    "parse_window",
    "window_days",
    "window_years",
]
