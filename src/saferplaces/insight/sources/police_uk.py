"""police.uk street files → canonical partitions, validated and enriched inside DuckDB.

Fast path: one ``COPY`` in which DuckDB parses the CSV with explicit columns (only those
it keeps or checks), checks every row in SQL, joins the LSOA → district and crime type
lookups and writes one Parquet file with a ``_problem`` column. The file's digest,
computed beside it, says whether the columns it did not read are valid UTF-8 too. If any
row has a problem, or a Crime ID is repeated in a month as a different crime, or the
bytes are not UTF-8, or DuckDB cannot get past the file (wrong field count, unterminated
quotes, a line over the limit), a record-by-record Python scan names each bad record by
the line it starts on, writes the good ones (with those line numbers) to a temporary
file, and the ``COPY`` runs again on that, keeping each bad row's line and text for the
report. Rows with problems never reach the store, and at most ``limits.max_problems``
problems are kept per file (the rest are counted in SQL, never loaded into Python).

A compressed file (``.csv.gz``, or a zip member) is decompressed to the staging folder
first, within the limits, so DuckDB never reads more than they allow.
"""

# ruff: noqa: S608 - SQL is assembled from internal column names and quoted literals

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb

from saferplaces.insight.periods import format_month
from saferplaces.insight.problems import (
    MAX_RAW_CHARS,
    FileRefused,
    ImportProblem,
    ProblemLog,
    clipped,
)
from saferplaces.insight.schema import police_uk_label_to_slug, slugify
from saferplaces.insight.sources.files import SourceFile, discover
from saferplaces.insight.sources.limits import DEFAULT_LIMITS, ImportLimits
from saferplaces.insight.sources.records import numbered_copy, read_records

SOURCE = "police_uk"
HEADER: tuple[str, ...] = (
    "Crime ID",
    "Month",
    "Reported by",
    "Falls within",
    "Longitude",
    "Latitude",
    "Location",
    "LSOA code",
    "LSOA name",
    "Crime type",
    "Last outcome category",
    "Context",
)
CRIME_TYPES = "police_uk_crime_types"
"""Temporary table (label, slug) of every police.uk crime type, made by :func:`stage_file`."""
DISTRICTS = "police_uk_lsoa_districts"
"""Temporary table (lsoa, district) made from ``lsoa_lookup`` by :func:`stage_file`."""
CONSTANTS: dict[str, object] = {"source": SOURCE, "occurred_at": None, "flags": []}
"""Canonical columns with one value for every police.uk row: not written, the store
supplies them (see ``StagedFile.constants``)."""
PARQUET = "(FORMAT parquet, COMPRESSION uncompressed, PARQUET_VERSION v2)"
"""How staged partitions are written. Uncompressed: the Crime IDs, most of the bytes, are
random hex that a codec barely shrinks (12% larger files, a sixth less CPU to write);
the other columns are dictionary-encoded anyway."""
EARLIEST_MONTH = "2008-01"
UK_LON = (-8.7, 1.8)
UK_LAT = (49.8, 60.9)
LINE_SLACK = 64
"""Bytes DuckDB's ``max_line_size`` allows beyond ``limits.max_line_bytes``: the Python
scan enforces the limit itself and prefixes each line with its number."""
REPEATS_LISTED = 10
"""How many lines a repeated-Crime-ID problem lists."""
_FILE_RE = re.compile(r"(?P<month>\d{4}-\d{2})-(?P<force>[a-z0-9-]+?)-street\.csv(?:\.gz)?$")


def force_slug(reported_by: str) -> str:
    """``"Lancashire Constabulary"`` → ``"lancashire"`` (the police.uk file slug)."""
    text = re.sub(r"\s+(constabulary|police service|police)$", "", reported_by.strip(), flags=re.I)
    return slugify(text)


def find_files(
    paths: list[Path | str] | tuple[Path | str, ...],
    *,
    limits: ImportLimits = DEFAULT_LIMITS,
) -> list[SourceFile]:
    """Street files among ``paths`` (files, folders, bulk ``.zip`` archives).

    Raises ``ImportRejected`` for a missing path, a file over the size limit or an
    archive that cannot be trusted (see :func:`~saferplaces.insight.sources.files.discover`).
    """
    return discover(paths, member_filter="-street.csv", limits=limits)


