"""Headline sentences for indicator figures, worded the way a board paper should be.

- falls say "down by 7.5%", never "down by -7.5%"; rises say "up by";
- countable nouns take "fewer", never "less" ("405 fewer crimes");
- singular and plural follow the number ("1 more crime");
- no percentage when the previous count is 0 (no division by zero);
- the verdict is the insight engine's, appended in plain words ("— within normal
  variation", "; too few to judge"); the test, z and p-values go to the technical annex;
- a figure with no data says so and why, never 0 ("No data" in a table cell); a part of
  a place is named as a part; unlike periods are compared over the months both hold,
  and the whole gets no verdict.

Also the cells that go with them (verdicts, counts with the months held, changes), the
plain-English method notes for the body of every paper and the technical annex (the
only place that names the test, z and p-values). The shared tables are in
:mod:`saferplaces.reports.tables`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from saferplaces.insight.compare import INCOMPLETE, PARTIAL
from saferplaces.insight.compare import NO_DATA as NO_DATA_VERDICT
from saferplaces.insight.stats import ALPHA, MINIMUM_TOTAL, TEST_NAME
from saferplaces.reports.pack import (
    VERDICT_INCREASE,
    VERDICT_REDUCTION,
    VERDICT_TOO_FEW,
    CategoryFigure,
    IndicatorFigure,
    LikeForLike,
    PerformancePack,
)

SMALL_COUNT_THRESHOLD = MINIMUM_TOTAL
"""Fewer than this in the two periods together: too few to judge (the engine's rule)."""

DASH = "\u2014"

Style = Literal["long", "short"]


def fmt_int(n: int) -> str:
    """``12345`` → ``"12,345"``."""
    return f"{n:,}"


def fmt_pct(pct: float) -> str:
    """Absolute percentage to 1 dp with thousands separators: ``-7.456`` → ``"7.5%"``."""
    value = round(abs(pct), 1)
    if value == 0 and pct != 0:
        return "less than 0.1%"
    return f"{value:,.1f}%"


def fmt_signed_pct(pct: float | None) -> str:
    """Signed percentage for tables: ``-7.5%``, ``+3.1%``, ``n/a`` when undefined."""
    if pct is None:
        return "n/a"
    value = round(pct, 1)
    if value == 0:
        return "0.0%"
    return f"{value:+,.1f}%".replace("-", "\u2212")


def fmt_signed_int(n: int) -> str:
    """Signed count for tables with a true minus sign (U+2212): ``-405``, ``+12``."""
    if n == 0:
        return "0"
    return f"{n:+,}".replace("-", "\u2212")


NO_DATA = "No data"
"""What a table cell says where there is no figure (never 0)."""


def fmt_count(n: int | None) -> str:
    """A count for a table cell, or "No data" when there is none (never 0)."""
    return NO_DATA if n is None else fmt_int(n)


def fmt_rate(rate: float | None) -> str:
    """Rate per 1,000 to 1 dp, or "No data" (no count, or no population estimate)."""
    return NO_DATA if rate is None else f"{rate:,.1f}"


def noun(n: int, fig: IndicatorFigure) -> str:
    """The unit noun agreeing with ``n``."""
    return fig.singular if abs(n) == 1 else fig.unit


def counted(n: int, fig: IndicatorFigure) -> str:
    """``"405 crimes"``, ``"1 crime"``."""
    return f"{fmt_int(n)} {noun(n, fig)}"


def verdict_suffix(fig: IndicatorFigure | LikeForLike) -> str:
    """``" — a significant reduction"``, ``" — a significant increase"``,
    ``" — within normal variation"`` or ``"; too few to judge"``."""
    if fig.verdict == VERDICT_TOO_FEW:
        return "; too few to judge"
    if fig.verdict == VERDICT_REDUCTION:
        return f" {DASH} a significant reduction"
    if fig.verdict == VERDICT_INCREASE:
        return f" {DASH} a significant increase"
    return f" {DASH} within normal variation"


def _change_words(
    name: str, fig: IndicatorFigure, current: int, previous: int, style: Style
) -> str:
    change = current - previous
    if change == 0:
        return f"{name} unchanged at {fmt_int(current)}"
    direction = "down" if change < 0 else "up"
    comparative = "fewer" if change < 0 else "more"
    pct = 100.0 * change / previous
    amount = f"{fmt_int(abs(change))} {comparative} {noun(change, fig)}"
    if style == "long":
        return f"{name} {direction} by {fmt_pct(pct)}, equivalent to {amount}"
    return f"{name} {direction} by {fmt_pct(pct)} ({amount})"


def headline(
    fig: IndicatorFigure,
    period_label: str,
    comparison_label: str,
    *,
    style: Style = "long",
) -> str:
    """One headline sentence for ``fig``.

    ``style="long"``: "All crime down by 7.5%, equivalent to 405 fewer crimes — ...";
    ``style="short"``: "Vehicle crime up by 3.1% (12 more crimes) — ...".
    """
    name, current, previous = fig.name, fig.count, fig.previous_count
    if current is None:
        why = f" ({fig.reason})" if fig.reason and "no data for" not in fig.reason else ""
        return f"{name}: no data for {period_label}{why}"
    held = f" (over the {fig.months} months held)" if fig.months < fig.months_expected else ""
    if fig.partial:
        before = "" if previous is None else f" ({fmt_int(previous)} in {comparison_label})"
        return (
            f"{name}: {counted(current, fig)} in {period_label}{before} in the districts "
            "with data; no verdict for the whole area"
        )
    if previous is None:
        return (
            f"{name}: {counted(current, fig)} in {period_label}{held}; no data for "
            f"{comparison_label} to compare with"
        )
    like = fig.like_for_like
    if fig.change is None:
        text = (
            f"{name}: {fmt_int(current)} in {period_label} ({fig.months} months held) and "
            f"{fmt_int(previous)} in {comparison_label} ({fig.previous_months} months)"
        )
        if like is None or like.previous_count == 0:
            return text + "; the periods hold different months, so no verdict"
        words = _change_words("", fig, like.count, like.previous_count, "short").strip()
        return (
            f"{text}. Over {like.label} and the same months a year before, {words}"
            f"{verdict_suffix(like)}"
        )
    if current == 0 and previous == 0:
        return f"{name}: none in {period_label} or {comparison_label}"
    if previous == 0:
        return f"{name}: {fmt_int(current)}{held}, none in {comparison_label}" + verdict_suffix(fig)
    if fig.verdict == VERDICT_TOO_FEW:
        return (
            f"{name} {fmt_int(current)}{held} ({fmt_int(previous)} in {comparison_label}); "
            "too few to judge"
        )
    return _change_words(name, fig, current, previous, style) + held + verdict_suffix(fig)


def headlines(pack: PerformancePack) -> list[str]:
    """A sentence per indicator: the first in the long style, the rest short."""
    return [
        headline(fig, pack.period_label, pack.comparison_label, style="long" if i == 0 else "short")
        for i, fig in enumerate(pack.indicators)
    ]


def judged_by(fig: IndicatorFigure) -> IndicatorFigure | LikeForLike | None:
    """What carries the verdict a reader sees: the figure itself, its like-for-like
    comparison when the periods hold different months, or nothing (no verdict)."""
    if fig.count is None or fig.partial:
        return None
    if fig.change is None:
        return fig.like_for_like
    return fig


def shown_verdict(fig: IndicatorFigure) -> str:
    """The engine's verdict a sentence or a colour follows (the like-for-like one when
    the periods hold different months)."""
    judged = judged_by(fig)
    return fig.verdict if judged is None else judged.verdict


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def verdict_words(verdict: str, *, held: bool = True) -> str:
    """A verdict as a table shows it: ``"Significant reduction"``, ``"Too few to judge"``,
    ``"No verdict: part of the area"``, ``"No data"``."""
    if not held or verdict == NO_DATA_VERDICT:
        return NO_DATA
    if verdict == PARTIAL:
        return "No verdict: part of the area"
    if verdict == INCOMPLETE:
        return "No verdict: different months"
    return _capital(verdict)


def _verdict_cell(
    verdict: str,
    count: int | None,
    previous: int | None,
    change: int | None,
    like: LikeForLike | None,
) -> str:
    if count is None:
        return NO_DATA
    if verdict == PARTIAL:
        return verdict_words(PARTIAL)
    if previous is None:
        return "No verdict: nothing to compare with"
    if change is None:
        return f"Same {like.months} months: {like.verdict}" if like else verdict_words(INCOMPLETE)
    return verdict_words(verdict)


def verdict_text(fig: IndicatorFigure) -> str:
    """The verdict cell for an indicator (the like-for-like verdict, named as such, when
    the periods hold different months)."""
    verdict = PARTIAL if fig.partial else fig.verdict
    return _verdict_cell(verdict, fig.count, fig.previous_count, fig.change, fig.like_for_like)


def category_verdict(c: CategoryFigure) -> str:
    """The verdict cell for a category, by the indicators' rules."""
    return _verdict_cell(c.verdict, c.count, c.previous, c.change, c.like_for_like)


def verdict_label(fig: IndicatorFigure) -> str:
    """The engine's verdict as a lower-case phrase ("no data" when there is none)."""
    return "no data" if fig.count is None else fig.verdict


def why_no_verdict(fig: IndicatorFigure) -> str | None:
    """Why the figure has no verdict of its own, in plain words (None when it has one)."""
    if fig.count is None:
        return fig.reason or "no data for this period"
    if fig.partial:
        return f"part of the area only: the data {fig.reason}" if fig.reason else None
    if fig.verdict == VERDICT_TOO_FEW:
        return f"fewer than {MINIMUM_TOTAL} {fig.unit} in the two periods together"
    if fig.change is None:
        if fig.like_for_like is not None:
            return "the periods hold different months, so the months both hold are compared"
        return fig.reason
    return None


def _months_note(fig: IndicatorFigure, months: int) -> str:
    unlike = fig.change is None and fig.previous_count is not None
    if months < fig.months_expected or unlike:
        return f" ({months} months)"
    return ""


def count_cell(fig: IndicatorFigure, *, previous: bool = False) -> str:
    """A count for a table, with the months held when the period is not whole or the
    two periods hold different months: ``"4,883 (12 months)"``."""
    n = fig.previous_count if previous else fig.count
    if n is None:
        return NO_DATA
    return fmt_int(n) + _months_note(fig, fig.previous_months if previous else fig.months)


def change_pair(
    count: int | None,
    previous: int | None,
    change: int | None,
    pct: float | None,
    like: LikeForLike | None,
) -> tuple[str, str]:
    if count is None or previous is None:
        return "", ""
    if change is not None:
        return fmt_signed_int(change), fmt_signed_pct(pct)
    if like is None:
        return "", ""
    same = f" (same {like.months} months)"
    return fmt_signed_int(like.change) + same, fmt_signed_pct(like.pct_change) + same


def change_cells(fig: IndicatorFigure) -> tuple[str, str]:
    """(change, % change) for a summary table: the figure's own, or the like-for-like
    change over the months both hold (``"−221 (same 9 months)"``), or blanks."""
    like = None if fig.partial else fig.like_for_like
    return change_pair(fig.count, fig.previous_count, fig.change, fig.pct_change, like)


def figures_rows(
    fig: IndicatorFigure, period_label: str, comparison_label: str
) -> list[tuple[str, str]]:
    """The small figures table for one indicator as (label, formatted value) pairs, in
    plain English (the test statistics are in :func:`annex_rows`)."""
    rows = [
        (f"{period_label} ({fig.unit})", fmt_count(fig.count)),
        (f"{comparison_label} ({fig.unit})", fmt_count(fig.previous_count)),
    ]
    unlike = fig.change is None and fig.count is not None and fig.previous_count is not None
    if fig.count is not None and (unlike or fig.months < fig.months_expected):
        rows.append(("Months held", f"{fig.months} and {fig.previous_months} of "
                                    f"{fig.months_expected}"))  # fmt: skip
    like = None if fig.partial else fig.like_for_like
    if unlike and like is not None:
        rows += [
            (f"Same months: {like.label}", fmt_int(like.count)),
            ("Same months a year before", fmt_int(like.previous_count)),
            ("Change over the same months",
             f"{fmt_signed_int(like.change)} ({fmt_signed_pct(like.pct_change)})"),
        ]  # fmt: skip
    elif fig.change is not None:
        rows += [
            ("Change", fmt_signed_int(fig.change)),
            ("% change", fmt_signed_pct(fig.pct_change)),
        ]
    rows.append(("Rate per 1,000 residents", fmt_rate(fig.rate_per_1000)))
    rows.append(("Verdict", verdict_text(fig)))
    why = why_no_verdict(fig)
    if why:
        rows.append(("Note" if like and unlike else "Why no verdict", _capital(why)))
    return rows


SIGNAL_WORDS = {
    "beyond-limits": "outside the range of normal variation",
    "run-of-8": "one of 8 months in a row on the same side of the average",
    "trend-of-6": "one of 6 months in a row each higher, or each lower, than the last",
    "2-of-3-beyond-2-sigma": "one of 2 in 3 months near the edge of normal variation",
}
"""The control chart's signals in plain words."""


def signal_words(signals: Sequence[str]) -> str | None:
    """The signals of one month in plain words, joined with "; " (None when none)."""
    if not signals:
        return None
    return "; ".join(SIGNAL_WORDS.get(s, s.replace("-", " ")) for s in signals)


@dataclass(frozen=True)
class Tested:
    """What the technical annex reports for one indicator."""

    count: int | None
    previous_count: int | None
    z: float | None
    p_value: float | None
    verdict: str


def tested(fig: IndicatorFigure) -> Tested:
    """The counts tested (the months both periods hold, when they differ), z, p-value and
    verdict; a part of a place is not tested."""
    like = fig.like_for_like if fig.change is None and not fig.partial else None
    if like is not None:
        verdict = f"{like.verdict} (like for like, {like.label})"
        return Tested(like.count, like.previous_count, like.z, like.p_value, verdict)
    z, p = (None, None) if fig.partial else (fig.z, fig.p_value)
    return Tested(fig.count, fig.previous_count, z, p, verdict_label(fig))


def annex_rows(fig: IndicatorFigure) -> list[str]:
    """The technical annex row for one indicator: the counts tested, z and p-value (none
    for a part of a place: no test is made)."""
    t = tested(fig)
    return [
        fig.name,
        fmt_count(t.count),
        fmt_count(t.previous_count),
        "n/a" if t.z is None else f"{t.z:+.2f}".replace("-", "\u2212"),
        "n/a" if t.p_value is None else fmt_p(t.p_value),
        t.verdict,
    ]


def fmt_p(p: float) -> str:
    """A p-value to three places (``"< 0.001"`` below that, kept on one line)."""
    return "<\u00a00.001" if p < 0.001 else f"{p:.3f}"


ANNEX_HEADER = ["Indicator", "This period", "Comparison", "Poisson z", "p-value", "Verdict"]

ANNEX_TITLE = "Technical annex"

METHOD_NOTES: tuple[str, ...] = (
    "A change is called significant only when it is bigger than chance would explain "
    "(at the 95% level), comparing the same months of the year on both sides.",
    f"With fewer than {MINIMUM_TOTAL} incidents in the two periods together, the counts "
    "are given without a verdict: too few to judge.",
    "Where a place has data for only some of its districts, or the two periods hold "
    "different months, the figures say so and no verdict is given for the whole; where "
    "the months differ, the months both periods hold are compared instead.",
    "No data is never shown as 0: a figure that is not held is left blank or says "
    "\u201cNo data\u201d, and districts with no data are not ranked or charted.",
    "Monthly charts show the average (dashed line) and the range normal variation "
    "would explain (shaded); highlighted months fall outside it or continue a run.",
    "Rates are per 1,000 residents (ONS mid-year estimates).",
    f"The statistics behind the verdicts are in the {ANNEX_TITLE.lower()}.",
)
"""How the figures were judged, in plain English, for the data notes of every document."""

TECHNICAL_NOTES: tuple[str, ...] = (
    f"Test: {TEST_NAME}. Given the total of the two counts, the current count is "
    f"binomial with probability 1/2 when the underlying rate has not changed; a "
    f"two-sided p-value below {ALPHA} is significant. Below {MINIMUM_TOTAL} incidents in "
    "all no test is made.",
    "The Poisson z = 2(\u221acurrent \u2212 \u221aprevious) is shown as a measure of "
    "size; it is not the test.",
    "Control charts are c-charts: mean \u00b1 3\u221amean, with run rules (8 in a row "
    "on one side of the mean, 6 rising or falling, 2 of 3 beyond 2 sigma).",
    "Months are counted only where the data covers every district counted; police.uk "
    "months before a change to its categories that splits an indicator are not counted.",
)
"""The technical annex: the test, its statistics and the coverage rules."""


def coverage_sentence(pack: PerformancePack) -> str | None:
    """For a place with data for only some of its districts: ``"Part of Lancashire only:
    the data covers 1 of 12 districts: West Lancashire. No verdict is given for
    Lancashire as a whole."``; None for a whole place."""
    if not pack.coverage:
        return None
    return (
        f"Part of {pack.place_name} only: the data {pack.coverage}. No verdict is given "
        f"for {pack.place_name} as a whole."
    )


def coverage_note(pack: PerformancePack) -> str:
    """``"Period 2014/15: April 2014 to March 2015, compared with 2013/14."`` and, for a
    place with data for only some of its districts, which ones are counted."""
    text = (
        f"Period {pack.period_label}: {pack.start_month:%B %Y} to {pack.end_month:%B %Y}, "
        f"compared with {pack.comparison_label}."
    )
    part = coverage_sentence(pack)
    return f"{text} {part}" if part else text


def source_lines(pack: PerformancePack) -> list[str]:
    """The sources: one sentence each (datasets, months held, rows without a location)."""
    return list(pack.sources) or [f"No data is held for {pack.place_name} in this period."]


def generated_note(pack: PerformancePack) -> str:
    """``"Produced for West Lancashire CSP by saferplaces on 14 May 2015 at 09:30."``"""
    return (
        f"Produced for {pack.partnership_name} by saferplaces on {pack.generated_at.day} "
        f"{pack.generated_at:%B %Y} at {pack.generated_at:%H:%M}."
    )
