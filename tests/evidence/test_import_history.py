"""Import history, confirmation before a month shrinks, withdrawal, and recovery after a
crash between the store and its records (issue 10)."""

from __future__ import annotations

import gzip
import io
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from saferplaces.evidence.models import BatchStatus, Import, ImportRun
from saferplaces.evidence.services import (
    ImportNeedsConfirmation,
    import_files,
    reconcile_imports,
    withdraw_import,
)
from saferplaces.evidence.store import incident_store
from saferplaces.insight.imports import import_police_uk
from saferplaces.partnership.models import ActivityEvent
from tests.insight.conftest import row, write_csv

pytestmark = pytest.mark.django_db
DECEMBER = "2014-12"


def december_all_crime() -> int:
    out = io.StringIO()
    call_command("indicators", "--place", "West Lancashire", "--period", DECEMBER,
                 "--format", "json", stdout=out)  # fmt: skip
    return int({r["indicator"]: r for r in json.loads(out.getvalue())}["all-crime"]["count"])


def fifty_rows(folder: Path) -> Path:
    return write_csv(folder / f"{DECEMBER}-lancashire-street.csv",
                     [row(f"{i:064x}", DECEMBER) for i in range(50)])  # fmt: skip


def test_a_smaller_file_for_a_month_needs_replace_and_can_be_withdrawn(
    demo: None, samples: Path, tmp_path: Path
) -> None:
    """Given December 2014's full file (367 crimes in West Lancashire), When a 50-row file
    for December is imported, Then the command refuses it naming the month, rows before
    and after, and the figure stays 367 (it used to drop to 27 with no warning); with
    --replace it lands and says what it replaced; withdrawn, the figure is 367 again."""
    import_files("police-uk", sorted(samples.glob(f"{DECEMBER}-*.csv.gz")))
    assert december_all_crime() == 367
    small = fifty_rows(tmp_path)
    err = io.StringIO()
    with pytest.raises(CommandError, match="these months would shrink"):
        call_command("import", "police-uk", str(small), "--no-progress", stderr=err)
    assert "police_uk/lancashire/2014-12: 656 rows" in err.getvalue()
    assert "would become 50" in err.getvalue()
    assert december_all_crime() == 367
    waiting = Import.objects.get(status=BatchStatus.CONFIRM)
    assert waiting.replaced[0]["rows_before"] == 656
    out = io.StringIO()
    call_command("import", "police-uk", str(small), "--no-progress", "--replace", stdout=out)
    assert "replaced police_uk/lancashire/2014-12: 656 rows" in out.getvalue()
    assert december_all_crime() == 50
    landed = Import.objects.get(status=BatchStatus.LANDED, files=[small.name])
    history = io.StringIO()
    call_command("import", "history", stdout=history)
    assert str(landed.id) in history.getvalue()
    call_command("import", "withdraw", str(landed.id), stdout=io.StringIO())
    assert december_all_crime() == 367
    landed.refresh_from_db()
    assert landed.status == BatchStatus.WITHDRAWN
    assert ActivityEvent.objects.filter(verb="withdrawn", object_id=str(landed.id)).exists()


