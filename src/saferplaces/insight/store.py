"""The incident store: Parquet files under one folder, described by one manifest.

Layout under ``root``::

    manifest.json            the current state (atomically replaced with os.replace)
    manifest.prev.json       the state before the last import (kept for open readers)
    data/<source>/<sha>-<uuid>.parquet   one file per imported source file
    derived/reissued-<uuid>.parquet      one row per re-issued Crime ID (first month,
                                         latest outcome)
    derived/rollup-<uuid>.parquet        counts by source, dataset, month, district,
                                         lsoa, category, flags (deduplicated)
    derived/rollup_district-<uuid>.parquet  the same without lsoa
    staging/<uuid>/          work space of a running import (removed afterwards)

A partition is (source, dataset, month). The manifest maps each partition to the data
file that currently supplies it, so a newer file for a month replaces that month even
when the older file covered several months (its other months stay live). Nothing an
import writes is visible until the manifest swap; a crash before it leaves only
unreferenced files, which the next import's garbage collection removes.

Re-issued Crime IDs: police.uk repeats a crime in later months with its updated
outcome. At import time ``derived/reissued`` keeps one row per (source, id) seen more
than once: the first month's row (if that month lists the id twice, the located row,
then the smallest LSOA/longitude/latitude/category, so the choice never depends on
file order) carrying the outcome of the latest month. Rows without an id (police.uk
ASB) and the synthetic ``x:`` ids of other sources are never re-issues. The
``incidents`` view is the raw rows without those ids plus the reissued rows; the
rollups hold that view's counts (every raw row, less the rows of re-issued ids, plus
one row per re-issued id), so summaries are a scan of a small table, not a window over
every row.

A data file may leave out canonical columns whose value is the same for every row;
the manifest lists them under the file's ``constants`` and reads supply them.

Every import that lands is recorded in the manifest under its import id, with what it
replaced (``manifest.py``), and the files it replaced are kept, so withdrawing it brings
back exactly what the store held. A store whose manifest is missing while data files
exist, or is unreadable, is damaged: it is never written to or cleaned up until someone
restores the manifest (``manifest.prev.json`` holds the state before the last change).
"""

# ruff: noqa: S608 - SQL is assembled from internal column names and quoted literals

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import ibis
from ibis.backends.duckdb import Backend as DuckDBBackend

from saferplaces.insight.geography import lsoa_lookup_sql
from saferplaces.insight.manifest import (
    Addition,
    Manifest,
    Replacement,
    empty_manifest,
    kept_files,
    ownership_problems,
    partition_key,
    replacements,
    upgraded,
    with_additions,
    withdrawn,
)
from saferplaces.insight.schema import DUCKDB_TYPES, INCIDENT_COLUMNS

MANIFEST = "manifest.json"
PREVIOUS = "manifest.prev.json"

__all__ = ["IncidentStore", "Manifest", "PartitionInfo", "StoreDamaged", "partition_key"]


class StoreDamaged(RuntimeError):
    """The store's manifest is missing or unreadable: nothing is written or removed."""


