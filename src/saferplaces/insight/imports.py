"""Import orchestration: files → checks → staged partitions → one atomic store commit."""

from __future__ import annotations

import errno
import shutil
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb

from saferplaces.insight.manifest import Manifest, Replacement
from saferplaces.insight.problems import ImportProblem, ImportRejected, write_rejects_csv
from saferplaces.insight.sources import incidents_csv, police_uk
from saferplaces.insight.sources.files import Digest, SourceFile, discover
from saferplaces.insight.sources.limits import DEFAULT_LIMITS, ImportLimits
from saferplaces.insight.sources.police_uk import StagedFile
from saferplaces.insight.store import IncidentStore, partition_key

POLICE_UK_READER = "police.uk street files"
MAPPED_READER = "mapped incidents"
FULL_DISK = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}


class ReplacementRefused(ImportRejected):
    """The import would make months the store holds smaller: it needs confirming
    (``replace=True``; ``--replace`` on the command line). Nothing was written."""

    def __init__(self, replaced: Sequence[Replacement]) -> None:
        self.replaced = list(replaced)
        shrinking = [r for r in self.replaced if r.shrinks]
        super().__init__(
            [
                ImportProblem(
                    r.source_file_before,
                    0,
                    f"{r}: the month would shrink; confirm to replace it (the rows it holds "
                    "now stay restorable by withdrawing this import)",
                )
                for r in shrinking
            ]
        )


Progress = Callable[[int, int], None]
"""``progress(done, total)`` in bytes of input processed."""

IsUtf8 = Callable[[], bool]
StageFn = Callable[[duckdb.DuckDBPyConnection, SourceFile, Path, bool, IsUtf8], StagedFile]
"""``stage(con, file, folder, skip_bad_rows, is_utf8)``; ``is_utf8()`` waits for the
file's digest, which runs beside the stage."""


@dataclass
class FileResult:
    """What happened to one input file."""

    path: str
    checksum: str
    status: str  # "imported" | "unchanged" | "rejected"
    rows_accepted: int = 0
    rows_rejected: int = 0
    months: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    rejects: list[ImportProblem] = field(default_factory=list)


@dataclass
class ImportReport:
    """The outcome of one import call."""

    files: list[FileResult]
    version: int
    fingerprint: str
    timings: dict[str, float] = field(default_factory=dict)
    import_id: str = ""
    replaced: list[Replacement] = field(default_factory=list)
    """Months the import took over from what the store held, rows before and after."""
    """Seconds spent per phase: checksum, stage (parse/check/write), commit (derived
    index and rollups, manifest swap, garbage collection)."""

    @property
    def rows_accepted(self) -> int:
        """Rows that landed, over all files."""
        return sum(f.rows_accepted for f in self.files)

    @property
    def rows_rejected(self) -> int:
        """Rows refused, over all files."""
        return sum(f.rows_rejected for f in self.files)

    @property
    def rejects(self) -> list[ImportProblem]:
        """Every problem, over all files."""
        return [p for f in self.files for p in f.rejects]

    def write_rejects(self, path: Path) -> int:
        """Write the rejects report (CSV: file,line,reason,raw); return rows written."""
        return write_rejects_csv(self.rejects, path)


def import_police_uk(
    store: IncidentStore,
    paths: Sequence[Path | str] | Path | str,
    *,
    skip_bad_rows: bool = False,
    progress: Progress | None = None,
    today: date | None = None,
    replace: bool = False,
    import_id: str | None = None,
    on_commit: Callable[[ImportReport], None] | None = None,
    on_locked: Callable[[], None] | None = None,
    limits: ImportLimits = DEFAULT_LIMITS,
) -> ImportReport:
    """Import police.uk street files (CSV, .csv.gz, folders, bulk .zip archives).

    All or nothing: any problem rejects the whole call (``ImportRejected`` lists every
    problem) unless ``skip_bad_rows``, in which case good rows land and the problems
    are returned per file. A file already imported (same BLAKE3 checksum) is ``"unchanged"``.
    A month that would shrink is replaced only with ``replace`` (else ReplacementRefused);
    ``on_locked()`` runs once the import holds the store's lock (another import may hold
    it first), ``on_commit(report)`` once it has landed, before the lock is released.
    Every file is read within ``limits`` (sizes, expansion, line length, problems kept).
    """
    items = [paths] if isinstance(paths, str | Path) else list(paths)
    files = police_uk.find_files(items, limits=limits)

    def stage(
        con: duckdb.DuckDBPyConnection,
        sf: SourceFile,
        folder: Path,
        skip: bool,
        is_utf8: IsUtf8,
    ) -> StagedFile:
        return police_uk.stage_file(con, sf, folder, skip_bad_rows=skip, today=today,
                                    is_utf8=is_utf8, limits=limits)  # fmt: skip

    return run_import(store, files, stage, skip_bad_rows=skip_bad_rows, progress=progress,
                      what="police.uk street files", reader=POLICE_UK_READER, replace=replace,
                      import_id=import_id, on_commit=on_commit, on_locked=on_locked,
                      limits=limits)  # fmt: skip