@dataclass
class StagedFile:
    """What the reader wrote for one source file into a staging folder.

    ``data_file`` holds the accepted rows: the canonical columns, less those named in
    ``constants`` (which have one value for every row, supplied by the store when it is
    read), plus all-null helper columns (``_problem``; ``_line`` and ``_raw`` after the
    slow path). ``partitions`` counts its rows per (source, dataset, month).
    """

    source_file: SourceFile
    data_file: Path | None = None
    partitions: dict[tuple[str, str, str], int] = field(default_factory=dict)
    rejects: list[ImportProblem] = field(default_factory=list)
    """The problems found, at most ``ImportLimits.max_problems`` of them in line order,
    then (when there were more) a line-0 note saying how many were not kept."""
    rejected_rows: int = 0
    """How many rows were rejected in all (more than ``len(rejects)`` when capped)."""
    warnings: list[str] = field(default_factory=list)
    constants: dict[str, object] = field(default_factory=dict)

    @property
    def rows_rejected(self) -> int:
        """Rows refused, counted even where their problems were not all kept."""
        return max(self.rejected_rows, len(self.rejects))

    @property
    def rows_accepted(self) -> int:
        """Rows that will land."""
        return sum(self.partitions.values())

    @property
    def months(self) -> list[str]:
        """Months (YYYY-MM) this file supplies."""
        return sorted({m for _, _, m in self.partitions})


