"""Headline sentences for indicator figures, worded the way a board paper should be.

- falls say "down by 7.5%", never "down by -7.5%"; rises say "up by";
- countable nouns take "fewer", never "less" ("405 fewer crimes");
- singular and plural follow the number ("1 more crime");
- no percentage when the previous count is 0 (no division by zero);
- tiny counts are stated, not turned into a silly percentage ("too few to judge");
- the significance verdict is appended ("— within normal variation").
"""

from __future__ import annotations

from typing import Literal

from saferplaces.reports.pack import IndicatorFigure, PerformancePack

SMALL_COUNT_THRESHOLD = 10
"""Below this in both periods a change is "too few to judge"."""

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


def fmt_rate(rate: float | None) -> str:
    """Rate per 1,000 to 1 dp (``n/a`` when unknown)."""
    return "n/a" if rate is None else f"{rate:,.1f}"


def noun(n: int, fig: IndicatorFigure) -> str:
    """The unit noun agreeing with ``n``."""
    return fig.singular if abs(n) == 1 else fig.unit


def counted(n: int, fig: IndicatorFigure) -> str:
    """``"405 crimes"``, ``"1 crime"``."""
    return f"{fmt_int(n)} {noun(n, fig)}"


def verdict_suffix(fig: IndicatorFigure) -> str:
    """``" — a significant reduction"``, ``" — a significant increase"`` or
    ``" — within normal variation"``."""
    if fig.significant and fig.change < 0:
        return f" {DASH} a significant reduction"
    if fig.significant and fig.change > 0:
        return f" {DASH} a significant increase"
    return f" {DASH} within normal variation"


def is_small(fig: IndicatorFigure, threshold: int = SMALL_COUNT_THRESHOLD) -> bool:
    """Whether both counts are below ``threshold`` (too few to judge)."""
    return fig.count < threshold and fig.previous_count < threshold


def headline(
    fig: IndicatorFigure,
    period_label: str,
    comparison_label: str,
    *,
    style: Style = "long",
    small_threshold: int = SMALL_COUNT_THRESHOLD,
) -> str:
    """One headline sentence for ``fig``.

    ``style="long"``: "All crime down by 7.5%, equivalent to 405 fewer crimes — ...";
    ``style="short"``: "Vehicle crime up by 3.1% (12 more crimes) — ...".
    """
    name, current, previous = fig.name, fig.count, fig.previous_count
    change = current - previous
    if current == 0 and previous == 0:
        return f"{name}: none in {period_label} or {comparison_label}"
    if previous == 0:
        text = f"{name}: {fmt_int(current)}, none in {comparison_label}"
        if current >= small_threshold:
            text += verdict_suffix(fig)
        return text
    if is_small(fig, small_threshold):
        return (
            f"{name} {fmt_int(current)} ({fmt_int(previous)} in {comparison_label}); "
            "too few to judge"
        )
    if change == 0:
        return f"{name} unchanged at {fmt_int(current)}" + verdict_suffix(fig)
    direction = "down" if change < 0 else "up"
    comparative = "fewer" if change < 0 else "more"
    pct = fig.pct_change if fig.pct_change is not None else 100.0 * change / previous
    amount = f"{fmt_int(abs(change))} {comparative} {noun(change, fig)}"
    if style == "long":
        text = f"{name} {direction} by {fmt_pct(pct)}, equivalent to {amount}"
    else:
        text = f"{name} {direction} by {fmt_pct(pct)} ({amount})"
    return text + verdict_suffix(fig)


def headlines(pack: PerformancePack, *, small_threshold: int = SMALL_COUNT_THRESHOLD) -> list[str]:
    """A sentence per indicator: the first in the long style, the rest short."""
    return [
        headline(
            fig,
            pack.period_label,
            pack.comparison_label,
            style="long" if i == 0 else "short",
            small_threshold=small_threshold,
        )
        for i, fig in enumerate(pack.indicators)
    ]


def verdict_label(fig: IndicatorFigure, small_threshold: int = SMALL_COUNT_THRESHOLD) -> str:
    """The verdict as shown in tables ("too few to judge" for tiny counts)."""
    if fig.previous_count > 0 and is_small(fig, small_threshold):
        return "too few to judge"
    if fig.previous_count == 0 and fig.count < small_threshold:
        return "too few to judge"
    return fig.verdict


def figures_rows(
    fig: IndicatorFigure, period_label: str, comparison_label: str
) -> list[tuple[str, str]]:
    """The small figures table for one indicator as (label, formatted value) pairs."""
    return [
        (f"{period_label} ({fig.unit})", fmt_int(fig.count)),
        (f"{comparison_label} ({fig.unit})", fmt_int(fig.previous_count)),
        ("Change", fmt_signed_int(fig.change)),
        ("% change", fmt_signed_pct(fig.pct_change)),
        ("Rate per 1,000 residents", fmt_rate(fig.rate_per_1000)),
        ("Poisson z", "n/a" if fig.z is None else f"{fig.z:+.2f}".replace("-", "\u2212")),
        ("Verdict", verdict_label(fig)),
    ]


METHOD_NOTES: tuple[str, ...] = (
    "Change between the two periods is judged with a Poisson test: "
    "z = 2(\u221acurrent \u2212 \u221aprevious); an absolute z greater than 1.96 is a "
    "significant change at the 95% level. A raw percentage on its own is not evidence.",
    "Monthly series are drawn as statistical process control (c-)charts: the dashed line "
    "is the mean and the shaded band the upper and lower 3-sigma control limits; "
    "highlighted months are signals (a point outside the limits or a run-rule breach).",
    f"Where both periods have fewer than {SMALL_COUNT_THRESHOLD} the counts are given "
    "without a percentage: too few to judge.",
    "Rates are per 1,000 residents.",
)
"""How the figures were judged, for the data notes of every document."""


def coverage_note(pack: PerformancePack) -> str:
    """``"Period 2014/15: April 2014 to March 2015, compared with 2013/14."``"""
    return (
        f"Period {pack.period_label}: {pack.start_month:%B %Y} to {pack.end_month:%B %Y}, "
        f"compared with {pack.comparison_label}."
    )


def generated_note(pack: PerformancePack) -> str:
    """``"Produced by saferplaces on 14 May 2015 at 09:30."``"""
    return (
        f"Produced by saferplaces on {pack.generated_at.day} {pack.generated_at:%B %Y} "
        f"at {pack.generated_at:%H:%M}."
    )
