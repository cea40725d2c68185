"""Chart specs: valid Vega-Lite (vl-convert renders them), titled, described, faithful."""

from __future__ import annotations

import io
import itertools
from typing import Any
from xml.etree import ElementTree

import pytest
from PIL import Image

from saferplaces.reports import charts
from saferplaces.reports.charts import Chart
from saferplaces.reports.pack import CategoryFigure, PerformancePack, SeasonalRow, SeasonalTable

GEOJSON: dict[str, Any] = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {"LSOA11CD": code, "LSOA11NM": f"West Lancashire 00{i}A"},
            "geometry": {
                "type": "Polygon",
                # RFC 7946 winding (anticlockwise exterior)
                "coordinates": [
                    [[x, 53.5], [x + 0.1, 53.5], [x + 0.1, 53.6], [x, 53.6], [x, 53.5]]
                ],
            },
        }
        for i, (code, x) in enumerate([("E01025001", -2.9), ("E01025002", -2.8)], start=1)
    ],
}


def all_charts(pack: PerformancePack) -> dict[str, Chart]:
    return {
        "trend": charts.trend_chart(pack.series["all-crime"], title="All crime", unit="crimes"),
        "seasonal": charts.seasonal_chart(pack.seasonal[0]),
        "seasonal-empty": charts.seasonal_chart(pack.seasonal[1]),
        "districts": charts.districts_chart(pack.districts, "West Lancashire"),
        "categories": charts.category_chart(pack.categories, "2014/15", "2013/14"),
        "sparkline": charts.sparkline(pack.series["all-crime"], title="All crime"),
        "choropleth": charts.choropleth(
            GEOJSON, {"E01025001": 12.0, "E01025002": 30.5}, title="Crime rate by LSOA"
        ),
        "choropleth-bng": charts.choropleth(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"LSOA11CD": "E01025001"},
                        "geometry": {
                            "type": "Polygon",
                            "coordinates": [
                                [
                                    [340000, 410000],
                                    [341000, 410000],
                                    [341000, 411000],
                                    [340000, 410000],
                                ]
                            ],
                        },
                    }
                ],
            },
            {"E01025001": 3.0},
            title="Projected",
            projection="identity",
        ),
    }


@pytest.fixture(scope="module")
def built() -> dict[str, Chart]:
    from tests.reports.conftest import example_pack

    return all_charts(example_pack())


@pytest.mark.parametrize(
    "name",
    [
        "trend",
        "seasonal",
        "seasonal-empty",
        "districts",
        "categories",
        "sparkline",
        "choropleth",
        "choropleth-bng",
    ],
)
def test_spec_renders_and_is_described(built: dict[str, Chart], name: str) -> None:
    chart = built[name]
    spec = chart.spec
    assert spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/v6")
    assert chart.title
    assert spec["description"] == chart.alt_text
    assert len(chart.alt_text) > 20
    svg = charts.render_svg(chart)
    assert "<svg" in svg[:200]
    png = charts.render_png(chart.spec, scale=1)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


def test_vl_version_is_one_vl_convert_knows(built: dict[str, Chart]) -> None:
    version = charts.vl_version(built["trend"].spec)
    assert version is not None and version.startswith("6.")


def _all_values(spec: dict[str, Any]) -> list[list[dict[str, Any]]]:
    found = [list(v) for v in spec.get("datasets", {}).values()]
    if "data" in spec and "values" in spec["data"]:
        found.append(spec["data"]["values"])
    for layer in spec.get("layer", []):
        if "data" in layer and "values" in layer["data"]:
            found.append(layer["data"]["values"])
    return found