def test_an_import_replaced_since_is_not_withdrawn(demo: None, tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = import_files("police-uk", [fifty_rows(tmp_path / "a")])
    bigger = write_csv(tmp_path / "b" / f"{DECEMBER}-lancashire-street.csv",
                       [row(f"{i:064x}", DECEMBER) for i in range(60)])  # fmt: skip
    second = import_files("police-uk", [bigger])
    with pytest.raises(Exception, match="withdraw that one first"):
        withdraw_import(None, first.batch.id)
    withdraw_import(None, second.batch.id)
    withdraw_import(None, first.batch.id)
    assert incident_store().fingerprint == "empty"


def test_needs_confirmation_is_raised_to_callers(demo: None, samples: Path, tmp_path: Path) -> None:
    import_files("police-uk", sorted(samples.glob(f"{DECEMBER}-*.csv.gz")))
    with pytest.raises(ImportNeedsConfirmation) as refused:
        import_files("police-uk", [fifty_rows(tmp_path)])
    assert [r.month for r in refused.value.replaced] == [DECEMBER]


def test_a_crash_between_the_store_and_its_records_is_reconciled(
    demo: None, tmp_path: Path
) -> None:
    """Given an import whose files landed in the store but whose records were never
    written (the process was killed in between: it used to leave live rows with no
    record), When imports are reconciled, Then it is recorded as landed from the store's
    manifest; an import left running that never landed is marked failed."""
    batch = uuid.uuid4()
    Import.objects.create(id=batch, kind="police-uk", files=["x.csv"])
    import_police_uk(incident_store(), [fifty_rows(tmp_path)], import_id=str(batch))
    lost = Import.objects.create(id=uuid.uuid4(), kind="police-uk", files=["y.csv"])
    reconcile_imports()
    recovered = Import.objects.get(id=batch)
    assert recovered.status == BatchStatus.LANDED and "interruption" in recovered.message
    (run,) = ImportRun.objects.filter(batch=batch)
    assert (run.rows_accepted, run.months) == (50, [DECEMBER])
    lost.refresh_from_db()
    assert lost.status == BatchStatus.FAILED


KILL_AFTER_SWAP = """
import os, sys
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from saferplaces.evidence import services
def killed(*args, **kwargs):
    os._exit(9)  # the process dies right after the manifest swap, before any record
services._record_report = killed
services.import_files("police-uk", [sys.argv[1]])
"""

RECONCILE = """
import django
django.setup()
from saferplaces.evidence.models import Import
from saferplaces.evidence.services import reconcile_imports
before = [i.status for i in Import.objects.all()]
reconcile_imports()
print(before, [i.status for i in Import.objects.all()], Import.objects.get().rows_accepted)
"""


def test_kill_after_the_manifest_swap_leaves_a_recoverable_import(tmp_path: Path) -> None:
    """Given a real process killed right after the store's manifest swap (its own data
    directory and SQLite database), When another process reconciles the imports, Then the
    import the store holds is recorded as landed, with its rows."""
    env = {
        **os.environ,
        "SAFERPLACES_DATA_DIR": str(tmp_path / "data"),
        "DJANGO_SETTINGS_MODULE": "saferplaces.settings",
        "PYTHONPATH": ":".join(sys.path),
    }
    env.pop("DATABASE_URL", None)
    (tmp_path / "in").mkdir()
    died = subprocess.run([sys.executable, "-c", KILL_AFTER_SWAP, str(fifty_rows(tmp_path / "in"))],
                          env=env, capture_output=True, text=True, timeout=300)  # fmt: skip
    assert died.returncode == 9, died.stderr
    after = subprocess.run([sys.executable, "-c", RECONCILE], env=env, capture_output=True,
                           text=True, timeout=300)  # fmt: skip
    assert after.returncode == 0, after.stderr
    assert after.stdout.strip() == "['running'] ['landed'] 50"


def test_skip_bad_rows_exits_non_zero_when_nothing_was_imported(demo: None, tmp_path: Path) -> None:
    bad = write_csv(tmp_path / f"{DECEMBER}-lancashire-street.csv",
                    [row(f"{i:064x}", "2014-13") for i in range(3)])  # fmt: skip
    with pytest.raises(CommandError):
        call_command("import", "police-uk", str(bad), "--skip-bad-rows", "--no-progress",
                     stdout=io.StringIO(), stderr=io.StringIO())  # fmt: skip


def test_a_damaged_store_is_a_message(demo: None, tmp_path: Path) -> None:
    import_files("police-uk", [fifty_rows(tmp_path)])
    (incident_store().root / "manifest.json").unlink()
    (tmp_path / "b").mkdir()
    with pytest.raises(CommandError, match=r"manifest\.json is missing"):
        call_command("import", "police-uk", str(fifty_rows(tmp_path / "b")), "--no-progress",
                     stdout=io.StringIO(), stderr=io.StringIO())  # fmt: skip


def test_the_command_line_reads_within_the_configured_limits(
    demo: None, tmp_path: Path, settings: object
) -> None:
    """Given SAFERPLACES_UPLOAD_MAX_MB=1 and SAFERPLACES_IMPORT_MAX_EXPANDED_MB=1 (the web
    upload's limits), When `import police-uk` is given a 1.5 MB CSV, or a small .csv.gz
    that expands past 1 MB, Then each is refused naming the file and the limit, and the
    store is as it was."""
    settings.UPLOAD_MAX_MB = 1  # type: ignore[attr-defined]
    settings.IMPORT_MAX_EXPANDED_MB = 1  # type: ignore[attr-defined]
    version = incident_store().version
    rows = [row(f"{i:064x}", DECEMBER) for i in range(6_000)]
    big = write_csv(tmp_path / f"{DECEMBER}-lancashire-street.csv", rows)
    assert big.stat().st_size > 1 << 20
    with pytest.raises(CommandError, match=r"1 MiB"):
        call_command("import", "police-uk", str(big), "--no-progress",
                     stdout=io.StringIO(), stderr=io.StringIO())  # fmt: skip
    packed = tmp_path / "gz" / f"{DECEMBER}-lancashire-street.csv.gz"
    packed.parent.mkdir()
    packed.write_bytes(gzip.compress(big.read_bytes()))
    assert packed.stat().st_size < 1 << 20
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import", "police-uk", str(packed), "--no-progress",
                     stdout=io.StringIO(), stderr=err)  # fmt: skip
    assert packed.name in err.getvalue() and "1 MiB" in err.getvalue()
    assert incident_store().version == version
    assert not Import.objects.filter(status=BatchStatus.LANDED).exists()


