"""The task worker survives being killed mid-task (issue 15): a real worker process is
killed with SIGKILL while it runs a task, `saferplaces worker` is started again, and the
task is retried to completion with its effect once (the store holds each row once, the
Import is landed), recorded as landed without running again, or failed with its reason;
a task of a live worker is not touched."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import duckdb
import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from saferplaces.evidence.models import BatchStatus, Import
from saferplaces.evidence.services import import_files
from saferplaces.evidence.store import incident_store
from saferplaces.evidence.tasks import run_upload
from saferplaces.operations import worker
from saferplaces.operations.models import RecoveryOutcome, TaskRecovery, WorkerHeartbeat
from saferplaces.reports.models import BoardPaper, PaperStatus
from saferplaces.reports.tasks import build_paper
from tests.insight.conftest import row, write_csv
from tests.personas import World

ROOT = Path(__file__).resolve().parents[2]


def police_file(folder: Path, month: str, rows: int) -> Path:
    """A police.uk street file of `rows` crimes in `month`, each with its own id."""
    folder.mkdir(parents=True, exist_ok=True)
    return write_csv(folder / f"{month}-lancashire-street.csv",
                     [row(f"{month}-{i:058x}", month) for i in range(rows)])  # fmt: skip


def raw_rows(store_root: Path, month: str) -> tuple[int, int]:
    """Rows and distinct crime ids of `month` in the Parquet files the store's manifest
    names, read straight from the files (the store's own view deduplicates, so it could
    hide a doubled row)."""
    manifest = json.loads((store_root / "manifest.json").read_text())
    files = sorted({p["file"] for k, p in manifest["partitions"].items() if k.endswith(month)})
    if not files:
        return 0, 0
    paths = ", ".join(f"'{store_root / f}'" for f in files)
    con = duckdb.connect()
    total, distinct = con.execute(
        f"SELECT count(*), count(DISTINCT id) FROM read_parquet([{paths}])"  # noqa: S608
    ).fetchone() or (0, 0)
    return int(total), int(distinct)


def _last_pid() -> int:
    """The id of a process that has ended and been reaped."""
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


# --- recovery decisions, in-process ---------------------------------------------------


@pytest.fixture
def gone_worker() -> str:
    """A worker whose heartbeat names a process that has ended on this host."""
    WorkerHeartbeat.objects.create(worker_id="gone", host=worker.this_host(), pid=_last_pid())
    return "gone"


def claimed(task_id: Any, worker_ids: list[str]) -> DBTaskResult[Any, Any]:
    result = DBTaskResult.objects.get(id=task_id)
    result.status = worker.RUNNING
    result.started_at = timezone.now()
    result.worker_ids = worker_ids
    result.save()
    return result


@pytest.mark.django_db
def test_liveness_by_process_and_by_heartbeat() -> None:
    """A worker whose process has ended on this host is gone at once; one whose process
    runs is alive while its heartbeat is recent and gone once silent for GONE_AFTER; one
    with no heartbeat is judged by how long ago the task started."""
    now = timezone.now()
    host = worker.this_host()
    WorkerHeartbeat.objects.create(worker_id="dead", host=host, pid=_last_pid(), beat_at=now)
    WorkerHeartbeat.objects.create(worker_id="live", host=host, pid=os.getpid(), beat_at=now)
    silent = now - worker.GONE_AFTER - timedelta(seconds=1)
    WorkerHeartbeat.objects.create(worker_id="silent", host="elsewhere", pid=1, beat_at=silent)
    WorkerHeartbeat.objects.create(worker_id="remote", host="elsewhere", pid=1, beat_at=now)
    assert worker.gone_because("dead", now, now) is not None
    assert worker.gone_because("live", now, now) is None
    assert worker.gone_because("silent", now, now) is not None
    assert worker.gone_because("remote", now, now) is None  # another host: heartbeat only
    assert worker.gone_because("never", now, now) is None
    assert worker.gone_because("never", silent, now) is not None


@pytest.mark.django_db
def test_an_upload_out_of_attempts_fails_as_the_imports_page_shows_it(
    settings: Any, gone_worker: str
) -> None:
    """Given an upload's import left running for the third time by a worker that is gone,
    When the worker recovers, Then the task failed with the reason, the Import is Failed
    with a message saying the worker stopped and nothing was imported (as the imports page
    shows a failure), and its uploaded files are deleted."""
    batch = uuid.uuid4()
    folder = Path(settings.DATA_DIR) / "uploads" / str(batch)
    police_file(folder, "2014-09", 3)
    Import.objects.create(id=batch, kind="police-uk", status=BatchStatus.RUNNING,
                          files=["2014-09-lancashire-street.csv"], upload=str(folder))  # fmt: skip
    task = run_upload.enqueue(str(batch))
    claimed(task.id, ["a", "b", gone_worker])
    [recovery] = worker.recover_orphans()
    assert recovery.outcome == RecoveryOutcome.FAILED
    result = DBTaskResult.objects.get(id=task.id)
    assert result.status == worker.FAILED
    assert worker.STOPPED in result.traceback
    assert result.task_result.errors[0].exception_class_path.endswith("WorkerStopped")
    record = Import.objects.get(id=batch)
    assert record.status == BatchStatus.FAILED
    assert "worker stopped while running it" in record.message
    assert "nothing was imported" in record.message
    assert record.stage == "Failed: nothing was imported"
    assert not folder.exists()
    assert TaskRecovery.objects.get(task_id=task.id).attempts == 3


@pytest.mark.django_db
def test_a_paper_is_retried_then_failed_as_the_papers_page_shows_it(
    world: World, gone_worker: str
) -> None:
    """A board paper left running is queued again while attempts remain, then failed with
    the reason on the paper (status Failed and its error, as the papers page shows)."""
    paper = BoardPaper.objects.create(
        place=world.district, period_label="2014/15", period_start=date(2014, 4, 1),
        period_end=date(2015, 3, 31), format="pdf", status=PaperStatus.RUNNING,
    )  # fmt: skip
    task = build_paper.enqueue(paper.pk)
    claimed(task.id, [gone_worker])
    assert [r.outcome for r in worker.recover_orphans()] == [RecoveryOutcome.RETRIED]
    assert DBTaskResult.objects.get(id=task.id).status == worker.READY
    paper.refresh_from_db()
    assert paper.status == PaperStatus.QUEUED
    assert "attempt 2 of 3" in paper.stage
    assert not WorkerHeartbeat.objects.filter(worker_id=gone_worker).exists()  # forgotten
    WorkerHeartbeat.objects.create(worker_id="gone-too", host=worker.this_host(), pid=_last_pid())
    claimed(task.id, [gone_worker, "b", "gone-too"])
    assert [r.outcome for r in worker.recover_orphans()] == [RecoveryOutcome.FAILED]
    paper.refresh_from_db()
    assert paper.status == PaperStatus.FAILED
    assert "worker stopped" in paper.error
    assert DBTaskResult.objects.get(id=task.id).status == worker.FAILED


@pytest.mark.django_db
def test_a_task_of_a_live_worker_or_a_finished_task_is_not_touched(world: World) -> None:
    """A running task whose worker is alive (this process), and a finished one whose
    worker is gone, are left as they are."""
    WorkerHeartbeat.objects.create(worker_id="me", host=worker.this_host(), pid=os.getpid())
    paper = BoardPaper.objects.create(
        place=world.district, period_label="2014/15", period_start=date(2014, 4, 1),
        period_end=date(2015, 3, 31), format="pdf", status=PaperStatus.RUNNING,
    )  # fmt: skip
    running = build_paper.enqueue(paper.pk)
    claimed(running.id, ["me"])
    assert worker.recover_orphans() == []
    assert worker.recover_task(running.id) is None
    assert DBTaskResult.objects.get(id=running.id).status == worker.RUNNING
    assert not TaskRecovery.objects.exists()


@pytest.mark.django_db
def test_importing_the_same_file_again_doubles_nothing(tmp_path: Path, settings: Any) -> None:
    """The rerun a retry makes: the same file imported again (whether or not it landed
    before) is "unchanged", and the store's files hold each row once."""
    month = "2014-08"
    source = police_file(tmp_path / "in", month, 40)
    first = import_files("police-uk", [source])
    assert first.batch.status == BatchStatus.LANDED
    assert raw_rows(Path(settings.INCIDENT_STORE_DIR), month) == (40, 40)
    again = import_files("police-uk", [source], batch=uuid.uuid4())
    assert again.batch.status == BatchStatus.UNCHANGED
    assert raw_rows(Path(settings.INCIDENT_STORE_DIR), month) == (40, 40)
    assert incident_store().table().count().execute() == 40


