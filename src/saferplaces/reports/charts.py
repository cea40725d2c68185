"""Vega-Lite chart specs, built once in Python with Altair.

Every builder returns a :class:`Chart`: a plain-dict Vega-Lite spec (data inlined as
values, with ``title`` and ``description``) and a plain-English alt text. The same spec
is drawn in the browser by vega-embed and rendered to SVG/PNG here by vl-convert.
"""

from __future__ import annotations

import copy
import functools
import itertools
import json
import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import altair as alt
import vl_convert as vlc

from saferplaces.reports.pack import (
    CategoryFigure,
    DistrictFigure,
    MonthPoint,
    SeasonalTable,
)

FONT = "Liberation Sans, Arial, Helvetica, sans-serif"
INK = "#0b0c0c"
BLUE = "#1d70b8"
LIGHT_BLUE = "#c6dcf0"
GREY = "#6f777b"
LIGHT_GREY = "#e8e8e8"
RED = "#d4351c"
DARK_BLUE = "#003078"

CONFIG: dict[str, Any] = {
    "font": FONT,
    "view": {"stroke": None},
    "axis": {
        "labelColor": INK,
        "titleColor": INK,
        "labelFontSize": 11,
        "titleFontSize": 12,
        "gridColor": LIGHT_GREY,
        "domainColor": GREY,
        "tickColor": GREY,
    },
    "title": {"color": INK, "fontSize": 15, "anchor": "start", "subtitleColor": GREY},
    "legend": {"labelColor": INK, "titleColor": INK, "orient": "bottom"},
    "background": "white",
}


@dataclass(frozen=True)
class Chart:
    """A Vega-Lite spec (plain dict) with its plain-English alt text."""

    spec: dict[str, Any]
    alt_text: str

    @property
    def title(self) -> str:
        """The chart title text."""
        t = self.spec.get("title", "")
        return str(t.get("text", "")) if isinstance(t, dict) else str(t)

    @property
    def description(self) -> str:
        """The spec's ``description`` (the same words as the alt text)."""
        return str(self.spec.get("description", ""))


def _finish(chart: alt.TopLevelMixin, alt_text: str) -> Chart:
    # the chart tests render every spec with vl-convert
    return _finish_spec(chart.to_dict(validate=False), alt_text)


def _finish_spec(spec: dict[str, Any], alt_text: str) -> Chart:
    spec["description"] = alt_text
    spec["config"] = copy.deepcopy(CONFIG)
    return Chart(spec=spec, alt_text=alt_text)


def _iso(month: date) -> str:
    return month.strftime("%Y-%m-%d")


def _next_month(month: date) -> date:
    return date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def _month_label(month: date) -> str:
    return month.strftime("%B %Y")


