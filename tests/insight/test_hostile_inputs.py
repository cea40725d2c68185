"""Hostile and damaged inputs (issue 10): archives, bombs, limits, problems kept, CSV edges.

Every file is made here, small. Each rejected import must name file, line and reason
and leave the store exactly as it was.
"""

from __future__ import annotations

import gzip
import json
import struct
import subprocess
import sys
import time
import zipfile
import zlib
from pathlib import Path

import pytest

from saferplaces.insight.imports import import_police_uk
from saferplaces.insight.problems import FileRefused, ImportProblem, ImportRejected
from saferplaces.insight.sources import police_uk
from saferplaces.insight.sources.files import SourceFile, discover
from saferplaces.insight.sources.limits import DEFAULT_LIMITS, GiB, ImportLimits, MiB
from saferplaces.insight.store import IncidentStore
from tests.insight.conftest import HEADER, row, sample_files, write_csv

MONTH_FILE = "2021-03-lancashire-street.csv"
ROOT = Path(__file__).resolve().parents[2]


def snapshot(store: IncidentStore) -> tuple[str, int, list[str]]:
    return store.fingerprint, store.version, store.listing()


@pytest.fixture
def seeded(store: IncidentStore) -> IncidentStore:
    import_police_uk(store, sample_files(["2014-01"]))
    return store


def refused(store: IncidentStore, paths: list[Path] | Path, **kwargs: object) -> ImportRejected:
    """Import must raise ImportRejected and leave the store as it was."""
    before = snapshot(store)
    with pytest.raises(ImportRejected) as info:
        import_police_uk(store, paths, **kwargs)  # type: ignore[arg-type]
    assert snapshot(store) == before
    text = str(info.value)
    for p in info.value.problems[:5]:
        assert p.file in text and p.reason in text
    return info.value


def has(err: ImportRejected, file_part: str, line: int, fragment: str) -> bool:
    return any(
        file_part in p.file and p.line == line and fragment in p.reason for p in err.problems
    )


def good_csv(n: int = 2) -> bytes:
    return (HEADER + "\n" + "".join(row() + "\n" for _ in range(n))).encode()


# ---- limits -----------------------------------------------------------------------------


def test_limits_have_documented_defaults_and_refuse_nonsense() -> None:
    """Given the defaults, they are the documented ones; a limit of 0 or a float is refused."""
    d = DEFAULT_LIMITS
    assert (d.max_file_bytes, d.max_expanded_bytes, d.max_ratio, d.max_line_bytes) == (
        2 * GiB, 8 * GiB, 200, MiB,
    )  # fmt: skip
    assert (d.max_archive_members, d.max_problems, d.ratio_floor_bytes) == (10_000, 2_000, 8 * MiB)
    assert d.expansion_allowed(1_000) == 8 * MiB  # below the floor the ratio is not checked
    assert d.expansion_allowed(1_000_000) == 200_000_000
    assert d.expansion_allowed(1 << 40) == 8 * GiB
    with pytest.raises(ValueError, match="max_line_bytes"):
        ImportLimits(max_line_bytes=0)
    with pytest.raises(ValueError, match="max_ratio"):
        ImportLimits(max_ratio=2.5)  # type: ignore[arg-type]


def test_missing_path_and_file_over_the_stored_size_limit(tmp_path: Path) -> None:
    """Given a path that does not exist and a file over max_file_bytes, discovery refuses
    both by name before reading anything."""
    big = tmp_path / MONTH_FILE
    big.write_bytes(good_csv(50))
    with pytest.raises(ImportRejected) as info:
        discover([tmp_path / "nope.csv", big], limits=ImportLimits(max_file_bytes=1000))
    reasons = {Path(p.file).name: p.reason for p in info.value.problems}
    assert reasons["nope.csv"] == "no such file or folder"
    assert "over the limit of 1,000 bytes" in reasons[MONTH_FILE]