# --- real worker processes killed with SIGKILL ----------------------------------------


@pytest.fixture(scope="module")
def worker_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """A data directory and database of their own (a private PostgreSQL database named
    after the test database when DATABASE_URL is PostgreSQL), migrated once."""
    data = tmp_path_factory.mktemp("worker-data")
    env = {**os.environ, "SAFERPLACES_DATA_DIR": str(data),
           "DJANGO_SETTINGS_MODULE": "saferplaces.settings",
           "PYTHONPATH": ":".join([str(ROOT), *sys.path])}  # fmt: skip
    env.pop("DATABASE_URL", None)
    url = os.environ.get("DATABASE_URL", "")
    private = ""
    if url.startswith("postgres"):
        parts = urlsplit(url)
        private = f"{parts.path.lstrip('/') or 'saferplaces'}_worker"
        env["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{private}"))
        admin(url, f'DROP DATABASE IF EXISTS "{private}"', f'CREATE DATABASE "{private}"')
    cli(env, "migrate", "--verbosity", "0")
    yield env
    if private:
        admin(url, f'DROP DATABASE IF EXISTS "{private}" WITH (FORCE)')


def admin(url: str, *statements: str) -> None:
    import psycopg

    parts = urlsplit(url)
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as con:
        for statement in statements:
            con.execute(statement)  # type: ignore[arg-type]


