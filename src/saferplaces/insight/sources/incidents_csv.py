"""Any dated incident CSV → canonical partitions, driven by a small TOML mapping.

A mapping (parsed and checked by :mod:`saferplaces.insight.sources.mapping`) names the
source and dataset and, under ``[columns]``, which columns hold the date (``date`` +
``date_format``, or ``year``/``month``/``day`` with ``month_names = true`` for
"December"), optional ``time``/``time_format``, ``id``, ``category``, ``lat``/``lon`` or
``easting``/``northing`` (British National Grid, EPSG:27700, converted with pyproj),
``lsoa``, ``district`` (a LAD code column) and ``outcome``. ``[categories]`` maps source
values to category slugs (``default`` for the rest; without a default an unmapped value
is a problem). ``[flags]`` sets a flag when a column holds one of the listed values. See
``mappings/*.toml``.

Reading follows the police.uk reader: DuckDB reads the (decompressed, bounded) file; if
it cannot, or any row has a problem, a record-by-record scan names the bad records by
the physical line they start on and DuckDB reads the good ones again with those numbers.
"""

# ruff: noqa: S608 - SQL is assembled from internal column names and quoted literals

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
from pyproj import Transformer

from saferplaces.insight.problems import FileRefused, ImportProblem, ProblemLog, clipped
from saferplaces.insight.sources.files import SourceFile
from saferplaces.insight.sources.limits import DEFAULT_LIMITS, ImportLimits
from saferplaces.insight.sources.mapping import FlagRule, Mapping, MappingError, load_mapping
from saferplaces.insight.sources.police_uk import LINE_SLACK, StagedFile
from saferplaces.insight.sources.records import numbered_copy, read_records

UK_LON = (-8.7, 1.8)
UK_LAT = (49.8, 60.9)

__all__ = ["FlagRule", "Mapping", "MappingError", "load_mapping", "stage_file"]
"""The mapping's names are re-exported: callers read a mapping through this module."""


