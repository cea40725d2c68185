"""Speed and memory of saferplaces.insight against a typical analyst pipeline.

Run::

    .venv/bin/python benchmarks/bench_insight.py --rows 10000000

1. Builds (once, deterministically) an N-row police.uk street CSV from the real
   Lancashire files in /work/shared/data/police_uk_street: every real row, repeated with
   a replica number folded into the Crime ID and the month moved so the copies spread
   over 150 months (2010-01 … 2022-06) and all Lancashire districts.
2. Our import, in a child process: rows/s, and the child's own peak RSS (its VmHWM,
   not ru_maxrss of all children, which counts the parent's memory before exec).
   Beside it, DuckDB alone on the same file: parsing only, and an unchecked copy of
   every column to Parquet (the floor under any import that writes Parquet with it).
3. The analyst pipeline: pandas.read_csv (chunks) -> DataFrame.to_sql into SQLite: rows/s
   (over ``--sqlite-rows`` rows, all of them by default).
4. The all-indicator district summary (financial year vs the previous one, Poisson z):
   ``compare.summarise`` on our store vs the same question as one SQL statement on the
   SQLite table (and PostgreSQL when reachable), median of ``--runs`` runs; the counts
   are checked to be identical.
Prints a table and, last, one JSON line with every figure. Files go to benchmarks/out/.
"""

from __future__ import annotations

import argparse
import json
import resource
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from synthetic import police_uk_csv

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
DISTRICT = "E07000127"  # West Lancashire
PERIOD = "2021/22"
PG_URL = "postgresql://postgres@127.0.0.1:5432/test"
PG_CRIMES = "bench_insight_crimes"  # own table names: the database is shared
PG_LOOKUP = "bench_insight_lsoa_lookup"

# police.uk crime type -> the indicators of compare.DEFAULT_INDICATORS (police ones).
INDICATOR_TYPES: dict[str, tuple[str, ...] | None] = {
    "all-crime": None,  # everything except ASB
    "anti-social-behaviour": ("Anti-social behaviour",),
    "violence-and-sexual-offences": ("Violence and sexual offences", "Violent crime"),
    "vehicle-crime": ("Vehicle crime",),
    "burglary": ("Burglary",),
    "criminal-damage-and-arson": ("Criminal damage and arson",),
}


def build_csv(rows: int, path: Path) -> None:
    """The copies spread over 150 months (2010-01 to 2022-06), 7 months apart."""
    police_uk_csv(rows, path, month_sql="DATE '2010-01-01' + INTERVAL "
                  "((datediff('month', DATE '2010-01-01', m) + 7 * r) % 150) MONTH")  # fmt: skip


def child_import(csv_path: str, store_root: str) -> None:
    """(child process) import one file into a fresh store and print timings as JSON."""
    from saferplaces.insight.imports import import_police_uk
    from saferplaces.insight.store import IncidentStore

    t0 = time.perf_counter()
    report = import_police_uk(IncidentStore(store_root), [csv_path])
    seconds = time.perf_counter() - t0
    print(json.dumps({"seconds": seconds, "rows": report.rows_accepted, "timings": report.timings,
                      "peak_kib": own_peak_kib()}))  # fmt: skip


def child_floor(csv_path: str, out_path: str) -> None:
    """(child process) what DuckDB itself needs, with nothing of ours: parse the CSV
    (count the rows), and copy it to Parquet unchecked (every column as text)."""
    import duckdb

    con = duckdb.connect(config={"threads": 2})
    con.execute("SET preserve_insertion_order = false")
    source = f"read_csv('{csv_path}', all_varchar=true, header=true)"
    t0 = time.perf_counter()
    con.execute(f"SELECT count(*) FROM {source}").fetchone()
    parse = time.perf_counter() - t0
    t0 = time.perf_counter()
    con.execute(f"COPY (SELECT * FROM {source}) TO '{out_path}' (FORMAT parquet)")
    copy = time.perf_counter() - t0
    Path(out_path).unlink()
    print(json.dumps({"parse_seconds": parse, "copy_seconds": copy, "peak_kib": own_peak_kib()}))


def child_pandas(csv_path: str, db_path: str, limit: int) -> None:
    """(child process) the analyst pipeline: pandas.read_csv -> to_sql into SQLite."""
    import pandas as pd

    t0 = time.perf_counter()
    con = sqlite3.connect(db_path)
    done = 0
    for chunk in pd.read_csv(csv_path, chunksize=500_000, nrows=limit):
        chunk.columns = [c.lower().replace(" ", "_") for c in chunk.columns]
        chunk.to_sql("crimes", con, if_exists="append", index=False)
        done += len(chunk)
    con.commit()
    seconds = time.perf_counter() - t0
    con.close()
    print(json.dumps({"seconds": seconds, "rows": done, "peak_kib": own_peak_kib()}))


