"""LSOA boundaries of England and Wales, and the maps drawn from them.

The 2011 LSOAs are shipped as TopoJSON in ``reference/lsoa11_topojson/``: one file per
2013 local authority district (``E07000127.json`` is West Lancashire), from Martin
Chorley's UK-GeoJSON (CC BY 4.0, over ONS and Ordnance Survey data: see the README
there and :data:`ATTRIBUTION`, which must be shown with every map). A file's name is
the district's 2013 code, which is not always the code the incident store uses
(Northumberland's LSOAs are in ``E06000048.json`` but the store calls the district
E06000057), so districts are always resolved through their LSOAs: the LSOA → LAD 2021
lookup of :mod:`saferplaces.insight.geography` gives the LSOAs of a district, and the
shipped index ``lsoa11_lad13.csv.gz`` (:func:`geography.lsoa_file_codes`) the file that
holds each LSOA, so only the files a place needs are read.

Districts, partnerships, counties and force areas are drawn by dissolving their LSOAs.
The TopoJSON is decoded here (a small decoder: the format is simple and shapely does
the geometry); see https://github.com/topojson/topojson-specification.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from itertools import chain
from typing import Any, TypeAlias

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry
from shapely.geometry.polygon import orient

from saferplaces.insight.geography import (
    district_name,
    lsoa_file_codes,
    lsoa_names,
    lsoa_to_district,
    reference_rows,
)

__all__ = [
    "ATTRIBUTION",
    "COORDINATE_DIGITS",
    "LsoaShape",
    "OutlineSpec",
    "UnknownDistrictError",
    "dissolve",
    "district_lsoas",
    "geojson_geometry",
    "lsoa_shapes",
    "outline",
    "place_map",
]

ATTRIBUTION = (
    "Boundaries adapted from UK-GeoJSON by Martin Chorley "
    "(https://github.com/martinjc/UK-GeoJSON), CC BY 4.0. "
    "Source: Office for National Statistics licensed under the Open Government Licence v3.0. "
    "Contains Ordnance Survey data © Crown copyright and database right 2014."
)
"""The sentence shown under every map drawn from these boundaries (CC BY 4.0 asks for
the author, the licence, a link and a note that the work was changed; the OS and ONS
notices must be carried with the data)."""

COORDINATE_DIGITS = 5
"""Decimal places of longitude and latitude in :func:`place_map`. 1e-5 degrees is about
1.1 m north-south and 0.7 m east-west here: finer than the grid each file is quantised
to (10^5 steps across its district: a median step of 1.8e-5 degrees, 0.5 to 11 m) and
far finer than the generalisation (tens of metres). At 5 places only 11 of the Met
area's 163,457 vertices merge with a neighbour; at 4 places 0.4 % do (a 19 % smaller
gzipped map, but shared edges start to fold); a sixth place adds 16 % for nothing."""

FOLDER = "lsoa11_topojson"

Geometry: TypeAlias = Polygon | MultiPolygon


class UnknownDistrictError(KeyError):
    """A district code that no lookup knows (the message names the codes)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown district"


@dataclass(frozen=True)
class LsoaShape:
    """One 2011 LSOA: its code and name, the district (store code, LAD 2021) it is in,
    the 2013 district file that holds it, and its boundary (lon/lat, CRS84)."""

    code: str
    name: str
    district: str
    file: str
    geometry: Geometry


# ---------------------------------------------------------------------------------------
# Which LSOAs a district code means


@cache
def _lsoas_by_code() -> dict[str, frozenset[str]]:
    """District code of any year held → its 2011 LSOAs.

    The store's codes first: the district :func:`geography.lsoa_to_district` gives each
    LSOA (LAD 2021, the same as LAD 2022 in England and Wales); then the 2013 codes of
    the boundary files where they are not also a store code (Northumberland E06000048,
    the districts merged since); then the 2023 districts that merged 2021 ones
    (Cumberland E06000063 …). Every LAD 2017 code is among these."""
    store = lsoa_to_district()
    by_store: dict[str, set[str]] = {}
    by_file: dict[str, set[str]] = {}
    for lsoa, lad13 in lsoa_file_codes().items():
        by_store.setdefault(store[lsoa], set()).add(lsoa)
        by_file.setdefault(lad13, set()).add(lsoa)
    out = {code: frozenset(lsoas) for code, lsoas in (by_file | by_store).items()}
    merged: dict[str, set[str]] = {}
    for row in reference_rows("lad21_to_lad24_changes.csv.gz"):
        merged.setdefault(row["lad24_code"], set()).update(by_store.get(row["lad21_code"], ()))
    for code, lsoas in merged.items():
        out.setdefault(code, frozenset(lsoas))
    return out


