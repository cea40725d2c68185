"""Time the deck, the PDF and the workbook for one district's performance pack.

    .venv/bin/python benchmarks/bench_reports.py [--out DIR] [--pack example|west-lancashire]

``example`` is the unit-test pack (tests/reports/conftest.py); ``west-lancashire``
imports the committed police.uk samples and builds the pack from the insight engine.
Prints seconds for each step, then one JSON line.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "src"))

from saferplaces.reports import charts  # noqa: E402
from saferplaces.reports.pack import PerformancePack  # noqa: E402
from saferplaces.reports.pdf_report import build_pdf  # noqa: E402
from saferplaces.reports.pptx_deck import build_pptx  # noqa: E402
from saferplaces.reports.render import RenderedCharts  # noqa: E402
from saferplaces.reports.xlsx_workbook import build_xlsx  # noqa: E402

T = TypeVar("T")


def timed(label: str, fn: Callable[[], T], results: dict[str, float]) -> T:
    start = time.perf_counter()
    value = fn()
    results[label] = round(time.perf_counter() - start, 3)
    print(f"{label:<28} {results[label]:7.3f} s")
    return value


def west_lancashire_pack(work: Path) -> PerformancePack:

    from saferplaces.insight.compare import monthly_series, summarise
    from saferplaces.insight.imports import import_police_uk
    from saferplaces.insight.indicators import DEFAULT_INDICATORS, indicator_by_slug
    from saferplaces.insight.periods import parse_period
    from saferplaces.insight.store import IncidentStore
    from saferplaces.reports.assemble import build_pack

    samples = REPO / "src/saferplaces/insight/samples/police_uk/west_lancashire"
    store = IncidentStore(work / "store")
    import_police_uk(store, sorted(samples.glob("*.csv.gz")))
    period = parse_period("2014/15")
    police = [i for i in DEFAULT_INDICATORS if i.spec.get("sources") == ("police_uk",)]
    results = summarise(
        store,
        districts=["E07000127"],
        place="West Lancashire",
        period=period,
        indicators=police,
        population=111_845,
    )
    series = {
        i.slug: monthly_series(
            store,
            districts=["E07000127"],
            indicator=indicator_by_slug(i.slug),
            start=period.previous().start,
            end=period.end,
        )
        for i in police
    }
    return build_pack(
        place_name="West Lancashire",
        place_code="E07000127",
        place_kind="district",
        partnership_name="West Lancashire Community Safety Partnership",
        period_label=period.label,
        start_month=period.start,
        end_month=period.end,
        comparison_label=period.previous().label,
        results=results,
        series=series,
        population=111_845,
        sources=["police.uk street-level crime (West Lancashire sample)"],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=None, help="keep the documents here")
    parser.add_argument("--pack", choices=["example", "west-lancashire"], default="example")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = args.out or Path(tmp)
        out.mkdir(parents=True, exist_ok=True)
        t: dict[str, float] = {}
        if args.pack == "example":
            from tests.reports.conftest import example_pack

            pack = timed("pack", example_pack, t)
        else:
            pack = timed("pack (import + insight)", lambda: west_lancashire_pack(Path(tmp)), t)
        timed("vl-convert warm-up", lambda: charts.render_svg({"mark": "point"}), t)
        charts.clear_render_cache()
        # each document on its own, charts rendered from cold
        timed("deck alone", lambda: build_pptx(pack, out / "deck.pptx"), t)
        charts.clear_render_cache()
        timed("pdf alone", lambda: build_pdf(pack, out / "report.pdf"), t)
        timed("xlsx", lambda: build_xlsx(pack, out / "tables.xlsx"), t)
        # all three in one run, sharing chart renders
        charts.clear_render_cache()

        def together() -> None:
            shared = RenderedCharts(pack)
            build_pptx(pack, out / "deck.pptx", rendered=shared)
            build_pdf(pack, out / "report.pdf", rendered=shared)
            build_xlsx(pack, out / "tables.xlsx")

        timed("all three, shared renders", together, t)
        sizes = {p.name: p.stat().st_size for p in sorted(out.glob("*.*")) if p.is_file()}
        print(
            json.dumps(
                {
                    "bench": "reports",
                    "pack": args.pack,
                    "seconds": t,
                    "bytes": sizes,
                    "indicators": len(pack.indicators),
                    "charts": len(pack.series),
                }
            )
        )


if __name__ == "__main__":
    main()
