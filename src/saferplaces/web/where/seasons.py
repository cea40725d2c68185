"""Nights of the year: a window of the year (Bonfire period, Diwali, the partnership's
own) for a place, year by year, the nights of the latest complete year beside the same
nights in the years before, and whether this year differs from the years before.

The figures come from :func:`saferplaces.evidence.seasons.seasons` (cached there until
the store changes); this module only reads the form, lays out the charts and tables and
says in words what the evidence layer refused and why.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from saferplaces.evidence.near_repeat import noun
from saferplaces.evidence.scope import PlaceScope
from saferplaces.evidence.seasons import (
    DELIBERATE_NAME,
    SeasonsAnswer,
    categories_from,
    own_windows,
    resolve_window,
    seasons,
    window_names,
)
from saferplaces.evidence.store import incident_store
from saferplaces.govuk import GovukFormMixin
from saferplaces.insight.schema import CATEGORIES
from saferplaces.insight.seasons import DayWindow, MonthWindow
from saferplaces.insight.stats import MINIMUM_TOTAL
from saferplaces.insight.windows import (
    DELIBERATE,
    FIRE_CATEGORIES,
    FRESHERS,
    NAMED,
    Dataset,
    DatedWindow,
    WindowError,
    WindowYear,
    datasets,
)
from saferplaces.partnership.models import Place
from saferplaces.reports.charts import BLUE, CONFIG, DARK_BLUE, GREY, INK, LIGHT_BLUE, Chart
from saferplaces.web.dashboard.build import Column, Table
from saferplaces.web.where.common import base_context, place_for, scope_of

TEMPLATE = "web/where/seasons.html"
DEFAULT_WINDOW = "bonfire-period"
MONTH_DEFAULT = "october-november"
SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
DATES_EXAMPLE = (
    "Enter your own dates as month-day..month-day, such as 10-29..11-12 (29 October to "
    "12 November), one day such as 11-05, or whole months such as 10..11"
)


# ---------------------------------------------------------------- the form


def _day(md: tuple[int, int]) -> str:
    return date(2001, *md).strftime("%-d %B")


def window_label(name: str, window: DayWindow | DatedWindow | MonthWindow | None) -> str:
    """A window's name and its days as a person reads them."""
    if isinstance(window, MonthWindow):
        first, last = (
            date(2001, m, 1).strftime("%B") for m in (window.start_month, window.end_month)
        )
        return f"{window.name} (whole months, {first} to {last})"
    if isinstance(window, DayWindow):
        if window.start == window.end:
            return f"{window.name} ({_day(window.start)})"
        return f"{window.name} ({_day(window.start)} to {_day(window.end)})"
    if isinstance(window, DatedWindow):
        return f"{window.name} (dates differ each year)"
    return name


def window_choices(place: Place, current: str | None) -> list[tuple[str, str]]:
    """Every named window (the catalogue, Freshers' week, the partnership's own)."""
    choices: list[tuple[str, str]] = []
    own = own_windows()
    for name in window_names():
        if name == FRESHERS:
            try:
                found: Any = resolve_window(name, place)
                label = window_label(name, found)
            except WindowError:
                label = "Freshers' week (not set for this place)"
            choices.append((name, label))
            continue
        window = NAMED.get(name) or own.get(name)
        choices.append((name, window_label(name, window)))
    if current and current not in {v for v, _ in choices}:
        choices.insert(0, (current, current))
    return [*choices, ("", "Your own dates (enter them below)")]


def category_choices(held: list[Dataset], current: str | None) -> list[tuple[str, str]]:
    """All incidents, deliberate fires where fire data is held, then each category held."""
    slugs = sorted(
        {c for d in held for c in d.categories if c in CATEGORIES},
        key=lambda s: CATEGORIES.get(s).label,
    )
    choices = [("", "All incidents")]
    if any(d.categories & FIRE_CATEGORIES for d in held):
        choices.append((DELIBERATE_NAME, "Deliberate fires (primary and secondary)"))
    choices += [(s, CATEGORIES.get(s).label) for s in slugs]
    if current and current not in {v for v, _ in choices}:
        choices.insert(1, (current, current))
    return choices