def district_lsoas(districts: Iterable[str]) -> tuple[str, ...]:
    """The 2011 LSOA codes of the districts, sorted.

    A district may be named by its LAD 2021/2022 code (as the incident store does), its
    2013 or 2017 code, or the 2023 code of a district that merged 2021 ones. Raises
    :class:`UnknownDistrictError` naming every code no lookup knows; no districts give ().
    """
    table = _lsoas_by_code()
    codes = sorted({d.strip() for d in ([districts] if isinstance(districts, str) else districts)})
    unknown = [c for c in codes if c not in table]
    if unknown:
        raise UnknownDistrictError(
            f"No LSOA boundaries for district code(s) {', '.join(unknown)}: "
            "expected LAD codes of England and Wales (2013 to 2023)"
        )
    found: set[str] = set()
    for code in codes:
        found |= table[code]
    return tuple(sorted(found))


# ---------------------------------------------------------------------------------------
# TopoJSON


def _read_topology(lad13: str) -> dict[str, Any]:
    path = resources.files("saferplaces.insight").joinpath("reference", FOLDER, f"{lad13}.json")
    topology: dict[str, Any] = json.loads(path.read_bytes())
    return topology


def _decode_arcs(topology: Mapping[str, Any]) -> list[np.ndarray]:
    """Every arc as an (n, 2) array of lon/lat: quantised arcs are delta-encoded
    (positions are running sums) and then scaled and translated by the transform."""
    arcs: list[list[list[float]]] = topology["arcs"]
    lengths = np.fromiter((len(a) for a in arcs), dtype=np.intp, count=len(arcs))
    flat = np.array([p[:2] for p in chain.from_iterable(arcs)], dtype=np.float64)
    transform = topology.get("transform")
    if transform is not None:
        sums = np.cumsum(flat, axis=0)
        ends = np.cumsum(lengths)
        before = np.zeros((len(arcs), 2))
        before[1:] = sums[ends[:-1] - 1]
        flat = (sums - np.repeat(before, lengths, axis=0)) * transform["scale"] + transform[
            "translate"
        ]
    return np.split(flat, np.cumsum(lengths)[:-1])


def _ring(indexes: Sequence[int], arcs: Sequence[np.ndarray]) -> np.ndarray:
    """A closed ring from arc indexes (``~i`` is arc ``i`` reversed); each arc after the
    first starts where the previous ended, so its first position is dropped."""
    parts = [arcs[i] if i >= 0 else arcs[~i][::-1] for i in indexes]
    return np.concatenate([parts[0], *(p[1:] for p in parts[1:])])


def _polygon(rings: Sequence[Sequence[int]], arcs: Sequence[np.ndarray]) -> Polygon:
    shell, *holes = (_ring(r, arcs) for r in rings)
    return Polygon(shell, holes)


def _geometry(obj: Mapping[str, Any], arcs: Sequence[np.ndarray]) -> Geometry:
    geometry: Geometry
    if obj["type"] == "Polygon":
        geometry = _polygon(obj["arcs"], arcs)
    elif obj["type"] == "MultiPolygon":
        geometry = MultiPolygon([_polygon(p, arcs) for p in obj["arcs"]])
    else:
        raise ValueError(f"Unexpected TopoJSON geometry {obj['type']!r} for {obj.get('id')}")
    if geometry.is_valid:
        return geometry
    # About 170 of the 34,753 rings touch or cross themselves after generalisation;
    # repaired keeping their area (changes below 0.03 %) so that dissolving is exact.
    return _polygonal(shapely.make_valid(geometry, method="structure", keep_collapsed=False))


def _polygonal(geometry: BaseGeometry) -> Geometry:
    if isinstance(geometry, Polygon | MultiPolygon):
        return geometry
    return MultiPolygon([g for g in shapely.get_parts(geometry) if isinstance(g, Polygon)])


@lru_cache(maxsize=64)
def _file_shapes(lad13: str) -> dict[str, Geometry]:
    """LSOA code → geometry of every LSOA in one boundary file (kept for reuse: 64 files,
    about 8,000 LSOAs, take about 10 MB)."""
    topology = _read_topology(lad13)
    arcs = _decode_arcs(topology)
    out: dict[str, Geometry] = {}
    for obj in topology["objects"].values():
        for geo in obj["geometries"]:
            out[geo["properties"]["LSOA11CD"]] = _geometry(geo, arcs)
    return out


# ---------------------------------------------------------------------------------------
# Shapes, outlines and maps


def lsoa_shapes(districts: Iterable[str]) -> dict[str, LsoaShape]:
    """Every 2011 LSOA of the districts, by LSOA code (sorted), with its name, district
    and boundary; codes as :func:`district_lsoas` takes them (unknown ones raise
    :class:`UnknownDistrictError`). Only the boundary files holding them are read."""
    codes = district_lsoas(districts)
    files = lsoa_file_codes()
    names = lsoa_names()
    store = lsoa_to_district()
    out: dict[str, LsoaShape] = {}
    for code in codes:
        lad13 = files[code]
        out[code] = LsoaShape(
            code, names.get(code, code), store[code], lad13, _file_shapes(lad13)[code]
        )
    return out


SEAM_WIDTH = 1e-4
"""Gaps narrower than this (degrees, about 7 to 11 m) are closed when LSOAs from
different files are dissolved: each file was quantised on its own grid, so neighbouring
districts miss each other by a few metres along their common boundary, which would
leave hundreds of slivers in a county's outline (704 in Lancashire's)."""


