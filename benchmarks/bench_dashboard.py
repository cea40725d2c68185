"""How fast the performance dashboard answers with ten million incidents stored.

Run::

    .venv/bin/python benchmarks/bench_dashboard.py [--rows 10000000] [--runs 20] [--keep DIR]

1. Builds (deterministically) an N-row police.uk street CSV from the real Lancashire
   files in /work/shared/data/police_uk_street/lancashire (542,723 rows over 33 months
   and all 14 Lancashire districts): every real row, then copies with a replica number
   folded into the Crime ID and the month moved back a year per replica (see build_csv).
2. In a fresh temporary data directory: migrate, load the demo, import the CSV through
   `saferplaces import police-uk` (the same path as the web and the CLI).
3. Warms the process as the server does before its first request
   (``saferplaces.web.warmup``: imports and reference lookups), then, signed in as the
   demo's officer with Django's test Client, GETs West Lancashire's dashboard for
   ``--period``: once cold (empty cache: figures computed, charts built),
   then ``--runs`` times warm; also one CSV download warm; then the county (12 districts)
   and the force area (14) cold and warm, and the LSOA map of each (built once, then
   served from its file). Goals (issue 9): district ≤ 100 ms warm and ≤ 1 s cold, county
   ≤ 300 ms warm.
Prints a table and, last, one JSON line with every figure.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from synthetic import police_uk_csv

HERE = Path(__file__).resolve().parent
URL = "/places/west-lancashire/dashboard/"


def build_csv(rows: int, path: Path) -> int:
    """The copies move back a year per replica, six years at most (2014's rows reach
    2008, police.uk's first full year; 2021-22's reach 2015), then start again: about
    150 months of the 14 districts, three times as dense as the real files."""
    return police_uk_csv(rows, path, month_sql="m - INTERVAL (12 * (r % 7)) MONTH")


def ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--period", default="2021/22")
    ap.add_argument("--keep", type=Path, help="use (and keep) this data directory")
    args = ap.parse_args()

    data_dir = args.keep or Path(tempfile.mkdtemp(prefix="bench-dashboard-"))
    data_dir.mkdir(parents=True, exist_ok=True)
    os.environ["SAFERPLACES_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saferplaces.settings")
    sys.path.insert(0, str(HERE.parent / "src"))
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.core.management import call_command
    from django.test import Client

    from saferplaces.evidence.store import incident_store

    # Not setup_test_environment(): its template instrumentation would slow every render.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    timings: dict[str, Any] = {"rows": args.rows, "period": args.period, "runs": args.runs}
    try:
        csv_path = data_dir / f"police_uk_{args.rows}.csv"
        t0 = time.perf_counter()
        if not csv_path.exists():
            timings["rows"] = build_csv(args.rows, csv_path)
        timings["build_csv_s"] = round(time.perf_counter() - t0, 2)

        quiet = io.StringIO()
        call_command("migrate", interactive=False, verbosity=0)
        call_command("load_demo", stdout=quiet)
        t0 = time.perf_counter()
        if not incident_store().months():
            call_command("import", "police-uk", str(csv_path), "--no-progress", stdout=quiet)
        timings["import_s"] = round(time.perf_counter() - t0, 2)
        store = incident_store()
        timings["stored_rows"] = sum(p.rows for p in store.partitions())
        timings["months"] = len(store.months())

        from saferplaces.web.warmup import warm

        t0 = time.perf_counter()
        warm()
        timings["warmup_s"] = round(time.perf_counter() - t0, 2)
        client = Client()
        client.force_login(get_user_model().objects.get(username="officer"))
        query = {"period": args.period}

        cache.clear()
        t0 = time.perf_counter()
        response = client.get(URL, query)
        timings["cold_ms"] = ms(time.perf_counter() - t0)
        assert response.status_code == 200, response.status_code
        timings["page_kb"] = round(len(response.content) / 1024, 1)

        warm = []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            response = client.get(URL, query)
            warm.append(time.perf_counter() - t0)
            assert response.status_code == 200
        timings["warm_median_ms"] = ms(statistics.median(warm))
        timings["warm_min_ms"] = ms(min(warm))
        timings["warm_max_ms"] = ms(max(warm))

        t0 = time.perf_counter()
        assert client.get(URL + "indicators.csv", query).status_code == 200
        timings["csv_warm_ms"] = ms(time.perf_counter() - t0)

        for name, slug in (("county", "lancashire"), ("force", "lancashire-police-force-area")):
            url = f"/places/{slug}/dashboard/"
            cache.clear()  # another place cold, in the same (warm) process
            t0 = time.perf_counter()
            assert client.get(url, query).status_code == 200
            timings[f"{name}_cold_ms"] = ms(time.perf_counter() - t0)
            warm = []
            for _ in range(args.runs):
                t0 = time.perf_counter()
                assert client.get(url, query).status_code == 200
                warm.append(time.perf_counter() - t0)
            timings[f"{name}_warm_ms"] = ms(statistics.median(warm))
            t0 = time.perf_counter()
            assert client.get(f"/places/{slug}/map.geojson").status_code == 200
            timings[f"{name}_map_first_ms"] = ms(time.perf_counter() - t0)
            t0 = time.perf_counter()
            assert client.get(f"/places/{slug}/map.geojson").status_code == 200
            timings[f"{name}_map_again_ms"] = ms(time.perf_counter() - t0)
    finally:
        if args.keep is None:
            shutil.rmtree(data_dir, ignore_errors=True)

    print(f"{'Dashboard benchmark':<44} {'':>12}")
    print(f"{'police.uk rows stored (14 districts)':<44} {timings['stored_rows']:>12,}")
    print(f"{'months held':<44} {timings['months']:>12}")
    print(f"{'build CSV (s)':<44} {timings['build_csv_s']:>12}")
    print(f"{'import (s)':<44} {timings['import_s']:>12}")
    print(f"{'process warm-up before serving (s)':<44} {timings['warmup_s']:>12}")
    print(f"{'West Lancashire ' + args.period + ', cold (ms)':<44} {timings['cold_ms']:>12}")
    print(f"{'West Lancashire, warm median of ' + str(args.runs) + ' (ms)':<44} "
          f"{timings['warm_median_ms']:>12}")  # fmt: skip
    print(f"{'  warm min / max (ms)':<44} {timings['warm_min_ms']:>5} / {timings['warm_max_ms']}")
    print(f"{'indicators CSV, warm (ms)':<44} {timings['csv_warm_ms']:>12}")
    for name, label in (("county", "Lancashire county (12)"), ("force", "force area (14)")):
        print(f"{label + ', cold / warm median (ms)':<44} "
              f"{timings[name + '_cold_ms']:>5} / {timings[name + '_warm_ms']}")  # fmt: skip
        first, again = timings[name + "_map_first_ms"], timings[name + "_map_again_ms"]
        print(f"{'  its LSOA map, first / again (ms)':<44} {first:>5} / {again}")
    print(f"{'page size (KiB)':<44} {timings['page_kb']:>12}")
    print(json.dumps(timings))


if __name__ == "__main__":
    main()