def _n(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


# ---------------------------------------------------------------- monthly trend

TREND_SUBTITLE = (
    "Monthly count; dashed line: average; shaded: the range normal variation would "
    "explain; red: a signal"
)
LABEL_LIMIT = 400
"""Widest axis label in pixels before Vega would cut it short (its default is 180)."""


def _counted(p: MonthPoint) -> bool:
    return not (p.missing or p.count is None)


def trim_months(points: Sequence[MonthPoint]) -> list[MonthPoint]:
    """The points from the first month with a count to the last (gaps inside are kept)."""
    held = [i for i, p in enumerate(points) if _counted(p)]
    return list(points[held[0] : held[-1] + 1]) if held else []


def trend_chart(
    points: Sequence[MonthPoint],
    *,
    title: str,
    unit: str = "crimes",
    width: int = 640,
    height: int = 300,
) -> Chart:
    """Monthly counts with the SPC band: mean line, 3-sigma upper/lower limits as a
    shaded area, signal months highlighted and missing months shown as gaps. The chart
    begins at the first month with a count and ends at the last."""
    points = trim_months(points)
    rows: list[dict[str, Any]] = []
    for p in points:
        missing = p.missing or p.count is None
        rows.append(
            {
                "month": _iso(p.month),
                "month_end": _iso(_next_month(p.month)),
                "label": _month_label(p.month),
                "count": None if missing else p.count,
                "mean": p.mean,
                "upper": p.upper,
                "lower": p.lower,
                "signal": p.signal,
                "missing": missing,
            }
        )
    spec = json.loads(_trend_skeleton(unit, width, height))
    spec["datasets"] = {TREND_DATA: rows}
    spec["title"]["text"] = title
    present = [p for p in points if not (p.missing or p.count is None)]
    missing_labels = [_month_label(p.month) for p in points if p.missing or p.count is None]
    signals = [p for p in present if p.signal]
    parts = [f"{title}: a line chart of monthly {unit}"]
    if points:
        parts[0] += f" from {_month_label(points[0].month)} to {_month_label(points[-1].month)}"
    parts[0] += "."
    if present:
        hi = max(present, key=lambda p: p.count or 0)
        lo = min(present, key=lambda p: p.count or 0)
        parts.append(
            f"The highest month was {_month_label(hi.month)} ({_n(hi.count or 0)}), "
            f"the lowest {_month_label(lo.month)} ({_n(lo.count or 0)})."
        )
    means = [p.mean for p in present if p.mean is not None]
    if means:
        uppers = [p.upper for p in present if p.upper is not None]
        lowers = [p.lower for p in present if p.lower is not None]
        text = f"The mean is {_n(means[-1])}"
        if uppers and lowers:
            text += f" with control limits {_n(lowers[-1])} to {_n(uppers[-1])}"
        parts.append(text + ".")
    if signals:
        parts.append(
            "Signals: " + "; ".join(f"{_month_label(p.month)} ({p.signal})" for p in signals) + "."
        )
    else:
        parts.append("No month signals a change beyond normal variation.")
    if missing_labels:
        parts.append("No data for " + ", ".join(missing_labels) + ".")
    return _finish_spec(spec, " ".join(parts))


TREND_DATA = "months"


@functools.lru_cache(maxsize=32)
def _trend_skeleton(unit: str, width: int, height: int) -> str:
    """The trend chart's spec without its data and title, as JSON: built by Altair once
    per unit and size (building it costs about 0.1 s; a dashboard draws six)."""
    data = alt.NamedData(TREND_DATA)
    x = alt.X(
        "month:T",
        title=None,
        scale=alt.Scale(type="utc"),
        axis=alt.Axis(format="%b %y", labelAngle=0, tickCount="month", labelOverlap=True),
    )
    base = alt.Chart(data).encode(x=x)
    band = base.mark_area(color=LIGHT_BLUE, opacity=0.6).encode(
        y=alt.Y("upper:Q", title=f"Count ({unit})"), y2="lower:Q"
    )
    mean = base.mark_line(color=DARK_BLUE, strokeDash=[6, 3], strokeWidth=1.5).encode(y="mean:Q")
    gaps = (
        alt.Chart(data)
        .transform_filter("datum.missing")
        .mark_rect(color=LIGHT_GREY, opacity=0.9)
        .encode(
            x=alt.X("month:T", scale=alt.Scale(type="utc")),
            x2="month_end:T",
            tooltip=[
                alt.Tooltip("label:N", title="Month"),
                alt.Tooltip("missing:N", title="No data"),
            ],
        )
    )
    line = base.mark_line(color=BLUE, strokeWidth=2, point=False).encode(y="count:Q")
    dots = (
        base.transform_filter("!datum.missing")
        .mark_circle(size=36, opacity=1)
        .encode(
            y="count:Q",
            color=alt.condition("datum.signal != null", alt.value(RED), alt.value(BLUE)),
            size=alt.condition("datum.signal != null", alt.value(90), alt.value(30)),
            tooltip=[
                alt.Tooltip("label:N", title="Month"),
                alt.Tooltip("count:Q", title=f"Count ({unit})", format=","),
                alt.Tooltip("mean:Q", title="Mean", format=",.1f"),
                alt.Tooltip("upper:Q", title="Upper limit", format=",.1f"),
                alt.Tooltip("lower:Q", title="Lower limit", format=",.1f"),
                alt.Tooltip("signal:N", title="Signal"),
            ],
        )
    )
    chart = alt.layer(gaps, band, mean, line, dots).properties(
        title=alt.TitleParams(text="", subtitle=TREND_SUBTITLE), width=width, height=height
    )
    return json.dumps(chart.to_dict(validate=False))


# ---------------------------------------------------------------- seasonal


def seasonal_chart(table: SeasonalTable, *, width: int = 560, height: int = 240) -> Chart:
    """Year-by-year bars for a recurring window, from the first year with a count to the
    last; a year between them with no count keeps its place on the axis with no bar."""
    counted = [r for r in table.rows if r.count is not None]
    years = (
        [str(r.year) for r in table.rows if counted[0].year <= r.year <= counted[-1].year]
        if counted
        else []
    )
    rows: list[dict[str, Any]] = [{"year": str(r.year), "count": r.count} for r in counted]
    x = alt.X("year:O", title=None, scale=alt.Scale(domain=years), axis=alt.Axis(labelAngle=0))
    chart = (
        alt.Chart(alt.Data(values=rows))
        .mark_bar(color=BLUE)
        .encode(
            x=x,
            y=alt.Y("count:Q", title=f"Count ({table.unit})"),
            tooltip=[
                alt.Tooltip("year:O", title="Year"),
                alt.Tooltip("count:Q", title=f"Count ({table.unit})", format=","),
            ],
        )
        .properties(width=width, height=height)
    )
    labels = (
        alt.Chart(alt.Data(values=rows))
        .mark_text(dy=-6, color=INK, fontSize=11)
        .encode(x=x, y="count:Q", text=alt.Text("count:Q", format=","))
    )
    if rows:
        first, last = rows[0], rows[-1]
        alt_text = (
            f"{table.title}: a bar chart of {table.unit} counted in the window "
            f"({table.window_label}) for each year from {first['year']} to {last['year']}; "
            f"{_n(first['count'])} in {first['year']} and {_n(last['count'])} in {last['year']}."
        )
        gaps = [y for y in years if y not in {r["year"] for r in rows}]
        if gaps:
            alt_text += f" No data for {', '.join(gaps)}: no bar, not zero."
    else:
        alt_text = f"{table.title}: no counts available. {table.note or ''}".strip()
    layered = alt.layer(chart, labels).properties(
        title=alt.TitleParams(text=table.title, subtitle=table.window_label)
    )
    return _finish(layered, alt_text)


# ---------------------------------------------------------------- districts


def districts_chart(
    districts: Sequence[DistrictFigure],
    selected: str,
    *,
    title: str = "Rate per 1,000 residents by district",
    width: int = 520,
) -> Chart:
    """Horizontal bars of rate per 1,000 by district, the selected district highlighted.
    Districts with no rate (no data) are left out: never ranked, never drawn as 0."""
    rows: list[dict[str, Any]] = [
        {
            "district": d.name,
            "rate": d.rate_per_1000,
            "count": d.count,
            "selected": d.name == selected,
        }
        for d in districts
        if d.rate_per_1000 is not None
    ]
    rows.sort(key=lambda r: -float(r["rate"]))
    order = [r["district"] for r in rows]
    chart = (
        alt.Chart(alt.Data(values=rows))
        .mark_bar()
        .encode(
            y=alt.Y("district:N", title=None, sort=order, axis=alt.Axis(labelLimit=LABEL_LIMIT)),
            x=alt.X(
                "rate:Q",
                title="Rate per 1,000 residents",
                axis=alt.Axis(labelOverlap="greedy", labelFlush=False),
            ),
            color=alt.condition("datum.selected", alt.value(DARK_BLUE), alt.value(LIGHT_BLUE)),
            tooltip=[
                alt.Tooltip("district:N", title="District"),
                alt.Tooltip("rate:Q", title="Rate per 1,000", format=",.1f"),
                alt.Tooltip("count:Q", title="Count", format=","),
            ],
        )
        .properties(width=width, height=max(60, 22 * len(rows)))
    )
    labels = (
        alt.Chart(alt.Data(values=rows))
        .mark_text(align="left", dx=3, fontSize=10, color=INK)
        .encode(
            y=alt.Y("district:N", sort=order), x="rate:Q", text=alt.Text("rate:Q", format=",.1f")
        )
    )
    parts = [f"{title}: a horizontal bar chart of {len(rows)} districts."]
    missing = [d.name for d in districts if d.rate_per_1000 is None]
    if rows:
        parts.append(f"Highest {rows[0]['district']} ({float(rows[0]['rate']):,.1f}).")
        for i, r in enumerate(rows, start=1):
            if r["selected"]:
                parts.append(
                    f"{selected} (highlighted) is {i} of {len(rows)} at {float(r['rate']):,.1f}."
                )
    if missing:
        parts.append(f"No data for {', '.join(missing)}: not charted.")
    return _finish(alt.layer(chart, labels).properties(title=title), " ".join(parts))


# ---------------------------------------------------------------- categories


def category_chart(
    categories: Sequence[CategoryFigure],
    period_label: str,
    comparison_label: str,
    *,
    unit: str = "crimes",
    title: str = "Crimes by category",
    width: int = 520,
) -> Chart:
    """Grouped horizontal bars: each category in the period and the comparison period
    (a side with no data for a category has no bar, not a bar of 0; a category with no
    data on either side is left out)."""
    held = [c for c in categories if c.count is not None or c.previous is not None]
    cats = sorted(held, key=lambda c: (c.count is None, -(c.count or 0), c.label))
    order = [c.label for c in cats]
    rows: list[dict[str, Any]] = []
    for c in cats:
        if c.count is not None:
            rows.append({"category": c.label, "period": period_label, "count": c.count})
        if c.previous is not None:
            rows.append({"category": c.label, "period": comparison_label, "count": c.previous})
    chart = (
        alt.Chart(alt.Data(values=rows))
        .mark_bar()
        .encode(
            y=alt.Y("category:N", title=None, sort=order, axis=alt.Axis(labelLimit=LABEL_LIMIT)),
            yOffset=alt.YOffset("period:N", sort=[period_label, comparison_label]),
            x=alt.X("count:Q", title=f"Count ({unit})"),
            color=alt.Color(
                "period:N",
                title=None,
                sort=[period_label, comparison_label],
                scale=alt.Scale(
                    domain=[period_label, comparison_label], range=[DARK_BLUE, LIGHT_BLUE]
                ),
            ),
            tooltip=[
                alt.Tooltip("category:N", title="Category"),
                alt.Tooltip("period:N", title="Period"),
                alt.Tooltip("count:Q", title=f"Count ({unit})", format=","),
            ],
        )
        .properties(title=title, width=width, height=alt.Step(9))
    )
    parts = [
        f"{title}: a bar chart comparing {len(cats)} categories in {period_label} "
        f"with {comparison_label}."
    ]
    if cats and cats[0].count is not None:
        top = cats[0]
        before = "no data" if top.previous is None else f"{top.previous:,}"
        parts.append(
            f"The largest is {top.label} with {top.count:,} ({before} in {comparison_label})."
        )
    return _finish(chart, " ".join(parts))


# ---------------------------------------------------------------- sparkline


def sparkline(
    points: Sequence[MonthPoint], *, title: str, width: int = 120, height: int = 28
) -> Chart:
    """A tiny line of monthly counts with no axes (for tables and cards), from the first
    month with a count to the last."""
    points = trim_months(points)
    rows = [
        {"month": _iso(p.month), "count": None if (p.missing or p.count is None) else p.count}
        for p in points
    ]
    chart = (
        alt.Chart(alt.Data(values=rows))
        .mark_line(color=BLUE, strokeWidth=1.5)
        .encode(
            x=alt.X("month:T", axis=None, scale=alt.Scale(type="utc")),
            y=alt.Y("count:Q", axis=None, scale=alt.Scale(zero=False)),
        )
        .properties(
            title=alt.TitleParams(
                text=title, fontSize=9, fontWeight="normal", color=GREY, offset=2
            ),
            width=width,
            height=height,
        )
    )
    counts = [r["count"] for r in rows if r["count"] is not None]
    alt_text = f"{title}: sparkline of monthly counts"
    if counts:
        alt_text += (
            f", from {counts[0]:,} to {counts[-1]:,} (range {min(counts):,} to {max(counts):,})"
        )
    result = _finish(chart, alt_text + ".")
    result.spec["padding"] = 2
    return result


# ---------------------------------------------------------------- choropleth


def choropleth(
    geojson: Mapping[str, Any],
    values: Mapping[str, float],
    *,
    title: str,
    key: str = "LSOA11CD",
    name_key: str | None = "LSOA11NM",
    value_title: str = "Rate per 1,000 residents",
    projection: str = "mercator",
    width: int = 520,
    height: int = 520,
) -> Chart:
    """An LSOA choropleth from a GeoJSON FeatureCollection and ``{code: value}``.

    ``projection="mercator"`` for longitude/latitude; ``"identity"`` (with y reflected)
    for already-projected coordinates such as British National Grid. No tiles.
    """
    features = []
    for feature in geojson.get("features", []):
        props = dict(feature.get("properties") or {})
        code = str(props.get(key, ""))
        props["code"] = code
        props["name"] = str(props.get(name_key, code)) if name_key else code
        props["value"] = values.get(code)
        features.append(
            {"type": "Feature", "geometry": feature.get("geometry"), "properties": props}
        )
    spherical = projection != "identity"
    if spherical:
        features = [{**f, "geometry": rewind_for_d3(f["geometry"])} for f in features]
    chart = (
        alt.Chart(alt.Data(values=features))
        .mark_geoshape(stroke="white", strokeWidth=0.5)
        .encode(
            color=alt.Color(
                "properties.value:Q",
                title=value_title,
                scale=alt.Scale(scheme="blues"),
                legend=alt.Legend(orient="right"),
            ),
            tooltip=[
                alt.Tooltip("properties.name:N", title="Area"),
                alt.Tooltip("properties.value:Q", title=value_title, format=",.1f"),
            ],
        )
        .project(type=projection, reflectY=not spherical)
        .properties(title=title, width=width, height=height)
    )
    known = {c: v for c, v in values.items() if v is not None}
    parts = [f"{title}: a map of {len(features)} small areas shaded by {value_title.lower()}."]
    if known:
        hi = max(known, key=lambda c: known[c])
        lo = min(known, key=lambda c: known[c])
        parts.append(f"Highest {hi} ({known[hi]:,.1f}), lowest {lo} ({known[lo]:,.1f}).")
    return _finish(chart, " ".join(parts))


def _signed_area(ring: Sequence[Sequence[float]]) -> float:
    return sum(x1 * y2 - x2 * y1 for (x1, y1, *_), (x2, y2, *_) in itertools.pairwise(ring))


def _orient(ring: list[Any], clockwise: bool) -> list[Any]:
    is_clockwise = _signed_area(ring) < 0
    return ring if is_clockwise == clockwise else list(reversed(ring))


def rewind_for_d3(geometry: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
    """Polygon rings wound the way d3-geo expects for spherical projections (exterior
    clockwise, holes anticlockwise). RFC 7946 GeoJSON winds the other way, which d3
    draws as the whole globe minus the area."""
    if not geometry:
        return geometry
    kind = geometry.get("type")

    def polygon(rings: list[Any]) -> list[Any]:
        return [_orient(list(r), clockwise=(i == 0)) for i, r in enumerate(rings)]

    if kind == "Polygon":
        return {**geometry, "coordinates": polygon(geometry["coordinates"])}
    if kind == "MultiPolygon":
        return {**geometry, "coordinates": [polygon(p) for p in geometry["coordinates"]]}
    return geometry


# ---------------------------------------------------------------- rendering


_VL_VERSION_RE = re.compile(r"vega-lite/v(\d+)\.(\d+)")
_CACHE: dict[tuple[str, str, float], bytes | str] = {}
_CACHE_LOCK = threading.Lock()
_CACHE_MAX = 256


def vl_version(spec: Mapping[str, Any]) -> str | None:
    """The Vega-Lite ``major.minor`` named by the spec's ``$schema`` that vl-convert knows
    (the nearest lower supported one), or None to use vl-convert's default."""
    m = _VL_VERSION_RE.search(str(spec.get("$schema", "")))
    if not m:
        return None
    wanted = (int(m.group(1)), int(m.group(2)))
    supported = sorted(tuple(int(x) for x in v.split(".")) for v in vlc.get_vegalite_versions())
    candidates = [v for v in supported if v[0] == wanted[0] and v <= wanted]
    if not candidates:
        return None
    major, minor = candidates[-1]
    return f"{major}.{minor}"


def _key(
    spec: Mapping[str, Any] | Chart, kind: str, scale: float
) -> tuple[dict[str, Any], tuple[str, str, float]]:
    plain = dict(spec.spec if isinstance(spec, Chart) else spec)
    return plain, (json.dumps(plain, sort_keys=True, default=str), kind, scale)


def render_svg(spec: Mapping[str, Any] | Chart) -> str:
    """The spec as an SVG document (cached within the process by spec content)."""
    plain, key = _key(spec, "svg", 1.0)
    with _CACHE_LOCK:
        hit = _CACHE.get(key)
    if isinstance(hit, str):
        return hit
    svg = vlc.vegalite_to_svg(plain, vl_version=vl_version(plain))
    _remember(key, svg)
    return svg


def render_png(spec: Mapping[str, Any] | Chart, scale: float = 2) -> bytes:
    """The spec as PNG bytes at ``scale`` (cached within the process by spec content)."""
    plain, key = _key(spec, "png", float(scale))
    with _CACHE_LOCK:
        hit = _CACHE.get(key)
    if isinstance(hit, bytes):
        return hit
    # Rasterise the (cached) SVG: the same picture, and cheaper than a second Vega run
    # when a run needs both (deck PNGs, PDF SVGs).
    png = vlc.svg_to_png(render_svg(plain), scale=scale)
    _remember(key, png)
    return png


def _remember(key: tuple[str, str, float], value: bytes | str) -> None:
    with _CACHE_LOCK:
        if len(_CACHE) >= _CACHE_MAX:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[key] = value


def clear_render_cache() -> None:
    """Forget every rendered chart (for benchmarks and tests)."""
    with _CACHE_LOCK:
        _CACHE.clear()