def dissolve(shapes: Iterable[LsoaShape]) -> Geometry:
    """The union of the LSOAs as one (multi)polygon.

    LSOAs of one boundary file share their arcs exactly, so their union is exact; the
    pieces from several files are made edge-matched first (``shapely.coverage_clean``,
    closing gaps narrower than :data:`SEAM_WIDTH`) and then joined."""
    return _join(_file_pieces(shapes, {}))


def _file_pieces(
    shapes: Iterable[LsoaShape], memo: dict[tuple[str, ...], Geometry]
) -> list[Geometry]:
    """The union of the LSOAs of each boundary file, by file (``memo`` keeps them across
    the outlines of one map: a county and its districts share their pieces)."""
    by_file: dict[str, list[LsoaShape]] = {}
    for shape in shapes:
        by_file.setdefault(shape.file, []).append(shape)
    pieces = []
    for group in by_file.values():
        key = tuple(sorted(s.code for s in group))
        if key not in memo:
            memo[key] = _polygonal(shapely.union_all([s.geometry for s in group]))
        pieces.append(memo[key])
    return pieces


def _join(pieces: Sequence[Geometry]) -> Geometry:
    if not pieces:
        return MultiPolygon()
    if len(pieces) == 1:
        return pieces[0]
    cleaned = shapely.coverage_clean(np.array(pieces, dtype=object), gap_width=SEAM_WIDTH)
    return _polygonal(shapely.coverage_union_all(cleaned))


def outline(districts: Iterable[str]) -> Geometry:
    """The area of the districts, dissolved from their LSOAs (see :func:`dissolve`):
    a district, partnership, county or force area drawn from the LSOA lookups."""
    return dissolve(lsoa_shapes(districts).values())


def _coords(ring: Any, digits: int) -> list[list[float]]:
    xy = np.round(np.asarray(ring.coords)[:, :2], digits)
    keep = np.ones(len(xy), dtype=bool)
    keep[1:] = np.any(xy[1:] != xy[:-1], axis=1)
    out: list[list[float]] = xy[keep].tolist()
    return out


def _polygon_coords(polygon: Polygon, digits: int) -> list[list[list[float]]]:
    polygon = orient(polygon, 1.0)  # RFC 7946: exterior anticlockwise, holes clockwise
    rings = [_coords(polygon.exterior, digits)]
    rings += [_coords(r, digits) for r in polygon.interiors]
    return [r for r in rings if len(r) >= 4]


def geojson_geometry(geometry: Geometry, digits: int = COORDINATE_DIGITS) -> dict[str, Any]:
    """A GeoJSON geometry (RFC 7946 winding) with coordinates rounded to ``digits``."""
    if isinstance(geometry, Polygon):
        return {"type": "Polygon", "coordinates": _polygon_coords(geometry, digits)}
    parts = [_polygon_coords(p, digits) for p in geometry.geoms]
    return {"type": "MultiPolygon", "coordinates": [p for p in parts if p]}


OutlineSpec: TypeAlias = tuple[str, Sequence[str]] | Sequence[str]
"""An outline to draw: ``(name, district codes)``, or just the district codes (the
name is then the district's own name when there is one district, else the code)."""


def _outline_spec(code: str, spec: OutlineSpec) -> tuple[str, Sequence[str]]:
    if len(spec) == 2 and isinstance(spec[0], str) and not isinstance(spec[1], str):
        name, members = spec
        return str(name), list(members)
    members = [str(m) for m in spec]
    name = (district_name(members[0]) if len(members) == 1 else None) or code
    return name, members


def place_map(
    districts: Iterable[str],
    *,
    outlines: Mapping[str, OutlineSpec],
    digits: int = COORDINATE_DIGITS,
) -> dict[str, Any]:
    """One GeoJSON FeatureCollection for a place's map, for Leaflet's ``L.geoJSON``.

    A feature per LSOA of ``districts``, sorted by code (properties ``code``, ``name``,
    ``district``, ``kind: "lsoa"``), then one feature per entry of ``outlines`` in the
    order given (callers put the enclosing place last), each the dissolved area of its
    districts (properties ``code``, ``name``, ``kind: "outline"``). Coordinates are
    rounded to ``digits`` decimal places (see :data:`COORDINATE_DIGITS`). The same
    arguments always give the same output, so it may be cached by content. Unknown
    district codes raise :class:`UnknownDistrictError`.
    """
    shapes = lsoa_shapes(districts)
    features: list[dict[str, Any]] = [
        {
            "type": "Feature",
            "properties": {"code": s.code, "name": s.name, "district": s.district, "kind": "lsoa"},
            "geometry": geojson_geometry(s.geometry, digits),
        }
        for s in shapes.values()
    ]
    memo: dict[tuple[str, ...], Geometry] = {}
    for code, spec in outlines.items():
        name, members = _outline_spec(code, spec)
        area = _join(_file_pieces(lsoa_shapes(members).values(), memo))
        features.append(
            {
                "type": "Feature",
                "properties": {"code": code, "name": name, "kind": "outline"},
                "geometry": geojson_geometry(area, digits),
            }
        )
    return {"type": "FeatureCollection", "features": features}
