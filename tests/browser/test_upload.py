"""In a real browser: the demo's analyst uploads a year of police.uk files, watches the
import's progress bar move without reloading the page, reads the result, sees West
Lancashire's dashboard change, then withdraws the import from the history and sees the
dashboard exactly as before."""

from __future__ import annotations

import io
import threading
import time
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connections
from django_tasks.backends.immediate import ImmediateBackend

from saferplaces.evidence import tasks
from saferplaces.evidence.models import BatchStatus, Import, ImportRun
from saferplaces.partnership.demo.loader import DEMO_PASSWORD
from tests.browser.signin import two_factor_if_asked
from tests.places import SAMPLES

BEFORE = [f"2013-{m:02d}" for m in range(4, 13)] + [f"2014-{m:02d}" for m in range(1, 4)]
UPLOADED = [f"2014-{m:02d}" for m in range(4, 13)] + [f"2015-{m:02d}" for m in range(1, 4)]
DASHBOARD = "/places/west-lancashire/dashboard/"

# Recorded in the page before its own scripts run: every progress value the page shows
# and a marker that a reload would lose.
WATCH_PROGRESS = """
window.__progress = [];
window.__loaded = (window.__loaded || 0) + 1;
document.addEventListener("DOMContentLoaded", function () {
  function look() {
    var bar = document.querySelector("#import-progress-bar");
    if (bar) { window.__progress.push(Number(bar.value)); }
  }
  look();
  new MutationObserver(look).observe(document.body, {subtree: true, childList: true});
});
"""


class _Worker:
    """What the test's task backend shares with the thread that runs the task: the test
    database's connection (SQLite in memory, shared with the live server's request
    threads for this test, so that one connection serialises every read and write) and a
    gate the test opens once it has seen the page waiting."""

    connection: Any = None
    gate = threading.Event()
    threads: list[threading.Thread] = []


class WorkerThreadBackend(ImmediateBackend):
    """Runs each task in a thread of its own once the gate opens, as the database backend's
    worker runs it in its own process: the upload's request answers first, and the page
    then follows the import's progress."""

    def enqueue(self, task: Any, args: Any, kwargs: Any) -> Any:
        def run() -> None:
            if _Worker.connection is not None:
                connections["default"] = _Worker.connection
            _Worker.gate.wait(60)
            ImmediateBackend.enqueue(self, task, args, kwargs)

        thread = threading.Thread(target=run, name="task-worker", daemon=True)
        _Worker.threads.append(thread)
        thread.start()
        return None


def _dashboard(page: Any, live_server: Any) -> tuple[str, str]:
    page.goto(f"{live_server.url}{DASHBOARD}")
    page.wait_for_selector('[data-count="all-crime"]')
    heading = page.get_by_role("heading", level=1).inner_text()
    return heading, page.locator('[data-count="all-crime"]').inner_text()