def test_an_import_waiting_for_the_store_is_not_judged_interrupted(
    demo: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Given an import that has been recorded but does not yet hold the store's lock
    (reading its files), When another request reconciles the records in that gap, Then
    the import is left waiting (it used to be marked failed until it landed) and then
    lands as running → landed."""
    from saferplaces.insight.sources import police_uk

    seen: list[str] = []
    find_files = police_uk.find_files

    def find_then_reconcile(*args: object, **kwargs: object) -> object:
        reconcile_imports()  # as the history page of another request would
        seen.append(Import.objects.get().status)
        return find_files(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(police_uk, "find_files", find_then_reconcile)
    outcome = import_files("police-uk", [fifty_rows(tmp_path)])
    assert seen == [BatchStatus.QUEUED]
    outcome.batch.refresh_from_db()
    assert outcome.batch.status == BatchStatus.LANDED


def test_an_import_stopped_by_the_unexpected_is_recorded_as_the_store_has_it(
    demo: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Given an import stopped by an unexpected error, Then before it held the store it
    failed; after the store's manifest swap (records not yet written) it landed, its
    files recorded from the manifest."""
    from saferplaces.evidence import services
    from saferplaces.insight.sources import police_uk

    def broken(*args: object, **kwargs: object) -> object:
        raise RuntimeError("the unexpected")

    with monkeypatch.context() as patch:
        patch.setattr(police_uk, "find_files", broken)
        with pytest.raises(RuntimeError):
            import_files("police-uk", [fifty_rows(tmp_path)])
    before = Import.objects.get()
    assert before.status == BatchStatus.FAILED and "before it started" in before.message
    monkeypatch.setattr(services, "_record_report", broken)
    (tmp_path / "b").mkdir()
    with pytest.raises(RuntimeError):
        import_files("police-uk", [fifty_rows(tmp_path / "b")])
    after = Import.objects.exclude(id=before.id).get()
    assert after.status == BatchStatus.LANDED and "interruption" in after.message
    assert [r.rows_accepted for r in ImportRun.objects.filter(batch=after.id)] == [50]
