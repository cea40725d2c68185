"""Deterministic police.uk street CSVs of any size, built from the real Lancashire files
in /work/shared/data/police_uk_street/lancashire: every real row, then copies with a
replica number folded into the Crime ID and the month moved by ``month_sql``."""

from __future__ import annotations

import os
from pathlib import Path

REAL = Path("/work/shared/data/police_uk_street/lancashire")


def police_uk_csv(rows: int, path: Path, *, month_sql: str) -> int:
    """Write ``rows`` rows to ``path`` (atomically); return the rows written.

    ``month_sql`` is a DuckDB expression giving a copy's month as a DATE from ``m`` (the
    real row's month, a DATE) and ``r`` (the replica number, 0 for the real rows).
    """
    import duckdb

    con = duckdb.connect(config={"threads": 2})
    glob = str(REAL / "*-street.csv.gz")
    con.execute(
        f"""CREATE TABLE base AS SELECT row_number() OVER () AS rn, * FROM
        read_csv('{glob}', all_varchar=true, header=true, filename=false)"""
    )
    n_base = int(con.execute("SELECT count(*) FROM base").fetchone()[0])  # type: ignore[index]
    reps = -(-rows // n_base)
    tmp = path.with_suffix(".tmp")
    con.execute(
        f"""COPY (
        SELECT CASE WHEN "Crime ID" IS NULL THEN NULL
                    ELSE printf('%08x', r) || substr("Crime ID", 9) END AS "Crime ID",
          strftime({month_sql}, '%Y-%m') AS "Month",
          "Reported by", "Falls within", "Longitude", "Latitude", "Location", "LSOA code",
          "LSOA name", "Crime type", "Last outcome category", "Context"
        FROM (SELECT *, CAST("Month" || '-01' AS DATE) AS m FROM base), range({reps}) t(r)
        WHERE r * {n_base} + rn <= {rows} ORDER BY r, rn
        ) TO '{tmp}' (HEADER, FORMAT csv)"""
    )
    os.replace(tmp, path)
    return min(rows, n_base * reps)