def cli(env: dict[str, str], *args: str, timeout: int = 600) -> str:
    done = subprocess.run([sys.executable, "-m", "saferplaces.cli", *args], env=env,
                          capture_output=True, text=True, timeout=timeout, cwd=ROOT)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def script(env: dict[str, str], code: str, *args: str) -> Any:
    """Run `code` with Django set up; what it prints is JSON."""
    full = "import django, json, sys\ndjango.setup()\n" + code
    done = subprocess.run([sys.executable, "-c", full, *args], env=env, capture_output=True,
                          text=True, timeout=300, cwd=ROOT)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


QUEUE_UPLOAD = """
import shutil, uuid
from pathlib import Path
from saferplaces.evidence.uploads import StoredUpload, start_upload, upload_folder
batch = uuid.uuid4()
folder = upload_folder(batch)
folder.mkdir(parents=True)
source = Path(sys.argv[1])
target = folder / source.name
shutil.copy(source, target)
start_upload(None, batch, [StoredUpload(target, source.name, target.stat().st_size, "text/csv")],
             kind="police-uk", mapping=None, skip_bad_rows=False)
from django_tasks_db.models import DBTaskResult
task = DBTaskResult.objects.get(args_kwargs__args=[str(batch)])
print(json.dumps({"batch": str(batch), "task": str(task.id)}))
"""

QUEUE_WAIT = """
from tests.operations.worker_tasks import wait_for
print(json.dumps({"task": str(wait_for.enqueue(sys.argv[1]).id)}))
"""

STATE = """
from django_tasks_db.models import DBTaskResult
from saferplaces.evidence.models import Import, ImportRun
from saferplaces.operations.models import TaskRecovery, WorkerHeartbeat
task = DBTaskResult.objects.get(id=sys.argv[1])
out = {"status": task.status, "workers": task.worker_ids, "traceback": task.traceback,
       "recoveries": [r.outcome for r in TaskRecovery.objects.filter(task_id=task.id)],
       "heartbeats": list(WorkerHeartbeat.objects.values_list("worker_id", flat=True))}
if len(sys.argv) > 2:
    record = Import.objects.get(id=sys.argv[2])
    out.update(import_status=record.status, rows=record.rows_accepted, stage=record.stage,
               upload=record.upload,
               runs=ImportRun.objects.filter(batch=record.id).count())
print(json.dumps(out))
"""

# A worker whose import blocks at a chosen point (before or after the store's manifest
# swap) after saying so in a file, so the test can kill it there.
BLOCKING_WORKER = """
import time
from pathlib import Path
from django.core.management import call_command
from saferplaces.evidence import services, tasks
marker, where = Path(sys.argv[1]), sys.argv[2]
def block(*args, **kwargs):
    marker.write_text("blocked")
    while True:
        time.sleep(1)
if where == "before-swap":
    tasks.ProgressWriter.__call__ = block
else:
    services._record_report = block
call_command("worker", "--worker-id", sys.argv[3], "--interval", "0.1", "--no-startup-delay")
"""


