"""Importing police.uk street files: counts, checks, idempotency, replacement, atomicity."""

from __future__ import annotations

import csv
import gzip
import shutil
import zipfile
from collections import Counter
from pathlib import Path

import pytest

from saferplaces.insight import store as store_module
from saferplaces.insight.imports import import_police_uk
from saferplaces.insight.problems import ImportRejected
from saferplaces.insight.store import IncidentStore
from tests.insight.conftest import (
    HEADER,
    SHARED_STREET,
    count_rows,
    requires_shared,
    row,
    sample_files,
    write_csv,
)


def store_counts(store: IncidentStore) -> Counter[tuple[str | None, str, str]]:
    """(district, category, month) -> rows, read from the store's deduplicated view."""
    t = store.table()
    expr = t.group_by(["district", "category", "month"]).aggregate(n=t.count())
    con = store.connect()
    rows = con.con.execute(str(con.compile(expr))).fetchall()
    return Counter({(d, c, m.strftime("%Y-%m")): int(n) for d, c, m, n in rows})


def rollup_counts(store: IncidentStore) -> Counter[tuple[str | None, str, str]]:
    t = store.rollup()
    expr = t.group_by(["district", "category", "month"]).aggregate(n=t.n.sum())
    con = store.connect()
    rows = con.con.execute(str(con.compile(expr))).fetchall()
    return Counter({(d, c, m.strftime("%Y-%m")): int(n) for d, c, m, n in rows})


def snapshot(store: IncidentStore) -> tuple[str, int, list[str]]:
    return store.fingerprint, store.version, store.listing()


def test_samples_match_an_independent_count(store: IncidentStore) -> None:
    """Given the 24 committed West Lancashire files, when imported, then counts per
    district, category and month equal a csv-module count, in the raw view and rollup."""
    files = sample_files()
    assert len(files) == 24
    report = import_police_uk(store, files)
    expected = count_rows(files)
    assert sum(expected.values()) > 15_000
    assert store_counts(store) == expected
    assert rollup_counts(store) == expected
    assert [f.status for f in report.files] == ["imported"] * 24
    assert report.rows_rejected == 0
    assert len(store.partitions()) == 24
    assert store.months("police_uk")[0] == "2013-04"


@pytest.mark.shared_data
@requires_shared
def test_real_lancashire_months_match_an_independent_count(store: IncidentStore) -> None:
    """Given real Lancashire force files (2014 and 2021-22, with re-issued Crime IDs),
    when imported, then counts per district/category/month equal an independent count
    that keeps each Crime ID once in its first month."""
    files = sorted((SHARED_STREET / "lancashire").glob("*-street.csv.gz"))
    files = [f for f in files if f.name[:7] in {"2014-01", "2014-02", "2021-01", "2021-02",
                                                "2021-03", "2021-04", "2021-05"}]  # fmt: skip
    import_police_uk(store, files)
    expected = count_rows(files)
    assert store_counts(store) == expected
    assert rollup_counts(store) == expected
    raw = store.connect().table("incidents_raw").count().to_pyarrow().as_py()
    assert raw > sum(expected.values())  # some Crime IDs were re-issued


def test_idempotent_second_import_changes_nothing(store: IncidentStore) -> None:
    files = sample_files(["2014-01", "2014-02"])
    import_police_uk(store, files)
    before, counts = snapshot(store), store_counts(store)
    again = import_police_uk(store, files)
    assert [f.status for f in again.files] == ["unchanged", "unchanged"]
    assert snapshot(store) == before
    assert store_counts(store) == counts


def test_newer_file_replaces_its_month(store: IncidentStore, tmp_path: Path) -> None:
    """Given a month imported, when a different, smaller file for the same month is
    imported with the replacement confirmed, then that month holds only the new file's
    rows and other months are untouched."""
    jan, feb = sample_files(["2014-01", "2014-02"])
    import_police_uk(store, [jan, feb])
    version = store.version
    newer = write_csv(tmp_path / "2014-01-lancashire-street.csv",
                      [row(month="2014-01"), row(month="2014-01", crime_type="Drugs")])  # fmt: skip
    report = import_police_uk(store, newer, replace=True)
    assert report.files[0].status == "imported" and store.version == version + 1
    counts = store_counts(store)
    assert sum(n for (d, c, m), n in counts.items() if m == "2014-01") == 2
    assert sum(n for (d, c, m), n in counts.items() if m == "2014-02") == sum(
        count_rows([feb]).values()
    )


def test_reissued_crime_id_counted_once_with_latest_outcome(
    store: IncidentStore, tmp_path: Path
) -> None:
    cid = "a" * 64
    f1 = write_csv(
        tmp_path / "2021-03-lancashire-street.csv",
        [row(cid, "2021-03", outcome="Under investigation"), row("b" * 64, "2021-03")],
    )
    f2 = write_csv(
        tmp_path / "2021-04-lancashire-street.csv",
        [row(cid, "2021-04", outcome="Offender given a caution")],
    )
    f3 = write_csv(tmp_path / "2021-05-lancashire-street.csv",
                   [row(cid, "2021-05", outcome="Awaiting court outcome")])  # fmt: skip
    import_police_uk(store, [f2, f3])
    import_police_uk(store, [f1])  # the earliest month arrives last
    t = store.table()
    rows = t.filter(t.id == cid).to_pyarrow().to_pylist()
    assert len(rows) == 1
    assert rows[0]["month"].isoformat() == "2021-03-01"
    assert rows[0]["outcome"] == "Awaiting court outcome"
    assert store_counts(store) == rollup_counts(store)
    assert sum(store_counts(store).values()) == 2