def test_spc_band_values_equal_the_inputs(pack: PerformancePack) -> None:
    points = pack.series["all-crime"]
    chart = charts.trend_chart(points, title="All crime")
    datasets = _all_values(chart.spec)
    assert datasets, "data must be inlined"
    rows = next(d for d in datasets if d and "upper" in d[0])
    assert len(rows) == len(points)
    for row, p in zip(rows, points, strict=True):
        assert row["month"] == p.month.isoformat()
        assert row["mean"] == p.mean
        assert row["upper"] == p.upper
        assert row["lower"] == p.lower
        assert row["count"] == (None if p.missing else p.count)
        assert row["signal"] == p.signal
    # the band is an area from lower to upper; signals and gaps have their own layers
    marks = [
        layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"]
        for layer in chart.spec["layer"]
    ]
    assert "area" in marks and "rect" in marks and "circle" in marks
    band = chart.spec["layer"][marks.index("area")]
    assert band["encoding"]["y"]["field"] == "upper" and band["encoding"]["y2"]["field"] == "lower"
    assert "December 2014" in chart.alt_text and "No data" in chart.alt_text
    assert "February 2015 (below lower limit)" in chart.alt_text


def test_districts_highlights_the_selected_district(pack: PerformancePack) -> None:
    chart = charts.districts_chart(pack.districts, "West Lancashire")
    rows = next(d for d in _all_values(chart.spec) if d and "district" in d[0])
    selected = [r for r in rows if r["selected"]]
    assert [r["district"] for r in selected] == ["West Lancashire"]
    rates = [r["rate"] for r in rows]
    assert rates == sorted(rates, reverse=True)
    assert "West Lancashire (highlighted)" in chart.alt_text


def test_seasonal_values(pack: PerformancePack) -> None:
    chart = charts.seasonal_chart(pack.seasonal[0])
    rows = next(d for d in _all_values(chart.spec) if d and "year" in d[0])
    assert [(int(r["year"]), r["count"]) for r in rows] == [
        (r.year, r.count) for r in pack.seasonal[0].rows
    ]


def test_choropleth_rewinds_rings_for_d3() -> None:
    chart = charts.choropleth(GEOJSON, {"E01025001": 1.0}, title="Map")
    rows = next(d for d in _all_values(chart.spec) if d and "geometry" in d[0])
    ring = rows[0]["geometry"]["coordinates"][0]
    area = sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in itertools.pairwise(ring))
    assert area < 0  # clockwise, as d3-geo wants
    assert rows[0]["properties"]["value"] == 1.0
    assert rows[1]["properties"]["value"] is None
    assert chart.spec["projection"]["type"] == "mercator"


def test_render_cache_returns_the_same_bytes(built: dict[str, Chart]) -> None:
    first = charts.render_png(built["sparkline"])
    assert charts.render_png(built["sparkline"]) is first


# ---------------------------------------------------------------- nothing cut off, no empty months

LOCAL_CATEGORY = "Violence with injury, stalking and harassment, and sexual offences"
"""A partnership's own category: longer than Vega's default label limit (180 px)."""
LONG_CATEGORIES = ["Violence and sexual offences", "Criminal damage and arson",
                   "Theft from the person", "Possession of weapons", LOCAL_CATEGORY]  # fmt: skip


