"""Every write of the evidence app: imports land in the incident store and are recorded
(one Import, and an ImportRun per file) while the store is still locked; an import can
be withdrawn; a crash between the two is reconciled."""

from __future__ import annotations

import contextlib
import getpass
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from saferplaces.evidence.models import BatchStatus, Import, ImportRun, ImportStatus
from saferplaces.evidence.store import incident_store, store_changed
from saferplaces.insight import imports as insight_imports
from saferplaces.insight.imports import ReplacementRefused
from saferplaces.insight.manifest import Manifest, Replacement, WithdrawRefused
from saferplaces.insight.problems import ImportRejected
from saferplaces.insight.sources.limits import ImportLimits, MiB
from saferplaces.insight.store import StoreDamaged
from saferplaces.partnership.services import record_event

Progress = Callable[[int, int], None]

_STATUS = {
    "imported": ImportStatus.IMPORTED,
    "unchanged": ImportStatus.UNCHANGED,
    "rejected": ImportStatus.REJECTED,
}
MAX_PROBLEMS_KEPT = 200


@dataclass(frozen=True)
class ImportOutcome:
    batch: Import
    runs: list[ImportRun]
    rejects_report: Path | None
    replaced: list[Replacement]

    @property
    def landed(self) -> bool:
        return any(r.status in (ImportStatus.IMPORTED, ImportStatus.PARTIAL) for r in self.runs)


class ImportRefused(Exception):
    """The import was rejected whole; the store is as it was. `runs` record why."""

    def __init__(self, rejected: ImportRejected, runs: list[ImportRun], batch: Import) -> None:
        super().__init__(str(rejected))
        self.rejected = rejected
        self.runs = runs
        self.batch = batch


class ImportNeedsConfirmation(ImportRefused):
    """The import would make months the store holds smaller: nothing was written; import
    again with `replace=True` (the CLI's --replace, the web's confirmation step)."""

    @property
    def replaced(self) -> list[Replacement]:
        return list(getattr(self.rejected, "replaced", []))


def import_limits() -> ImportLimits:
    """The limits every import reads within, the command line's and the web's alike:
    `UPLOAD_MAX_MB` per file as stored, `IMPORT_MAX_EXPANDED_MB` decompressed."""
    return ImportLimits(
        max_file_bytes=int(settings.UPLOAD_MAX_MB) * MiB,
        max_expanded_bytes=int(settings.IMPORT_MAX_EXPANDED_MB) * MiB,
    )


def import_files(
    kind: str,
    paths: Sequence[Path | str],
    *,
    mapping: Path | str | None = None,
    skip_bad_rows: bool = False,
    user: User | None = None,
    progress: Progress | None = None,
    replace: bool = False,
    batch: uuid.UUID | None = None,
) -> ImportOutcome:
    """Import police.uk files (`kind="police-uk"`) or mapped incident CSVs
    (`kind="incidents"`, with `mapping`), recorded as one `Import` and an ImportRun for
    every file. The records are written while the store is still locked, right after its
    manifest swap; `reconcile_imports` recovers an import a crash cut off in between.

    Raises ImportNeedsConfirmation when months would shrink (unless `replace`), and
    ImportRefused when the files are rejected (nothing lands in the store). The import
    waits (`queued`) while another holds the store, and is `running` from then on."""
    reconcile_imports()
    store = incident_store()
    batch = batch or uuid.uuid4()
    record, _ = Import.objects.update_or_create(
        id=batch,
        defaults={
            "kind": kind,
            "mapping": Path(str(mapping)).stem if mapping else "",
            "status": BatchStatus.QUEUED,  # running once it holds the store's lock
            "files": [Path(str(p)).name for p in paths],
            "imported_by": user,
            "imported_by_name": _who(user),
            "started_at": timezone.now(),
            "message": "",
            "replaced": [],
        },
    )
    source = "police_uk" if kind == "police-uk" else Path(str(mapping)).stem
    rejects_path = settings.DATA_DIR / "rejects" / f"{record.started_at:%Y%m%dT%H%M%S}-{batch}.csv"
    landed: list[ImportRun] = []

    def on_locked() -> None:
        record.status = BatchStatus.RUNNING
        record.save(update_fields=["status"])

    def on_commit(report: insight_imports.ImportReport) -> None:
        landed.extend(_record_report(record, report, source, rejects_path, BatchStatus.LANDED))

    try:
        if kind == "police-uk":
            report = insight_imports.import_police_uk(
                store, list(paths), skip_bad_rows=skip_bad_rows, progress=progress,
                replace=replace, import_id=str(batch), on_commit=on_commit,
                on_locked=on_locked, limits=import_limits(),
            )  # fmt: skip
        elif kind == "incidents":
            if mapping is None:
                raise ValueError("a mapping file is needed to import incidents")
            report = insight_imports.import_incidents(
                store, mapping, list(paths), skip_bad_rows=skip_bad_rows, progress=progress,
                replace=replace, import_id=str(batch), on_commit=on_commit,
                on_locked=on_locked, limits=import_limits(),
            )  # fmt: skip
        else:
            raise ValueError(f"unknown import kind {kind!r}: use police-uk or incidents")
    except ReplacementRefused as refused:
        _finish(record, BatchStatus.CONFIRM, str(refused), replaced=refused.replaced)
        raise ImportNeedsConfirmation(refused, [], record) from refused
    except ImportRejected as rejected:
        runs = _record_rejection(rejected, record)
        raise ImportRefused(rejected, runs, record) from rejected
    except (StoreDamaged, ValueError, OSError) as exc:
        _finish(record, BatchStatus.FAILED, str(exc))
        raise
    except BaseException:
        _stopped(record)
        raise
    runs = landed or _record_report(record, report, source, rejects_path, BatchStatus.UNCHANGED)
    if landed:
        store_changed()
    return ImportOutcome(
        batch=record,
        runs=runs,
        rejects_report=rejects_path if report.rejects else None,
        replaced=report.replaced,
    )