def _sql_str(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@dataclass(frozen=True)
class PartitionInfo:
    """One live partition and where its rows come from."""

    source: str
    dataset: str
    month: str
    rows: int
    file: str
    checksum: str
    source_file: str


class IncidentStore:
    """A folder of incident partitions, queried through Ibis over DuckDB."""

    def __init__(self, root: Path | str, *, memory_limit: str = "1GB", threads: int = 2) -> None:
        self.root = Path(root)
        self.memory_limit = memory_limit
        self.threads = threads
        self._backend: DuckDBBackend | None = None
        self._backend_fingerprint: str | None = None

    # ---- reading the manifest -------------------------------------------------------
    def manifest(self) -> Manifest:
        """The current manifest (an empty one for a new store).

        Raises StoreDamaged when it is missing while data files exist, or unreadable."""
        path = self.root / MANIFEST
        if not path.exists():
            if any((self.root / "data").rglob("*.parquet")):
                raise StoreDamaged(
                    f"the incident store at {self.root} holds data files but its manifest.json "
                    "is missing: restore it (manifest.prev.json holds the state before the "
                    "last change) or from a backup; nothing is imported or removed until then"
                )
            return empty_manifest()
        try:
            with path.open(encoding="utf-8") as fh:
                data: Manifest = json.load(fh)
            missing = {"partitions", "files", "derived"} - set(data)
            if missing:
                raise ValueError(f"no {', '.join(sorted(missing))}")
        except (ValueError, TypeError) as exc:
            raise StoreDamaged(
                f"the incident store's manifest {path} cannot be read ({exc}): restore it "
                "(manifest.prev.json holds the state before the last change) or from a backup"
            ) from None
        return data

    @property
    def version(self) -> int:
        """Increases by one every time an import lands."""
        return int(self.manifest()["version"])

    @property
    def fingerprint(self) -> str:
        """Content hash of the live partitions: a cache key that changes with the data."""
        return str(self.manifest()["fingerprint"])

    def partitions(self) -> list[PartitionInfo]:
        """Every live partition, sorted by key."""
        m = self.manifest()
        out = []
        for key, p in sorted(m["partitions"].items()):
            source, dataset, month = key.split("/")
            out.append(
                PartitionInfo(source, dataset, month, int(p["rows"]), p["file"], p["checksum"],
                              p["source_file"])
            )  # fmt: skip
        return out

    def months(self, source: str | None = None) -> list[str]:
        """Months (YYYY-MM) with at least one live partition (of ``source``)."""
        return sorted({p.month for p in self.partitions() if source in (None, p.source)})

    def listing(self) -> list[str]:
        """Every file under the store (relative paths), for checks that nothing changed."""
        if not self.root.exists():
            return []
        return sorted(
            str(p.relative_to(self.root))
            for p in self.root.rglob("*")
            if p.is_file() and p.name != ".lock"
        )

    # ---- querying ---------------------------------------------------------------------
    def connect(self) -> DuckDBBackend:
        """An Ibis DuckDB backend with views ``incidents`` (each crime once, in its first
        month, with its latest outcome), ``incidents_raw`` (every stored row),
        ``rollup`` and ``rollup_district`` (pre-aggregated counts of ``incidents``).

        The backend is cached until the store's fingerprint changes.
        """
        manifest = self.manifest()
        if self._backend is not None and self._backend_fingerprint == manifest["fingerprint"]:
            return self._backend
        backend = ibis.duckdb.connect(threads=self.threads, memory_limit=self.memory_limit)
        define_views(backend.con, self.root, manifest)
        self._backend, self._backend_fingerprint = backend, manifest["fingerprint"]
        return backend

    def table(self) -> ibis.Table:
        """All current incidents (deduplicated) as an Ibis table."""
        return self.connect().table("incidents")

    def rollup(self, *, with_lsoa: bool = False) -> ibis.Table:
        """Pre-aggregated counts (column ``n``) of :meth:`table`."""
        return self.connect().table("rollup" if with_lsoa else "rollup_district")

    # ---- writing ----------------------------------------------------------------------
    @contextlib.contextmanager
    def transaction(self, import_id: str | None = None) -> Iterator[StoreWriter]:
        """Exclusive write session (it holds the store's lock throughout); commits (manifest
        swap) only if the block succeeds. The writer reads the manifest once it holds the
        lock, so what it decides (a file unchanged, a month replaced) is decided on the
        state it will change."""
        self.root.mkdir(parents=True, exist_ok=True)
        (self.root / "data").mkdir(exist_ok=True)
        (self.root / "derived").mkdir(exist_ok=True)
        with (self.root / ".lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            writer = StoreWriter(self, import_id or uuid.uuid4().hex)
            try:
                yield writer
                writer.commit()
            except BaseException:
                writer.rollback()
                raise
            finally:
                writer.close()
                fcntl.flock(lock, fcntl.LOCK_UN)

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        """Hold the store's lock, waiting for a running import to finish: nothing is
        written while inside (a backup copies the files here)."""
        self.root.mkdir(parents=True, exist_ok=True)
        with (self.root / ".lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    @contextlib.contextmanager
    def idle(self) -> Iterator[bool]:
        """Whether no write session is running (the lock is free); held while inside."""
        self.root.mkdir(parents=True, exist_ok=True)
        with (self.root / ".lock").open("w") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def withdraw(self, import_id: str) -> Manifest:
        """Withdraw a landed import: the store then holds what it held before it (for
        the partitions it set). Raises WithdrawRefused saying why it cannot."""
        with self.transaction() as writer:
            writer.withdraw(import_id)
        return self.manifest()

    def _swap_manifest(self, manifest: Manifest) -> None:
        """Atomically make ``manifest`` current (write, fsync, rename)."""
        tmp = self.root / f"{MANIFEST}.{uuid.uuid4().hex}.tmp"
        with tmp.open("w", encoding="utf-8") as fh:
            json.dump(manifest, fh, indent=1, sort_keys=True)
            fh.flush()
            os.fsync(fh.fileno())
        current = self.root / MANIFEST
        if current.exists():
            shutil.copyfile(current, self.root / PREVIOUS)
        os.replace(tmp, current)
        dir_fd = os.open(self.root, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)

    def garbage_collect(self) -> list[str]:
        """Delete files no manifest (current or previous) refers to, nor any import that
        can still be withdrawn; return their paths. Without a readable current manifest
        nothing is removed."""
        keep = kept_files(self.manifest())
        if not (self.root / MANIFEST).exists():
            return []
        previous = self.root / PREVIOUS
        if previous.exists():
            try:
                keep |= kept_files(upgraded(json.loads(previous.read_text(encoding="utf-8"))))
            except (ValueError, KeyError, TypeError):
                return []  # a damaged copy: keep everything
        removed = []
        for folder in ("data", "derived"):
            for path in (self.root / folder).rglob("*.parquet"):
                rel = str(path.relative_to(self.root))
                if rel not in keep:
                    path.unlink()
                    removed.append(rel)
        for leftover in self.root.glob(f"{MANIFEST}.*.tmp"):
            leftover.unlink()
        shutil.rmtree(self.root / "staging", ignore_errors=True)
        return removed


class StoreWriter:
    """Collects staged files during :meth:`IncidentStore.transaction` and commits them."""

    def __init__(self, store: IncidentStore, import_id: str) -> None:
        self.store = store
        self.import_id = import_id
        self.base = upgraded(store.manifest())
        self.staging = store.root / "staging" / uuid.uuid4().hex
        self.staging.mkdir(parents=True)
        self.con = duckdb.connect(config={"threads": store.threads})
        self.con.execute(f"SET memory_limit = {_sql_str(store.memory_limit)}")
        self.con.execute("SET preserve_insertion_order = false")
        self.con.execute(f"SET temp_directory = {_sql_str(str(self.staging / 'tmp'))}")
        self.con.execute(f"CREATE TABLE lsoa_lookup AS {lsoa_lookup_sql()}")
        self._added: list[Addition] = []
        self._new_paths: list[Path] = []
        self._next: Manifest | None = None
        self.after_commit: list[Callable[[Manifest], None]] = []
        """Run after the manifest swap, while the lock is still held (an import's records
        are written here, so no other writer sees the store ahead of them)."""

    # ---- what the store holds, as this writer sees it (under the lock) ----------------
    def current_checksums(self) -> set[str]:
        """Checksums of source files all of whose partitions are still live (an identical
        file imported again changes nothing)."""
        m = self.base
        out = set()
        for rel, info in m["files"].items():
            keys = info["partitions"]
            if keys and all(m["partitions"].get(k, {}).get("file") == rel for k in keys):
                out.add(info["checksum"])
        return out

    def current_source_files(self) -> set[str]:
        """Labels (paths) of source files that supply at least one live partition."""
        return {p["source_file"] for p in self.base["partitions"].values()}

    def stage_dir(self, name: str) -> Path:
        """A fresh folder inside this import's staging area."""
        path = self.staging / f"{len(self._added)}-{uuid.uuid4().hex[:8]}-{name}"
        path.mkdir(parents=True)
        return path

    def claimed(self) -> dict[str, str]:
        """Partition key → source file label of partitions added so far in this import."""
        return {k: a.source_file for a in self._added for k in a.partitions}

    def add(
        self,
        data_file: Path,
        *,
        source: str,
        checksum: str,
        source_file: str,
        partitions: dict[str, int],
        constants: dict[str, Any] | None = None,
        reader: str = "police.uk street files",
    ) -> str:
        """Move a staged Parquet file into ``data/`` (not yet visible); return its path.

        ``constants`` names canonical columns the file does not hold because every row
        has the same value (``{"source": "police_uk", "flags": []}``); reads supply them.
        """
        target_dir = self.store.root / "data" / source
        target_dir.mkdir(parents=True, exist_ok=True)
        target = target_dir / f"{checksum[:16]}-{uuid.uuid4().hex[:12]}.parquet"
        os.replace(data_file, target)
        self._new_paths.append(target)
        rel = str(target.relative_to(self.store.root))
        self._added.append(
            Addition(rel, checksum, source_file, reader, dict(partitions), dict(constants or {}))
        )
        return rel

    def replacements(self) -> list[Replacement]:
        """The months this import would take over, with rows before and after."""
        return replacements(self.base, self._added)

    def ownership_problems(self) -> list[tuple[str, str]]:
        """Files that would write into a source another reader owns."""
        return ownership_problems(self.base, self._added)

    def withdraw(self, import_id: str) -> None:
        """Make the next state the store without ``import_id`` (see manifest.withdrawn)."""
        self._next = withdrawn(self.base, import_id, _now())

    def commit(self) -> None:
        """Build the derived files for the new state, swap the manifest, collect garbage."""
        if self._next is None and not self._added:
            return
        manifest = self._next or with_additions(self.base, self._added, self.import_id, _now())
        manifest["derived"] = build_derived(self.con, self.store.root, manifest)
        self._new_paths.extend(self.store.root / p for p in manifest["derived"].values())
        self.store._swap_manifest(manifest)
        self._new_paths = []
        for callback in self.after_commit:
            callback(manifest)
        self.store.garbage_collect()

    def rollback(self) -> None:
        """Remove everything this import wrote; the manifest was never swapped."""
        for path in self._new_paths:
            path.unlink(missing_ok=True)
        self._new_paths = []

    def close(self) -> None:
        """Close the DuckDB connection and remove the staging folder."""
        self.con.close()
        shutil.rmtree(self.staging, ignore_errors=True)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


# ---- views and derived tables ------------------------------------------------------------
_CANONICAL = ", ".join(f'"{c}"' for c in INCIDENT_COLUMNS)
_EMPTY = "SELECT " + ", ".join(
    f"CAST(NULL AS {DUCKDB_TYPES[c]}) AS {c}" for c in INCIDENT_COLUMNS
) + " WHERE false"  # fmt: skip
_ROLLUP_KEYS = "source, dataset, month, district, lsoa, category, flags"


def raw_select(root: Path, manifest: Manifest) -> str:
    """SQL selecting every live stored row in canonical columns."""
    by_file: dict[str, list[str]] = {}
    for key, p in manifest["partitions"].items():
        by_file.setdefault(p["file"], []).append(key)
    parts = []
    for rel, keys in sorted(by_file.items()):
        info = manifest["files"][rel]
        constants = info.get("constants") or {}
        columns = ", ".join(
            f"{_literal(constants[c], DUCKDB_TYPES[c])} AS {c}" if c in constants else f'"{c}"'
            for c in INCIDENT_COLUMNS
        )
        select = f"SELECT {columns} FROM read_parquet({_sql_str(str(root / rel))})"
        if len(keys) != len(info["partitions"]):
            wanted = ", ".join(_sql_str(k) for k in sorted(keys))
            select = (
                f"SELECT * FROM ({select}) WHERE "
                f"source || '/' || dataset || '/' || strftime(month, '%Y-%m') IN ({wanted})"
            )
        parts.append(select)
    return "\nUNION ALL\n".join(parts) if parts else _EMPTY


def _literal(value: Any, sql_type: str) -> str:
    """A JSON value from the manifest as a typed SQL constant."""
    if value is None:
        return f"CAST(NULL AS {sql_type})"
    if isinstance(value, list):
        return f"CAST([{', '.join(_sql_str(str(v)) for v in value)}] AS {sql_type})"
    return f"CAST({_sql_str(str(value))} AS {sql_type})"


def build_derived(con: duckdb.DuckDBPyConnection, root: Path, manifest: Manifest) -> dict[str, str]:
    """Write the re-issue index and the rollups for ``manifest``; return their paths."""
    tag = uuid.uuid4().hex[:12]
    paths = {name: f"derived/{name}-{tag}.parquet" for name in ("reissued", "rollup",
                                                                "rollup_district")}  # fmt: skip
    con.execute(f"CREATE OR REPLACE TEMP VIEW incidents_raw AS {raw_select(root, manifest)}")
    # Crime IDs seen more than once: find candidate hashes cheaply, then keep their rows
    # (a hash shared by two different ids, or one id in two sources, is dropped by the
    # exact GROUP BY source, id below).
    con.execute(
        """CREATE OR REPLACE TEMP TABLE repeated_rows AS
        WITH dup AS (
          SELECT hash(id) AS h FROM incidents_raw WHERE NOT starts_with(id, 'x:')
          GROUP BY 1 HAVING count(*) > 1
        )
        SELECT * FROM incidents_raw WHERE NOT starts_with(id, 'x:')
          AND hash(id) IN (SELECT h FROM dup)"""
    )
    con.execute(
        f"""COPY (
        WITH picked AS (
          SELECT source, id,
                 arg_min(struct_pack(dataset := dataset, month := month, occurred_at := occurred_at,
                                     category := category, lat := lat, lon := lon, lsoa := lsoa,
                                     district := district, flags := flags),
                         struct_pack(m := month, nl := lsoa IS NULL, l := lsoa, x := lon, y := lat,
                                     c := category)) AS f,
                 arg_max(outcome, strftime(month, '%Y-%m') || outcome) AS outcome,
                 count(*) AS occurrences, max(month) AS latest_month
          FROM repeated_rows GROUP BY source, id HAVING count(*) > 1
        )
        SELECT source, f.dataset AS dataset, id, f.month AS month,
               f.occurred_at AS occurred_at, f.category AS category, f.lat AS lat,
               f.lon AS lon, f.lsoa AS lsoa, f.district AS district, outcome,
               f.flags AS flags, occurrences, latest_month
        FROM picked
        ) TO {_sql_str(str(root / paths["reissued"]))} (FORMAT parquet)"""
    )
    reissued = f"read_parquet({_sql_str(str(root / paths['reissued']))})"
    # Counts of the deduplicated incidents without an anti-join over every row: all raw
    # rows, less the rows of re-issued ids, plus one row per re-issued id.
    con.execute(
        f"""COPY (
        WITH parts AS (
          SELECT {_ROLLUP_KEYS}, count(*) AS n FROM incidents_raw GROUP BY ALL
          UNION ALL
          SELECT {_ROLLUP_KEYS}, -count(*) AS n FROM repeated_rows
          WHERE (source, id) IN (SELECT (source, id) FROM {reissued}) GROUP BY ALL
          UNION ALL
          SELECT {_ROLLUP_KEYS}, count(*) AS n FROM {reissued} GROUP BY ALL
        )
        SELECT {_ROLLUP_KEYS}, CAST(sum(n) AS BIGINT) AS n FROM parts GROUP BY ALL
        HAVING sum(n) <> 0
        ) TO {_sql_str(str(root / paths["rollup"]))} (FORMAT parquet)"""
    )
    con.execute("DROP TABLE repeated_rows")
    con.execute(
        f"""COPY (SELECT source, dataset, month, district, category, flags, sum(n) AS n
        FROM read_parquet({_sql_str(str(root / paths["rollup"]))}) GROUP BY ALL
        ORDER BY district, month, category)
        TO {_sql_str(str(root / paths["rollup_district"]))} (FORMAT parquet)"""
    )
    return paths


_DEDUPED = f"""
SELECT {_CANONICAL} FROM incidents_raw r
WHERE NOT EXISTS (SELECT 1 FROM reissued x WHERE x.source = r.source AND x.id = r.id)
UNION ALL
SELECT {_CANONICAL} FROM reissued
"""


def define_views(con: duckdb.DuckDBPyConnection, root: Path, manifest: Manifest) -> None:
    """Create the query views of ``manifest`` on a DuckDB connection."""
    con.execute(f"CREATE OR REPLACE VIEW incidents_raw AS {raw_select(root, manifest)}")
    derived = manifest.get("derived") or {}
    if not derived:
        con.execute(
            "CREATE OR REPLACE VIEW reissued AS SELECT *, CAST(0 AS BIGINT) AS occurrences, "
            f"CAST(NULL AS DATE) AS latest_month FROM ({_EMPTY})"
        )
        con.execute(
            f"CREATE OR REPLACE VIEW rollup AS SELECT {_ROLLUP_KEYS}, CAST(0 AS BIGINT) AS n "
            f"FROM ({_EMPTY})"
        )
        con.execute(
            "CREATE OR REPLACE VIEW rollup_district AS SELECT source, dataset, month, district, "
            f"category, flags, CAST(0 AS HUGEINT) AS n FROM ({_EMPTY})"
        )
    else:
        for name in ("reissued", "rollup", "rollup_district"):
            path = _sql_str(str(root / derived[name]))
            con.execute(f"CREATE OR REPLACE VIEW {name} AS SELECT * FROM read_parquet({path})")
    con.execute(f"CREATE OR REPLACE VIEW incidents AS {_DEDUPED}")
