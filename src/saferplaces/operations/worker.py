"""The task worker survives being killed mid-task.

django-tasks' database worker claims a task by marking it RUNNING with its worker id; if
the worker process is killed (SIGKILL, the host reboots) the task stays RUNNING for ever,
and the Import or board paper it was writing says "running" for ever too. So every
worker says it is alive (a heartbeat row with its host and process id, every few
seconds), and before it starts taking tasks `saferplaces worker` recovers the tasks left
RUNNING by a worker that is gone: one with no heartbeat for GONE_AFTER, or whose process
is no longer alive on this host.

Each orphaned task is decided on its own, in one transaction that also records what was
done (TaskRecovery):

- an upload's import (evidence.tasks.run_upload) is judged from the incident store's
  manifest, which says whether it landed (the store commits an import by one atomic
  manifest swap): one that landed is recorded as landed and not run again; one that did
  not is queued again (a rerun of the same files cannot double anything: the store swaps
  whole months, and files it holds already are "unchanged" by their checksums), at most
  MAX_ATTEMPTS runs in all, then failed with the reason;
- a board paper (reports.tasks.build_paper) is queued again (it rewrites the one file,
  atomically, and marks the paper ready), at most MAX_ATTEMPTS runs, then failed;
- any other task cannot be proved safe to run twice, so it is failed with the reason.

A failed task's own record says so the way its page shows a failure: the Import is
"Failed" with its message, the paper "Failed" with its error.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.db import DatabaseError, close_old_connections, connection, transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from saferplaces.evidence import tasks as evidence_tasks
from saferplaces.evidence.models import ACTIVE_STATUSES, BatchStatus, Import
from saferplaces.evidence.services import reconcile_imports
from saferplaces.evidence.store import incident_store
from saferplaces.insight.store import StoreDamaged
from saferplaces.operations.models import RecoveryOutcome, TaskRecovery, WorkerHeartbeat
from saferplaces.reports.models import BoardPaper, PaperStatus
from saferplaces.reports.progress import record_failure as record_paper_failure

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
"""Runs of one task in all (the first and at most two more after a worker stopped)."""
HEARTBEAT_SECONDS = 5.0
"""How often a worker says it is alive."""
GONE_AFTER = timedelta(seconds=60)
"""A worker silent this long is gone, wherever it ran (a dozen missed heartbeats)."""
STOPPED = "the worker stopped while running it"
RUNNING = "RUNNING"
READY = "READY"
FAILED = "FAILED"
SUCCESSFUL = "SUCCESSFUL"
UPLOAD_TASK = "saferplaces.evidence.tasks.run_upload"
PAPER_TASK = "saferplaces.reports.tasks.build_paper"


class WorkerStopped(Exception):
    """The exception class a task failed by recovery is recorded with."""


@dataclass(frozen=True)
class Recovery:
    """What recovery did with one task."""

    task_id: uuid.UUID
    task_path: str
    outcome: RecoveryOutcome
    reason: str


# --- liveness -----------------------------------------------------------------------


def this_host() -> str:
    return socket.gethostname()


def process_alive(pid: int) -> bool:
    """Whether process `pid` runs on this host (a zombie, killed but not yet reaped by
    its parent, is not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True  # no /proc: alive as far as we can tell
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"


def gone_because(worker_id: str, started_at: datetime | None, now: datetime) -> str | None:
    """Why worker `worker_id` is gone, or None while it may be alive. A worker with no
    heartbeat at all (one that never wrote any, such as django-tasks' plain db_worker) is
    judged by how long ago the task started."""
    beat = WorkerHeartbeat.objects.filter(worker_id=worker_id).first()
    if beat is None:
        if started_at is None or now - started_at > GONE_AFTER:
            return f"no heartbeat from worker {worker_id}"
        return None
    if beat.host == this_host() and not process_alive(beat.pid):
        return f"worker {worker_id} (process {beat.pid} on {beat.host}) is no longer running"
    if now - beat.beat_at > GONE_AFTER:
        return f"worker {worker_id} has sent no heartbeat since {beat.beat_at:%Y-%m-%d %H:%M:%S}"
    return None


def orphaned(result: DBTaskResult[Any, Any], now: datetime) -> str | None:
    """Why a RUNNING task has no worker any more, or None while its worker may be alive."""
    if result.status != RUNNING or not result.worker_ids:
        return None
    return gone_because(str(result.worker_ids[-1]), result.started_at, now)


def beat(worker_id: str, started_at: datetime) -> None:
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={"host": this_host(), "pid": os.getpid(), "started_at": started_at,
                  "beat_at": timezone.now()},
    )  # fmt: skip


