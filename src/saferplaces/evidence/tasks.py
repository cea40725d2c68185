"""The import behind the upload page, run by the background worker (django-tasks; the
demo's ``serve`` runs the database backend's worker beside the web server). It runs the
same service as ``saferplaces import`` and writes its progress on the Import, which the
import's page polls."""

from __future__ import annotations

import logging
import uuid
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from saferplaces.evidence.models import ACTIVE_STATUSES, BatchStatus, Import, ImportRun
from saferplaces.evidence.services import ImportNeedsConfirmation, ImportRefused, import_files
from saferplaces.evidence.store import incident_store
from saferplaces.evidence.uploads import delete_folder, mapping_file
from saferplaces.insight.problems import write_rejects_csv
from saferplaces.insight.store import StoreDamaged

log = logging.getLogger(__name__)

READING = "Reading and checking the files"
WRITING = "Writing the rows into the incident store"
FINISHED = {
    BatchStatus.LANDED: "Imported",
    BatchStatus.UNCHANGED: "Nothing new: every file was imported before",
    BatchStatus.REJECTED: "Rejected: nothing was imported",
    BatchStatus.FAILED: "Failed: nothing was imported",
}


@task()
def run_upload(import_id: str, replace: bool = False) -> str:
    """Import an upload's files (recorded as the import ``import_id``); ``replace``
    confirms months that would shrink. Returns the import's status."""
    batch = uuid.UUID(import_id)
    record = Import.objects.select_related("imported_by").get(id=batch)
    folder = Path(record.upload)
    record_progress(batch, 1, "Starting the import")
    try:
        import_files(
            record.kind,
            [folder / name for name in record.files],
            mapping=mapping_file(folder) if record.kind == "incidents" else None,
            skip_bad_rows=record.skip_bad_rows,
            user=record.imported_by,
            progress=ProgressWriter(batch),
            replace=replace,
            batch=batch,
        )
    except ImportNeedsConfirmation:
        # The files are kept until the months are confirmed or the upload is cancelled.
        Import.objects.filter(id=batch).update(progress=100, stage="Waiting for confirmation")
        return BatchStatus.CONFIRM
    except ImportRefused as refused:
        keep_rejects(batch, refused)
    except (ValueError, OSError, StoreDamaged) as exc:
        log.warning("upload %s failed", batch, exc_info=True)
        record_failure(batch, str(exc))  # unless the service recorded why already
    except Exception as exc:
        log.exception("upload %s failed", batch)
        record_failure(batch, f"{type(exc).__name__}: {exc}")
        finish(batch)
        raise
    else:
        record_partitions(batch)
    return finish(batch)


class ProgressWriter:
    """``progress(done, total)`` of the import (bytes) as the Import's percentage and
    stage: 5-90 % while the files are read and checked, 90 % while the store is written.
    Writes only when the percentage changes."""

    def __init__(self, batch: uuid.UUID) -> None:
        self.batch = batch
        self.last = -1

    def __call__(self, done: int, total: int) -> None:
        if total <= 0:
            return
        percent = 5 + int(85 * min(done, total) / total)
        if percent != self.last:
            self.last = percent
            record_progress(self.batch, percent, READING if done < total else WRITING)


def record_progress(batch: uuid.UUID, percent: int, stage: str) -> None:
    Import.objects.filter(id=batch, status__in=ACTIVE_STATUSES).update(
        progress=percent, stage=stage
    )


def record_failure(batch: uuid.UUID, error: str) -> None:
    """An error the service did not record (it records what it expects)."""
    Import.objects.filter(id=batch, status__in=ACTIVE_STATUSES).update(
        status=BatchStatus.FAILED, message=error[:5000], finished_at=timezone.now()
    )


def keep_rejects(batch: uuid.UUID, refused: ImportRefused) -> None:
    """A rejected import's problems as a rejects CSV too (the service writes one only for
    imports that skip bad rows), so the result page can offer it for download."""
    problems = refused.rejected.problems
    if not problems:
        return
    record = Import.objects.get(id=batch)
    path = settings.DATA_DIR / "rejects" / f"{record.started_at:%Y%m%dT%H%M%S}-{batch}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    write_rejects_csv(problems, path)
    ImportRun.objects.filter(batch=batch).update(rejects_report=str(path))


def record_partitions(batch: uuid.UUID) -> None:
    """The rows the import landed per source/dataset/month, from the store's manifest
    while it still holds them (the result page reads them after later imports too)."""
    manifest = incident_store().manifest()
    entry = manifest.get("imports", {}).get(str(batch))
    if not entry:
        return
    mine = set(entry["files"])
    rows = {
        key: int(manifest["partitions"][key]["rows"])
        for key in entry["partitions"]
        if manifest["partitions"].get(key, {}).get("file") in mine
    }
    Import.objects.filter(id=batch).update(partitions=rows)


def finish(batch: uuid.UUID) -> str:
    """The import has finished: its stage says how, and its uploaded files are deleted
    (the store keeps what landed; the rejects report keeps what did not)."""
    record = Import.objects.get(id=batch)
    Import.objects.filter(id=batch).update(
        progress=100, stage=FINISHED.get(BatchStatus(record.status), record.get_status_display()),
        upload="",
    )  # fmt: skip
    if record.upload:
        delete_folder(Path(record.upload))
    return str(record.status)