def own_peak_kib() -> int:
    """This process's peak RSS (VmHWM). Unlike ru_maxrss it is not inflated by the
    parent's memory that a forked child counts before it execs."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def run_child(args: list[str]) -> tuple[dict[str, Any], int]:
    """Run this script as a child; return its JSON and its own peak RSS (KiB)."""
    out = subprocess.run([sys.executable, __file__, *args], check=True, capture_output=True,
                         text=True)  # fmt: skip
    data = json.loads(out.stdout.strip().splitlines()[-1])
    return data, int(data["peak_kib"])


def sql_question(cur_start: str, cur_end: str, prev_start: str, prev_end: str, *,
                 pg: bool) -> str:  # fmt: skip
    """The district summary as one SQL statement over the raw table: each Crime ID once,
    in its first month; per crime type, counts in the current and previous period."""
    rowid = "c.ctid::text" if pg else "CAST(c.rowid AS TEXT)"
    crimes, lookup = (PG_CRIMES, PG_LOOKUP) if pg else ("crimes", "lsoa_lookup")
    return f"""
    WITH firsts AS (
      SELECT crime_id, MIN(month) AS first_month FROM {crimes}
      WHERE crime_id IS NOT NULL GROUP BY crime_id HAVING COUNT(*) > 1
    ), base AS (
      SELECT c.month, c.crime_type, COALESCE(c.crime_id, 'r' || {rowid}) AS k
      FROM {crimes} c JOIN {lookup} l ON l.lsoa = c.lsoa_code
      LEFT JOIN firsts f ON f.crime_id = c.crime_id
      WHERE l.district = '{DISTRICT}' AND c.month BETWEEN '{prev_start}' AND '{cur_end}'
        AND (f.crime_id IS NULL OR c.month = f.first_month)
    )
    SELECT crime_type,
           COUNT(DISTINCT CASE WHEN month >= '{cur_start}' THEN k END) AS cur,
           COUNT(DISTINCT CASE WHEN month <= '{prev_end}' THEN k END) AS prev
    FROM base GROUP BY crime_type
    """


def indicator_counts(rows: list[tuple[str, int, int]]) -> dict[str, tuple[int, int]]:
    """Per-crime-type (cur, prev) -> per-indicator (cur, prev)."""
    out = {}
    for slug, types in INDICATOR_TYPES.items():
        sel = [r for r in rows if (r[0] != "Anti-social behaviour" if types is None
                                   else r[0] in types)]  # fmt: skip
        out[slug] = (sum(int(r[1]) for r in sel), sum(int(r[2]) for r in sel))
    return out


def timed(fn: Any, runs: int, budget: float = 120.0) -> tuple[float, Any, int]:
    """Median milliseconds over ``runs`` calls (fewer if a call exceeds the budget)."""
    times, result = [], None
    t_start = time.perf_counter()
    for _ in range(runs):
        t0 = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - t0) * 1000)
        if time.perf_counter() - t_start > budget and len(times) >= 3:
            break
    return statistics.median(times), result, len(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--sqlite-rows", type=int, default=0, help="0 = all rows")
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--pg", default=PG_URL)
    ap.add_argument("--no-pg", action="store_true")
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        kind, *rest = args.child
        if kind == "import":
            child_import(rest[0], rest[1])
        elif kind == "floor":
            child_floor(rest[0], rest[1])
        else:
            child_pandas(rest[0], rest[1], int(rest[2]))
        return

    sys.path.insert(0, str(HERE.parent / "src"))
    from saferplaces.insight.compare import summarise
    from saferplaces.insight.geography import lsoa_to_district
    from saferplaces.insight.periods import format_month, parse_period
    from saferplaces.insight.store import IncidentStore

    OUT.mkdir(exist_ok=True)
    csv_path = OUT / f"police_uk_{args.rows}.csv"
    if not csv_path.exists():
        t0 = time.perf_counter()
        build_csv(args.rows, csv_path)
        print(f"built {csv_path} in {time.perf_counter() - t0:.1f}s", file=sys.stderr)
    size = csv_path.stat().st_size

    # ---- our import (child process, peak memory) ---------------------------------------
    store_root = OUT / f"store_{args.rows}"
    subprocess.run(["rm", "-rf", str(store_root)], check=True)
    ours, peak_kib = run_child(["--child", "import", str(csv_path), str(store_root)])
    assert ours["rows"] == args.rows, ours

    # ---- DuckDB alone: the floor under our import ------------------------------------------
    floor, _ = run_child(["--child", "floor", str(csv_path), str(OUT / "floor.parquet")])

    # ---- pandas -> SQLite ---------------------------------------------------------------
    limit = args.sqlite_rows or args.rows
    db_path = OUT / f"analyst_{limit}.sqlite"
    db_path.unlink(missing_ok=True)
    pandas_run, pandas_peak = run_child(
        ["--child", "pandas", str(csv_path), str(db_path), str(limit)]
    )
    sq = sqlite3.connect(db_path)
    sq.execute("CREATE TABLE lsoa_lookup (lsoa TEXT PRIMARY KEY, district TEXT)")
    sq.executemany("INSERT INTO lsoa_lookup VALUES (?, ?)", lsoa_to_district().items())
    sq.commit()

    # ---- the summary question -------------------------------------------------------------
    period = parse_period(PERIOD)
    prev = period.previous()
    bounds = (format_month(period.start), format_month(period.end), format_month(prev.start),
              format_month(prev.end))  # fmt: skip
    store = IncidentStore(store_root)

    def ours_summary() -> Any:
        return summarise(store, districts=[DISTRICT], place="West Lancashire", period=period,
                         population=lambda codes, year: 112_000)  # fmt: skip

    ours_ms, ours_res, ours_runs = timed(ours_summary, max(args.runs, 10))
    ours_counts = {r.indicator: (r.count, r.previous_count) for r in ours_res}

    sqlite_sql = sql_question(*bounds, pg=False)
    sqlite_ms, sqlite_rows, sqlite_runs = timed(
        lambda: sq.execute(sqlite_sql).fetchall(), max(args.runs, 10)
    )
    sqlite_counts = indicator_counts(sqlite_rows)
    same_sqlite = (limit == args.rows) and all(
        ours_counts[k] == v for k, v in sqlite_counts.items()
    )

    pg: dict[str, Any] = {"reachable": False}
    if not args.no_pg:
        pg = bench_pg(args.pg, csv_path, bounds, args.runs, ours_counts, lsoa_to_district())

    figures = {
        "rows": args.rows,
        "csv_bytes": size,
        "import_seconds": round(ours["seconds"], 3),
        "import_rows_per_s": round(args.rows / ours["seconds"]),
        "import_mb_per_s": round(size / 1e6 / ours["seconds"], 1),
        "import_peak_rss_mib": round(peak_kib / 1024, 1),
        "pandas_sqlite_peak_rss_mib": round(pandas_peak / 1024, 1),
        "import_phase_seconds": {k: round(v, 2) for k, v in ours.get("timings", {}).items()},
        "duckdb_parse_only_seconds": round(floor["parse_seconds"], 3),
        "duckdb_unchecked_copy_seconds": round(floor["copy_seconds"], 3),
        "pandas_sqlite_rows": pandas_run["rows"],
        "pandas_sqlite_seconds": round(pandas_run["seconds"], 3),
        "pandas_sqlite_rows_per_s": round(pandas_run["rows"] / pandas_run["seconds"]),
        "import_speedup_vs_pandas_sqlite": round(
            (args.rows / ours["seconds"]) / (pandas_run["rows"] / pandas_run["seconds"]), 1
        ),
        "summary_period": PERIOD,
        "summary_district": DISTRICT,
        "summary_ms_median": round(ours_ms, 2),
        "summary_runs": ours_runs,
        "sqlite_summary_ms_median": round(sqlite_ms, 1),
        "sqlite_summary_runs": sqlite_runs,
        "summary_speedup_vs_sqlite": round(sqlite_ms / ours_ms, 1),
        "sqlite_counts_identical": same_sqlite,
        "postgres": pg,
        "all_crime_counts": ours_counts["all-crime"],
    }
    figures["import_seconds_for_15x_pandas"] = round(pandas_run["seconds"] / 15 * args.rows
                                                     / pandas_run["rows"], 3)  # fmt: skip
    if pg.get("summary_ms_median"):
        figures["summary_speedup_vs_postgres"] = round(pg["summary_ms_median"] / ours_ms, 1)

    print(f"\nsaferplaces.insight benchmark, {args.rows:,} rows ({size / 1e9:.2f} GB CSV)")
    print(f"{'measure':<46}{'ours':>14}{'SQLite':>14}{'PostgreSQL':>14}")
    print(
        f"{'import rows/s':<46}{figures['import_rows_per_s']:>14,}"
        f"{figures['pandas_sqlite_rows_per_s']:>14,}{pg.get('load_rows_per_s', '-')!s:>14}"
    )
    print(f"{'import peak RSS MiB (child)':<46}{figures['import_peak_rss_mib']:>14}")
    print(
        f"{'import seconds':<46}{figures['import_seconds']:>14}"
        f"{figures['pandas_sqlite_seconds']:>14}{pg.get('load_seconds', '-')!s:>14}"
    )
    print(f"{'  DuckDB alone: parse only, s':<46}{figures['duckdb_parse_only_seconds']:>14}")
    print(
        f"{'  DuckDB alone: CSV->Parquet unchecked, s':<46}"
        f"{figures['duckdb_unchecked_copy_seconds']:>14}"
    )
    print(
        f"{'  needed for 15x pandas->SQLite, s':<46}{figures['import_seconds_for_15x_pandas']:>14}"
    )
    print(
        f"{'district summary, median ms':<46}{ours_ms:>14.2f}{sqlite_ms:>14.1f}"
        f"{pg.get('summary_ms_median', '-')!s:>14}"
    )
    print(f"{'summary runs':<46}{ours_runs:>14}{sqlite_runs:>14}{pg.get('runs', '-')!s:>14}")
    print(
        f"{'counts identical to ours':<46}{'':>14}{same_sqlite!s:>14}"
        f"{pg.get('counts_identical', '-')!s:>14}"
    )
    print(f"import speed-up vs pandas->SQLite: {figures['import_speedup_vs_pandas_sqlite']}x; "
          f"summary speed-up vs SQLite: {figures['summary_speedup_vs_sqlite']}x"
          + (f", vs PostgreSQL: {figures['summary_speedup_vs_postgres']}x"
             if "summary_speedup_vs_postgres" in figures else ""))  # fmt: skip
    print(json.dumps(figures))


def bench_pg(
    url: str,
    csv_path: Path,
    bounds: tuple[str, str, str, str],
    runs: int,
    ours_counts: dict[str, tuple[int, int]],
    lookup: dict[str, str],
) -> dict[str, Any]:
    """Load the CSV into PostgreSQL with COPY and time the same question."""
    try:
        import psycopg

        con = psycopg.connect(url, connect_timeout=3, autocommit=True)
    except Exception as exc:
        return {"reachable": False, "error": str(exc)[:200]}
    cols = ("crime_id, month, reported_by, falls_within, longitude, latitude, location, "
            "lsoa_code, lsoa_name, crime_type, last_outcome_category, context")  # fmt: skip
    con.execute(f"DROP TABLE IF EXISTS {PG_CRIMES}, {PG_LOOKUP}")
    con.execute(f"CREATE TABLE {PG_CRIMES} ({', '.join(c + ' text' for c in cols.split(', '))})")
    t0 = time.perf_counter()
    with (
        con.cursor() as cur,
        cur.copy(f"COPY {PG_CRIMES} ({cols}) FROM STDIN WITH (FORMAT csv, HEADER true)") as copy,
        csv_path.open("rb") as fh,
    ):
        while chunk := fh.read(1 << 20):
            copy.write(chunk)
    load_s = time.perf_counter() - t0
    con.execute(f"CREATE TABLE {PG_LOOKUP} (lsoa text PRIMARY KEY, district text)")
    with con.cursor() as cur, cur.copy(f"COPY {PG_LOOKUP} FROM STDIN") as copy:
        for k, v in lookup.items():
            copy.write_row((k, v))
    con.execute(f"ANALYZE {PG_CRIMES}")
    con.execute(f"ANALYZE {PG_LOOKUP}")
    rows_n = con.execute(f"SELECT count(*) FROM {PG_CRIMES}").fetchone()[0]  # type: ignore[index]
    sql = sql_question(*bounds, pg=True)
    ms, rows, n = timed(lambda: con.execute(sql).fetchall(), max(runs, 10))
    counts = indicator_counts([(r[0], r[1], r[2]) for r in rows])
    con.execute(f"DROP TABLE IF EXISTS {PG_CRIMES}, {PG_LOOKUP}")
    con.close()
    return {
        "reachable": True,
        "load_seconds": round(load_s, 1),
        "load_rows_per_s": round(rows_n / load_s),
        "summary_ms_median": round(ms, 1),
        "runs": n,
        "counts_identical": all(ours_counts[k] == v for k, v in counts.items()),
    }


if __name__ == "__main__":
    main()
