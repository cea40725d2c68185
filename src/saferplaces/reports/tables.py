"""The tables every paper shares, as rows of words: the summary of indicators, the
categories (with the indicators' verdicts) and the districts side by side (ranked only
where there is a rate; districts with no data listed after, with no rank and no figure).
The deck and the PDF set these rows; the workbook writes the numbers themselves."""

from __future__ import annotations

from saferplaces.insight.compare import PARTIAL
from saferplaces.reports.pack import DistrictFigure, PerformancePack
from saferplaces.reports.wording import (
    category_verdict,
    change_cells,
    change_pair,
    count_cell,
    fmt_count,
    fmt_rate,
    verdict_text,
)

SUMMARY_HEADER = ["Indicator", "{period}", "{comparison}", "Change", "% change",
                  "Rate per 1,000 residents", "Verdict"]  # fmt: skip


def summary_header(pack: PerformancePack) -> list[str]:
    """The summary table's column headings."""
    return [
        h.format(period=pack.period_label, comparison=pack.comparison_label) for h in SUMMARY_HEADER
    ]


def summary_rows(pack: PerformancePack) -> list[list[str]]:
    """One row per indicator for the summary table of the deck and the PDF."""
    rows = []
    for fig in pack.indicators:
        change, pct = change_cells(fig)
        rows.append(
            [fig.name, count_cell(fig), count_cell(fig, previous=True), change, pct,
             fmt_rate(fig.rate_per_1000), verdict_text(fig)]
        )  # fmt: skip
    return rows


CATEGORY_HEADER = ["Category", "{period} ({unit})", "{comparison} ({unit})", "Change",
                   "% change", "Verdict"]  # fmt: skip


def category_header(pack: PerformancePack) -> list[str]:
    """The category table's column headings."""
    return [
        h.format(period=pack.period_label, comparison=pack.comparison_label,
                 unit=pack.category_unit)
        for h in CATEGORY_HEADER
    ]  # fmt: skip


def category_rows(pack: PerformancePack) -> list[list[str]]:
    """One row per category, largest first (no data last), with the same verdicts as
    the indicators."""
    rows = []
    for c in sorted(pack.categories, key=lambda c: (c.count is None, -(c.count or 0), c.label)):
        change, pct = change_pair(c.count, c.previous, c.change, c.pct_change, c.like_for_like)
        rows.append(
            [c.label, fmt_count(c.count), fmt_count(c.previous), change, pct, category_verdict(c)]
        )
    return rows


def category_notes(pack: PerformancePack) -> list[str]:
    """Why some categories have no verdict of their own, once per reason."""
    seen: dict[str, list[str]] = {}
    for c in pack.categories:
        if c.count is None:
            reason = c.reason or "no data for this period"
        elif c.verdict == PARTIAL:
            continue  # said once for the whole place
        elif c.change is None and c.like_for_like is not None:
            reason = (
                "the periods hold different months, so the months both hold are compared "
                f"({c.like_for_like.label} and the same months a year before)"
            )
        elif c.change is None:
            reason = c.reason or "no verdict"
        else:
            continue
        seen.setdefault(reason, []).append(c.label)
    notes = [f"{', '.join(labels)}: {reason}." for reason, labels in seen.items()]
    breaks = dict.fromkeys(c.series_break for c in pack.categories if c.series_break)
    return notes + [b.strip() for b in breaks if b]


def ranked_districts(pack: PerformancePack) -> list[DistrictFigure]:
    """Districts with a rate, highest first (the only ones ranked or charted)."""
    held = [d for d in pack.districts if d.rate_per_1000 is not None]
    return sorted(held, key=lambda d: (-(d.rate_per_1000 or 0.0), d.name))


def unranked_districts(pack: PerformancePack) -> list[DistrictFigure]:
    """Districts with no rate (no data, or no population): listed, never ranked."""
    return sorted((d for d in pack.districts if d.rate_per_1000 is None), key=lambda d: d.name)


DISTRICT_HEADER = ["District", "Rank", "Count ({unit})", "Rate per 1,000 residents"]


def district_header(pack: PerformancePack) -> list[str]:
    return [h.format(unit=pack.category_unit) for h in DISTRICT_HEADER]


def district_rows(pack: PerformancePack) -> list[list[str]]:
    """Ranked districts first, then the districts with no data: no rank, no figure."""
    rows = []
    for i, d in enumerate(ranked_districts(pack), start=1):
        name = d.name + (" (this place)" if d.name == pack.place_name else "")
        rows.append([name, str(i), fmt_count(d.count), fmt_rate(d.rate_per_1000)])
    for d in unranked_districts(pack):
        name = d.name + (" (this place)" if d.name == pack.place_name else "")
        rows.append([name, "", fmt_count(d.count), fmt_rate(d.rate_per_1000)])
    return rows


def districts_note(pack: PerformancePack) -> str | None:
    """``"No data held for Chorley, Preston: listed, not ranked or charted."``"""
    missing = [d.name for d in unranked_districts(pack)]
    if not missing:
        return None
    return f"No data held for {', '.join(missing)}: listed, not ranked or charted."