def run_import(
    store: IncidentStore,
    files: list[SourceFile],
    stage: StageFn,
    *,
    skip_bad_rows: bool,
    progress: Progress | None,
    what: str,
    reader: str = POLICE_UK_READER,
    replace: bool = False,
    import_id: str | None = None,
    on_commit: Callable[[ImportReport], None] | None = None,
    on_locked: Callable[[], None] | None = None,
    limits: ImportLimits = DEFAULT_LIMITS,
) -> ImportReport:
    """Shared driver for every source: checksum, stage, check, commit atomically."""
    try:
        return _run_import(store, files, stage, skip_bad_rows=skip_bad_rows, progress=progress,
                           what=what, reader=reader, replace=replace, import_id=import_id,
                           on_commit=on_commit, on_locked=on_locked, limits=limits)  # fmt: skip
    except OSError as exc:
        if exc.errno not in FULL_DISK:
            raise
        where = exc.filename or store.root
        raise ImportRejected(
            [ImportProblem(str(where), 0, f"the disk is full ({exc.strerror}): free some "
                           "space and import again; nothing was imported")]
        ) from None  # fmt: skip


def _run_import(
    store: IncidentStore,
    files: list[SourceFile],
    stage: StageFn,
    *,
    skip_bad_rows: bool,
    progress: Progress | None,
    what: str,
    reader: str,
    replace: bool,
    import_id: str | None,
    on_commit: Callable[[ImportReport], None] | None,
    on_locked: Callable[[], None] | None,
    limits: ImportLimits,
) -> ImportReport:
    if not files:
        raise ImportRejected([ImportProblem("(no files)", 0, f"no {what} found")])
    sizes = [sf.size() for sf in files]
    total, done = sum(sizes) * 2, 0
    results: list[FileResult] = []
    problems: list[ImportProblem] = []
    seen: set[str] = set()
    timings = {"checksum": 0.0, "stage": 0.0, "commit": 0.0}
    report = ImportReport(results, 0, "", timings)
    with store.transaction(import_id) as writer, ThreadPoolExecutor(max_workers=1) as pool:
        if on_locked is not None:  # the import has waited for any other to finish
            on_locked()
        # What is unchanged is decided on the state this import holds the lock on.
        current = writer.current_checksums()
        live_labels = writer.current_source_files()
        claimed: dict[str, str] = {}
        for sf, size in zip(files, sizes, strict=True):
            # A file whose path is already live is probably unchanged: hash it first and
            # skip it cheaply. Any other file is hashed in a thread while DuckDB stages it
            # (BLAKE3 releases the GIL; both read the same pages, so a file not yet in
            # the page cache is read from disk once).
            t0 = time.perf_counter()
            pending = pool.submit(sf.digest, limits)
            folder: Path | None = None
            staged: StagedFile | None = None
            if sf.label not in live_labels:
                folder = writer.stage_dir(sf.name)
                staged = stage(writer.con, sf, folder, skip_bad_rows, _utf8_of(pending))
                timings["stage"] += time.perf_counter() - t0
                t0 = time.perf_counter()
            digest = pending.result()
            checksum = digest.checksum
            timings["checksum"] += time.perf_counter() - t0
            done += size
            _tick(progress, done, total)
            if checksum in current or checksum in seen:
                if folder is not None:
                    shutil.rmtree(folder, ignore_errors=True)
                results.append(FileResult(sf.label, checksum, "unchanged"))
                done += size
                _tick(progress, done, total)
                continue
            seen.add(checksum)
            if staged is None:
                t0 = time.perf_counter()
                staged = stage(writer.con, sf, writer.stage_dir(sf.name), skip_bad_rows,
                               _utf8_of(pending))  # fmt: skip
                timings["stage"] += time.perf_counter() - t0
            done += size
            _tick(progress, done, total)
            result = FileResult(
                sf.label, checksum, "imported", staged.rows_accepted, staged.rows_rejected,
                staged.months, staged.warnings, list(staged.rejects),
            )  # fmt: skip
            clashes = [
                ImportProblem(
                    sf.label,
                    0,
                    f"{key} is also supplied by {claimed[key]} in this import "
                    "(two files for the same month)",
                )
                for key in (partition_key(*k) for k in staged.partitions)
                if key in claimed
            ]
            if clashes:
                result.rejects.extend(clashes)
                staged.data_file = None
            if staged.data_file is None:
                result.status = "rejected"
                result.rows_accepted = 0
            problems.extend(result.rejects)
            results.append(result)
            if result.rejects and not skip_bad_rows:
                continue
            if staged.data_file is not None:
                keys = {partition_key(*k): n for k, n in staged.partitions.items()}
                claimed.update(dict.fromkeys(keys, sf.label))
                writer.add(staged.data_file, source=next(iter(staged.partitions))[0],
                           checksum=checksum, source_file=sf.label, partitions=keys,
                           constants=staged.constants, reader=reader)  # fmt: skip
        owned = [ImportProblem(label, 0, why) for label, why in writer.ownership_problems()]
        if owned or (problems and not skip_bad_rows):
            raise ImportRejected(problems + owned)
        report.replaced = writer.replacements()
        if any(r.shrinks for r in report.replaced) and not replace:
            raise ReplacementRefused(report.replaced)
        report.import_id = writer.import_id

        def landed(manifest: Manifest) -> None:
            report.version, report.fingerprint = int(manifest["version"]), manifest["fingerprint"]
            if on_commit is not None:
                on_commit(report)

        writer.after_commit.append(landed)
        commit_started = time.perf_counter()
    timings["commit"] = time.perf_counter() - commit_started
    if not report.fingerprint:  # nothing landed: the store is as it was
        report.version, report.fingerprint = store.version, store.fingerprint
    return report