def _s(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _col(name: str) -> str:
    """A column of the file, named so that no column of the lookup it is joined with
    (``lsoa``, ``district``) can be mistaken for it."""
    return "raw." + _q(name)


def _select_sql(mapping: Mapping, csv_path: Path, *, numbered: bool, max_line_bytes: int) -> str:
    c = mapping.columns
    if "date" in c:
        day = f"TRY_CAST(TRY_STRPTIME(trim({_col(c['date'])}), {_s(mapping.date_format)}) AS DATE)"
        date_text = _col(c["date"])
    else:
        fmt = "%Y-%B-%d" if mapping.month_names else "%Y-%m-%d"
        day_col = f"trim({_col(c['day'])})" if "day" in c else "'1'"
        date_text = f"concat_ws('-', {_col(c['year'])}, {_col(c['month'])}, {day_col})"
        day = f"TRY_CAST(TRY_STRPTIME(concat_ws('-', trim({_col(c['year'])}), " \
              f"trim({_col(c['month'])}), {day_col}), {_s(fmt)}) AS DATE)"  # fmt: skip
    if "time" in c:
        occurred = (
            f"CASE WHEN {day} IS NULL THEN NULL ELSE {day} + coalesce(CAST(TRY_STRPTIME("
            f"trim({_col(c['time'])}), {_s(mapping.time_format)}) AS TIME), TIME '00:00') END"
        )
    else:
        occurred = f"CAST({day} AS TIMESTAMP)"
    if not mapping.day_level:
        occurred = "CAST(NULL AS TIMESTAMP)"
    if "category" in c:
        whens = " ".join(f"WHEN {_s(k)} THEN {_s(v)}" for k, v in mapping.categories.items())
        fallback = _s(mapping.default_category) if mapping.default_category else "NULL"
        # A category column with only a default: every row takes the default.
        category = f"CASE trim({_col(c['category'])}) {whens} ELSE {fallback} END" if whens \
            else fallback  # fmt: skip
        cat_raw = _col(c["category"])
    else:
        category, cat_raw = _s(str(mapping.default_category)), "''"
    x = "lon" if "lon" in c else "easting" if "easting" in c else None
    y = "lat" if "lat" in c else "northing" if "northing" in c else None
    xs = f"TRY_CAST({_col(c[x])} AS DOUBLE)" if x else "CAST(NULL AS DOUBLE)"
    ys = f"TRY_CAST({_col(c[y])} AS DOUBLE)" if y else "CAST(NULL AS DOUBLE)"
    flag_items = [
        f"CASE WHEN trim({_col(r.column)}) IN ({', '.join(_s(v) for v in r.values)}) "
        f"THEN {_s(r.flag)} END"
        for r in mapping.flags
    ]
    flags = (
        f"list_filter([{', '.join(flag_items)}], lambda f: f IS NOT NULL)"
        if flag_items else "CAST([] AS VARCHAR[])"
    )  # fmt: skip
    generated = f"'x:' || {_s(mapping.dataset)} || ':' || raw.__line"
    ident = f"coalesce(NULLIF(trim({_col(c['id'])}), ''), {generated})" if "id" in c else generated
    lsoa = f"NULLIF(trim({_col(c['lsoa'])}), '')" if "lsoa" in c else "CAST(NULL AS VARCHAR)"
    district = f"NULLIF(trim({_col(c['district'])}), '')" if "district" in c else "NULL"
    outcome = f"NULLIF(trim({_col(c['outcome'])}), '')" if "outcome" in c else "NULL"
    # Without line numbers (the fast path) a row's number stands in: it is the line
    # unless a quoted field holds a newline, and it is only shown when no row has a
    # problem (then the slow path, with true line numbers, replaces it).
    line = 'CAST("_line" AS BIGINT)' if numbered else "row_number() OVER () + 1"
    return f"""
    WITH raw AS (
      SELECT {line} AS __line, *
      FROM read_csv({_s(str(csv_path))}, header=true, all_varchar=true,
                    delim={_s(mapping.delimiter)}, quote='"', escape='"', strict_mode=true,
                    max_line_size={max_line_bytes + LINE_SLACK})
    )
    SELECT raw.__line AS line, {ident} AS id, {day} AS day,
           CAST(date_trunc('month', {day}) AS DATE) AS month,
           {occurred} AS occurred_at,
           {category} AS category, {cat_raw} AS category_raw, {date_text} AS date_text,
           {xs} AS x, {ys} AS y, {lsoa} AS lsoa,
           coalesce({district}, lk.district) AS district, {outcome} AS outcome,
           {flags} AS flags
    FROM raw LEFT JOIN lsoa_lookup lk ON lk.lsoa = {lsoa}
    """


@dataclass
class _Checked:
    """One read of a mapped file: its rows, their coordinates, and which are bad."""

    table: pa.Table
    lon: np.ndarray
    lat: np.ndarray
    bad: np.ndarray

    def problems(self, label: str, limit: int) -> list[ImportProblem]:
        """The first ``limit`` bad rows' problems, in file order."""
        out = []
        for i in np.flatnonzero(self.bad)[:limit].tolist():
            row = {k: self.table.column(k)[i].as_py() for k in
                   ("line", "day", "category", "category_raw", "date_text", "x", "y")}  # fmt: skip
            reasons = []
            if row["day"] is None:
                reasons.append(
                    f"date {row['date_text']!r} does not match the mapping's date format"
                )
            if row["category"] is None:
                reasons.append(f"category {row['category_raw']!r} is not in the mapping")
            if _outside(self.lon[i], self.lat[i]):
                reasons.append(f"coordinates ({row['x']}, {row['y']}) are outside the UK")
            out.append(ImportProblem(label, int(row["line"]), "; ".join(reasons)))
        return out


def _outside(lon: Any, lat: Any) -> Any:
    """Whether located coordinates (arrays or numbers) are outside the UK (NaN: not located)."""
    with np.errstate(invalid="ignore"):
        inside = (lon >= UK_LON[0]) & (lon <= UK_LON[1]) & (lat >= UK_LAT[0]) & (lat <= UK_LAT[1])
    return ~(np.isnan(lon) | np.isnan(lat)) & ~inside


def _read(con: duckdb.DuckDBPyConnection, mapping: Mapping, csv_path: Path, *, numbered: bool,
          limits: ImportLimits) -> _Checked:  # fmt: skip
    """Read ``csv_path`` through the mapping and check every row (vectorised)."""
    con.execute("SET preserve_insertion_order = true")
    try:
        sql = _select_sql(
            mapping, csv_path, numbered=numbered, max_line_bytes=limits.max_line_bytes
        )
        table = con.sql(sql).to_arrow_table()
    finally:
        con.execute("SET preserve_insertion_order = false")
    x = table.column("x").to_numpy(zero_copy_only=False).astype("float64")
    y = table.column("y").to_numpy(zero_copy_only=False).astype("float64")
    if "easting" in mapping.columns:
        transformer = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)
        lon, lat = transformer.transform(x, y)
        lon, lat = np.asarray(lon, dtype="float64"), np.asarray(lat, dtype="float64")
    else:
        lon, lat = x, y
    bad = (
        table.column("day").is_null().to_numpy(zero_copy_only=False)
        | table.column("category").is_null().to_numpy(zero_copy_only=False)
        | _outside(lon, lat)
    )
    return _Checked(table, lon, lat, np.asarray(bad, dtype=bool))