def _sql_str(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _read_header(
    local: Path, label: str, limits: ImportLimits
) -> tuple[list[str] | None, list[str] | None, list[ImportProblem]]:
    """(header fields, first data record's fields, problems) from the first two records."""
    with local.open("rb") as fh:
        records = read_records(fh, limits)
        first = next(records, None)
        second = next(records, None)
    if first is None:
        return None, None, [ImportProblem(label, 0, "file is empty")]
    if first.problem is not None:
        return None, None, [clipped(ImportProblem(label, first.line, f"header: {first.problem}",
                                                  first.text))]  # fmt: skip
    fields = [first.fields[0].removeprefix("\ufeff"), *first.fields[1:]]
    if tuple(fields) != HEADER:
        return fields, None, [
            clipped(ImportProblem(
                label, first.line,
                f"header is {','.join(fields)!r}; expected the 12 police.uk columns "
                f"{','.join(HEADER)!r}",
                first.text,
            ))
        ]  # fmt: skip
    data = second.fields if second is not None and second.problem is None else None
    return fields, data, []


def _checks(file_month: str | None, latest_month: str) -> str:
    """SQL giving one row's problems joined by '; ', or NULL when the row is good."""
    month_ok = "(month_d IS NOT NULL AND length(m) = 7)"
    checks = [
        ("rep IS NULL", "'Reported by is empty'"),
        ("m IS NULL", "'Month is empty'"),
        (f"m IS NOT NULL AND NOT {month_ok}", "'Month \"' || m || '\" is not YYYY-MM'"),
        (
            f"{month_ok} AND (m < '{EARLIEST_MONTH}' OR m > '{latest_month}')",
            f"'Month ' || m || ' is outside {EARLIEST_MONTH}..{latest_month}'",
        ),
        ("(lon IS NULL) <> (lat IS NULL)", "'only one of Longitude and Latitude is given'"),
        ("lon IS NOT NULL AND lon_d IS NULL", "'Longitude \"' || lon || '\" is not a number'"),
        ("lat IS NOT NULL AND lat_d IS NULL", "'Latitude \"' || lat || '\" is not a number'"),
        (
            f"lon_d NOT BETWEEN {UK_LON[0]} AND {UK_LON[1]} "
            f"OR lat_d NOT BETWEEN {UK_LAT[0]} AND {UK_LAT[1]}",
            "'coordinates (' || lon || ', ' || lat || ') are outside the UK'",
        ),
        (
            # Every code of the lookup passes the pattern, so only unknown codes need it.
            "lsoa IS NOT NULL AND district IS NULL AND NOT (length(lsoa) = 9 "
            "AND (starts_with(lsoa, 'E01') OR starts_with(lsoa, 'W01')) "
            "AND TRY_CAST(substr(lsoa, 4) AS UINTEGER) IS NOT NULL "
            "AND substr(lsoa, 4, 1) BETWEEN '0' AND '9')",
            "'LSOA code \"' || lsoa || '\" is not E01/W01 and 6 digits'",
        ),
        ("rep IS NOT NULL AND ds = ''", "'Reported by \"' || rep || '\" names no force'"),
        ("ctype IS NULL", "'Crime type is empty'"),
        ("ctype IS NOT NULL AND slug IS NULL", "'unknown Crime type \"' || ctype || '\"'"),
    ]
    if file_month is not None:
        checks.append(
            (
                f"{month_ok} AND m <> '{file_month}'",
                f"'Month ' || m || ' disagrees with the file''s month {file_month}'",
            )
        )
    parts = ", ".join(f"CASE WHEN {cond} THEN {reason} END" for cond, reason in checks)
    # The messages are only built for rows that fail a check (a cheap OR for the rest).
    any_bad = " OR ".join(f"({cond})" for cond, _ in checks)
    return f"CASE WHEN {any_bad} THEN NULLIF(concat_ws('; ', {parts}), '') END"


def _stage_sql(
    csv_path: Path,
    out_path: Path,
    *,
    with_line_column: bool,
    file_month: str | None,
    first_reported_by: str | None,
    latest_month: str,
    max_line_bytes: int = DEFAULT_LIMITS.max_line_bytes,
) -> str:
    """The single ``COPY`` statement that parses, checks, enriches and writes a file.

    With line numbers (the slow path) it also finds each Crime ID repeated within a
    month as a different crime (another Crime type, or another force) and rejects every
    row of it, naming their lines: police.uk repeats rows, and the store keeps one of
    them, but it cannot tell which of two different crimes is right. Repeats that differ
    only in location or outcome, which real police.uk files hold, are left to the
    store's documented tie-break."""
    cols = [("_line", "BIGINT")] if with_line_column else []
    cols += [(h, "VARCHAR") for h in HEADER]
    columns = "{" + ", ".join(f"{_sql_str(c)}: '{t}'" for c, t in cols) + "}"
    line_expr = "_line" if with_line_column else "CAST(NULL AS BIGINT)"
    dataset_expr = (
        "lower(trim(regexp_replace(regexp_replace(rep, "
        "'\\s+(constabulary|police service|police)$', '', 'i'), '[^A-Za-z0-9]+', '-', 'g'), '-'))"
    )
    dataset_expr = f"replace({dataset_expr}, '&', 'and')"
    if first_reported_by:
        dataset_expr = (
            f"CASE WHEN rep = {_sql_str(first_reported_by)} "
            f"THEN {_sql_str(force_slug(first_reported_by))} ELSE {dataset_expr} END"
        )
    # Only the slow path (line numbers known) keeps each bad row's line and text.
    helpers = ""
    final = "final AS (SELECT *, problem0 AS problem FROM checked)"
    inline = ""
    if with_line_column:
        raw = ", ".join(f"coalesce({_q(h)}, '')" for h in HEADER)
        helpers = (
            ",\n    CASE WHEN problem IS NULL THEN NULL ELSE line END AS _line,"
            "\n    CASE WHEN problem IS NULL THEN NULL ELSE "
            f"left(concat_ws(',', {raw}), {MAX_RAW_CHARS}) END AS _raw"
        )
        final = _repeats_sql()
        # Read the file twice rather than hold every row of it in memory for the repeats.
        inline = "NOT MATERIALIZED "
    return f"""
COPY (
  WITH raw AS (
    SELECT {line_expr} AS line, *
    FROM read_csv({_sql_str(str(csv_path))}, columns={columns}, header=true, delim=',',
                  quote='"', escape='"', auto_detect=false, strict_mode=true,
                  null_padding=false, encoding='utf-8',
                  max_line_size={max_line_bytes + LINE_SLACK})
  ),
  named AS (
    SELECT raw.*, trim("Month") AS m, "Reported by" AS rep, "Longitude" AS lon,
           "Latitude" AS lat, TRY_CAST("Longitude" AS DOUBLE) AS lon_d,
           TRY_CAST("Latitude" AS DOUBLE) AS lat_d, "LSOA code" AS lsoa,
           "Crime type" AS ctype, TRY_CAST(trim("Month") || '-01' AS DATE) AS month_d,
           coalesce({dataset_expr}, 'unknown') AS ds, lk.district AS district,
           ct.slug AS slug
    FROM raw LEFT JOIN {DISTRICTS} lk ON lk.lsoa = raw."LSOA code"
    LEFT JOIN {CRIME_TYPES} ct ON ct.label = raw."Crime type"
  ),
  checked AS {inline}(
    SELECT *, {_checks(file_month, latest_month)} AS problem0 FROM named
  ),
  {final}
  SELECT
    ds AS dataset,
    "Crime ID" AS id,
    month_d AS month,
    slug AS category,
    lat_d AS lat,
    lon_d AS lon,
    lsoa,
    district,
    NULLIF("Last outcome category", '') AS outcome,
    problem AS _problem{helpers}
  FROM final
) TO {_sql_str(str(out_path))} {PARQUET}
"""


def _repeats_sql() -> str:
    """The ``final`` CTE of the slow path: ``problem0``, or for a row whose Crime ID is
    repeated in its month as a different crime, a problem naming the lines."""
    n = REPEATS_LISTED
    message = (
        "'Crime ID ' || r.rid || ' is repeated on lines ' || "
        f"array_to_string(r.rlines[1:{n}], ', ') || "
        f"CASE WHEN len(r.rlines) > {n} THEN ' and ' || (len(r.rlines) - {n}) || ' more' "
        "ELSE '' END || ' of the month with different ' || "
        "CASE WHEN r.ntypes > 1 THEN 'Crime types (' || array_to_string(r.rtypes, ', ') "
        "|| ')' ELSE 'forces in Reported by' END || "
        "': a repeated crime must be the same crime, and which of these is right "
        "cannot be told'"
    )
    return f"""repeats AS (
    SELECT "Crime ID" AS rid, month_d AS rmonth, list(line ORDER BY line) AS rlines,
           list_sort(list(DISTINCT ctype)) AS rtypes, count(DISTINCT slug) AS ntypes
    FROM checked WHERE problem0 IS NULL AND "Crime ID" IS NOT NULL
    GROUP BY "Crime ID", month_d
    HAVING count(DISTINCT slug) > 1 OR count(DISTINCT ds) > 1
  ),
  final AS (
    SELECT checked.*,
           coalesce(problem0, CASE WHEN r.rid IS NOT NULL THEN {message} END) AS problem
    FROM checked LEFT JOIN repeats r
      ON r.rid = checked."Crime ID" AND r.rmonth = checked.month_d
  )"""


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def stage_file(
    con: duckdb.DuckDBPyConnection,
    sf: SourceFile,
    stage_dir: Path,
    *,
    skip_bad_rows: bool = False,
    today: date | None = None,
    is_utf8: Callable[[], bool] | None = None,
    limits: ImportLimits = DEFAULT_LIMITS,
) -> StagedFile:
    """Read, check and write one police.uk file into ``stage_dir``.

    The fast path reads only the columns it keeps, so DuckDB decodes only those;
    ``is_utf8`` (the file's digest, computed beside it) says whether the rest are valid
    UTF-8 too. Without it the whole file is decoded here.

    ``con`` must have a ``lsoa_lookup(lsoa, district)`` table. Every problem is returned
    in ``rejects`` with its line number (at most ``limits.max_problems``, the rest
    counted in ``rejected_rows``); with ``skip_bad_rows`` the good rows are kept in
    ``data_file``, otherwise a file with any problem has no ``data_file``. A file that
    cannot be read at all (damaged, a decompression bomb, over a limit) has one problem.
    """
    result = StagedFile(sf)
    _lookup_tables(con)
    stage_dir.mkdir(parents=True, exist_ok=True)
    try:
        local = sf.local_path(stage_dir, limits)
    except FileRefused as refused:
        result.rejects = [refused.problem]
        return result
    try:
        _stage_local(con, result, local, stage_dir, skip_bad_rows=skip_bad_rows,
                     today=today, is_utf8=is_utf8, limits=limits)  # fmt: skip
    finally:
        if local != sf.path:
            local.unlink(missing_ok=True)
    return result


def _stage_local(
    con: duckdb.DuckDBPyConnection,
    result: StagedFile,
    local: Path,
    stage_dir: Path,
    *,
    skip_bad_rows: bool,
    today: date | None,
    is_utf8: Callable[[], bool] | None,
    limits: ImportLimits,
) -> None:
    """:func:`stage_file` on the file's plain bytes at ``local``, filling ``result``."""
    sf = result.source_file
    _, first_data, problems = _read_header(local, sf.label, limits)
    if problems:
        result.rejects = problems
        return
    first_reported_by = None
    if first_data is not None and len(first_data) == len(HEADER):
        first_reported_by = first_data[2]
    m = _FILE_RE.search(sf.name)
    file_month = m.group("month") if m else None
    latest = format_month(today or date.today())
    staged = stage_dir / "staged.parquet"

    def run(csv_path: Path, with_line: bool) -> None:
        sql = _stage_sql(
            csv_path, staged, with_line_column=with_line, file_month=file_month,
            first_reported_by=first_reported_by, latest_month=latest,
            max_line_bytes=limits.max_line_bytes,
        )  # fmt: skip
        # DuckDB otherwise builds the join's hash table on the big CSV side.
        con.execute("SET disabled_optimizers = 'build_side_probe_side'")
        try:
            con.execute(sql)
        finally:
            con.execute("RESET disabled_optimizers")

    structural = ProblemLog(limits.max_problems)
    try:
        run(local, False)
        clean = _fast_path_clean(con, staged) and (
            is_utf8() if is_utf8 is not None else sf.digest(limits).utf8
        )
    except duckdb.Error:
        clean = False
    glob = _sql_str(str(staged))
    if not clean:
        # Slow path: name every bad record, then re-check the good ones with line numbers.
        cleaned = stage_dir / "cleaned.csv"
        try:
            numbered_copy(local, cleaned, sf.label, list(HEADER), structural, limits)
            run(cleaned, True)
        except duckdb.Error as exc:
            first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)
            unreadable = ImportProblem(sf.label, 0, f"unreadable: {first_line}")
            result.rejects = [*structural.merged([], 0), unreadable]
            result.rejected_rows = structural.total
            return
        finally:
            cleaned.unlink(missing_ok=True)
        where = f"FROM read_parquet({glob}) WHERE _problem IS NOT NULL"
        rows = con.execute(
            f"SELECT _line, _problem, _raw {where} ORDER BY _line LIMIT {limits.max_problems}"
        ).fetchall()
        counted = con.execute(f"SELECT count(*) {where}").fetchone()
        in_sql = int(counted[0]) if counted else 0
        found = [ImportProblem(sf.label, int(r[0]), str(r[1]), str(r[2])) for r in rows]
        result.rejects = structural.merged(found, in_sql)
        result.rejected_rows = structural.total + in_sql
    if result.rejects and not skip_bad_rows:
        return
    data = staged
    if result.rejects:
        data = stage_dir / "accepted.parquet"
        con.execute(
            f"COPY (SELECT * FROM read_parquet({glob}) WHERE _problem IS NULL) "
            f"TO {_sql_str(str(data))} {PARQUET}"
        )
        staged.unlink()
    counts = con.execute(
        "SELECT dataset, strftime(month, '%Y-%m'), count(*) "
        f"FROM read_parquet({_sql_str(str(data))}) GROUP BY ALL"
    ).fetchall()
    result.partitions = {(SOURCE, str(b), str(c)): int(n) for b, c, n in counts}
    if not result.partitions:
        if not result.rejects:
            result.rejects.append(ImportProblem(sf.label, 2, "file has a header but no data rows"))
        return
    result.data_file = data
    result.constants = dict(CONSTANTS)
    if file_month is None and len(result.months) > 1:
        result.warnings.append(f"file spans {len(result.months)} months")


