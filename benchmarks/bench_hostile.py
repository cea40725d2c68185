"""Peak memory and time of imports given hostile or broken input: the goal is that no
import, good or bad, peaks above 1 GiB, and each bad one ends in a message.

Run::

    .venv/bin/python benchmarks/bench_hostile.py [--bomb-gb 3] [--bad-rows 14700000]

Each case is imported into a fresh store by a child process (``import_police_uk`` or
``import_incidents`` with the default limits), which prints its own peak RSS (VmHWM from
/proc/self/status: the child's own figure, not the parent's) and how the import ended.
The inputs, built once into benchmarks/out/hostile/ and reused:

- ``gz-one-line``: a police.uk ``.csv.gz`` of a few MB holding one line of ``--bomb-gb``
  GB (issue 10: a 2.9 MB file that expands to one 3 GB line once took 24 GB of memory);
- ``zip-bomb``: a zip whose one member expands to ``--bomb-gb`` GB;
- ``bad-rows`` / ``bad-rows-skip``: a police.uk header then ``--bad-rows`` one-character
  lines (issue 10: 14.7M bad rows in a 23 MB file once passed 9 GB), without and with
  ``skip_bad_rows``;
- ``mapped-bad-rows``: the same count of bad rows through the London Fire Brigade
  mapping (the mapped reader);
- ``good``: ``--good-rows`` real-shaped rows (benchmarks/synthetic.py), the baseline.

Prints a table, then one JSON line with every figure.
"""

from __future__ import annotations

import argparse
import gzip
import json
import subprocess
import sys
import time
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

from synthetic import police_uk_csv

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
OUT = REPO / "benchmarks" / "out" / "hostile"
HEADER = (
    "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,"
    "LSOA name,Crime type,Last outcome category,Context\n"
)
MONTH = "2014-12"
GOAL_MIB = 1024
MiB = 1 << 20


# ------------------------------------------------------------------ inputs


def _repeat(chunk: bytes, total: int) -> Iterator[bytes]:
    """``total`` bytes of ``chunk`` repeated, in pieces of ``len(chunk)``."""
    left = total
    while left > 0:
        piece = chunk[: min(left, len(chunk))]
        left -= len(piece)
        yield piece


def gz_one_line(gb: float) -> Path:
    path = OUT / f"gz-one-line-{gb:g}gb" / f"{MONTH}-lancashire-street.csv.gz"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        with open(tmp, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=9) as gz:
            gz.write(HEADER.encode())
            for piece in _repeat(b"x" * MiB, int(gb * 1e9)):
                gz.write(piece)
            gz.write(b"\n")
        tmp.rename(path)
    return path