def _read_header(
    local: Path, label: str, mapping: Mapping, limits: ImportLimits
) -> tuple[list[str], ImportProblem | None]:
    """The header's fields, or the problem with it (unreadable, or without a column the
    mapping names: DuckDB matches names without regard to case, and so does this)."""
    with local.open("rb") as fh:
        first = next(read_records(fh, limits, delimiter=mapping.delimiter), None)
    if first is None:
        return [], ImportProblem(label, 0, "file is empty")
    if first.problem is not None:
        return [], clipped(ImportProblem(label, first.line, f"header: {first.problem}", first.text))
    header = [first.fields[0].removeprefix("\ufeff"), *first.fields[1:]]
    have = {h.casefold() for h in header}
    wanted = [(f"columns.{k}", v) for k, v in mapping.columns.items()]
    wanted += [(f"flags.{r.flag}", r.column) for r in mapping.flags]
    missing = [f"{col!r} ({role})" for role, col in wanted if col.casefold() not in have]
    if missing:
        return header, clipped(ImportProblem(
            label, first.line,
            f"the header has no column {', '.join(missing)} that the mapping names; it has "
            f"{', '.join(repr(h) for h in header)}",
            first.text,
        ))  # fmt: skip
    return header, None


def stage_file(
    con: duckdb.DuckDBPyConnection,
    sf: SourceFile,
    stage_dir: Path,
    mapping: Mapping,
    *,
    skip_bad_rows: bool = False,
    limits: ImportLimits = DEFAULT_LIMITS,
) -> StagedFile:
    """Read, check and write one mapped CSV into ``stage_dir`` (see the module's
    docstring; at most ``limits.max_problems`` problems are kept, all are counted)."""
    result = StagedFile(sf)
    stage_dir.mkdir(parents=True, exist_ok=True)
    try:
        local = sf.local_path(stage_dir, limits)
    except FileRefused as refused:
        result.rejects = [refused.problem]
        return result
    try:
        _stage_local(con, result, local, stage_dir, mapping, skip_bad_rows=skip_bad_rows,
                     limits=limits)  # fmt: skip
    finally:
        if local != sf.path:
            local.unlink(missing_ok=True)
    return result


def _stage_local(
    con: duckdb.DuckDBPyConnection,
    result: StagedFile,
    local: Path,
    stage_dir: Path,
    mapping: Mapping,
    *,
    skip_bad_rows: bool,
    limits: ImportLimits,
) -> None:
    """:func:`stage_file` on the file's plain bytes at ``local``, filling ``result``."""
    sf = result.source_file
    header, problem = _read_header(local, sf.label, mapping, limits)
    if problem is not None:
        result.rejects = [problem]
        return
    checked: _Checked | None
    try:
        checked = _read(con, mapping, local, numbered=False, limits=limits)
    except duckdb.Error:
        checked = None
    if checked is None or checked.bad.any():
        # Slow path: every bad record by its line, then the good ones with line numbers.
        structural = ProblemLog(limits.max_problems)
        cleaned = stage_dir / "cleaned.csv"
        try:
            numbered_copy(local, cleaned, sf.label, header, structural, limits,
                          delimiter=mapping.delimiter)  # fmt: skip
            checked = _read(con, mapping, cleaned, numbered=True, limits=limits)
        except duckdb.Error as exc:
            text = str(exc).strip()
            first_line = text.splitlines()[0] if text else repr(exc)
            unreadable = ImportProblem(sf.label, 0, f"file could not be read: {first_line}")
            result.rejects = [*structural.merged([], 0), unreadable]
            result.rejected_rows = structural.total
            return
        finally:
            cleaned.unlink(missing_ok=True)
        bad_rows = int(checked.bad.sum())
        result.rejects = structural.merged(checked.problems(sf.label, limits.max_problems),
                                           bad_rows)  # fmt: skip
        result.rejected_rows = structural.total + bad_rows
    if checked.table.num_rows == 0 and not result.rejects:
        result.rejects = [ImportProblem(sf.label, 2, "file has no data rows")]
    if result.rejects and not skip_bad_rows:
        return
    keep = ~checked.bad
    good = checked.table.filter(pa.array(keep))
    n = good.num_rows
    lat, lon = checked.lat[keep], checked.lon[keep]
    out = pa.table(
        {
            "source": pa.array([mapping.source] * n, pa.string()),
            "dataset": pa.array([mapping.dataset] * n, pa.string()),
            "id": good.column("id"),
            "month": good.column("month").cast(pa.date32()),
            "occurred_at": good.column("occurred_at"),
            "category": good.column("category"),
            "lat": pa.array(lat, pa.float64(), mask=np.isnan(lat)),
            "lon": pa.array(lon, pa.float64(), mask=np.isnan(lon)),
            "lsoa": good.column("lsoa"),
            "district": good.column("district"),
            "outcome": good.column("outcome").cast(pa.string()),
            "flags": good.column("flags"),
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
