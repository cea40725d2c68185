"""Any dated incident CSV → canonical partitions, driven by a small TOML mapping.

A mapping names the source and dataset and, under ``[columns]``, which columns hold
the date (``date`` + ``date_format``, or ``year``/``month``/``day`` with
``month_names = true`` for "December"), optional ``time``/``time_format``, ``id``,
``category``, ``lat``/``lon`` or ``easting``/``northing`` (British National Grid,
EPSG:27700, converted with pyproj), ``lsoa``, ``district`` (a LAD code column) and
``outcome``. ``[categories]`` maps source values to category slugs (``default`` for
the rest; without a default an unmapped value is a problem). ``[flags]`` sets a flag
when a column holds one of the listed values. See ``mappings/*.toml``.
"""

# ruff: noqa: S608 - SQL is assembled from internal column names and quoted literals

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
from pyproj import Transformer

from saferplaces.insight.problems import ImportProblem
from saferplaces.insight.schema import CATEGORIES
from saferplaces.insight.sources.files import SourceFile
from saferplaces.insight.sources.police_uk import StagedFile

UK_LON = (-8.7, 1.8)
UK_LAT = (49.8, 60.9)


class MappingError(ValueError):
    """The mapping file is not valid."""


@dataclass(frozen=True)
class FlagRule:
    """Set ``flag`` when ``column`` holds one of ``values``."""

    flag: str
    column: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Mapping:
    """A parsed mapping file."""

    source: str
    dataset: str
    columns: dict[str, str]
    date_format: str = "%Y-%m-%d"
    time_format: str = "%H:%M"
    month_names: bool = False
    categories: dict[str, str] = field(default_factory=dict)
    default_category: str | None = None
    flags: tuple[FlagRule, ...] = ()
    delimiter: str = ","

    @property
    def day_level(self) -> bool:
        """Whether rows carry a day (so ``occurred_at`` is filled)."""
        c = self.columns
        return "date" in c or "day" in c


COLUMN_KEYS = {"id", "date", "year", "month", "day", "time", "category", "lat", "lon",
               "easting", "northing", "lsoa", "district", "outcome"}  # fmt: skip


def load_mapping(path: Path | str) -> Mapping:
    """Parse and check a mapping TOML file."""
    data: dict[str, Any] = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    try:
        source, dataset = str(data["source"]), str(data["dataset"])
    except KeyError as exc:
        raise MappingError(f"{path}: mapping needs 'source' and 'dataset'") from exc
    cols_raw = dict(data.get("columns") or {})
    date_format = str(cols_raw.pop("date_format", "%Y-%m-%d"))
    time_format = str(cols_raw.pop("time_format", "%H:%M"))
    month_names = bool(cols_raw.pop("month_names", False))
    columns = {str(k): str(v) for k, v in cols_raw.items() if v}
    unknown = set(columns) - COLUMN_KEYS
    if unknown:
        raise MappingError(f"{path}: unknown column keys {sorted(unknown)}")
    if "date" not in columns and not {"year", "month"} <= set(columns):
        raise MappingError(f"{path}: map a 'date' column or 'year' and 'month' columns")
    if ("easting" in columns) != ("northing" in columns) or ("lat" in columns) != (
        "lon" in columns
    ):
        raise MappingError(f"{path}: give both lat and lon, or both easting and northing")
    cats = dict(data.get("categories") or {})
    default = cats.pop("default", None)
    categories = {str(k): str(v) for k, v in cats.items()}
    for slug in [*categories.values(), *([default] if default else [])]:
        if slug not in CATEGORIES:
            raise MappingError(f"{path}: unknown category slug {slug!r}")
    if "category" not in columns and not default:
        raise MappingError(f"{path}: map a 'category' column or set categories.default")
    flags = tuple(
        FlagRule(str(name), str(rule["column"]), tuple(str(v) for v in rule["values"]))
        for name, rule in dict(data.get("flags") or {}).items()
    )
    return Mapping(source, dataset, columns, date_format, time_format, month_names,
                   categories, default, flags, str(data.get("delimiter", ",")))  # fmt: skip


