"""LSOA boundaries decoded from the shipped TopoJSON, outlines dissolved from them, and the
GeoJSON of a place's map."""

from __future__ import annotations

import json
from itertools import pairwise
from pathlib import Path

import pytest
import shapely
from shapely.geometry import MultiPolygon, Polygon, shape

from saferplaces.insight import boundaries as b
from saferplaces.insight import geography as g
from tests.insight.conftest import REFERENCE, SHARED, WEST_LANCS

TOPOJSON = REFERENCE / "lsoa11_topojson"
LANCASHIRE = [d.code for d in g.districts_in_pfa(g.LANCASHIRE_PFA)]
ONS_LANCASHIRE = SHARED / "boundaries" / "lancashire_districts_lad2022.geojson"


def _store_lsoas(district: str) -> list[str]:
    """The 2011 LSOAs the store's lookup puts in ``district``."""
    store = g.lsoa_to_district()
    return sorted(code for code in g.lsoa_file_codes() if store[code] == district)


# --- the shipped files ----------------------------------------------------------------


def test_every_lsoa_has_its_file() -> None:
    """Given the 348 shipped files and the index, then every 2011 LSOA of the lookups is
    in exactly the file the index names, and the attribution is carried beside them."""
    files = sorted(TOPOJSON.glob("*.json"))
    assert len(files) == 348
    index = g.lsoa_file_codes()
    assert set(index.values()) == {f.stem for f in files}
    assert len(index) == 34_753 == len(set(index))
    readme = (TOPOJSON / "README.md").read_text(encoding="utf-8")
    assert b.ATTRIBUTION in " ".join(line.lstrip("> ") for line in readme.splitlines())
    assert "Contains Ordnance Survey data © Crown copyright and database right 2014" in (
        b.ATTRIBUTION
    )
    assert "CC BY 4.0" in b.ATTRIBUTION and "Martin Chorley" in b.ATTRIBUTION
    assert (TOPOJSON / "LICENCE-UK-GeoJSON.md").is_file()


def test_the_index_and_the_names_match_the_files() -> None:
    """Given every shipped file, then each geometry's id is its LSOA11CD, the index
    (lsoa11_lad13.csv.gz) names this file for it and the lookups give it the same name
    (so maps need read only the files of their districts)."""
    index, names = g.lsoa_file_codes(), g.lsoa_names()
    seen = 0
    for path in sorted(TOPOJSON.glob("*.json")):
        topology = json.loads(path.read_text(encoding="utf-8"))
        assert list(topology["objects"]) == [path.stem]
        for geo in topology["objects"][path.stem]["geometries"]:
            code = geo["properties"]["LSOA11CD"]
            assert geo["id"] == code and index[code] == path.stem
            assert names[code] == geo["properties"]["LSOA11NM"]
            seen += 1
    assert seen == len(index)


# --- LSOAs of a district --------------------------------------------------------------


def test_west_lancashire_has_its_73_lsoas() -> None:
    """Given West Lancashire's store code, then its 73 LSOAs are exactly those the store's
    lookup puts in E07000127, each with its name and district."""
    shapes = b.lsoa_shapes([WEST_LANCS])
    assert len(shapes) == 73
    assert list(shapes) == _store_lsoas(WEST_LANCS)
    first = shapes["E01025468"]
    assert (first.name, first.district, first.file) == (
        "West Lancashire 009A", WEST_LANCS, WEST_LANCS,
    )  # fmt: skip
    assert all(isinstance(s.geometry, Polygon | MultiPolygon) for s in shapes.values())
    assert all(s.geometry.is_valid for s in shapes.values())


