"""Nothing replaced silently, every import withdrawable, imports safe together and against
damage: the store's history (issue 10)."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from saferplaces.insight import store as store_module
from saferplaces.insight.imports import (
    ReplacementRefused,
    import_incidents,
    import_police_uk,
)
from saferplaces.insight.manifest import WithdrawRefused
from saferplaces.insight.problems import ImportRejected
from saferplaces.insight.store import IncidentStore, StoreDamaged
from tests.insight.conftest import count_rows, row, sample_files, write_csv

DECEMBER = "2013-12"


def all_crime(store: IncidentStore, month: str) -> int:
    (n,) = (
        store.connect()
        .con.execute(
            "SELECT coalesce(sum(n), 0) FROM rollup_district WHERE month = ? AND district = "
            "'E07000127' AND category <> 'anti-social-behaviour'",
            [f"{month}-01"],
        )
        .fetchone()
    )  # type: ignore[misc]
    return int(n)


def test_a_month_that_would_shrink_is_not_replaced_without_confirmation(
    store: IncidentStore, tmp_path: Path
) -> None:
    """Given December's full file held (426 crimes in West Lancashire), When a 3-row file
    for December is imported, Then it is refused naming the month with rows before and
    after and the store is unchanged (it used to drop All crime to the new file's count
    with no warning); confirmed with replace, it lands and says what it replaced."""
    import_police_uk(store, sample_files([DECEMBER]))
    before, listing = all_crime(store, DECEMBER), store.listing()
    assert before == sum(n for (d, c, m), n in count_rows(sample_files([DECEMBER])).items()
                         if m == DECEMBER and c != "anti-social-behaviour")  # fmt: skip
    small = write_csv(tmp_path / f"{DECEMBER}-lancashire-street.csv",
                      [row(f"{i:064x}", DECEMBER) for i in range(3)])  # fmt: skip
    with pytest.raises(ReplacementRefused) as refused:
        import_police_uk(store, small)
    (r,) = refused.value.replaced
    assert (r.key, r.rows_before, r.rows_after, r.shrinks) == (
        f"police_uk/lancashire/{DECEMBER}", 719, 3, True)  # fmt: skip
    assert "would become 3" in str(refused.value) and store.listing() == listing
    report = import_police_uk(store, small, replace=True)
    assert [x.key for x in report.replaced] == [r.key] and all_crime(store, DECEMBER) == 3


def test_withdrawing_an_import_brings_back_exactly_what_was_held(
    store: IncidentStore, tmp_path: Path
) -> None:
    """Given a month replaced by a confirmed smaller import, When that import is withdrawn,
    Then the store's partitions and fingerprint are exactly those before it, its figures
    are back, and withdrawing it twice is refused with a reason."""
    import_police_uk(store, sample_files([DECEMBER, "2014-01"]))
    held = store.manifest()
    before = all_crime(store, DECEMBER)
    small = write_csv(tmp_path / f"{DECEMBER}-lancashire-street.csv", [row("f" * 64, DECEMBER)])
    report = import_police_uk(store, small, replace=True)
    assert all_crime(store, DECEMBER) == 1
    store.withdraw(report.import_id)
    after = store.manifest()
    assert after["partitions"] == held["partitions"] and after["fingerprint"] == held["fingerprint"]
    assert all_crime(store, DECEMBER) == before
    with pytest.raises(WithdrawRefused, match="already withdrawn"):
        store.withdraw(report.import_id)


def test_an_import_replaced_since_cannot_be_withdrawn_first(
    store: IncidentStore, tmp_path: Path
) -> None:
    """Given two imports of the same month, the earlier cannot be withdrawn while the
    later holds the month (the later is named); a new month withdrawn leaves no month."""
    first = import_police_uk(store, sample_files([DECEMBER]))
    bigger = write_csv(tmp_path / f"{DECEMBER}-lancashire-street.csv",
                       [row(f"{i:064x}", DECEMBER) for i in range(800)])  # fmt: skip
    second = import_police_uk(store, bigger)
    with pytest.raises(WithdrawRefused, match=f"import {second.import_id}: withdraw that one"):
        store.withdraw(first.import_id)
    store.withdraw(second.import_id)
    store.withdraw(first.import_id)
    assert store.manifest()["partitions"] == {} and store.fingerprint == "empty"


def test_the_files_an_import_replaced_survive_the_clean_up(
    store: IncidentStore, tmp_path: Path
) -> None:
    """Given a month replaced twice, the files of both earlier states stay on disk (the
    clean-up keeps what withdrawals need) and withdrawing in turn restores each."""
    import_police_uk(store, sample_files([DECEMBER]))
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    one = write_csv(tmp_path / "a" / f"{DECEMBER}-l-street.csv", [row("a" * 64, DECEMBER)])
    two = write_csv(tmp_path / "b" / f"{DECEMBER}-l-street.csv",
                    [row("b" * 64, DECEMBER), row("c" * 64, DECEMBER)])  # fmt: skip
    a = import_police_uk(store, one, replace=True)
    b = import_police_uk(store, two)
    assert all_crime(store, DECEMBER) == 2
    store.withdraw(b.import_id)
    assert all_crime(store, DECEMBER) == 1
    store.withdraw(a.import_id)
    assert all_crime(store, DECEMBER) > 400


def test_a_missing_manifest_stops_imports_and_deletes_nothing(
    store: IncidentStore, tmp_path: Path
) -> None:
    """Given data held and manifest.json deleted, an import is refused with a message
    saying how to restore it, and every data file is still there (the next import used
    to delete them all)."""
    import_police_uk(store, sample_files([DECEMBER]))
    (store.root / "manifest.json").unlink()
    files = sorted(p.name for p in (store.root / "data").rglob("*.parquet"))
    with pytest.raises(StoreDamaged, match=r"manifest\.json is missing: restore it"):
        import_police_uk(store, sample_files(["2014-01"]))
    with pytest.raises(StoreDamaged):
        store.garbage_collect()
    assert sorted(p.name for p in (store.root / "data").rglob("*.parquet")) == files
    (store.root / "manifest.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(StoreDamaged, match="cannot be read"):
        store.manifest()


def test_a_mapping_cannot_write_into_the_police_uk_source(
    store: IncidentStore, tmp_path: Path
) -> None:
    """Given police.uk data held, a mapped import whose rows would land in the police_uk
    source is refused (it used to replace a police.uk month with London fires)."""
    import_police_uk(store, sample_files([DECEMBER]))
    listing = store.listing()
    mapping = tmp_path / "m.toml"
    mapping.write_text(textwrap.dedent("""
        source = "police_uk"
        dataset = "lancashire"
        [columns]
        date = "date"
        date_format = "%Y-%m-%d"
        lsoa = "lsoa"
        [categories]
        default = "other-fire"
    """), encoding="utf-8")  # fmt: skip
    data = tmp_path / "fires.csv"
    data.write_text("date,lsoa\n2013-12-05,E01025474\n", encoding="utf-8")
    with pytest.raises((ImportRejected, ValueError)):
        import_incidents(store, mapping, [data])
    assert store.listing() == listing


def test_a_full_disk_is_a_message_and_the_store_is_unchanged(
    store: IncidentStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Given the disk fills while the manifest is written, the import is refused with a
    message saying so, not a traceback, and the store is as it was."""
    import_police_uk(store, sample_files([DECEMBER]))
    listing, manifest = store.listing(), store.manifest()

    def full(self: IncidentStore, m: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(self.root / "manifest.json"))

    monkeypatch.setattr(store_module.IncidentStore, "_swap_manifest", full)
    with pytest.raises(ImportRejected, match="the disk is full"):
        import_police_uk(store, sample_files(["2014-01"]))
    assert store.listing() == listing and store.manifest() == manifest


