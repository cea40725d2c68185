"""Every write of the evidence app: imports land in the incident store and are recorded,
file by file, as ImportRun rows in the same step."""

from __future__ import annotations

import getpass
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from saferplaces.evidence.models import ImportRun, ImportStatus
from saferplaces.evidence.store import incident_store, store_changed
from saferplaces.insight import imports as insight_imports
from saferplaces.insight.problems import ImportRejected

Progress = Callable[[int, int], None]

_STATUS = {
    "imported": ImportStatus.IMPORTED,
    "unchanged": ImportStatus.UNCHANGED,
    "rejected": ImportStatus.REJECTED,
}
MAX_PROBLEMS_KEPT = 200


@dataclass(frozen=True)
class ImportOutcome:
    runs: list[ImportRun]
    rejects_report: Path | None

    @property
    def landed(self) -> bool:
        return any(r.status in (ImportStatus.IMPORTED, ImportStatus.PARTIAL) for r in self.runs)


class ImportRefused(Exception):
    """The import was rejected whole; the store is as it was. `runs` record why."""

    def __init__(self, rejected: ImportRejected, runs: list[ImportRun]) -> None:
        super().__init__(str(rejected))
        self.rejected = rejected
        self.runs = runs


def import_files(
    kind: str,
    paths: Sequence[Path | str],
    *,
    mapping: Path | str | None = None,
    skip_bad_rows: bool = False,
    user: User | None = None,
    progress: Progress | None = None,
) -> ImportOutcome:
    """Import police.uk files (`kind="police-uk"`) or mapped incident CSVs
    (`kind="incidents"`, with `mapping`) and record an ImportRun for every file.

    Raises ImportRefused when the files are rejected (nothing lands in the store)."""
    store = incident_store()
    batch = uuid.uuid4()
    started = timezone.now()
    who = _who(user)
    try:
        if kind == "police-uk":
            report = insight_imports.import_police_uk(
                store, list(paths), skip_bad_rows=skip_bad_rows, progress=progress
            )
        elif kind == "incidents":
            if mapping is None:
                raise ValueError("a mapping file is needed to import incidents")
            report = insight_imports.import_incidents(
                store, mapping, list(paths), skip_bad_rows=skip_bad_rows, progress=progress
            )
        else:
            raise ValueError(f"unknown import kind {kind!r}: use police-uk or incidents")
    except ImportRejected as rejected:
        runs = _record_rejection(rejected, batch, started, who, user)
        raise ImportRefused(rejected, runs) from rejected

    source = "police_uk" if kind == "police-uk" else Path(str(mapping)).stem
    rejects_path: Path | None = None
    if report.rejects:
        rejects_path = settings.DATA_DIR / "rejects" / f"{started:%Y%m%dT%H%M%S}-{batch}.csv"
        rejects_path.parent.mkdir(parents=True, exist_ok=True)
        report.write_rejects(rejects_path)
    with transaction.atomic():
        runs = [
            ImportRun.objects.create(
                batch=batch,
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
                rejects_report=str(rejects_path) if f.rejects and rejects_path else "",
                imported_by=user,
                imported_by_name=who,
                started_at=started,
                finished_at=timezone.now(),
            )
            for f in report.files
        ]
    outcome = ImportOutcome(runs=runs, rejects_report=rejects_path)
    if outcome.landed:
        store_changed()
    return outcome


def _record_rejection(
    rejected: ImportRejected,
    batch: uuid.UUID,
    started: datetime,
    who: str,
    user: User | None,
) -> list[ImportRun]:
    by_file: dict[str, list[str]] = {}
    for problem in rejected.problems:
        by_file.setdefault(problem.file, []).append(str(problem))
    with transaction.atomic():
        return [
            ImportRun.objects.create(
                batch=batch,
                source="",
                file_name=Path(name).name,
                file_path=name,
                status=ImportStatus.REJECTED,
                problems=problems[:MAX_PROBLEMS_KEPT],
                rows_rejected=len(problems),
                imported_by=user,
                imported_by_name=who,
                started_at=started,
                finished_at=timezone.now(),
            )
            for name, problems in by_file.items()
        ]


def _who(user: User | None) -> str:
    if user is not None:
        return user.get_username()
    try:
        return f"{getpass.getuser()} (command line)"
    except OSError:
        return "command line"