def _texts(svg: str) -> list[str]:
    root = ElementTree.fromstring(svg)  # noqa: S314 (our own SVG, not untrusted input)
    return ["".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")]


def _edges_blank(png: bytes) -> bool:
    """Whether the outermost pixel on every side is the white background (nothing drawn
    runs off the picture)."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    w, h = image.size
    edge = [(x, 0) for x in range(w)] + [(x, h - 1) for x in range(w)]
    edge += [(0, y) for y in range(h)] + [(w - 1, y) for y in range(h)]
    return all(image.getpixel(p) == (255, 255, 255) for p in edge)


def _clipping_cases(pack: PerformancePack) -> dict[str, tuple[Chart, list[str]]]:
    """Charts with the longest names the papers draw, and the labels each must show."""
    title = "Violence and sexual offences: monthly crimes, Blackburn with Darwen"
    categories = [*pack.categories, CategoryFigure(LOCAL_CATEGORY, 310, 290)]
    return {
        "categories": (
            charts.category_chart(
                categories,
                "2014/15",
                "2013/14",
                title="Crimes by category, Blackburn with Darwen",
            ),
            LONG_CATEGORIES,
        ),
        "categories-narrow": (
            charts.category_chart(
                categories,
                "2014/15",
                "2013/14",
                width=250,
                title="Crimes by category, Blackburn with Darwen",
            ),
            LONG_CATEGORIES,
        ),
        "districts": (
            charts.districts_chart(
                pack.districts,
                "Blackburn with Darwen",
                width=300,
                title="Crimes per 1,000 residents by district, 2014/15",
            ),
            ["Blackburn with Darwen", "Ribble Valley", "West Lancashire"],
        ),
        "trend": (
            charts.trend_chart(pack.series["violence-and-sexual-offences"], title=title),
            [title, charts.TREND_SUBTITLE],
        ),
        "seasonal": (charts.seasonal_chart(pack.seasonal[0]), [pack.seasonal[0].title]),
    }


@pytest.mark.parametrize("name", ["categories", "categories-narrow", "districts", "trend",
                                  "seasonal"])  # fmt: skip
def test_no_label_or_title_is_cut_off(pack: PerformancePack, name: str) -> None:
    """Given the longest category and district names and a long title, When the chart is
    drawn, Then every label is in the picture whole (Vega cuts a label longer than its
    limit with "…") and nothing runs off its edges."""
    chart, labels = _clipping_cases(pack)[name]
    texts = _texts(charts.render_svg(chart))
    for label in labels:
        assert label in texts, (label, texts)
    assert not [t for t in texts if t.endswith("\u2026")]
    assert _edges_blank(charts.render_png(chart, scale=1)), name


def test_the_edge_check_sees_a_cut_label() -> None:
    """The check above can fail: a label wider than a chart whose size is fixed runs off."""
    spec = {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "data": {"values": [{"label": "Violence and sexual offences, Blackburn with Darwen"}]},
        "mark": {"type": "text", "fontSize": 14},
        "encoding": {"text": {"field": "label"}},
        "width": 40,
        "height": 20,
        "autosize": {"type": "none"},
        "config": {"background": "white", "view": {"stroke": None}},
    }
    assert not _edges_blank(charts.render_png(spec, scale=1))


def test_a_trend_begins_and_ends_with_data(pack: PerformancePack) -> None:
    """Given a series whose first month is a gap (police.uk's May 2013 category change),
    Then the chart starts at the first month with a count; a gap inside stays a gap."""
    points = pack.series["violence-and-sexual-offences"]
    assert points[0].count is None
    rows = next(d for d in _all_values(charts.trend_chart(points, title="V").spec) if d)
    assert rows[0]["month"] == "2013-05-01" and rows[-1]["month"] == "2015-03-01"
    inner = charts.trend_chart(pack.series["all-crime"], title="A")
    inner_rows = next(d for d in _all_values(inner.spec) if d)
    assert any(r["missing"] for r in inner_rows)  # December 2014 kept as a gap


def test_a_seasonal_chart_spans_only_the_years_with_counts() -> None:
    """Given years with no count before, inside and after the counted ones, Then the axis
    runs from the first counted year to the last, a year inside keeps its place with no
    bar, and no bar is drawn for a year with no count."""
    table = SeasonalTable("Fires", "October to November", [
        SeasonalRow(2010, None), SeasonalRow(2011, 40), SeasonalRow(2012, None),
        SeasonalRow(2013, 35), SeasonalRow(2014, None)], unit="fires")  # fmt: skip
    chart = charts.seasonal_chart(table)
    bars = chart.spec["layer"][0]
    assert bars["encoding"]["x"]["scale"]["domain"] == ["2011", "2012", "2013"]
    assert [r["year"] for r in bars["data"]["values"]] == ["2011", "2013"]
    assert "No data for 2012" in chart.alt_text


def test_categories_and_districts_with_no_data_are_not_drawn(pack: PerformancePack) -> None:
    cats = [*pack.categories, CategoryFigure("Other crime", None, None)]
    chart = charts.category_chart(cats, "2014/15", "2013/14")
    rows = chart.spec["data"]["values"]
    assert "Other crime" not in {r["category"] for r in rows}
    assert all(r["count"] is not None for r in rows)
    districts = charts.districts_chart(pack.districts, "West Lancashire")
    assert "No data for Fylde, Wyre: not charted." in districts.alt_text