def _stopped(record: Import) -> None:
    """An import stopped by the unexpected (or Ctrl-C): one that never held the store's
    lock failed; one that did is judged from the store's manifest, which says whether it
    landed (the swap may have happened before the stop)."""
    if record.status == BatchStatus.QUEUED:
        _finish(record, BatchStatus.FAILED, "stopped before it started: nothing was imported")
    elif record.status == BatchStatus.RUNNING:
        with contextlib.suppress(Exception):
            reconcile_imports()


def _finish(
    record: Import, status: str, message: str = "", replaced: Sequence[Replacement] = ()
) -> None:
    record.status = status
    record.message = message[:5000]
    record.replaced = [_replacement(r) for r in replaced]
    record.finished_at = timezone.now()
    record.save(update_fields=["status", "message", "replaced", "finished_at"])


def _replacement(r: Replacement) -> dict[str, object]:
    return {"key": r.key, "month": r.month, "rows_before": r.rows_before,
            "rows_after": r.rows_after, "from": r.source_file_before}  # fmt: skip


@transaction.atomic
def _record_report(
    record: Import,
    report: insight_imports.ImportReport,
    source: str,
    rejects_path: Path,
    status: str,
) -> list[ImportRun]:
    """The import's file records and its outcome, in one transaction."""
    if report.rejects:
        rejects_path.parent.mkdir(parents=True, exist_ok=True)
        report.write_rejects(rejects_path)
    runs = [
        ImportRun.objects.create(
            batch=record.id,
            source=source,
            file_name=Path(f.path).name,
            file_path=str(f.path),
            checksum=f.checksum,
            status=(
                ImportStatus.PARTIAL
                if f.status == "imported" and f.rows_rejected
                else _STATUS[f.status]
            ),
            rows_accepted=f.rows_accepted,
            rows_rejected=f.rows_rejected,
            months=sorted(f.months),
            warnings=list(f.warnings),
            problems=[str(p) for p in f.rejects[:MAX_PROBLEMS_KEPT]],
            rejects_report=str(rejects_path) if f.rejects else "",
            imported_by=record.imported_by,
            imported_by_name=record.imported_by_name,
            started_at=record.started_at,
            finished_at=timezone.now(),
        )
        for f in report.files
    ]
    record.rows_accepted = report.rows_accepted
    record.rows_rejected = report.rows_rejected
    record.save(update_fields=["rows_accepted", "rows_rejected"])
    _finish(record, status, replaced=report.replaced)
    return runs


