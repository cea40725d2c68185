"""How fast the funding summary and the monitoring of quarterly returns are with 1,000
funding streams and 10,000 returns (issue 13).

Run::

    .venv/bin/python benchmarks/bench_delivery_funding.py [--streams 1000] [--returns 10000]
        [--initiatives 250] [--runs 30] [--keep DIR]

1. In a fresh temporary data directory (a throwaway SQLite file; DATABASE_URL is
   ignored): migrate and load the demo, then add (bulk, deterministic) ``--initiatives``
   initiatives for West Lancashire, ``--streams`` funding streams for West Lancashire in
   the current financial year (the worst case: every stream on one place's one year),
   ``--returns`` / 4 allocations spread over the streams (never more than a stream
   holds), and four quarterly returns for each: quarters already past submitted (spend,
   RAG red/amber/green in turn) except every seventh, which is overdue; the rest
   outstanding (due soon or later).
2. Times, median and p95 of ``--runs`` each:
   ``saferplaces.delivery.funding.summary(place, year)`` and
   ``saferplaces.delivery.funding.monitoring(place, year)`` (every line read, as a page
   would), and the pages with Django's test Client as the officer: ``delivery:funding``
   and the monitoring page (the first of the route names ``MONITORING_ROUTES`` that
   exists), each for the year. A route that is still a stub is reported, not timed.
   Goal: ≤ 200 ms each.
Prints PASS/FAIL beside the goal, then one JSON line with every figure.
"""

from __future__ import annotations

import argparse
import datetime
import io
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
GOAL_MS = 200.0
PLACE = "west-lancashire"
MONITORING_ROUTES = (
    "delivery:funding_monitoring",
    "delivery:monitoring",
    "delivery:returns",
    "delivery:funding_returns",
)
RAGS = ("green", "amber", "red")


def ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def timed_runs(fn: Callable[[], Any], n: int) -> list[float]:
    fn()  # once first: templates compiled, connections open
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def build(place: Any, year: int, today: datetime.date, args: argparse.Namespace) -> dict[str, int]:
    """The initiatives, streams, allocations and returns (bulk, deterministic)."""
    from saferplaces.delivery.funding import due_date
    from saferplaces.delivery.models import (
        Allocation,
        FundingStream,
        Initiative,
        QuarterlyReturn,
    )

    start = datetime.date(year, 4, 1)
    initiatives = Initiative.objects.bulk_create(
        Initiative(
            place=place,
            name=f"Benchmark initiative {i:04d}",
            slug=f"bench-initiative-{i:04d}",
            starts_on=start,
            ends_on=datetime.date(year + 1, 3, 31),
        )
        for i in range(args.initiatives)
    )
    streams = FundingStream.objects.bulk_create(
        FundingStream(
            place=place,
            funder=f"Benchmark funder {i // 10:03d}",
            name=f"Grant {i:04d}",
            year=year,
            amount=Decimal("100000.00"),
        )
        for i in range(args.streams)
    )
    n_allocations = args.returns // 4
    pairs: list[tuple[int, int]] = []
    per_stream = -(-n_allocations // len(streams))
    for s in range(len(streams)):
        for k in range(per_stream):
            if len(pairs) < n_allocations:
                pairs.append((s, (s * per_stream + k) % len(initiatives)))
    assert len(set(pairs)) == len(pairs), "an initiative twice on one stream"
    allocations = Allocation.objects.bulk_create(
        Allocation(
            stream=streams[s],
            initiative=initiatives[i],
            amount=Decimal(f"{1000 + (s * 7 + i) % 9000}.50"),
            purpose="Benchmark",
        )
        for s, i in pairs
    )
    returns = []
    n = 0
    for a in allocations:
        for q in (1, 2, 3, 4):
            due = due_date(year, q)
            n += 1
            submitted = due < today and n % 7 != 0
            returns.append(
                QuarterlyReturn(
                    allocation=a,
                    quarter=q,
                    due_on=due,
                    submitted_on=due - datetime.timedelta(days=n % 10) if submitted else None,
                    spend=Decimal(f"{(n * 37) % 2500}.25") if submitted else None,
                    rag=RAGS[n % 3] if submitted else "",
                    outputs="Benchmark" if submitted else "",
                )
            )
    QuarterlyReturn.objects.bulk_create(returns, batch_size=2000)
    return {
        "initiatives": len(initiatives),
        "streams": len(streams),
        "allocations": len(allocations),
        "returns": len(returns),
        "submitted": sum(1 for r in returns if r.submitted_on),
        "overdue": sum(1 for r in returns if r.submitted_on is None and r.due_on < today),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--streams", type=int, default=1000)
    ap.add_argument("--returns", type=int, default=10000)
    ap.add_argument("--initiatives", type=int, default=250)
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--keep", type=Path, help="use (and keep) this data directory")
    args = ap.parse_args()

    data_dir = args.keep or Path(tempfile.mkdtemp(prefix="bench-delivery-funding-"))
    data_dir.mkdir(parents=True, exist_ok=True)
    os.environ["SAFERPLACES_DATA_DIR"] = str(data_dir)
    os.environ.pop("DATABASE_URL", None)  # the throwaway SQLite file in data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saferplaces.settings")
    sys.path.insert(0, str(HERE.parent / "src"))
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import NoReverseMatch, resolve, reverse

    from saferplaces.delivery import funding
    from saferplaces.delivery.models import FundingStream
    from saferplaces.partnership.models import Place

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    today = datetime.date.today()
    year = funding.year_of(today)
    f: dict[str, Any] = {"runs": args.runs, "year": funding.financial_year_label(year),
                         "today": today.isoformat()}  # fmt: skip
    timings: dict[str, list[float]] = {}
    notes: dict[str, str] = {}
    try:
        call_command("migrate", interactive=False, verbosity=0)
        call_command("load_demo", stdout=io.StringIO())
        place = Place.objects.get(slug=PLACE)
        t0 = time.perf_counter()
        if not FundingStream.objects.filter(place=place, year=year).exists():
            f |= build(place, year, today, args)
        f["build_s"] = round(time.perf_counter() - t0, 2)

        def read_summary() -> None:
            s = funding.summary(place, year, today)
            for row in s.rows:  # every row and allocation read, as the page does
                [a.amount for a in row.allocations]
                row.unallocated  # noqa: B018

        def read_monitoring() -> None:
            m = funding.monitoring(place, year, today)
            [r.status for r in (*m.overdue, *m.due_soon, *m.submitted)]

        with CaptureQueriesContext(connection) as q:
            read_summary()
        f["summary_queries"] = len(q)
        s = funding.summary(place, year, today)
        f["summary_rows"] = len(s.rows)
        f["summary_total"] = str(s.totals.amount)
        with CaptureQueriesContext(connection) as q:
            read_monitoring()
        f["monitoring_queries"] = len(q)
        m = funding.monitoring(place, year, today)
        f["monitoring_counts"] = m.counts
        timings["summary()"] = timed_runs(read_summary, args.runs)
        timings["monitoring()"] = timed_runs(read_monitoring, args.runs)

        client = Client()
        client.force_login(get_user_model().objects.get(username="officer"))
        query = {"year": funding.financial_year_label(year)}
        pages = [("delivery:funding", "funding page")]
        for name in MONITORING_ROUTES:
            try:
                reverse(name, kwargs={"place": PLACE})
            except NoReverseMatch:
                continue
            pages.append((name, "monitoring page"))
            break
        else:
            notes["monitoring page"] = f"no route named any of {', '.join(MONITORING_ROUTES)}"
        for name, label in pages:
            url = reverse(name, kwargs={"place": PLACE})
            if resolve(url).func.__name__ == "_stub":
                notes[label] = f"{name} is still a stub: not timed"
                continue

            def get(url: str = url) -> None:
                response = client.get(url, query)
                assert response.status_code == 200, (url, response.status_code)

            f[f"{label} url"] = url
            f[f"{label} KiB"] = round(len(client.get(url, query).content) / 1024, 1)
            timings[f"{label} {name}"] = timed_runs(get, args.runs)
    finally:
        if args.keep is None:
            shutil.rmtree(data_dir, ignore_errors=True)

    w = 58
    print(f"{'Delivery funding benchmark (issue 13)':<{w}} {'median':>8} {'p95':>8}  goal")
    print(f"{'West Lancashire ' + f['year'] + ' (today ' + f['today'] + ')':<{w}}")
    for key in ("streams", "allocations", "returns", "submitted", "overdue", "initiatives"):
        if key in f:
            print(f"  {key:<{w - 2}} {f[key]:>8,}")
    print(f"  {'queries: summary / monitoring':<{w - 2}} "
          f"{f['summary_queries']:>8} {f['monitoring_queries']:>8}")  # fmt: skip
    all_pass = True
    for label, values in timings.items():
        med, top = ms(statistics.median(values)), ms(p95(values))
        ok = med <= GOAL_MS
        all_pass &= ok
        f[f"{label} median_ms"], f[f"{label} p95_ms"] = med, top
        verdict = "PASS" if ok else "FAIL"
        print(f"  {label + f' ({args.runs} runs, ms)':<{w - 2}} {med:>8} {top:>8}  "
              f"≤ {GOAL_MS:g} ms {verdict}")  # fmt: skip
    for label, note in notes.items():
        print(f"  {label:<{w - 2}} {'':>17}  {note}")
    f["notes"] = notes
    f["pass"] = all_pass
    print(json.dumps(f, default=str))


if __name__ == "__main__":
    main()
