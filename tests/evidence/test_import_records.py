"""Imports through the Django side: every file offered leaves an ImportRun row."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from saferplaces.evidence.models import ImportRun, ImportStatus
from saferplaces.evidence.services import ImportRefused, import_files
from saferplaces.evidence.store import incident_store

pytestmark = pytest.mark.django_db


def test_each_file_is_recorded_with_checksum_rows_and_months(samples: Path) -> None:
    """Given two monthly files, When imported, Then two ImportRuns say what landed."""
    user = User.objects.create_user("analyst")
    files = sorted(samples.glob("2014-0[45]-*.csv.gz"))
    outcome = import_files("police-uk", files, user=user)
    runs = {r.file_name: r for r in outcome.runs}
    assert set(runs) == {f.name for f in files}
    for f in files:
        with gzip.open(f, "rt", encoding="utf-8") as fh:
            expected_rows = sum(1 for _ in fh) - 1
        run = runs[f.name]
        assert run.status == ImportStatus.IMPORTED
        assert run.rows_accepted == expected_rows
        assert run.months == [f.name[:7]]
        assert len(run.checksum) == 64
        assert run.imported_by == user
    assert sorted(incident_store().months()) == ["2014-04", "2014-05"]


def test_the_same_file_twice_is_recorded_as_unchanged(samples: Path) -> None:
    f = sorted(samples.glob("2014-04-*.csv.gz"))
    import_files("police-uk", f)
    version = incident_store().version
    again = import_files("police-uk", f)
    assert [r.status for r in again.runs] == [ImportStatus.UNCHANGED]
    assert incident_store().version == version


def test_a_rejected_file_is_recorded_and_the_store_is_unchanged(
    samples: Path, tmp_path: Path
) -> None:
    import_files("police-uk", sorted(samples.glob("2014-04-*.csv.gz")))
    before = incident_store().listing()
    bad = tmp_path / "2014-05-lancashire-street.csv"
    bad.write_text("Crime ID,Month,Something else\nabc,2014-05,x\n", encoding="utf-8")
    with pytest.raises(ImportRefused) as refused:
        import_files("police-uk", [bad])
    assert incident_store().listing() == before
    run = ImportRun.objects.get(file_name=bad.name)
    assert run.status == ImportStatus.REJECTED
    assert any("header" in p.lower() for p in run.problems)
    assert str(bad) in str(refused.value) or bad.name in str(refused.value)


def test_command_line_rejection_names_file_line_and_reason(samples: Path, tmp_path: Path) -> None:
    with gzip.open(next(samples.glob("2014-04-*.csv.gz")), "rt", encoding="utf-8") as fh:
        lines = fh.read().splitlines()
    lines[3] = lines[3].replace("2014-04", "2014-13")
    bad = tmp_path / "2014-04-lancashire-street.csv"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    err = tmp_path / "err.txt"
    with err.open("w") as stderr, pytest.raises(CommandError, match="nothing was imported"):
        call_command("import", "police-uk", str(bad), "--no-progress", stderr=stderr)
    text = err.read_text()
    assert f"{bad.name}:4" in text or f"{bad}:4" in text
    assert incident_store().months() == []


def test_skip_bad_rows_imports_the_good_rows_and_writes_a_report(
    samples: Path, tmp_path: Path
) -> None:
    with gzip.open(next(samples.glob("2014-04-*.csv.gz")), "rt", encoding="utf-8") as fh:
        lines = fh.read().splitlines()
    lines[3] = lines[3].replace("2014-04", "2014-13")
    bad = tmp_path / "2014-04-lancashire-street.csv"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    outcome = import_files("police-uk", [bad], skip_bad_rows=True)
    (run,) = outcome.runs
    assert run.status == ImportStatus.PARTIAL
    assert run.rows_rejected == 1
    assert run.rows_accepted == len(lines) - 2
    assert outcome.rejects_report is not None
    report = outcome.rejects_report.read_text()
    assert "file,line,reason,raw" in report
    assert ",4," in report


def test_imports_page_lists_runs_for_signed_in_users_only(client, samples: Path) -> None:  # type: ignore[no-untyped-def]
    import_files("police-uk", sorted(samples.glob("2014-04-*.csv.gz")))
    assert client.get("/imports/").status_code == 302
    client.force_login(User.objects.create_user("reader"))
    response = client.get("/imports/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "2014-04-west-lancashire-street.csv.gz" in html
    assert "police_uk" in html