def _record_rejection(rejected: ImportRejected, record: Import) -> list[ImportRun]:
    by_file: dict[str, list[str]] = {}
    for problem in rejected.problems:
        by_file.setdefault(problem.file, []).append(str(problem))
    with transaction.atomic():
        runs = [
            ImportRun.objects.create(
                batch=record.id,
                source="",
                file_name=Path(name).name,
                file_path=name,
                status=ImportStatus.REJECTED,
                problems=problems[:MAX_PROBLEMS_KEPT],
                rows_rejected=len(problems),
                imported_by=record.imported_by,
                imported_by_name=record.imported_by_name,
                started_at=record.started_at,
                finished_at=timezone.now(),
            )
            for name, problems in by_file.items()
        ]
        record.rows_rejected = sum(r.rows_rejected for r in runs)
        record.save(update_fields=["rows_rejected"])
        _finish(record, BatchStatus.REJECTED, str(rejected))
    return runs


def reconcile_imports() -> list[Import]:
    """Bring the import records in line with the store after a crash: an import left
    running that the store holds has landed (its files are recorded from the manifest),
    one it does not hold failed, and one the store has withdrawn is withdrawn. Only when
    no import is running (the store's lock is free)."""
    store = incident_store()
    fixed: list[Import] = []
    with store.idle() as idle:
        if not idle:
            return fixed
        try:
            held = store.manifest().get("imports", {})
        except StoreDamaged:
            return fixed
        for record in Import.objects.filter(status__in=[BatchStatus.RUNNING, BatchStatus.LANDED]):
            entry = held.get(str(record.id))
            if record.status == BatchStatus.RUNNING and entry is None:
                _finish(record, BatchStatus.FAILED, "interrupted before it landed: nothing "
                        "was imported")  # fmt: skip
            elif record.status == BatchStatus.RUNNING and entry is not None:
                _recover(record, entry, store.manifest())
            elif entry is not None and entry.get("withdrawn_at"):
                record.status = BatchStatus.WITHDRAWN
                record.withdrawn_at = timezone.now()
                record.save(update_fields=["status", "withdrawn_at"])
            else:
                continue
            fixed.append(record)
    return fixed


@transaction.atomic
def _recover(record: Import, entry: dict[str, Any], manifest: Manifest) -> None:
    """Record an import the store holds but a crash left unrecorded."""
    files = manifest["files"]
    partitions = manifest["partitions"]
    for rel in entry["files"]:
        info = files.get(rel, {})
        keys = [k for k, p in partitions.items() if p["file"] == rel]
        ImportRun.objects.create(
            batch=record.id,
            source=keys[0].split("/")[0] if keys else "",
            file_name=Path(info.get("source_file", rel)).name,
            file_path=info.get("source_file", rel),
            checksum=info.get("checksum", ""),
            status=ImportStatus.IMPORTED,
            rows_accepted=sum(partitions[k]["rows"] for k in keys),
            months=sorted({k.rsplit("/", 1)[1] for k in keys}),
            warnings=["recorded after an interruption, from the incident store's manifest"],
            imported_by=record.imported_by,
            imported_by_name=record.imported_by_name,
            started_at=record.started_at,
            finished_at=timezone.now(),
        )
    record.rows_accepted = sum(r.rows_accepted for r in record.runs)
    record.save(update_fields=["rows_accepted"])
    _finish(record, BatchStatus.LANDED, "recorded after an interruption")


def withdraw_import(user: User | None, batch: uuid.UUID) -> Import:
    """Withdraw a landed import: the store then holds what it held before it. Raises
    ValidationError saying why it cannot (not landed, or a later import holds its months)."""
    record = Import.objects.filter(id=batch).first()
    if record is None or record.status != BatchStatus.LANDED:
        raise ValidationError("Only an import that landed can be withdrawn")
    try:
        incident_store().withdraw(str(batch))
    except WithdrawRefused as exc:
        raise ValidationError(f"This import cannot be withdrawn: {exc}") from None
    with transaction.atomic():
        record.status = BatchStatus.WITHDRAWN
        record.withdrawn_at = timezone.now()
        record.withdrawn_by = user
        record.save(update_fields=["status", "withdrawn_at", "withdrawn_by"])
        months = sorted({r["month"] for r in record.replaced}) if record.replaced else []
        record_event(user, "withdrawn", record, f"Import of {', '.join(record.files)[:200]} "
                     f"withdrawn{'; restored ' + ', '.join(months) if months else ''}")  # fmt: skip
    store_changed()
    return record


def _who(user: User | None) -> str:
    if user is not None:
        return user.get_username()
    try:
        return f"{getpass.getuser()} (command line)"
    except OSError:
        return "command line"