# ---- archives -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("member", "fragment"),
    [
        ("../../2021-03-lancashire-street.csv", "outside the archive's folder"),
        ("/etc/2021-03-lancashire-street.csv", "outside the archive's folder"),
        ("a/..\\..\\2021-03-lancashire-street.csv", "outside the archive's folder"),
        ("2021-03/inner.zip", "nested archives are refused"),
        ("2021-03/2021-03-lancashire-street.csv.gz", "nested archives are refused"),
    ],
)
def test_untrusted_zip_members_are_refused_by_name(
    seeded: IncidentStore, tmp_path: Path, member: str, fragment: str
) -> None:
    """Given a zip with a member whose path escapes the folder, or an archive inside it,
    when imported, the whole archive is refused naming the member (not skipped)."""
    archive = tmp_path / "bulk.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("2021-04/2021-04-lancashire-street.csv", good_csv())
        zf.writestr(member, b"anything")
    err = refused(seeded, archive)
    assert has(err, f"bulk.zip!{member}", 0, fragment), err.problems
    assert not (tmp_path.parent / MONTH_FILE).exists()


def test_zip_named_csv_inside_a_zip_is_refused(seeded: IncidentStore, tmp_path: Path) -> None:
    """Given a member named .csv whose bytes are a zip archive, it is refused as a
    nested archive with a message, never parsed as text."""
    inner = tmp_path / "inner.zip"
    with zipfile.ZipFile(inner, "w") as zf:
        zf.writestr(MONTH_FILE, good_csv())
    archive = tmp_path / "bulk.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr(f"2021-03/{MONTH_FILE}", inner.read_bytes())
    err = refused(seeded, archive)
    assert has(err, MONTH_FILE, 0, "a zip archive, not CSV text"), err.problems
    gz_as_csv = tmp_path / MONTH_FILE
    gz_as_csv.write_bytes(gzip.compress(good_csv()))
    err = refused(seeded, gz_as_csv)
    assert has(err, MONTH_FILE, 0, "it is gzip-compressed, not CSV text"), err.problems


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty"])
def test_corrupt_zip_archive_is_a_problem_not_a_traceback(
    seeded: IncidentStore, tmp_path: Path, damage: str
) -> None:
    archive = tmp_path / "bulk.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr(f"2021-03/{MONTH_FILE}", good_csv(200))
    data = archive.read_bytes()
    archive.write_bytes(
        {"garbage": b"PK\x03\x04" + b"\x00" * 100, "truncated": data[: len(data) // 2],
         "empty": b""}[damage]
    )  # fmt: skip
    err = refused(seeded, archive)
    assert has(err, "bulk.zip", 0, "is not a readable zip archive"), err.problems


def test_zip_member_bomb_is_refused_from_its_declared_sizes(
    seeded: IncidentStore, tmp_path: Path
) -> None:
    """Given a member that declares 50 MB from about 50 KB (a ratio over 200), it is
    refused before a byte of it is decompressed."""
    archive = tmp_path / "bulk.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(f"2021-03/{MONTH_FILE}", HEADER.encode() + b"\n" + b"x" * (50 * MiB))
    info = zipfile.ZipFile(archive).infolist()[0]
    assert info.file_size > 200 * info.compress_size
    err = refused(seeded, archive)
    assert has(err, MONTH_FILE, 0, "refused as a decompression bomb"), err.problems


def test_zip_member_lying_about_its_size_stops_at_the_declared_size(
    seeded: IncidentStore, tmp_path: Path
) -> None:
    """Given a member whose header declares fewer bytes than its data holds, reading
    stops at the declared size and the damage is reported (bad CRC), not a traceback."""
    archive = tmp_path / "bulk.zip"
    payload = good_csv(5000)
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(MONTH_FILE, payload)
    data = bytearray(archive.read_bytes())
    small = struct.pack("<L", 1000)
    data[22:26] = small  # local header: uncompressed size
    central = data.rfind(b"PK\x01\x02")
    data[central + 24 : central + 28] = small  # central directory: uncompressed size
    archive.write_bytes(bytes(data))
    err = refused(seeded, archive)
    assert has(err, MONTH_FILE, 0, "corrupt"), err.problems


def test_encrypted_member_is_refused(seeded: IncidentStore, tmp_path: Path) -> None:
    archive = tmp_path / "bulk.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr(MONTH_FILE, good_csv())
    data = bytearray(archive.read_bytes())
    central = data.rfind(b"PK\x01\x02")
    data[6] |= 1  # local header: general purpose flags, bit 0 = encrypted
    data[central + 8] |= 1  # central directory: the same flag
    archive.write_bytes(bytes(data))
    err = refused(seeded, archive)
    assert has(err, MONTH_FILE, 0, "is encrypted"), err.problems


def test_gzip_with_trailing_garbage(seeded: IncidentStore, tmp_path: Path) -> None:
    path = tmp_path / f"{MONTH_FILE}.gz"
    path.write_bytes(gzip.compress(good_csv()) + b"trailing bytes")
    err = refused(seeded, path)
    assert has(err, MONTH_FILE, 0, "bytes that are not gzip follow the gzip data"), err.problems


def test_too_many_archive_members(tmp_path: Path) -> None:
    """Given an archive with more entries than allowed, it is refused from its end
    record, before zipfile builds an entry for each."""
    archive = tmp_path / "bulk.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for i in range(6):
            zf.writestr(f"m{i}/{MONTH_FILE}", b"x")
    with pytest.raises(ImportRejected) as info:
        police_uk.find_files([archive], limits=ImportLimits(max_archive_members=5))
    (p,) = info.value.problems
    assert p.file == str(archive) and "holds 6 entries, over the limit of 5" in p.reason


def test_default_member_limit_through_the_import(seeded: IncidentStore, tmp_path: Path) -> None:
    archive = tmp_path / "bulk.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for i in range(DEFAULT_LIMITS.max_archive_members + 1):
            zf.writestr(f"{i}.txt", b"")
    err = refused(seeded, archive)
    assert has(err, "bulk.zip", 0, "holds 10,001 entries"), err.problems


# ---- gzip --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("damage", "fragment"),
    [
        ("not gzip", "is named .gz but is not gzip-compressed"),
        ("truncated", "the file is truncated"),
        ("corrupt", "compressed data is corrupt"),
    ],
)
def test_damaged_gzip_is_a_problem_not_a_traceback(
    seeded: IncidentStore, tmp_path: Path, damage: str, fragment: str
) -> None:
    path = tmp_path / f"{MONTH_FILE}.gz"
    packed = gzip.compress(good_csv(3000))
    if damage == "not gzip":
        packed = good_csv()
    elif damage == "truncated":
        packed = packed[: len(packed) // 2]
    else:  # a wrong CRC-32 in the trailer
        packed = packed[:-8] + bytes(b ^ 0xFF for b in packed[-8:-4]) + packed[-4:]
    path.write_bytes(packed)
    assert SourceFile(path).digest().utf8 is False  # the digest beside it never raises
    err = refused(seeded, path)
    assert has(err, MONTH_FILE, 0, fragment), err.problems


BOMB_CHILD = """
import json, resource, sys, time
from saferplaces.insight.imports import import_police_uk
from saferplaces.insight.problems import ImportRejected
from saferplaces.insight.store import IncidentStore
t0 = time.perf_counter()
try:
    import_police_uk(IncidentStore(sys.argv[2]), [sys.argv[1]])
    problems = []
except ImportRejected as exc:
    problems = [str(p) for p in exc.problems]
print(json.dumps({"seconds": time.perf_counter() - t0, "problems": problems,
                  "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}))
"""


def run_child(path: Path, store_root: Path) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, "-c", BOMB_CHILD, str(path), str(store_root)],
        capture_output=True, text=True, check=True, cwd=ROOT, timeout=120,
    )  # fmt: skip
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def test_gzip_bomb_of_one_line_is_refused_quickly_in_bounded_memory(tmp_path: Path) -> None:
    """Given a 200 KB .csv.gz that expands to one 200 MB line (the 2.9 MB file that
    expands to one 3 GB line, scaled down), when imported, then it is refused within
    seconds, naming the file, with the memory of an ordinary small import."""
    bomb = tmp_path / f"{MONTH_FILE}.gz"
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = b"x" * MiB
    bomb.write_bytes(b"".join([packer.compress(chunk) for _ in range(200)]) + packer.flush())
    assert bomb.stat().st_size < 300_000
    small = tmp_path / "2021-04-lancashire-street.csv.gz"
    small.write_bytes(gzip.compress(good_csv()))
    baseline = run_child(small, tmp_path / "s1")
    result = run_child(bomb, tmp_path / "s2")
    (problem,) = result["problems"]  # type: ignore[misc]
    assert MONTH_FILE in problem and "refused as a decompression bomb" in problem
    assert float(result["seconds"]) < 10  # type: ignore[arg-type]
    # The bomb costs no more than a few MB over importing a two-row file.
    assert int(result["peak_mib"]) < int(baseline["peak_mib"]) + 64  # type: ignore[call-overload]
    assert not (tmp_path / "s2" / "data").exists() or not any((tmp_path / "s2" / "data").iterdir())


