"""The density surface of incident points for a map: a Gaussian kernel density
estimate, binned (points counted on a grid of square cells on the British National
Grid and smoothed with a Gaussian filter, Wand 1994), in incidents per km², and the
same surface as nested GeoJSON bands.

Bandwidth (the kernel's standard deviation): :data:`DEFAULT_BANDWIDTH_M` metres, or
Scott's rule on request. Plain Python: no Django.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import shapely
from scipy import ndimage

from saferplaces.insight.boundaries import _polygonal, geojson_geometry

DEFAULT_BANDWIDTH_M = 250.0
"""The density surface's default bandwidth (the Gaussian kernel's standard deviation),
in metres: about the spacing of police.uk's anonymous map points in a town, so the
surface does not draw detail the points do not hold. ``"scott"`` asks for Scott's rule
instead (σ = n^(-1/6) × the points' standard deviation, averaged over east and north)."""
DENSITY_LIMITATION = (
    "The density surface spreads each mapped point over the bandwidth: it shows where "
    "incidents were mapped (anonymised points), not where each one happened."
)


class DensityError(ValueError):
    """No surface can be drawn from these points (the message says why)."""


def to_bng(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Longitude/latitude (WGS 84) to British National Grid metres (EPSG:27700)."""
    from pyproj import Transformer

    transformer = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)
    x, y = transformer.transform(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    return np.asarray(x), np.asarray(y)


def to_lonlat(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """British National Grid metres to longitude/latitude."""
    from pyproj import Transformer

    transformer = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)
    lon, lat = transformer.transform(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
    return np.asarray(lon), np.asarray(lat)


Bandwidth = float | Literal["scott"]
MAX_CELLS = 4_000_000


@dataclass(frozen=True)
class DensitySurface:
    """Incidents per km² on a grid of square cells (British National Grid, EPSG:27700):
    ``values[row, col]`` is the cell whose lower-left corner is
    (``x0 + col × cell``, ``y0 + row × cell``)."""

    x0: float
    y0: float
    cell: float
    values: np.ndarray
    bandwidth_m: float
    bandwidth_rule: str
    points: int
    method: str = "Gaussian kernel density estimate, binned (Wand 1994)"

    def centres(self) -> tuple[np.ndarray, np.ndarray]:
        ny, nx = self.values.shape
        return (self.x0 + (np.arange(nx) + 0.5) * self.cell,
                self.y0 + (np.arange(ny) + 0.5) * self.cell)  # fmt: skip

    def bounds_lonlat(self) -> tuple[float, float, float, float]:
        """(west, south, east, north) of the grid in longitude and latitude."""
        ny, nx = self.values.shape
        xs = np.array([self.x0, self.x0 + nx * self.cell, self.x0, self.x0 + nx * self.cell])
        ys = np.array([self.y0, self.y0, self.y0 + ny * self.cell, self.y0 + ny * self.cell])
        lon, lat = to_lonlat(xs, ys)
        return float(lon.min()), float(lat.min()), float(lon.max()), float(lat.max())

    def describe(self) -> str:
        return (
            f"{self.method}, bandwidth {self.bandwidth_m:,.0f} m ({self.bandwidth_rule}), "
            f"{self.cell:,.0f} m cells, from {self.points:,} mapped points."
        )


def scott_bandwidth(x: np.ndarray, y: np.ndarray) -> float:
    """Scott's rule for two dimensions: n^(-1/6) × the mean of the standard deviations
    east and north (metres)."""
    n = len(x)
    return float(n ** (-1 / 6) * (np.std(x, ddof=1) + np.std(y, ddof=1)) / 2)


def density_surface(
    lon: Iterable[float],
    lat: Iterable[float],
    *,
    bandwidth: Bandwidth = DEFAULT_BANDWIDTH_M,
    cell: float | None = None,
    bounds: tuple[float, float, float, float] | None = None,
) -> DensitySurface:
    """The density of points (longitude, latitude) in incidents per km².

    ``bandwidth`` is metres or ``"scott"``; ``cell`` defaults to a fifth of it (at least
    10 m, larger when the grid would pass :data:`MAX_CELLS`); ``bounds`` (west, south,
    east, north in degrees, e.g. the place's outline) default to the points' extent, and
    are widened by three bandwidths so the kernel's tails stay on the grid."""
    lo = np.asarray(list(lon) if not isinstance(lon, np.ndarray) else lon, dtype=float)
    la = np.asarray(list(lat) if not isinstance(lat, np.ndarray) else lat, dtype=float)
    ok = np.isfinite(lo) & np.isfinite(la)
    x, y = to_bng(lo[ok], la[ok])
    if len(x) < 2:
        raise DensityError("A density surface needs at least 2 mapped points")
    if bandwidth == "scott":
        h, rule = scott_bandwidth(x, y), "Scott's rule"
    else:
        h, rule = float(bandwidth), "fixed"
    if not h > 0:
        raise DensityError("The bandwidth must be more than 0 metres")
    if bounds is None:
        xmin, xmax, ymin, ymax = x.min(), x.max(), y.min(), y.max()
    else:
        bx, by = to_bng(np.array([bounds[0], bounds[2]]), np.array([bounds[1], bounds[3]]))
        xmin, xmax, ymin, ymax = bx.min(), bx.max(), by.min(), by.max()
    pad = 3 * h
    xmin, ymin, xmax, ymax = xmin - pad, ymin - pad, xmax + pad, ymax + pad
    size = max(10.0, h / 5) if cell is None else float(cell)
    while ((xmax - xmin) / size) * ((ymax - ymin) / size) > MAX_CELLS:
        size *= 1.5
    nx = max(1, math.ceil((xmax - xmin) / size))
    ny = max(1, math.ceil((ymax - ymin) / size))
    counts, _, _ = np.histogram2d(
        y, x, bins=[ny, nx], range=[[ymin, ymin + ny * size], [xmin, xmin + nx * size]]
    )
    smooth = ndimage.gaussian_filter(counts, sigma=h / size, mode="constant", truncate=4.0)
    per_km2 = smooth / (size * size) * 1e6
    return DensitySurface(float(xmin), float(ymin), size, per_km2, h, rule, len(x))


DENSITY_BANDS = 5


def density_bands(surface: DensitySurface, bands: int = DENSITY_BANDS) -> dict[str, Any]:
    """The surface as nested GeoJSON bands for a map (longitude/latitude, RFC 7946):
    band k holds every cell at or above k/``bands`` of the peak, so the bands stack
    from the widest and palest to the peak. Properties: ``band`` (1 = lowest),
    ``min_per_km2`` and ``label``. Cells in a row are merged into strips first, so a
    district's surface becomes a few thousand rectangles, then one polygon per band."""
    peak = float(surface.values.max())
    features: list[dict[str, Any]] = []
    if peak <= 0:
        return {"type": "FeatureCollection", "features": features}
    for k in range(1, bands + 1):
        level = peak * k / bands if k > 1 else peak / (2 * bands)
        strips = _strips(surface, surface.values >= level)
        if not strips:
            continue
        area = shapely.transform(
            shapely.coverage_union_all(np.array(strips, dtype=object)), _bng_to_lonlat_xy
        )
        features.append({
            "type": "Feature",
            "properties": {"band": k, "min_per_km2": round(level, 3),
                           "label": f"{level:,.0f} or more incidents per km²"},
            "geometry": geojson_geometry(_polygonal(area)),
        })  # fmt: skip
    return {"type": "FeatureCollection", "features": features}


def _strips(surface: DensitySurface, mask: np.ndarray) -> list[Any]:
    out = []
    for row in range(mask.shape[0]):
        line = np.concatenate([[False], mask[row], [False]]).astype(np.int8)
        edges = np.flatnonzero(np.diff(line))
        y0 = surface.y0 + row * surface.cell
        x = surface.x0 + edges * surface.cell
        for start, stop in zip(x[::2], x[1::2], strict=True):
            out.append(shapely.box(start, y0, stop, y0 + surface.cell))
    return out


def _bng_to_lonlat_xy(coords: np.ndarray) -> np.ndarray:
    lon, lat = to_lonlat(coords[:, 0], coords[:, 1])
    return np.column_stack([lon, lat])


__all__ = [
    "DEFAULT_BANDWIDTH_M",
    "DENSITY_BANDS",
    "DENSITY_LIMITATION",
    "Bandwidth",
    "DensityError",
    "DensitySurface",
    "density_bands",
    "density_surface",
    "scott_bandwidth",
    "to_bng",
    "to_lonlat",
]
