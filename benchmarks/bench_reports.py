"""Time the deck, the PDF and the workbook for one district's performance pack.

    .venv/bin/python benchmarks/bench_reports.py [--out DIR]

The pack is the unit-test pack (tests/reports/conftest.py): the builders' own cost,
apart from computing the figures (``saferplaces report`` end to end measures both).
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=None, help="keep the documents here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = args.out or Path(tmp)
        out.mkdir(parents=True, exist_ok=True)
        t: dict[str, float] = {}
        from tests.reports.conftest import example_pack

        pack = timed("pack", example_pack, t)
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
        goal = 10.0
        verdict = "within" if t["all three, shared renders"] <= goal else "OVER"
        print(f"{'goal':<28} {goal:7.3f} s  ({verdict} the goal)")
        sizes = {p.name: p.stat().st_size for p in sorted(out.glob("*.*")) if p.is_file()}
        print(
            json.dumps(
                {
                    "bench": "reports",
                    "pack": "tests/reports/conftest.py:example_pack",
                    "seconds": t,
                    "bytes": sizes,
                    "indicators": len(pack.indicators),
                    "charts": len(pack.series),
                }
            )
        )


if __name__ == "__main__":
    main()