@pytest.mark.django_db(transaction=True)
def test_an_analyst_uploads_a_year_watches_it_import_and_withdraws_it(
    page: Any, live_server: Any, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Given the demo with West Lancashire's 2013/14 imported from the command line, when
    the analyst uploads the twelve monthly files of 2014/15 on the upload page, then the
    import's page shows a progress bar that moves and reaches "Imported" without a reload,
    and lists the twelve files and months with their rows; the dashboard then shows
    2014/15; when the analyst withdraws the import from the history, the dashboard shows
    exactly what it showed before."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.TASKS = {"default": {"BACKEND": f"{__name__}.WorkerThreadBackend"}}
    _Worker.gate.clear()
    shared = connections["default"]
    _Worker.connection = shared if shared.vendor == "sqlite" and shared.is_in_memory_db() else None
    if _Worker.connection is not None:
        shared.inc_thread_sharing()
        monkeypatch.setattr(live_server.thread.httpd, "connections_override", {"default": shared})
    try:
        _upload_watch_and_withdraw(page, live_server, monkeypatch)
    finally:
        _Worker.gate.set()
        page.context.close()  # then no request thread holds the shared connection
        for thread in _Worker.threads + [
            t for t in threading.enumerate() if "process_request_thread" in t.name
        ]:
            thread.join(30)
        if _Worker.connection is not None:
            shared.dec_thread_sharing()


def _upload_watch_and_withdraw(page: Any, live_server: Any, monkeypatch: Any) -> None:
    record_progress = tasks.record_progress

    def slowly(*args: Any) -> None:  # a year of the sample imports in well under a second
        record_progress(*args)
        time.sleep(0.12)

    monkeypatch.setattr(tasks, "record_progress", slowly)
    call_command("load_demo", stdout=io.StringIO())
    before_files = [str(SAMPLES / f"{m}-west-lancashire-street.csv.gz") for m in BEFORE]
    call_command("import", "police-uk", *before_files, "--no-progress", stdout=io.StringIO())

    page.goto(f"{live_server.url}/sign-in/")
    page.fill("#id_username", "analyst")
    page.fill("#id_password", DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    two_factor_if_asked(page, "analyst")
    page.wait_for_url(f"{live_server.url}/")
    before = _dashboard(page, live_server)
    assert before[0] == "West Lancashire: 2013/14"

    page.goto(f"{live_server.url}/imports/")
    page.get_by_role("button", name="Upload incident data").click()
    page.wait_for_url("**/imports/new/")
    page.add_init_script(WATCH_PROGRESS)
    page.get_by_label("police.uk street files").check()
    page.set_input_files(
        "#id_uploads", [str(SAMPLES / f"{m}-west-lancashire-street.csv.gz") for m in UPLOADED]
    )
    page.get_by_role("button", name="Upload and import").click()
    page.wait_for_url("**/imports/*-*-*-*-*/")
    record = Import.objects.get(status=BatchStatus.QUEUED)
    page.wait_for_selector("#import-progress-bar")  # the page waits for the worker
    assert page.locator('[data-testid="import-status"]').inner_text() == "Waiting to start"
    _Worker.gate.set()
    page.wait_for_selector('[data-testid="import-status"]:text("Imported")', timeout=90_000)
    assert page.evaluate("window.__loaded") == 1  # no reload
    seen = page.evaluate("window.__progress")
    assert any(0 < value < 100 for value in seen), seen  # the bar moved
    for thread in _Worker.threads:
        thread.join(30)
    record.refresh_from_db()
    assert record.status == BatchStatus.LANDED
    runs = ImportRun.objects.filter(batch=record.id)
    assert runs.count() == 12
    rows = page.locator('[data-testid="rows-accepted"]').inner_text()
    assert rows == f"{sum(r.rows_accepted for r in runs):,}"
    files = page.locator('[data-testid="import-files"] tbody tr')
    assert files.count() == 12
    months = page.locator('[data-testid="import-months"] tbody tr')
    assert months.count() == 12
    assert "2014-04" in months.first.inner_text() and "lancashire" in months.first.inner_text()
    gaps = page.locator('[data-testid="import-gaps"]').inner_text()
    assert "Lancashire police force area, 2013-04 to 2015-03" in gaps
    assert "Lancaster\t24\t2013-04 to 2015-03" in gaps
    assert "West Lancashire\t0\tNone" in gaps

    after = _dashboard(page, live_server)
    assert after[0] == "West Lancashire: 2014/15"
    assert after[1] != before[1]

    page.goto(f"{live_server.url}/imports/")
    page.locator(f'tr[data-import="{record.pk}"] [data-testid="withdraw"]').click()
    page.wait_for_url(f"**/imports/{record.pk}/withdraw/")
    assert "lancashire 2015-03" in page.locator('[data-testid="withdraw-removed"]').inner_text()
    page.get_by_role("button", name="Withdraw this import").click()
    page.wait_for_url(f"{live_server.url}/imports/")
    assert "Import withdrawn" in page.locator(".govuk-notification-banner").inner_text()
    assert "Withdrawn" in page.locator(f'tr[data-import="{record.pk}"]').inner_text()
    assert _dashboard(page, live_server) == before