def _utf8_of(digest: Future[Digest]) -> IsUtf8:
    """``is_utf8`` for a stage call: waits for the file's digest."""
    return lambda: digest.result().utf8


def _tick(progress: Progress | None, done: int, total: int) -> None:
    if progress is not None:
        progress(done, total)


def import_incidents(
    store: IncidentStore,
    mapping_path: Path | str,
    paths: Sequence[Path | str] | Path | str,
    *,
    skip_bad_rows: bool = False,
    progress: Progress | None = None,
    replace: bool = False,
    import_id: str | None = None,
    on_commit: Callable[[ImportReport], None] | None = None,
    on_locked: Callable[[], None] | None = None,
    limits: ImportLimits = DEFAULT_LIMITS,
) -> ImportReport:
    """Import dated incident CSVs described by a TOML mapping (see ``mappings/``).

    Same guarantees as :func:`import_police_uk`: atomic, idempotent, every problem named.
    """
    mapping = incidents_csv.load_mapping(mapping_path)
    items = [paths] if isinstance(paths, str | Path) else list(paths)
    files = discover(items, limits=limits)

    def stage(
        con: duckdb.DuckDBPyConnection,
        sf: SourceFile,
        folder: Path,
        skip: bool,
        is_utf8: IsUtf8,
    ) -> StagedFile:
        # The mapped columns are all read (and so decoded) by DuckDB; others are ignored.
        return incidents_csv.stage_file(con, sf, folder, mapping, skip_bad_rows=skip,
                                        limits=limits)  # fmt: skip

    return run_import(store, files, stage, skip_bad_rows=skip_bad_rows, progress=progress,
                      what=f"{mapping.source} incident files", reader=MAPPED_READER,
                      replace=replace, import_id=import_id, on_commit=on_commit,
                      on_locked=on_locked, limits=limits)  # fmt: skip


def shipped_mapping(name: str) -> Path:
    """Path of a mapping shipped in ``saferplaces/insight/mappings`` (``name`` without .toml)."""
    return Path(__file__).with_name("mappings") / f"{name}.toml"