@contextmanager
def heartbeat(worker_id: str, every: float = HEARTBEAT_SECONDS) -> Iterator[None]:
    """Say worker `worker_id` is alive every `every` seconds (from a thread, so a long
    task does not silence it) until the block ends; then remove its heartbeat."""
    started_at = timezone.now()
    beat(worker_id, started_at)
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(every):
            try:
                beat(worker_id, started_at)
            except DatabaseError:  # a busy database: the next beat tries again
                log.warning("worker %s could not write its heartbeat", worker_id, exc_info=True)
            finally:
                close_old_connections()
        connection.close()

    thread = threading.Thread(target=loop, name=f"heartbeat-{worker_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=every + 5)
        WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()


# --- recovery -----------------------------------------------------------------------


def recover_orphans(now: datetime | None = None) -> list[Recovery]:
    """Recover every task left RUNNING by a worker that is gone (see the module's text)."""
    now = now or timezone.now()
    done: list[Recovery] = []
    for result in DBTaskResult.objects.running().order_by("started_at"):
        if orphaned(result, now) is None:
            continue
        recovery = recover_task(result.id, now)
        if recovery is not None:
            log.warning("task %s (%s): %s - %s", recovery.task_id, recovery.task_path,
                        recovery.outcome.label, recovery.reason)  # fmt: skip
            done.append(recovery)
    forget_gone_workers(now)
    return done


def forget_gone_workers(now: datetime) -> None:
    """Remove the heartbeats of workers that are gone (their tasks were recovered first;
    a task whose worker has no heartbeat is still judged by when it started)."""
    for beat in WorkerHeartbeat.objects.all():
        if gone_because(beat.worker_id, None, now) is not None:
            beat.delete()


@transaction.atomic
def recover_task(task_id: uuid.UUID, now: datetime | None = None) -> Recovery | None:
    """Retry, fail or record as finished one orphaned task, with its own record and a
    TaskRecovery saying what was done, in one transaction. None when the task is no
    longer orphaned (another worker recovered it, or its worker is alive after all)."""
    now = now or timezone.now()
    result = DBTaskResult.objects.select_for_update().filter(id=task_id).first()
    if result is None:
        return None
    gone = orphaned(result, now)
    if gone is None:
        return None
    decide = DECISIONS.get(result.task_path, unknown_task)
    outcome, reason = decide(result, len(result.worker_ids))
    if outcome is None:
        return None  # not decidable now (the store is busy): the next start tries again
    apply(result, outcome, reason)
    TaskRecovery.objects.create(
        task_id=result.id, task_path=result.task_path, worker_id=str(result.worker_ids[-1]),
        attempts=len(result.worker_ids), outcome=outcome, reason=f"{reason} ({gone})",
        recovered_at=now,
    )  # fmt: skip
    return Recovery(result.id, result.task_path, outcome, reason)


def apply(result: DBTaskResult[Any, Any], outcome: RecoveryOutcome, reason: str) -> None:
    """The task's own row: queued again, failed with the reason, or finished."""
    if outcome == RecoveryOutcome.RETRIED:
        result.status = READY
        result.started_at = None
        result.save(update_fields=["status", "started_at"])
        return
    result.finished_at = timezone.now()
    if outcome == RecoveryOutcome.FAILED:
        result.status = FAILED
        result.exception_class_path = f"{WorkerStopped.__module__}.{WorkerStopped.__qualname__}"
        result.traceback = f"{WorkerStopped.__qualname__}: {reason}"
        result.return_value = None
    else:
        result.status = SUCCESSFUL
        result.exception_class_path = ""
        result.traceback = ""
    result.save(update_fields=["status", "finished_at", "exception_class_path", "traceback",
                               "return_value"])  # fmt: skip


Decision = tuple[RecoveryOutcome | None, str]


def unknown_task(result: DBTaskResult[Any, Any], attempts: int) -> Decision:
    """A task whose effects were not checked: running it again might do them twice."""
    return RecoveryOutcome.FAILED, f"{STOPPED}; not run again, as running it twice may not be safe"


def attempt_text(attempts: int) -> str:
    return f"attempt {attempts + 1} of {MAX_ATTEMPTS}"


def recover_upload(result: DBTaskResult[Any, Any], attempts: int) -> Decision:
    """An upload's import: landed (the store's manifest holds it) → recorded, not run
    again; not landed → queued again while attempts remain (the rerun is safe: see the
    module's text), else failed. Its Import says the same."""
    batch = uuid.UUID(str(result.args_kwargs["args"][0]))
    record = Import.objects.select_for_update().filter(id=batch).first()
    if record is None:
        return RecoveryOutcome.FAILED, f"{STOPPED}; its import record is gone"
    try:
        landed = str(batch) in incident_store().manifest().get("imports", {})
    except StoreDamaged as exc:
        fail_import(batch, f"The worker stopped while running it, and the store is damaged: {exc}")
        return RecoveryOutcome.FAILED, f"{STOPPED}; the incident store is damaged"
    if landed and record.status in ACTIVE_STATUSES:
        reconcile_imports()  # records it from the manifest, unless the store is busy
        record.refresh_from_db()
        if record.status in ACTIVE_STATUSES:
            return None, "the incident store is busy: decided at the next start"
    if not record.active:
        # Its work was done (landed, unchanged, rejected, waiting for confirmation...):
        # only the end of the task is left (its stage, and deleting the uploaded files).
        if record.status != BatchStatus.CONFIRM:
            if record.status == BatchStatus.LANDED:
                evidence_tasks.record_partitions(batch)
            evidence_tasks.finish(batch)
        return RecoveryOutcome.FINISHED, f"{STOPPED} after the import had {record.status}"
    files = [Path(record.upload) / name for name in record.files] if record.upload else []
    if attempts < MAX_ATTEMPTS and files and all(f.is_file() for f in files):
        Import.objects.filter(id=batch).update(
            status=BatchStatus.QUEUED, progress=0, message="", finished_at=None,
            stage=f"Waiting for the background worker to start the import again "
            f"({attempt_text(attempts)}): {STOPPED}",
        )  # fmt: skip
        return RecoveryOutcome.RETRIED, f"{STOPPED}; nothing had landed, so queued again"
    why = "no attempts left" if files else "its uploaded files are gone"
    fail_import(batch, f"The worker stopped while running it ({why}): nothing was imported.")
    return RecoveryOutcome.FAILED, f"{STOPPED}; {why}"


def fail_import(batch: uuid.UUID, message: str) -> None:
    """The Import as the imports page shows a failure: Failed, with its message."""
    Import.objects.filter(id=batch).update(
        status=BatchStatus.FAILED, message=message, finished_at=timezone.now()
    )
    evidence_tasks.finish(batch)


def recover_paper(result: DBTaskResult[Any, Any], attempts: int) -> Decision:
    """A board paper: ready (its file written) → finished; otherwise queued again while
    attempts remain (the rerun rewrites the one file atomically), else failed."""
    paper_id = int(result.args_kwargs["args"][0])
    paper = BoardPaper.objects.select_for_update().filter(pk=paper_id).first()
    if paper is None:
        return RecoveryOutcome.FAILED, f"{STOPPED}; its paper is gone"
    if paper.status in (PaperStatus.READY, PaperStatus.FAILED):
        return RecoveryOutcome.FINISHED, f"{STOPPED} after the paper was {paper.status}"
    if attempts < MAX_ATTEMPTS:
        BoardPaper.objects.filter(pk=paper_id).update(
            status=PaperStatus.QUEUED, progress=0, error="",
            stage=f"Waiting to be built again ({attempt_text(attempts)}): {STOPPED}",
        )  # fmt: skip
        return RecoveryOutcome.RETRIED, f"{STOPPED}; queued again"
    record_paper_failure(paper_id, f"The worker stopped while building it ({MAX_ATTEMPTS} tries).")
    return RecoveryOutcome.FAILED, f"{STOPPED}; no attempts left"


DECISIONS: dict[str, Callable[[DBTaskResult[Any, Any], int], Decision]] = {
    UPLOAD_TASK: recover_upload,
    PAPER_TASK: recover_paper,
}
"""The task kinds whose effects were checked to be safe to run again."""