def test_a_district_whose_file_has_another_code() -> None:
    """Given Northumberland's code of today (E06000057), then its LSOAs are found in the
    file of its 2013 code (E06000048.json), and the former code gives the same LSOAs."""
    shapes = b.lsoa_shapes(["E06000057"])
    assert list(shapes) == _store_lsoas("E06000057")
    assert len(shapes) == 197
    assert {s.file for s in shapes.values()} == {"E06000048"}
    assert {s.district for s in shapes.values()} == {"E06000057"}
    assert b.district_lsoas(["E06000048"]) == tuple(shapes)
    # Gateshead likewise, and a district merged in 2023 is its 2021 districts together
    assert b.district_lsoas(["E08000037"]) == b.district_lsoas(["E08000020"])
    cumberland = b.district_lsoas(["E06000063"])
    assert cumberland == b.district_lsoas(["E07000026", "E07000028", "E07000029"])
    # Dorset (2019) spans the files of five 2013 districts
    assert len({s.file for s in b.lsoa_shapes(["E06000059"]).values()}) == 5


def test_every_store_district_has_lsoas() -> None:
    """Given every district code the store's lookup gives, then each finds exactly its
    LSOAs (2011 codes), and every 2017 code is understood."""
    store = g.lsoa_to_district()
    for district in sorted({store[c] for c in g.lsoa_file_codes()}):
        assert b.district_lsoas([district]) == tuple(_store_lsoas(district))
    lad17 = {r["LAD17CD"] for r in g.reference_rows("lad17_csp17_pfa17_lookup.csv.gz")}
    assert all(b.district_lsoas([code]) for code in lad17)


def test_an_unknown_district_is_an_error_naming_it() -> None:
    """Given a code no lookup knows, then UnknownDistrictError names it (a map silently
    missing a district would look complete); no districts at all give nothing."""
    with pytest.raises(b.UnknownDistrictError, match="S12000033, X99"):
        b.lsoa_shapes([WEST_LANCS, "X99", "S12000033"])
    with pytest.raises(LookupError):
        b.outline(["E07999999"])
    assert b.lsoa_shapes([]) == {}
    assert b.place_map([], outlines={}) == {"type": "FeatureCollection", "features": []}
    # one code given as a string is one code, not its letters
    assert b.district_lsoas(WEST_LANCS) == b.district_lsoas([WEST_LANCS])


# --- decoding -------------------------------------------------------------------------


def _independent_area(lad13: str, lsoa: str) -> float:
    """Planar area (square degrees) of one LSOA decoded with plain loops (no numpy, no
    shapely): delta-decode every arc, join the rings, shoelace."""
    topology = json.loads((TOPOJSON / f"{lad13}.json").read_text(encoding="utf-8"))
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)

    def ring(indexes: list[int]) -> list[tuple[float, float]]:
        out: list[tuple[float, float]] = []
        for i in indexes:
            points = arcs[i] if i >= 0 else arcs[~i][::-1]
            out.extend(points if not out else points[1:])
        return out

    def shoelace(r: list[tuple[float, float]]) -> float:
        return abs(sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in pairwise(r))) / 2

    geo = next(x for x in topology["objects"][lad13]["geometries"] if x["id"] == lsoa)
    polygons = [geo["arcs"]] if geo["type"] == "Polygon" else geo["arcs"]
    return sum(shoelace(ring(r)) * (1 if k == 0 else -1) for p in polygons for k, r in enumerate(p))


@pytest.mark.parametrize(
    ("lad13", "lsoa", "known"),
    [
        ("E07000127", "E01025468", 0.00010791639987),  # West Lancashire 009A
        ("E07000127", "E01025513", 0.00171635153662),  # West Lancashire 002D: two parts
        ("E07000121", "E01025105", 0.01274534483663),  # Lancaster 019A: has a hole
    ],
)
def test_arcs_decode_to_the_known_area(lad13: str, lsoa: str, known: float) -> None:
    """Given one LSOA, then its area equals that of an independent decode (and the value
    computed once when this test was written): arcs summed, reversed and joined right."""
    area = b.lsoa_shapes([lad13])[lsoa].geometry.area
    assert area == pytest.approx(_independent_area(lad13, lsoa), rel=1e-9)
    assert area == pytest.approx(known, rel=1e-9)