def _s(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _select_sql(mapping: Mapping, csv_path: Path) -> str:
    c = mapping.columns
    if "date" in c:
        day = f"TRY_CAST(TRY_STRPTIME(trim({_q(c['date'])}), {_s(mapping.date_format)}) AS DATE)"
        date_text = _q(c["date"])
    else:
        fmt = "%Y-%B-%d" if mapping.month_names else "%Y-%m-%d"
        day_col = f"trim({_q(c['day'])})" if "day" in c else "'1'"
        date_text = f"concat_ws('-', {_q(c['year'])}, {_q(c['month'])}, {day_col})"
        day = f"TRY_CAST(TRY_STRPTIME(concat_ws('-', trim({_q(c['year'])}), " \
              f"trim({_q(c['month'])}), {day_col}), {_s(fmt)}) AS DATE)"  # fmt: skip
    if "time" in c:
        occurred = (
            f"CASE WHEN {day} IS NULL THEN NULL ELSE {day} + coalesce(CAST(TRY_STRPTIME("
            f"trim({_q(c['time'])}), {_s(mapping.time_format)}) AS TIME), TIME '00:00') END"
        )
    else:
        occurred = f"CAST({day} AS TIMESTAMP)"
    if not mapping.day_level:
        occurred = "CAST(NULL AS TIMESTAMP)"
    if "category" in c:
        whens = " ".join(f"WHEN {_s(k)} THEN {_s(v)}" for k, v in mapping.categories.items())
        fallback = _s(mapping.default_category) if mapping.default_category else "NULL"
        category = f"CASE trim({_q(c['category'])}) {whens} ELSE {fallback} END"
        cat_raw = _q(c["category"])
    else:
        category, cat_raw = _s(str(mapping.default_category)), "''"
    x = "lon" if "lon" in c else "easting" if "easting" in c else None
    y = "lat" if "lat" in c else "northing" if "northing" in c else None
    xs = f"TRY_CAST({_q(c[x])} AS DOUBLE)" if x else "CAST(NULL AS DOUBLE)"
    ys = f"TRY_CAST({_q(c[y])} AS DOUBLE)" if y else "CAST(NULL AS DOUBLE)"
    flag_items = [
        f"CASE WHEN trim({_q(r.column)}) IN ({', '.join(_s(v) for v in r.values)}) "
        f"THEN {_s(r.flag)} END"
        for r in mapping.flags
    ]
    flags = (
        f"list_filter([{', '.join(flag_items)}], lambda f: f IS NOT NULL)"
        if flag_items else "CAST([] AS VARCHAR[])"
    )  # fmt: skip
    ident = (
        f"coalesce(NULLIF(trim({_q(c['id'])}), ''), 'x:' || {_s(mapping.dataset)} || ':' || line)"
        if "id" in c else f"'x:' || {_s(mapping.dataset)} || ':' || line"
    )  # fmt: skip
    lsoa = f"NULLIF(trim({_q(c['lsoa'])}), '')" if "lsoa" in c else "CAST(NULL AS VARCHAR)"
    district = f"NULLIF(trim({_q(c['district'])}), '')" if "district" in c else "NULL"
    outcome = f"NULLIF(trim({_q(c['outcome'])}), '')" if "outcome" in c else "NULL"
    return f"""
    WITH raw AS (
      SELECT row_number() OVER () + 1 AS line, *
      FROM read_csv({_s(str(csv_path))}, header=true, all_varchar=true,
                    delim={_s(mapping.delimiter)}, strict_mode=true)
    )
    SELECT line, {ident} AS id, {day} AS day, {occurred} AS occurred_at,
           {category} AS category, {cat_raw} AS category_raw, {date_text} AS date_text,
           {xs} AS x, {ys} AS y, {lsoa} AS lsoa,
           coalesce({district}, lk.district) AS district, {outcome} AS outcome,
           {flags} AS flags
    FROM raw LEFT JOIN lsoa_lookup lk ON lk.lsoa = {lsoa}
    """


def stage_file(
    con: duckdb.DuckDBPyConnection,
    sf: SourceFile,
    stage_dir: Path,
    mapping: Mapping,
    *,
    skip_bad_rows: bool = False,
) -> StagedFile:
    """Read, check and write one mapped CSV into ``stage_dir``."""
    result = StagedFile(sf)
    local = sf.local_path(stage_dir)
    con.execute("SET preserve_insertion_order = true")
    try:
        table = con.sql(_select_sql(mapping, local)).to_arrow_table()
    except duckdb.Error as exc:
        result.rejects = [ImportProblem(sf.label, 0, f"file could not be read: {exc}")]
        return result
    finally:
        con.execute("SET preserve_insertion_order = false")
    if table.num_rows == 0:
        result.rejects = [ImportProblem(sf.label, 2, "file has no data rows")]
        return result
    x = table.column("x").to_numpy(zero_copy_only=False).astype("float64")
    y = table.column("y").to_numpy(zero_copy_only=False).astype("float64")
    if "easting" in mapping.columns:
        transformer = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)
        lon, lat = transformer.transform(x, y)
        lon, lat = np.asarray(lon, dtype="float64"), np.asarray(lat, dtype="float64")
    else:
        lon, lat = x, y
    lines = table.column("line").to_pylist()
    day = table.column("day").to_pylist()
    category = table.column("category").to_pylist()
    cat_raw = table.column("category_raw").to_pylist()
    date_text = table.column("date_text").to_pylist()
    bad = np.zeros(table.num_rows, dtype=bool)
    for i in range(table.num_rows):
        reasons = []
        if day[i] is None:
            reasons.append(f"date {date_text[i]!r} does not match the mapping's date format")
        if category[i] is None:
            reasons.append(f"category {cat_raw[i]!r} is not in the mapping")
        lo, la = lon[i], lat[i]
        if not (np.isnan(lo) or np.isnan(la)) and not (
            UK_LON[0] <= lo <= UK_LON[1] and UK_LAT[0] <= la <= UK_LAT[1]
        ):
            reasons.append(f"coordinates ({x[i]}, {y[i]}) are outside the UK")
        if reasons:
            bad[i] = True
            result.rejects.append(ImportProblem(sf.label, int(lines[i]), "; ".join(reasons)))
    if result.rejects and not skip_bad_rows:
        return result
    keep = ~bad
    months = [d.replace(day=1) if d is not None else None for d in day]
    out = pa.table(
        {
            "source": pa.array([mapping.source] * int(keep.sum()), pa.string()),
            "dataset": pa.array([mapping.dataset] * int(keep.sum()), pa.string()),
            "id": table.column("id").filter(pa.array(keep)),
            "month": pa.array([m for m, k in zip(months, keep, strict=True) if k], pa.date32()),
            "occurred_at": table.column("occurred_at").filter(pa.array(keep)),
            "category": table.column("category").filter(pa.array(keep)),
            "lat": pa.array(np.where(np.isnan(lat), None, lat)[keep].tolist(), pa.float64()),
            "lon": pa.array(np.where(np.isnan(lon), None, lon)[keep].tolist(), pa.float64()),
            "lsoa": table.column("lsoa").filter(pa.array(keep)),
            "district": table.column("district").filter(pa.array(keep)),
            "outcome": table.column("outcome").filter(pa.array(keep)).cast(pa.string()),
            "flags": table.column("flags").filter(pa.array(keep)),
        }
    )
    staged = stage_dir / "staged.parquet"
    con.register("mapped_rows", out)
    try:
        con.execute(f"COPY (SELECT * FROM mapped_rows) TO {_s(str(staged))} (FORMAT parquet)")
        counts = con.execute(
            "SELECT source, dataset, strftime(month, '%Y-%m'), count(*) FROM mapped_rows "
            "GROUP BY ALL"
        ).fetchall()
    finally:
        con.unregister("mapped_rows")
    result.partitions = {(str(a), str(b), str(m)): int(n) for a, b, m, n in counts}
    if result.partitions:
        result.data_file = staged
    if len(result.months) > 1:
        result.warnings.append(f"file spans {len(result.months)} months")
    return result
