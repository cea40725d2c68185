"""Shared fixtures for the insight tests (plain pytest; no Django)."""

from __future__ import annotations

import csv
import functools
import gzip
import io
from collections import Counter
from pathlib import Path

import pytest

from saferplaces.insight.store import IncidentStore

INSIGHT = Path(__file__).resolve().parents[2] / "src" / "saferplaces" / "insight"
SAMPLES = INSIGHT / "samples" / "police_uk" / "west_lancashire"
REFERENCE = INSIGHT / "reference"
SHARED = Path("/work/shared/data")
SHARED_STREET = SHARED / "police_uk_street"
WEST_LANCS = "E07000127"

HEADER = ("Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,"
          "LSOA name,Crime type,Last outcome category,Context")  # fmt: skip

requires_shared = pytest.mark.skipif(
    not SHARED_STREET.is_dir(), reason=f"shared data folder {SHARED_STREET} is absent"
)


@pytest.fixture
def store(tmp_path: Path) -> IncidentStore:
    """An empty store in a temporary folder."""
    return IncidentStore(tmp_path / "store")


def sample_files(months: list[str] | None = None) -> list[Path]:
    """The committed West Lancashire sample files (optionally only some months)."""
    files = sorted(SAMPLES.glob("*-west-lancashire-street.csv.gz"))
    if months is not None:
        files = [f for f in files if f.name[:7] in months]
    return files


@functools.cache
def independent_lookup() -> dict[str, str]:
    """LSOA → LAD read straight from the shipped reference files with the csv module."""
    out: dict[str, str] = {}
    with gzip.open(REFERENCE / "lsoa11_to_lsoa21_lad22.csv.gz", "rt", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            out[row["lsoa21_code"]] = row["ltla22_code"]
    with gzip.open(REFERENCE / "lsoa11_to_lad21.csv.gz", "rt", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            out[row["lsoa11_code"]] = row["ltla21_code"]
    return out


def slug(label: str) -> str:
    """Category slug made independently of the code under test."""
    return label.lower().replace(" ", "-")


def count_rows(files: list[Path]) -> Counter[tuple[str | None, str, str]]:
    """Cached :func:`count_rows_uncached` (files are read-only fixtures)."""
    return Counter(_count_rows_cached(tuple(files)))


@functools.cache
def _count_rows_cached(files: tuple[Path, ...]) -> Counter[tuple[str | None, str, str]]:
    return count_rows_uncached(list(files))


def count_rows_uncached(files: list[Path]) -> Counter[tuple[str | None, str, str]]:
    """(district, category slug, month) → rows, deduplicating Crime IDs the way the
    store promises: each crime once, in its first month."""
    lookup = independent_lookup()
    first: dict[str, tuple[tuple[object, ...], tuple[str | None, str, str]]] = {}
    counts: Counter[tuple[str | None, str, str]] = Counter()
    for path in files:
        with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                key = (lookup.get(row["LSOA code"]), slug(row["Crime type"]), row["Month"])
                cid = row["Crime ID"]
                if not cid:
                    counts[key] += 1
                    continue
                # The store's documented tie-break inside the first month: a located row
                # first, then the smallest LSOA, longitude, latitude, category.
                lsoa = row["LSOA code"]
                order = (row["Month"], not lsoa, lsoa, float(row["Longitude"] or "nan"),
                         float(row["Latitude"] or "nan"), key[1])  # fmt: skip
                if cid not in first or _less(order, first[cid][0]):
                    first[cid] = (order, key)
    counts.update(v[1] for v in first.values())
    return counts


def _less(a: tuple[object, ...], b: tuple[object, ...]) -> bool:
    """Tuple comparison where NaN sorts last (as NULL does in DuckDB)."""
    for x, y in zip(a, b, strict=True):
        if x == y or (x != x and y != y):
            continue
        if x != x:
            return False
        if y != y:
            return True
        return bool(x < y)  # type: ignore[operator]
    return False


def write_csv(path: Path, rows: list[str], header: str = HEADER) -> Path:
    """Write a small police.uk-style CSV."""
    path.write_text(header + "\n" + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


def row(
    crime_id: str = "",
    month: str = "2021-03",
    lon: str = "-2.880000",
    lat: str = "53.560000",
    lsoa: str = "E01025474",
    crime_type: str = "Burglary",
    outcome: str = "Under investigation",
) -> str:
    """One police.uk street row (West Lancashire LSOA by default)."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="").writerow(
        [crime_id, month, "Lancashire Constabulary", "Lancashire Constabulary", lon, lat,
         "On or near Somewhere", lsoa, "West Lancashire 001A", crime_type,
         outcome if crime_type != "Anti-social behaviour" else "", ""]
    )  # fmt: skip
    return buf.getvalue()