def test_holes_are_kept() -> None:
    """Given Lancaster 019A, which surrounds Lancaster 019B, then 019A has a hole where
    019B is: they do not overlap, and together they fill 019A's outer ring."""
    shapes = b.lsoa_shapes(["E07000121"])
    outer, inner = shapes["E01025105"].geometry, shapes["E01025106"].geometry
    assert isinstance(outer, Polygon) and len(outer.interiors) == 1
    assert outer.intersection(inner).area == pytest.approx(0, abs=1e-12)
    assert outer.area + inner.area == pytest.approx(Polygon(outer.exterior).area, rel=1e-9)


def test_neighbours_share_their_boundary_exactly() -> None:
    """Given two neighbouring LSOAs of one file, then they meet along a line with no gap
    and no overlap, and their union is one polygon with fewer vertices than the two."""
    shapes = b.lsoa_shapes([WEST_LANCS])
    a, c = shapes["E01025472"].geometry, shapes["E01025473"].geometry
    assert a.intersection(c).length > 0.05
    assert a.intersection(c).area == 0
    union = shapely.union_all([a, c])
    assert isinstance(union, Polygon) and not union.interiors
    assert shapely.get_num_coordinates(union) < (
        shapely.get_num_coordinates(a) + shapely.get_num_coordinates(c)
    )
    assert union.area == pytest.approx(a.area + c.area, rel=1e-12)


def test_self_touching_rings_are_repaired() -> None:
    """Given the shipped files, where a few generalised rings touch themselves, then every
    LSOA of such a district comes back valid with its area kept."""
    shapes = b.lsoa_shapes(["E06000004"])  # Stockton-on-Tees: E01012278 and E01012289
    assert all(s.geometry.is_valid for s in shapes.values())
    for code in ("E01012278", "E01012289"):
        expected = _independent_area("E06000004", code)
        assert shapes[code].geometry.area == pytest.approx(expected, rel=1e-3)


# --- outlines -------------------------------------------------------------------------


def test_west_lancashire_outline() -> None:
    """Given West Lancashire, then its outline is valid, has the area of its LSOAs and
    holds each of them; it has two parts because West Lancashire 002D has a detached
    piece (the ONS district boundary is a multipolygon too)."""
    shapes = b.lsoa_shapes([WEST_LANCS])
    area = b.outline([WEST_LANCS])
    assert area.is_valid
    assert isinstance(area, MultiPolygon) and len(area.geoms) == 2
    assert not any(p.interiors for p in area.geoms)
    assert area.area == pytest.approx(sum(s.geometry.area for s in shapes.values()), rel=1e-9)
    assert all(area.contains(s.geometry.representative_point()) for s in shapes.values())
    detached = min(area.geoms, key=lambda p: p.area)
    assert shapes["E01025513"].geometry.contains(detached.representative_point())


@pytest.mark.shared_data
@pytest.mark.skipif(not ONS_LANCASHIRE.is_file(), reason="shared data folder is absent")
def test_west_lancashire_outline_matches_the_ons_boundary() -> None:
    """Given the ONS boundary of West Lancashire (LAD 2022, generalised independently),
    then the dissolved outline covers the same ground within half a percent."""
    features = json.loads(Path(ONS_LANCASHIRE).read_text(encoding="utf-8"))["features"]
    ons = shape(next(f for f in features if f["properties"]["objectid"] == WEST_LANCS)["geometry"])
    area = b.outline([WEST_LANCS])
    assert area.area == pytest.approx(ons.area, rel=2e-3)
    assert area.symmetric_difference(ons).area < 0.005 * ons.area


def test_county_outline_has_no_seams() -> None:
    """Given the 14 Lancashire districts, whose files were quantised each on its own grid,
    then the force area's outline has no sliver holes along the district boundaries and
    the area of its LSOAs (within the few metres the seams are closed by)."""
    shapes = b.lsoa_shapes(LANCASHIRE)
    assert len(shapes) == 941
    area = b.outline(LANCASHIRE)
    assert area.is_valid
    parts = list(area.geoms) if isinstance(area, MultiPolygon) else [area]
    assert not any(p.interiors for p in parts)
    main = max(parts, key=lambda p: p.area)
    assert main.area > 0.99 * area.area  # the rest are islands in Morecambe Bay
    assert area.area == pytest.approx(sum(s.geometry.area for s in shapes.values()), rel=1e-4)
    assert all(area.contains(s.geometry.representative_point()) for s in shapes.values())