def _lookup_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create :data:`CRIME_TYPES` and :data:`DISTRICTS` on ``con`` once.

    Their slug and district columns are ENUMs: joins are cheaper than a CASE per row,
    and the Parquet writer stores an ENUM's dictionary as it is instead of hashing every
    value (a fifth of the CPU for these columns). Readers see ordinary strings.
    """
    known = {r[0] for r in con.execute("SELECT type_name FROM duckdb_types()").fetchall()}
    if "police_uk_category" not in known:
        slugs = sorted(set(police_uk_label_to_slug().values()))
        con.execute(f"CREATE TYPE police_uk_category AS ENUM ({', '.join(map(_sql_str, slugs))})")
        con.execute(
            "CREATE TYPE district_code AS ENUM "
            "(SELECT DISTINCT district FROM lsoa_lookup WHERE district IS NOT NULL)"
        )
    pairs = police_uk_label_to_slug().items()
    rows = ", ".join(f"({_sql_str(label)}, {_sql_str(slug)})" for label, slug in pairs)
    con.execute(
        f"CREATE TEMP TABLE IF NOT EXISTS {CRIME_TYPES} AS SELECT label, "
        f"CAST(slug AS police_uk_category) AS slug FROM (VALUES {rows}) t(label, slug)"
    )
    con.execute(
        f"CREATE TEMP TABLE IF NOT EXISTS {DISTRICTS} AS SELECT lsoa, "
        "CAST(district AS district_code) AS district FROM lsoa_lookup"
    )


def _fast_path_clean(con: duckdb.DuckDBPyConnection, staged: Path) -> bool:
    """Whether the fast path's rows all passed their checks and no Crime ID is repeated
    within a month as a different crime. Hashes stand in for the ID and for the crime
    (a quarter of the time of grouping the strings: about 0.1 s for 2M rows); a
    collision of IDs only sends the file down the slow path, which groups the values."""
    glob = _sql_str(str(staged))
    row = con.execute(
        f"""SELECT
          (SELECT count(*) FROM read_parquet({glob}) WHERE _problem IS NOT NULL),
          (SELECT count(*) FROM (
             SELECT 1 FROM read_parquet({glob}) WHERE id IS NOT NULL AND _problem IS NULL
             GROUP BY hash(id, month)
             HAVING min(hash(category, dataset)) <> max(hash(category, dataset))))"""
    ).fetchone()
    return row is not None and row[0] == 0 and row[1] == 0