class WindowForm(GovukFormMixin, forms.Form):
    window = forms.CharField(label="Window of the year", required=False, widget=forms.Select())
    dates = forms.CharField(
        label="Or your own dates (optional)",
        required=False,
        help_text="For example, 10-29..11-12 (29 October to 12 November) or 10..11 (whole "
        "months). Filled in, these dates are counted instead of the window chosen above",
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
    )
    category = forms.CharField(
        label="Category",
        required=False,
        help_text="All incidents when none is chosen",
        widget=forms.Select(),
    )

    def __init__(self, *args: Any, place: Place, held: list[Dataset], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.place = place
        data = self.data if self.is_bound else {}
        self.fields["window"].widget.choices = window_choices(place, data.get("window"))
        self.fields["category"].widget.choices = category_choices(held, data.get("category"))
        self.fields["dates"].widget.attrs["class"] += " govuk-input--width-10"
        self.window_text = DEFAULT_WINDOW
        self.category_text: str | None = None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        own = (data.get("dates") or "").strip()
        chosen = (data.get("window") or "").strip()
        if not own and not chosen:
            self.add_error(
                "dates",
                "Enter your own dates, such as 10-29..11-12, or choose a window from the list",
            )
            return data
        self.window_text = own or chosen
        if self.window_text.casefold() != FRESHERS:  # refused later, with the setting to make
            try:
                resolve_window(self.window_text, self.place)
            except WindowError as e:
                self._window_error("dates" if own else "window", self.window_text, e)
        text = (data.get("category") or "").strip()
        try:
            self.category_text = text if categories_from(text) else None
        except WindowError:
            self.add_error("category", f"Choose a category from the list: {text!r} is not one")
        return data

    def _window_error(self, name: str, text: str, e: WindowError) -> None:
        if name == "window":
            self.add_error(
                name,
                f"Choose a window from the list ({text!r} is not one), or "
                "enter your own dates such as 10-29..11-12",
            )
        elif "is not a window" in str(e):
            self.add_error(name, DATES_EXAMPLE)
        else:
            message = str(e)
            self.add_error(name, message[:1].upper() + message[1:])


# ---------------------------------------------------------------- charts and tables


@dataclass
class Block:
    """A chart with its heading, text alternative and table (as the dashboard's)."""

    dom_id: str
    heading: str
    chart: Chart
    table: Table
    note: str | None = None

    @property
    def spec_id(self) -> str:
        return f"{self.dom_id}-spec"

    @property
    def alt_id(self) -> str:
        return f"{self.dom_id}-alt"


def _spec(
    layers: list[dict[str, Any]],
    rows: list[dict[str, Any]],
    title: str,
    subtitle: str,
    alt_text: str,
    width: int = 600,
) -> Chart:
    spec = {
        "$schema": SCHEMA,
        "title": {"text": title, "subtitle": subtitle},
        "description": alt_text,
        "width": width,
        "height": 240,
        "data": {"values": rows},
        "layer": layers,
        "config": copy.deepcopy(CONFIG),
    }
    return Chart(spec=spec, alt_text=alt_text)


def _year_state(y: WindowYear) -> str:
    if y.count is None:
        return "no data"
    return "complete" if y.complete else "incomplete"


def years_chart(answer: SeasonsAnswer, what: str) -> Chart:
    """Bars of the complete years; an incomplete year or one not held keeps its place on
    the axis with no bar and the word "incomplete" or "no data" (never a bar of 0)."""
    years = answer.count.years
    compared = answer.comparison.year
    rows = [
        {
            "year": str(y.year),
            "count": y.count if y.complete else None,
            "zero": 0,
            "state": _year_state(y),
            "compared": y.year == compared,
        }
        for y in years
    ]
    x = {
        "field": "year",
        "type": "ordinal",
        "title": None,
        "scale": {"domain": [r["year"] for r in rows]},
        "axis": {"labelAngle": 0},
    }
    bars = {
        "transform": [{"filter": "datum.state === 'complete'"}],
        "mark": {"type": "bar"},
        "encoding": {
            "x": x,
            "y": {"field": "count", "type": "quantitative", "title": f"Count ({what})"},
            "color": {"condition": {"test": "datum.compared", "value": DARK_BLUE}, "value": BLUE},
            "tooltip": [
                {"field": "year", "title": "Year"},
                {"field": "count", "title": "Count", "format": ","},
            ],
        },
    }
    labels = {
        "transform": [{"filter": "datum.state === 'complete'"}],
        "mark": {"type": "text", "dy": -6, "color": INK, "fontSize": 10},
        "encoding": {
            "x": x,
            "y": {"field": "count", "type": "quantitative"},
            "text": {"field": "count", "format": ","},
        },
    }
    gaps = {
        "transform": [{"filter": "datum.state !== 'complete'"}],
        "mark": {
            "type": "text",
            "angle": 270,
            "align": "left",
            "baseline": "middle",
            "dx": 4,
            "color": GREY,
            "fontSize": 11,
        },
        "encoding": {
            "x": x,
            "y": {"field": "zero", "type": "quantitative"},
            "text": {"field": "state"},
        },
    }
    return _spec(
        [bars, labels, gaps],
        rows,
        f"{answer.window}, year by year",
        f"{what.capitalize()} in the window; dark blue: {compared}",
        years_alt(answer, what),
    )


def years_alt(answer: SeasonsAnswer, what: str) -> str:
    years = answer.count.years
    done = [y for y in years if y.complete]
    parts = [
        f"{answer.window}, year by year: a bar chart of {what} in the window for each "
        f"year from {years[0].year} to {years[-1].year}."
    ]
    if done:
        hi = max(done, key=lambda y: int(y.count or 0))
        lo = min(done, key=lambda y: int(y.count or 0))
        parts.append(
            f"The highest complete year was {hi.year} ({hi.count:,}), the lowest "
            f"{lo.year} ({lo.count:,})."
        )
    latest = years[-1]
    if latest.complete:
        parts.append(f"{latest.year}: {latest.count:,}.")
    gone = [f"{y.year} ({_year_state(y)})" for y in years if not y.complete]
    if gone:
        parts.append("No bar, not zero: " + ", ".join(gone) + ".")
    return " ".join(parts)


def years_table(answer: SeasonsAnswer, what: str) -> Table:
    """One row per year; month-level data shows its months, and no days or nights."""
    if answer.count.resolution == "month":
        return _months_table(answer, what)
    table = Table(
        "years",
        f"{answer.window}: {what} year by year",
        [
            Column("Year"),
            Column("Dates"),
            Column("Count", True),
            Column("Days counted", True),
            Column("Per night", True),
            Column("Complete"),
        ],
    )
    for y in answer.count.years:
        count = "no data" if y.count is None else f"{y.count:,}"
        per = "–" if y.average_night is None else f"{y.average_night:.2f}"
        done = "Yes" if y.complete else f"Incomplete: {y.reason}"
        dates = f"{y.start:%-d %b %Y} to {y.end:%-d %b %Y}"
        table.add(
            [y.year, dates, y.count, y.days, y.average_night, y.complete],
            [str(y.year), dates, count, f"{y.days} of {y.days_in_window}", per, done],
        )
    return table.seal()


def _months_table(answer: SeasonsAnswer, what: str) -> Table:
    table = Table(
        "years",
        f"{answer.window}: {what} year by year (whole months)",
        [Column("Year"), Column("Months"), Column("Count", True), Column("Complete")],
    )
    for y in answer.count.years:
        count = "no data" if y.count is None else f"{y.count:,}"
        done = "Yes" if y.complete else f"Incomplete: {y.reason}"
        months = f"{y.start:%B %Y} to {y.end:%B %Y}"
        table.add([y.year, months, y.count, y.complete], [str(y.year), months, count, done])
    return table.seal()


@dataclass
class Nights:
    """The nights of the latest complete year beside the same nights in the complete
    years before it (their average, night by night)."""

    year: int
    before: list[int]
    rows: list[tuple[str, int, float | None]] = field(default_factory=list)
    """(night, count this year, average of the years before holding that night)."""

    @property
    def before_label(self) -> str:
        if not self.before:
            return "no complete year before"
        first, last = self.before[0], self.before[-1]
        span = str(first) if first == last else f"{first}–{last}"
        return f"average night {span}"


def nights_of(answer: SeasonsAnswer) -> Nights | None:
    """None when no year is complete or the data is month-level (no nights)."""
    done = [y for y in answer.count.years if y.complete and y.nights]
    if not done:
        return None
    latest, before = done[-1], done[:-1]
    by_night: dict[tuple[int, int], list[int]] = {}
    for y in before:
        for n in y.nights:
            by_night.setdefault((n.day.month, n.day.day), []).append(int(n.count or 0))
    out = Nights(latest.year, [y.year for y in before])
    for n in latest.nights:
        seen = by_night.get((n.day.month, n.day.day))
        mean = round(sum(seen) / len(seen), 2) if seen else None
        out.rows.append((n.day.strftime("%a %-d %b"), int(n.count or 0), mean))
    return out


def nights_chart(nights: Nights, window: str, what: str) -> Chart:
    this, before = str(nights.year), nights.before_label.capitalize()
    rows: list[dict[str, Any]] = []
    for night, count, mean in nights.rows:
        rows.append({"night": night, "series": this, "count": count})
        if mean is not None:
            rows.append({"night": night, "series": before, "count": mean})
    order = [r[0] for r in nights.rows]
    layer = {
        "mark": {"type": "bar"},
        "encoding": {
            "x": {
                "field": "night",
                "type": "nominal",
                "title": None,
                "sort": order,
                "axis": {"labelAngle": -45 if len(order) > 8 else 0},
            },
            "xOffset": {"field": "series", "sort": [this, before]},
            "y": {"field": "count", "type": "quantitative", "title": f"Count ({what})"},
            "color": {
                "field": "series",
                "title": None,
                "sort": [this, before],
                "scale": {"domain": [this, before], "range": [DARK_BLUE, LIGHT_BLUE]},
            },
            "tooltip": [
                {"field": "night", "title": "Night"},
                {"field": "series", "title": ""},
                {"field": "count", "title": "Count", "format": ",.2~f"},
            ],
        },
    }
    return _spec(
        [layer],
        rows,
        f"{window}, night by night",
        f"{this} beside the {before.lower()}",
        nights_alt(nights, window, what),
        width=max(300, min(900, 40 * len(order))),
    )


def nights_alt(nights: Nights, window: str, what: str) -> str:
    parts = [
        f"{window}, night by night: a bar chart of {what} on each of the "
        f"{len(nights.rows)} nights of {nights.year}, beside the {nights.before_label}."
    ]
    if nights.rows:
        top = max(nights.rows, key=lambda r: r[1])
        parts.append(f"The busiest night of {nights.year} was {top[0]} ({top[1]:,}).")
        means = [r for r in nights.rows if r[2] is not None]
        if means:
            m = max(means, key=lambda r: r[2] or 0)
            parts.append(f"In the years before, the busiest was {m[0]} (average {m[2]:,.2f}).")
    return " ".join(parts)


def nights_table(nights: Nights, window: str, what: str) -> Table:
    table = Table(
        "nights",
        f"{window}: {what} night by night",
        [
            Column("Night"),
            Column(str(nights.year), True),
            Column(nights.before_label.capitalize(), True),
        ],
    )
    for night, count, mean in nights.rows:
        table.add(
            [night, count, mean], [night, f"{count:,}", "–" if mean is None else f"{mean:,.2f}"]
        )
    return table.seal()


# ---------------------------------------------------------------- the page


def _p(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def verdict_text(answer: SeasonsAnswer) -> str:
    """This year against the years before, or why there is no verdict, in words: when
    the years before vary more than chance alone would, the range they predict decides."""
    c = answer.comparison
    if c.verdict is None:
        return f"No verdict for {c.year}: {c.reason}."
    years = c.baseline_years
    text = (
        f"{c.year}: {c.count:,} against an average of {c.baseline_mean:,} in the {len(years)} "
        f"complete years before ({years[0]}–{years[-1]}): {c.verdict}"
    )
    if c.p_value is None:
        return f"{text} (fewer than {MINIMUM_TOTAL} incidents in all)."
    if c.overdispersed and c.prediction_interval is not None:
        lo, hi = c.prediction_interval
        where = "outside" if c.significant else "inside"
        return (
            f"{text}. The years before vary more than chance alone would, so a change counts "
            f"only outside the range they predict ({lo:,.1f} to {hi:,.1f}); {c.count:,} is "
            f"{where} it ({_p(c.p_value)} on the test that assumes chance variation alone)."
        )
    return f"{text} ({_p(c.p_value)})."


def month_level_of(held: list[Dataset]) -> list[str]:
    """The keys of the place's data when all of it is month-level (else [])."""
    if held and not any(d.day_level for d in held):
        return [d.key for d in held]
    return []


def month_windows(place: Place) -> list[tuple[str, str]]:
    """(name, label) of the named windows month-level data can answer."""
    out = []
    for name in window_names():
        try:
            window = resolve_window(name, place)
        except WindowError:
            continue
        if isinstance(window, MonthWindow):
            out.append((name, window_label(name, window)))
    return out


UNCOUNTED = ("arson", "behaviour", "theft", "order", "shoplifting", "person")
"""Ends of category names that have no plural ("incidents of bicycle theft")."""


def plural(noun: str) -> str:
    """ "burglary" → "burglaries", "dwelling fire" → "dwelling fires", "bicycle theft" →
    "incidents of bicycle theft" (a noun already ending in s is left as it is)."""
    if noun.endswith(UNCOUNTED):
        return f"incidents of {noun}"
    if noun.endswith("y") and noun[-2:-1] not in "aeiou":
        return noun[:-1] + "ies"
    return noun if noun.endswith("s") else noun + "s"


def _what(answer: SeasonsAnswer) -> str:
    """What is counted, in words: "incidents", "outdoor fires", "deliberate fires"."""
    cats = answer.categories
    if not cats:
        return "incidents"
    if set(cats) == set(DELIBERATE):
        return "deliberate fires"
    names = [noun([c]) for c in cats]
    return plural(names[0]) if len(names) == 1 else "incidents of " + ", ".join(names)


def answer_context(answer: SeasonsAnswer, title: str) -> dict[str, Any]:
    what = _what(answer)
    nights = nights_of(answer)
    years = Block(
        "season-years", "Year by year", years_chart(answer, what), years_table(answer, what)
    )
    night_block = (
        None
        if nights is None
        else Block(
            "season-nights",
            f"The nights of {nights.year}",
            nights_chart(nights, answer.window, what),
            nights_table(nights, answer.window, what),
        )
    )
    return {
        "answer": answer,
        "title": title,
        "what": what,
        "blocks": [b for b in (years, night_block) if b is not None],
        "nights_block": night_block,
        "verdict": verdict_text(answer),
        "significant": answer.comparison.significant,
        "motive_missing": answer.motive_recorded is False,
        "month_resolution": answer.count.resolution == "month",
    }


def _answer(scope: PlaceScope, form: WindowForm) -> dict[str, Any]:
    try:
        answer = seasons(scope, form.window_text, category=form.category_text)
    except (WindowError, ImproperlyConfigured) as e:
        message = str(e)
        return {"refusal": message[:1].upper() + message[1:]}
    return answer_context(answer, window_label(answer.window, _window(form)))


def _window(form: WindowForm) -> DayWindow | DatedWindow | MonthWindow | None:
    try:
        return resolve_window(form.window_text, form.place)
    except WindowError:
        return None


@login_required
@require_GET
def page(request: HttpRequest, slug: str) -> HttpResponse:
    """`/places/<slug>/seasons/?window=bonfire-period&category=outdoor-fire`."""
    place = place_for(slug)
    scope, scope_error = scope_of(place)
    held = datasets(incident_store(), scope.districts) if scope else []
    data = {k: request.GET.get(k, "") for k in WindowForm.base_fields}
    if "window" not in request.GET and not data["dates"].strip():
        data["window"] = DEFAULT_WINDOW  # the select shows the window shown
    context: dict[str, Any] = base_context(place, "where_seasons")
    try:  # a window setting that cannot be read: say which, as the CLI does
        form = WindowForm(data, place=place, held=held)
        valid = form.is_valid()
    except ImproperlyConfigured as e:
        return render(request, TEMPLATE, {**context, "refusal": str(e)})
    context["form"] = form
    if not valid:
        return render(request, TEMPLATE, context, status=400)
    if scope is None:
        return render(request, TEMPLATE, {**context, "scope_error": scope_error})
    month_level = month_level_of(held)
    context.update(month_level=month_level, nothing_held=not held)
    if month_level:
        params = {"category": form.category_text} if form.category_text else {}
        context["instead"] = [
            (label, "?" + urlencode({"window": name, **params}))
            for name, label in month_windows(place)
        ]
    if held:
        context.update(_answer(scope, form))
    return render(request, TEMPLATE, context)