def test_bulk_archive_zip_and_folders(store: IncidentStore, tmp_path: Path) -> None:
    """Given a police.uk bulk archive with street, outcomes and stop-and-search members,
    when imported, then only street members land."""
    jan, feb = sample_files(["2014-01", "2014-02"])
    archive = tmp_path / "bulk.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for f in (jan, feb):
            month = f.name[:7]
            zf.writestr(f"{month}/{month}-lancashire-street.csv", gzip.decompress(f.read_bytes()))
        zf.writestr("2014-01/2014-01-lancashire-outcomes.csv", "nonsense\n")
        zf.writestr("2014-01/2014-01-lancashire-stop-and-search.csv", "nonsense\n")
    report = import_police_uk(store, archive)
    assert len(report.files) == 2
    assert store_counts(store) == count_rows([jan, feb])
    folder = tmp_path / "folder" / "nested"
    folder.mkdir(parents=True)
    shutil.copy(jan, folder / jan.name)
    other = IncidentStore(tmp_path / "other")
    import_police_uk(other, tmp_path / "folder")
    assert store_counts(other) == count_rows([jan])


# ---- rejected files -------------------------------------------------------------------


def assert_rejected_unchanged(
    store: IncidentStore, paths: list[Path] | Path, *expected: tuple[int, str]
) -> ImportRejected:
    """Import must fail naming each (line, reason fragment), leaving the store as it was."""
    before = snapshot(store)
    with pytest.raises(ImportRejected) as info:
        import_police_uk(store, paths)
    assert snapshot(store) == before
    problems = info.value.problems
    for line, fragment in expected:
        assert any(p.line == line and fragment in p.reason for p in problems), (
            line, fragment, problems,
        )  # fmt: skip
    text = str(info.value)
    for p in problems[:5]:
        assert p.file in text and p.reason in text
    return info.value


@pytest.fixture
def seeded(store: IncidentStore) -> IncidentStore:
    import_police_uk(store, sample_files(["2014-01"]))
    return store


def test_wrong_header(seeded: IncidentStore, tmp_path: Path) -> None:
    bad = write_csv(tmp_path / "2021-03-x-street.csv", [row()],
                    header=HEADER.replace("Crime type", "Crime category"))  # fmt: skip
    assert_rejected_unchanged(seeded, bad, (1, "header is"))


def test_truncated_file(seeded: IncidentStore, tmp_path: Path) -> None:
    good = row(month="2021-03")
    bad = tmp_path / "2021-03-x-street.csv"
    bad.write_text(f"{HEADER}\n{good}\n{good}\n{good[:40]}", encoding="utf-8")
    assert_rejected_unchanged(seeded, bad, (4, "expected 12 fields"))
    quoted = tmp_path / "2021-04-x-street.csv"
    quoted.write_text(f'{HEADER}\n{row(month="2021-04")}\n,2021-04,"Lancashire Con', "utf-8")
    assert_rejected_unchanged(seeded, quoted, (3, ""))


def test_bad_dates_and_coordinates(seeded: IncidentStore, tmp_path: Path) -> None:
    bad = write_csv(tmp_path / "2021-03-x-street.csv", [
        row(month="2021-03"),
        row(month="March 2021"),
        row(month="2099-01"),
        row(month="2021-04"),
        row(month="2021-03", lon="12.5", lat="41.9"),
        row(month="2021-03", lon="abc"),
        row(month="2021-03", lsoa="X123"),
        row(month="2021-03", crime_type="Jaywalking"),
    ])  # fmt: skip
    err = assert_rejected_unchanged(
        seeded, bad,
        (3, "is not YYYY-MM"), (4, "is outside 2008-01"), (5, "disagrees with the file"),
        (6, "outside the UK"), (7, "is not a number"), (8, "LSOA code"),
        (9, "unknown Crime type"),
    )  # fmt: skip
    assert {p.line for p in err.problems} == {3, 4, 5, 6, 7, 8, 9}


def test_wrong_encoding(seeded: IncidentStore, tmp_path: Path) -> None:
    bad = tmp_path / "2021-03-x-street.csv"
    text = f"{HEADER}\n{row()}\n{row().replace('Somewhere', 'Café')}\n"
    bad.write_bytes(text.encode("latin-1"))
    assert_rejected_unchanged(seeded, bad, (3, "not valid UTF-8"))