def wait_until(path: Path, process: subprocess.Popen[Any], seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        assert process.poll() is None, "the worker ended before the task blocked"
        assert time.monotonic() < deadline, f"{path.name} never appeared"
        time.sleep(0.1)


def kill(process: subprocess.Popen[Any]) -> None:
    """SIGKILL, and reap it (as `saferplaces serve` reaps its worker)."""
    os.kill(process.pid, signal.SIGKILL)
    assert process.wait(timeout=30) == -signal.SIGKILL


def start(env: dict[str, str], *args: str) -> subprocess.Popen[Any]:
    return subprocess.Popen([sys.executable, *args], env=env, cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip


def store_root(env: dict[str, str]) -> Path:
    return Path(env["SAFERPLACES_DATA_DIR"]) / "incidents"


@pytest.mark.slow
def test_an_import_killed_before_it_landed_is_retried_to_completion_once(
    worker_env: dict[str, str], tmp_path: Path
) -> None:
    """Given a worker killed with SIGKILL while it reads an upload (before the store's
    manifest swap), When `saferplaces worker` starts again, Then the import is queued
    again and runs to completion: the Import is landed with its 120 rows, one file
    record, the store's files hold each row once, and the task succeeded on its second
    run."""
    month = "2014-11"
    queued = script(worker_env, QUEUE_UPLOAD, str(police_file(tmp_path / "in", month, 120)))
    marker = tmp_path / "blocked"
    first = start(worker_env, "-c", "import django, sys\ndjango.setup()\n" + BLOCKING_WORKER,
                  str(marker), "before-swap", "first-worker")  # fmt: skip
    wait_until(marker, first)
    during = script(worker_env, STATE, queued["task"], queued["batch"])
    assert during["status"] == "RUNNING"
    assert during["import_status"] in ("queued", "running")
    kill(first)
    out = cli(worker_env, "worker", "--batch", "--no-startup-delay", "--interval", "0.1")
    assert "queued again" in out
    after = script(worker_env, STATE, queued["task"], queued["batch"])
    assert after["status"] == "SUCCESSFUL"
    assert after["workers"][0] == "first-worker"
    assert len(after["workers"]) == 2
    assert after["recoveries"] == ["retried"]
    assert after["import_status"] == "landed"
    assert after["rows"] == 120
    assert after["runs"] == 1
    assert after["stage"] == "Imported"
    assert after["upload"] == ""
    assert after["heartbeats"] == []  # the killed one's forgotten, the last one removed its own
    assert raw_rows(store_root(worker_env), month) == (120, 120)


@pytest.mark.slow
def test_an_import_killed_after_it_landed_is_recorded_not_run_again(
    worker_env: dict[str, str], tmp_path: Path
) -> None:
    """Given a worker killed right after the store's manifest swap, before the Import
    was recorded, When `saferplaces worker` starts again, Then the Import is recorded as
    landed from the manifest (80 rows, one file record) without running again, and the
    store's files hold each row once."""
    month = "2014-10"
    queued = script(worker_env, QUEUE_UPLOAD, str(police_file(tmp_path / "in", month, 80)))
    marker = tmp_path / "blocked"
    first = start(worker_env, "-c", "import django, sys\ndjango.setup()\n" + BLOCKING_WORKER,
                  str(marker), "after-swap", "swapped-worker")  # fmt: skip
    wait_until(marker, first)
    assert script(worker_env, STATE, queued["task"], queued["batch"])["import_status"] == "running"
    kill(first)
    out = cli(worker_env, "worker", "--batch", "--no-startup-delay", "--interval", "0.1")
    assert "had finished" in out
    after = script(worker_env, STATE, queued["task"], queued["batch"])
    assert after["status"] == "SUCCESSFUL"
    assert after["workers"] == ["swapped-worker"]  # not run again
    assert after["recoveries"] == ["finished"]
    assert after["import_status"] == "landed"
    assert after["rows"] == 80
    assert after["runs"] == 1
    assert after["upload"] == ""
    assert raw_rows(store_root(worker_env), month) == (80, 80)


@pytest.mark.slow
def test_a_task_not_proved_safe_fails_with_its_reason_and_a_live_workers_task_is_untouched(
    worker_env: dict[str, str], tmp_path: Path
) -> None:
    """Given a task of a kind recovery does not know, running in a live worker, When
    another `saferplaces worker` starts, Then it leaves that task running (and the live
    worker finishes it); Given the same kind of task in a worker killed with SIGKILL,
    Then the next start marks it failed with "the worker stopped while running it"."""
    live_file = tmp_path / "live"
    live_task = script(worker_env, QUEUE_WAIT, str(live_file))["task"]
    live = start(worker_env, "-m", "saferplaces.cli", "worker", "--worker-id", "live-worker",
                 "--interval", "0.1", "--no-startup-delay")  # fmt: skip
    try:
        wait_until(Path(f"{live_file}.started"), live)
        cli(worker_env, "worker", "--batch", "--no-startup-delay", "--interval", "0.1")
        during = script(worker_env, STATE, live_task)
        assert during["status"] == "RUNNING"
        assert during["workers"] == ["live-worker"]
        assert during["recoveries"] == []
        live_file.write_text("go")
        deadline = time.monotonic() + 60
        while script(worker_env, STATE, live_task)["status"] == "RUNNING":
            assert time.monotonic() < deadline
            time.sleep(0.5)
        assert script(worker_env, STATE, live_task)["status"] == "SUCCESSFUL"
    finally:
        live.terminate()
        live.wait(timeout=60)

    doomed_file = tmp_path / "doomed"
    doomed_task = script(worker_env, QUEUE_WAIT, str(doomed_file))["task"]
    doomed = start(worker_env, "-m", "saferplaces.cli", "worker", "--worker-id", "doomed-worker",
                   "--interval", "0.1", "--no-startup-delay")  # fmt: skip
    wait_until(Path(f"{doomed_file}.started"), doomed)
    kill(doomed)
    out = cli(worker_env, "worker", "--batch", "--no-startup-delay", "--interval", "0.1")
    assert "marked failed" in out
    after = script(worker_env, STATE, doomed_task)
    assert after["status"] == "FAILED"
    assert "the worker stopped while running it" in after["traceback"]
    assert after["recoveries"] == ["failed"]
    assert after["workers"] == ["doomed-worker"]


HEARTBEAT_PIDS = """
from saferplaces.operations.models import WorkerHeartbeat
print(json.dumps(list(WorkerHeartbeat.objects.values_list("pid", flat=True))))
"""


def _serve_worker(serve: subprocess.Popen[Any], other_than: int | None, env: dict[str, str]) -> int:
    """The pid of the task worker `serve` runs (not `other_than`), once it has sent its
    heartbeat."""
    import psutil

    deadline = time.monotonic() + 120
    while True:
        assert serve.poll() is None, serve.stderr.read().decode()[-3000:] if serve.stderr else ""
        assert time.monotonic() < deadline, "serve's worker never sent a heartbeat"
        pids = []
        for child in psutil.Process(serve.pid).children():
            with contextlib.suppress(psutil.Error):  # the killed one, a zombie until reaped
                if child.pid != other_than and "worker" in child.cmdline():
                    pids.append(child.pid)
        if pids and pids[0] in script(env, HEARTBEAT_PIDS):
            return pids[0]
        time.sleep(0.5)


@pytest.mark.slow
def test_serve_starts_a_killed_worker_again(worker_env: dict[str, str]) -> None:
    """Given `saferplaces serve` with its task worker, When the worker is killed with
    SIGKILL, Then serve says so and starts a new worker, which sends its heartbeat; and
    serve still ends cleanly on SIGTERM."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    serve = start(worker_env, "-m", "saferplaces.cli", "serve", "--port", str(port),
                  "--workers", "1")  # fmt: skip
    try:
        first = _serve_worker(serve, None, worker_env)
        os.kill(first, signal.SIGKILL)
        second = _serve_worker(serve, first, worker_env)
        assert second != first
    finally:
        serve.terminate()
        code = serve.wait(timeout=60)
    assert code == 0, code
    assert serve.stderr is not None
    assert "exited with code -9: starting it again" in serve.stderr.read().decode()