def test_expansion_streams_within_the_limit_and_leaves_nothing(tmp_path: Path) -> None:
    """Given a gzip and a zip member over a (small) expanded-size limit, extracting them
    for DuckDB stops at the limit and leaves no partial file behind."""
    limits = ImportLimits(max_expanded_bytes=100_000, ratio_floor_bytes=50_000)
    gz = tmp_path / f"{MONTH_FILE}.gz"
    gz.write_bytes(gzip.compress(good_csv(2000)))
    archive = tmp_path / "a.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(MONTH_FILE, good_csv(2000))
    out = tmp_path / "out"
    out.mkdir()
    for sf in (SourceFile(gz), SourceFile(archive, MONTH_FILE)):
        with pytest.raises(FileRefused) as info:
            sf.local_path(out, limits)
        assert "expands to more than 97.7 KiB" in info.value.problem.reason
        assert list(out.iterdir()) == []
        whole = sf.local_path(out)
        assert whole.stat().st_size == len(good_csv(2000))
        whole.unlink()


# ---- lines --------------------------------------------------------------------------------


def test_overlong_line_is_named_and_the_rest_keep_their_numbers(
    seeded: IncidentStore, tmp_path: Path
) -> None:
    """Given a 2 MiB line 3 (over the 1 MiB line limit, not a bomb: random-looking text)
    and a bad row on line 5, the import names both lines; with --skip-bad-rows the good
    rows land."""
    long_field = "".join(f"{i:x}" for i in range(500_000))
    assert len(long_field) > 2 * MiB
    path = write_csv(tmp_path / MONTH_FILE, [
        row(), row(crime_type="Drugs").replace("Somewhere", long_field), row(),
        row(crime_type="Jaywalking"), row(),
    ])  # fmt: skip
    err = refused(seeded, path)
    assert has(err, MONTH_FILE, 3, "line is longer than 1 MiB"), err.problems
    assert has(err, MONTH_FILE, 5, "unknown Crime type"), err.problems
    assert all(len(p.raw) <= 2_001 for p in err.problems)
    report = import_police_uk(seeded, path, skip_bad_rows=True)
    (f,) = report.files
    assert (f.rows_accepted, f.rows_rejected) == (3, 2)


