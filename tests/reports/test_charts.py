"""Chart specs: valid Vega-Lite (vl-convert renders them), titled, described, faithful."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from saferplaces.reports import charts
from saferplaces.reports.charts import Chart
from saferplaces.reports.pack import PerformancePack

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