def zip_bomb(gb: float) -> Path:
    path = OUT / f"zip-bomb-{gb:g}gb.zip"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
            member = f"{MONTH}/{MONTH}-lancashire-street.csv"
            with zf.open(member, "w", force_zip64=True) as fh:
                fh.write(HEADER.encode())
                row = b"x,2014-12,,,,,,,,,,\n" * (MiB // 20)
                for piece in _repeat(row, int(gb * 1e9)):
                    fh.write(piece)
        tmp.rename(path)
    return path


def bad_rows(n: int, header: str, name: str) -> Path:
    path = OUT / f"{name}-{n}" / f"{MONTH}-lancashire-street.csv"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        with open(tmp, "wb") as fh:
            fh.write(header.encode())
            block = b"x\n" * 1_000_000
            for _ in range(n // 1_000_000):
                fh.write(block)
            fh.write(b"x\n" * (n % 1_000_000))
        tmp.rename(path)
    return path


def good(rows: int) -> Path:
    path = OUT / f"good-{rows}" / "police_uk.csv"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        police_uk_csv(rows, path, month_sql="m + to_months(r * 7 % 150)")
    return path


# ------------------------------------------------------------------ child


def own_peak_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError("no VmHWM in /proc/self/status")


def child(kind: str, path: str, store_root: str, skip: str) -> None:
    """(child process) import ``path`` into a fresh store; print how it ended as JSON."""
    from saferplaces.insight.imports import import_incidents, import_police_uk, shipped_mapping
    from saferplaces.insight.problems import ImportRejected
    from saferplaces.insight.store import IncidentStore

    store = IncidentStore(store_root)
    t0 = time.perf_counter()
    try:
        if kind == "police-uk":
            report = import_police_uk(store, [path], skip_bad_rows=skip == "skip")
        else:
            report = import_incidents(store, shipped_mapping("lfb_dwelling_fires"), [path],
                                      skip_bad_rows=skip == "skip")  # fmt: skip
        ended = f"landed {report.rows_accepted:,} rows, {report.rows_rejected:,} rejected"
    except ImportRejected as exc:
        first = exc.problems[0] if exc.problems else None
        ended = f"refused: {first.reason if first else exc}"
    seconds = time.perf_counter() - t0
    print(json.dumps({"ended": ended, "seconds": seconds, "peak_kib": own_peak_kib()}))


def run_case(kind: str, path: Path, skip: bool) -> dict[str, object]:
    store = OUT / "store"
    subprocess.run(["rm", "-rf", str(store)], check=True)
    args = [sys.executable, __file__, "--child", kind, str(path), str(store),
            "skip" if skip else "strict"]  # fmt: skip
    out = subprocess.run(args, check=True, capture_output=True, text=True, cwd=REPO)
    data: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    subprocess.run(["rm", "-rf", str(store)], check=True)
    return data


# ------------------------------------------------------------------ main


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bomb-gb", type=float, default=3.0)
    ap.add_argument("--bad-rows", type=int, default=14_700_000)
    ap.add_argument("--good-rows", type=int, default=4_000_000)
    ap.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(*args.child)
        return
    lfb_header = (
        "date,borough,ward,easting_rounded,northing_rounded,hmo_yn,hmo_license,property_type\n"
    )
    t0 = time.perf_counter()
    cases = [
        ("gz-one-line", "police-uk", gz_one_line(args.bomb_gb), False),
        ("zip-bomb", "police-uk", zip_bomb(args.bomb_gb), False),
        ("bad-rows", "police-uk", bad_rows(args.bad_rows, HEADER, "bad-rows"), False),
        ("bad-rows-skip", "police-uk", bad_rows(args.bad_rows, HEADER, "bad-rows"), True),
        ("mapped-bad-rows", "incidents", bad_rows(args.bad_rows, lfb_header, "lfb-bad"), False),
        ("good", "police-uk", good(args.good_rows), False),
    ]
    print(f"inputs ready in {time.perf_counter() - t0:.1f}s (cached in {OUT})")
    figures: dict[str, dict[str, object]] = {}
    print(f"{'case':<17}{'file MB':>10}{'seconds':>10}{'peak MiB':>10}  ended")
    for name, kind, path, skip in cases:
        data = run_case(kind, path, skip)
        peak = round(int(data["peak_kib"]) / 1024, 1)  # type: ignore[call-overload]
        size = round(path.stat().st_size / 1e6, 1)
        figures[name] = {"file_mb": size, "seconds": round(float(data["seconds"]), 2),  # type: ignore[arg-type]
                         "peak_mib": peak, "ended": data["ended"]}  # fmt: skip
        print(f"{name:<17}{size:>10}{float(data['seconds']):>10.2f}{peak:>10}  "  # type: ignore[arg-type]
              f"{str(data['ended'])[:90]}")  # fmt: skip
    worst = max(float(f["peak_mib"]) for f in figures.values())  # type: ignore[arg-type]
    verdict = "within" if worst <= GOAL_MIB else "OVER"
    print(f"worst peak {worst} MiB: {verdict} the {GOAL_MIB} MiB goal")
    print(json.dumps({"goal_mib": GOAL_MIB, "worst_peak_mib": worst, "cases": figures,
                      "zlib": zlib.ZLIB_RUNTIME_VERSION}))  # fmt: skip


if __name__ == "__main__":
    main()