def test_overlong_header_line(seeded: IncidentStore, tmp_path: Path) -> None:
    path = tmp_path / MONTH_FILE
    path.write_bytes(b"Crime ID," + b"y" * (2 * MiB) + b"\n" + row().encode() + b"\n")
    err = refused(seeded, path)
    assert has(err, MONTH_FILE, 1, "header: line is longer than 1 MiB"), err.problems


# ---- problems kept ------------------------------------------------------------------------


def test_problems_kept_are_capped_and_the_rest_counted(
    seeded: IncidentStore, tmp_path: Path
) -> None:
    """Given 1,500 truncated rows (found by the Python scan) and 1,500 unknown crime
    types (found in SQL), interleaved, the first 2,000 by line are kept, all 3,000 are
    counted, and a note says how many are not listed."""
    rows = []
    for _ in range(1500):
        rows += [row(), row()[:30], row(crime_type="Jaywalking")]
    path = write_csv(tmp_path / MONTH_FILE, rows)
    report = import_police_uk(seeded, path, skip_bad_rows=True)
    (f,) = report.files
    assert (f.rows_accepted, f.rows_rejected) == (1500, 3000)
    listed, note = f.rejects[:-1], f.rejects[-1]
    assert len(listed) == 2000
    assert [p.line for p in listed] == sorted(p.line for p in listed)
    assert listed[0].line == 3 and listed[1].line == 4 and listed[-1].line < 3003
    assert (note.line, note.reason) == (
        0, "1,000 more rejected rows are not listed (3,000 in all; the first 2,000 are kept)",
    )  # fmt: skip
    err = refused(seeded, write_csv(tmp_path / "2021-04-lancashire-street.csv", [
        row(month="2021-04", crime_type="Jaywalking")] * 2500))  # fmt: skip
    assert len(err.problems) == 2001 and "500 more rejected rows" in err.problems[-1].reason


def test_three_hundred_thousand_bad_rows_cost_little(seeded: IncidentStore, tmp_path: Path) -> None:
    """Given 300,000 bad rows, the staged file keeps 2,000 problems and counts them all
    (the slow path's SQL fetches LIMIT 2,000, never every bad row)."""
    bad = row(crime_type="Jaywalking") + "\n"
    path = tmp_path / MONTH_FILE
    path.write_text(HEADER + "\n" + bad * 300_000, encoding="utf-8")
    t0 = time.perf_counter()
    report = import_police_uk(seeded, path, skip_bad_rows=True)
    (f,) = report.files
    assert f.rows_rejected == 300_000 and len(f.rejects) == 2001
    assert time.perf_counter() - t0 < 60