@pytest.mark.parametrize(
    ("column", "gzipped"),
    [("Falls within", False), ("LSOA name", True), ("Location", False), ("Context", True)],
)
def test_wrong_encoding_in_a_column_the_store_does_not_keep(
    seeded: IncidentStore, tmp_path: Path, column: str, gzipped: bool
) -> None:
    """Given a Latin-1 byte in a column the import reads only to check it,
    when the file is imported, then it is still rejected, naming the line."""
    fields = next(csv.reader([row()]))
    fields[HEADER.split(",").index(column)] = "Caf\xe9"
    lines = [row(), row(), ",".join(fields)]
    data = f"{HEADER}\n" + "\n".join(lines) + "\n"
    raw = data.encode("utf-8").replace("Caf\xe9".encode(), b"Caf\xe9")
    bad = tmp_path / ("2021-03-x-street.csv" + (".gz" if gzipped else ""))
    bad.write_bytes(gzip.compress(raw) if gzipped else raw)
    assert_rejected_unchanged(seeded, bad, (4, "not valid UTF-8"))


def test_empty_and_header_only(seeded: IncidentStore, tmp_path: Path) -> None:
    empty = tmp_path / "2021-03-x-street.csv"
    empty.write_bytes(b"")
    assert_rejected_unchanged(seeded, empty, (0, "empty"))
    header_only = write_csv(tmp_path / "2021-04-x-street.csv", [])
    assert_rejected_unchanged(seeded, header_only, (2, "no data rows"))


def test_two_files_for_one_month_in_one_import(seeded: IncidentStore, tmp_path: Path) -> None:
    a = write_csv(tmp_path / "a" / "2021-03-lancashire-street.csv", [row()]) if (
        (tmp_path / "a").mkdir() or True) else None  # fmt: skip
    (tmp_path / "b").mkdir()
    b = write_csv(tmp_path / "b" / "2021-03-lancashire-street.csv", [row(), row()])
    assert a is not None
    assert_rejected_unchanged(seeded, [a, b], (0, "two files for the same month"))


def test_one_bad_file_rejects_the_whole_import(seeded: IncidentStore, tmp_path: Path) -> None:
    good = write_csv(tmp_path / "2021-03-x-street.csv", [row()])
    bad = write_csv(tmp_path / "2021-04-x-street.csv", [row(month="2021-04", lat="")])
    assert_rejected_unchanged(seeded, [good, bad], (2, "only one of Longitude"))


def test_skip_bad_rows_imports_good_rows_and_reports_rejects(
    seeded: IncidentStore, tmp_path: Path
) -> None:
    bad = tmp_path / "2021-03-x-street.csv"
    text = (
        f"{HEADER}\n{row()}\n{row(crime_type='Jaywalking')}\n"
        f"{row().replace('Somewhere', 'Café')}\n{row(crime_type='Drugs')}\n{row()[:30]}\n"
    )
    bad.write_bytes(text.encode("utf-8").replace("Café".encode(), "Café".encode("latin-1")))
    report = import_police_uk(seeded, bad, skip_bad_rows=True)
    f = report.files[0]
    assert (f.status, f.rows_accepted, f.rows_rejected) == ("imported", 2, 3)
    assert [p.line for p in f.rejects] == [3, 4, 6]
    out = tmp_path / "rejects.csv"
    assert report.write_rejects(out) == 3
    with out.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert rows[0]["line"] == "3" and "Jaywalking" in rows[0]["reason"]
    assert "Jaywalking" in rows[0]["raw"]
    t = seeded.table()
    assert (
        t.filter(t.month == __import__("datetime").date(2021, 3, 1)).count().to_pyarrow().as_py()
        == 2
    )


def test_crash_before_manifest_swap_leaves_store_unchanged(
    seeded: IncidentStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Given partition and derived files written, when the process dies before the
    manifest swap, then the store is exactly as before and a retry succeeds."""
    before, counts = snapshot(seeded), store_counts(seeded)

    def boom(self: IncidentStore, manifest: dict[str, object]) -> None:
        assert any((self.root / "data").rglob("*.parquet"))
        raise RuntimeError("killed")

    monkeypatch.setattr(store_module.IncidentStore, "_swap_manifest", boom)
    files = sample_files(["2014-02", "2014-03"])
    with pytest.raises(RuntimeError, match="killed"):
        import_police_uk(seeded, files)
    assert snapshot(seeded) == before
    assert store_counts(seeded) == counts
    monkeypatch.undo()
    import_police_uk(seeded, files)
    assert store_counts(seeded) == count_rows(sample_files(["2014-01", "2014-02", "2014-03"]))


def test_orphans_from_a_killed_import_are_invisible_and_collected(
    seeded: IncidentStore,
) -> None:
    orphan = seeded.root / "data" / "police_uk" / "deadbeef-orphan.parquet"
    shutil.copy(next((seeded.root / "data" / "police_uk").glob("*.parquet")), orphan)
    assert store_counts(seeded) == count_rows(sample_files(["2014-01"]))
    import_police_uk(seeded, sample_files(["2014-02"]))
    assert not orphan.exists()


def test_progress_callback_reaches_total(store: IncidentStore) -> None:
    seen: list[tuple[int, int]] = []
    import_police_uk(store, sample_files(["2014-01", "2014-02"]), progress=lambda d, t:
                     seen.append((d, t)))  # fmt: skip
    assert seen and seen[-1][0] == seen[-1][1] and all(a <= b for a, b in seen)