def test_a_county_keeps_the_hole_of_its_unitary_district() -> None:
    """Given Nottinghamshire's seven districts (Nottingham city is not one of them), then
    the outline keeps the city as a real hole while closing the seams (the other part
    is a detached piece of Bassetlaw 015F)."""
    county = [f"E07000{n}" for n in range(170, 177)]
    assert [g.district_name(d) for d in county][:2] == ["Ashfield", "Bassetlaw"]
    area = b.outline(county)
    assert isinstance(area, MultiPolygon) and len(area.geoms) == 2
    main, detached = sorted(area.geoms, key=lambda p: -p.area)
    assert len(main.interiors) == 1 and not detached.interiors
    assert b.lsoa_shapes(county)["E01028039"].geometry.contains(detached.representative_point())
    city = b.outline(["E06000018"])
    assert Polygon(main.interiors[0]).symmetric_difference(city).area < 0.01 * city.area


# --- a place's map --------------------------------------------------------------------


def test_place_map_is_geojson_for_leaflet() -> None:
    """Given West Lancashire with its own outline, then the map is a FeatureCollection
    that round-trips through json: one feature per LSOA (code, name, district) sorted by
    code, then the outline; coordinates rounded, exterior rings anticlockwise."""
    data = b.place_map([WEST_LANCS], outlines={WEST_LANCS: ("West Lancashire", [WEST_LANCS])})
    assert json.loads(json.dumps(data)) == data
    assert data["type"] == "FeatureCollection"
    lsoas = [f for f in data["features"] if f["properties"]["kind"] == "lsoa"]
    assert [f["properties"]["code"] for f in lsoas] == _store_lsoas(WEST_LANCS)
    for f in lsoas:
        props = f["properties"]
        assert set(props) == {"code", "name", "district", "kind"}
        assert props["name"].startswith("West Lancashire ") and props["district"] == WEST_LANCS
        assert f["geometry"]["type"] in {"Polygon", "MultiPolygon"}
    last = data["features"][-1]
    assert last["properties"] == {"code": WEST_LANCS, "name": "West Lancashire", "kind": "outline"}
    assert last["geometry"]["type"] == "MultiPolygon"
    for f in data["features"]:
        geometry = shape(f["geometry"])
        assert geometry.is_valid
        for polygon in getattr(geometry, "geoms", [geometry]):
            assert polygon.exterior.is_ccw and not any(r.is_ccw for r in polygon.interiors)
        coordinates = shapely.get_coordinates(geometry)
        assert (coordinates.round(5) == coordinates).all()
    rounded = sum(shape(f["geometry"]).area for f in lsoas)
    exact = sum(s.geometry.area for s in b.lsoa_shapes([WEST_LANCS]).values())
    assert rounded == pytest.approx(exact, rel=1e-4)


def test_place_map_is_deterministic_and_keeps_outline_order() -> None:
    """Given the same districts in another order, then the same bytes; outlines follow
    the order given (the enclosing place last), and a bare list of districts is named
    after its one district."""
    two = ["E07000127", "E07000118"]
    outlines: dict[str, b.OutlineSpec] = {
        "E07000118": ["E07000118"],
        "E07000127": ("West Lancashire", ["E07000127"]),
        "E22000999": ("Both", two),
    }
    first = b.place_map(two, outlines=outlines)
    again = b.place_map(list(reversed(two)), outlines=dict(outlines))
    assert json.dumps(first) == json.dumps(again)
    tail = [f["properties"] for f in first["features"][-3:]]
    assert [(p["code"], p["name"]) for p in tail] == [
        ("E07000118", "Chorley"), ("E07000127", "West Lancashire"), ("E22000999", "Both"),
    ]  # fmt: skip
    codes = [f["properties"]["code"] for f in first["features"][:-3]]
    assert codes == sorted(codes) and len(codes) == 73 + len(_store_lsoas("E07000118"))