# ---- CSV edge cases -----------------------------------------------------------------------


def test_repeated_crime_id_as_a_different_crime_names_both_lines(
    seeded: IncidentStore, tmp_path: Path
) -> None:
    """Given a Crime ID on lines 2 and 4 of one month as Burglary and Drugs, the import
    is refused naming both lines; identical repeats, and repeats differing only in
    location or outcome (as real police.uk files hold), import as before."""
    cid = "c" * 64
    path = write_csv(tmp_path / MONTH_FILE, [
        row(cid), row("d" * 64), row(cid, crime_type="Drugs"),
    ])  # fmt: skip
    err = refused(seeded, path)
    for line in (2, 4):
        assert has(err, MONTH_FILE, line, "is repeated on lines 2, 4"), err.problems
    assert "different Crime types (Burglary, Drugs)" in err.problems[0].reason
    assert {p.line for p in err.problems} == {2, 4}
    fine = write_csv(tmp_path / "2021-04-lancashire-street.csv", [
        row(cid, "2021-04"), row(cid, "2021-04"),
        row("e" * 64, "2021-04", outcome="Status update unavailable"),
        row("e" * 64, "2021-04", lon="", lat="", lsoa=""),
    ])  # fmt: skip
    report = import_police_uk(seeded, fine)
    assert report.files[0].rows_accepted == 4 and report.rows_rejected == 0


def test_quoted_newline_is_read_as_one_row(seeded: IncidentStore, tmp_path: Path) -> None:
    """Given a Location with a quoted newline (valid CSV), the row imports whole; with a
    bad row after it, the problem names its physical line, not its row number."""
    multi = row(crime_type="Drugs").replace("On or near Somewhere", '"On or near\nSomewhere"')
    path = write_csv(tmp_path / MONTH_FILE, [row(), multi, row()])
    report = import_police_uk(seeded, path)
    assert report.files[0].rows_accepted == 3
    bad = write_csv(tmp_path / "2021-04-lancashire-street.csv", [
        row(month="2021-04"), multi.replace("2021-03", "2021-04"), row(month="2021-04"),
        row(month="2021-04", crime_type="Jaywalking"),
    ])  # fmt: skip
    err = refused(seeded, bad)
    assert [p.line for p in err.problems] == [6]  # header 1, rows 2, 3-4, 5, 6
    report = import_police_uk(seeded, bad, skip_bad_rows=True)
    assert (report.files[0].rows_accepted, report.files[0].rows_rejected) == (3, 1)


def test_unclosed_quote_is_named_and_the_lines_after_it_are_still_read(
    seeded: IncidentStore, tmp_path: Path
) -> None:
    """Given a stray opening quote on line 3, it is reported there (not as a row that
    swallows the file), and the rows after it are read on their own lines."""
    stray = row().replace("On or near Somewhere", '"On or near Somewhere')
    path = write_csv(tmp_path / MONTH_FILE, [row(), stray, row(), row(crime_type="X"), row()])
    err = refused(seeded, path)
    assert [p.line for p in err.problems] == [3, 5]
    assert "quoted field" in err.problems[0].reason
    report = import_police_uk(seeded, path, skip_bad_rows=True)
    assert (report.files[0].rows_accepted, report.files[0].rows_rejected) == (3, 2)


def test_reported_by_that_names_no_force(seeded: IncidentStore, tmp_path: Path) -> None:
    """A "Reported by" of punctuation only would give an empty dataset in the store's keys."""
    path = write_csv(
        tmp_path / MONTH_FILE, [row(), row().replace("Lancashire Constabulary,", "!!,", 1)]
    )
    err = refused(seeded, path)
    assert has(err, MONTH_FILE, 3, 'Reported by "!!" names no force'), err.problems


def test_problem_text_is_clipped() -> None:
    from saferplaces.insight.problems import ProblemLog

    log = ProblemLog(1)
    log.add(ImportProblem("f", 2, "r" * 5000, "x" * 5000))
    log.add(ImportProblem("f", 3, "second"))
    (kept,) = log.kept
    assert len(kept.raw) == 2001 and len(kept.reason) == 2001 and log.total == 2
