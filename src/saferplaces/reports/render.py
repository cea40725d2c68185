"""The charts of a pack, specified once and rendered once per run.

:func:`pack_charts` builds every chart a document needs; :class:`RenderedCharts`
renders each spec to PNG/SVG on first use and keeps the result, so a deck and a PDF
built from the same pack in one run share the renders (``charts.render_*`` also caches
by spec content across calls).

The deck and the PDF both place the PNG: vl-convert lays out and draws the chart with the
same (bundled) fonts, so no label can be cut short. An SVG drawn by another program
(WeasyPrint) would set its text in whatever font that program finds, wider or narrower
than the one Vega measured, and long labels ran off the picture.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

from saferplaces.reports import charts
from saferplaces.reports.charts import Chart
from saferplaces.reports.pack import PerformancePack


@dataclass
class PackCharts:
    """Every chart for one pack, keyed by what it shows."""

    trends: dict[str, Chart] = field(default_factory=dict)
    """Indicator slug → monthly trend with SPC band (only indicators with a series)."""
    seasonal: list[Chart | None] = field(default_factory=list)
    """One per seasonal table, ``None`` when the table has no counts."""
    districts: Chart | None = None
    categories: Chart | None = None


def pack_charts(pack: PerformancePack) -> PackCharts:
    """Build (but do not render) every chart for ``pack``."""
    out = PackCharts()
    by_slug = {f.slug: f for f in pack.indicators}
    where = f"{pack.place_name} (districts with data)" if pack.coverage else pack.place_name
    for slug, points in pack.series.items():
        fig = by_slug.get(slug)
        if fig is None or not charts.trim_months(points):
            continue
        out.trends[slug] = charts.trend_chart(
            points, title=f"{fig.name}: monthly {fig.unit}, {where}", unit=fig.unit
        )
    out.seasonal = [charts.seasonal_chart(t) if t.has_counts else None for t in pack.seasonal]
    if any(d.rate_per_1000 is not None for d in pack.districts):
        out.districts = charts.districts_chart(
            pack.districts,
            pack.place_name,
            title=f"{pack.category_unit.capitalize()} per 1,000 residents by district, "
            f"{pack.period_label}",
        )
    if any(c.count is not None or c.previous is not None for c in pack.categories):
        out.categories = charts.category_chart(
            pack.categories,
            pack.period_label,
            pack.comparison_label,
            unit=pack.category_unit,
            title=f"{pack.category_unit.capitalize()} by category, {where}",
        )
    return out


PNG_SCALE = 2
"""Pixels per chart pixel in the PNGs placed in documents (sharp in print and on screen)."""


def png_size(png: bytes) -> tuple[int, int]:
    """(width, height) in pixels of a PNG, read from its header."""
    if png[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    width, height = struct.unpack(">II", png[16:24])
    return int(width), int(height)


class RenderedCharts:
    """PNG and SVG renders of a pack's charts, each made at most once."""

    def __init__(self, pack: PerformancePack, built: PackCharts | None = None) -> None:
        self.pack = pack
        self.charts = built if built is not None else pack_charts(pack)
        self._png: dict[int, bytes] = {}
        self._svg: dict[int, str] = {}

    def png(self, chart: Chart, scale: float = PNG_SCALE) -> bytes:
        """``chart`` as PNG bytes."""
        key = id(chart)
        if key not in self._png:
            self._png[key] = charts.render_png(chart, scale=scale)
        return self._png[key]

    def svg(self, chart: Chart) -> str:
        """``chart`` as an SVG document."""
        key = id(chart)
        if key not in self._svg:
            self._svg[key] = charts.render_svg(chart)
        return self._svg[key]