CHILD = """
import sys, time
from saferplaces.insight.imports import import_police_uk
from saferplaces.insight.store import IncidentStore
report = import_police_uk(IncidentStore(sys.argv[1]), sys.argv[2:], replace=True)
print(",".join(f.status for f in report.files))
"""


def test_two_imports_at_once_lose_nothing(tmp_path: Path) -> None:
    """Given two processes importing at the same time, one the full December file and the
    other a different file for the same month, Then each decides what is unchanged once
    it holds the lock: the store ends with one of the two and neither reports a file it
    did not check as "unchanged" (the second used to report files the first had just
    replaced as unchanged, and their data was lost)."""
    root = tmp_path / "store"
    full = [str(p) for p in sample_files([DECEMBER, "2014-01"])]
    other = write_csv(tmp_path / f"{DECEMBER}-lancashire-street.csv",
                      [row(f"{i:064x}", DECEMBER) for i in range(5)])  # fmt: skip
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    procs = [
        subprocess.Popen([sys.executable, "-c", CHILD, str(root), *args], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for args in (full, [str(other)])
    ]  # fmt: skip
    outs = [p.communicate(timeout=300) for p in procs]
    assert all(p.returncode == 0 for p in procs), outs
    statuses = [out.strip().split(",") for out, _ in outs]
    assert "unchanged" not in {s for group in statuses for s in group}
    store = IncidentStore(root)
    imports = store.manifest()["imports"]
    assert len(imports) == 2
    # Whichever came second holds December; withdrawing it brings back the first's.
    december = store.manifest()["partitions"][f"police_uk/lancashire/{DECEMBER}"]
    last = next(i for i, r in imports.items() if december["file"] in r["files"])
    store.withdraw(last)
    assert store.manifest()["partitions"][f"police_uk/lancashire/{DECEMBER}"] != december
    assert json.dumps(store.manifest())  # still a readable manifest


def test_a_file_is_unchanged_only_if_it_is_still_live_when_the_import_holds_the_lock(
    store: IncidentStore, tmp_path: Path
) -> None:
    """Given December's file F held, When an import of another December file G is staging
    (holding the lock) and a second import of F starts meanwhile and waits, Then once G
    has landed the second import sees that F is no longer live and imports it again
    (it used to report F "unchanged", decided before the lock, and F's data was lost)."""
    (f_file,) = sample_files([DECEMBER])
    import_police_uk(store, [f_file])
    g_file = write_csv(tmp_path / f"{DECEMBER}-lancashire-street.csv",
                       [row(f"{i:064x}", DECEMBER) for i in range(3)])  # fmt: skip
    second: dict[str, object] = {}
    started = threading.Event()

    def import_f_again() -> None:
        started.set()
        second["report"] = import_police_uk(store, [f_file])

    thread = threading.Thread(target=import_f_again)

    def while_g_stages(done: int, total: int) -> None:
        if not thread.is_alive() and "report" not in second:
            thread.start()
            started.wait()
            time.sleep(0.5)  # the second import is now waiting for the lock

    import_police_uk(store, [g_file], replace=True, progress=while_g_stages)
    thread.join(timeout=120)
    report = second["report"]
    assert [f.status for f in report.files] == ["imported"]  # type: ignore[attr-defined]
    assert all_crime(store, DECEMBER) > 400  # F's data is what the store holds
