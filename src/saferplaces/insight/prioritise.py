"""The prioritisation matrix: candidate issues scored on criteria, weighted, ranked, with
every reason shown.

Each candidate issue (e.g. "Violent crime", "ASB") is scored 1-5 on every criterion
(:data:`DEFAULT_CRITERIA`: harm, volume, trend, public concern, vulnerability of
victims, partnership capacity, confidence in the data), each score with a written
reason. Weights (one per criterion, ≥ 0, a partnership setting; default 1 each) turn the
scores into a total: the sum of score × weight. :func:`rank` orders issues by total,
highest first, and shows per criterion the score, the weight, the contribution and the
reason.

**Ties** are broken by issue name (case-insensitive, then exactly), so the order is
the same every time; ``RankedIssue.tied`` says when an issue shares its total with
another, so a page can say the order between them is alphabetical, not a judgement.

**Exact arithmetic.** Totals are compared as exact fractions (weights are read exactly
from their decimal or float value), so rounding can never swap two issues: raising an
issue's score never lowers its position, and raising a criterion's weight never lowers
the position of an issue with the highest score on that criterion (every other issue
gains no more than it does). ``total`` is shown as a float.

**Overrides.** An analyst may replace a score only with an :class:`Override` that has a
written reason and who made it; the original score and reason are kept beside it.

The helpers :func:`score_from_quantiles`, :func:`trend_score` and
:func:`confidence_score` derive a :class:`Score` (value and reason) from evidence.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

SCORE_MIN = 1
SCORE_MAX = 5


class PrioritisationError(ValueError):
    """Scores, weights or overrides that cannot be ranked; the message says what to fix."""


@dataclass(frozen=True)
class Criterion:
    """One criterion of the matrix: a stable slug, a label and what a high score means."""

    slug: str
    label: str
    high_means: str = ""


DEFAULT_CRITERIA: tuple[Criterion, ...] = (
    Criterion("harm", "Harm", "the crimes cause great harm (harm-weighted, not counted)"),
    Criterion("volume", "Volume", "many incidents compared with the other issues"),
    Criterion("trend", "Trend", "a significant rise"),
    Criterion("public-concern", "Public concern", "residents say it worries them"),
    Criterion("vulnerability", "Vulnerability of victims", "victims are often vulnerable"),
    Criterion("capacity", "Partnership capacity", "the partnership can make a difference"),
    Criterion("confidence", "Confidence in the data", "the data covers the issue well"),
)
"""The default criteria, in the order a page shows them."""

DEFAULT_WEIGHTS: Mapping[str, float] = {c.slug: 1.0 for c in DEFAULT_CRITERIA}


@dataclass(frozen=True)
class Score:
    """A score of 1-5 and the written reason for it."""

    value: int
    reason: str

    def __post_init__(self) -> None:
        _check_score(self.value)

    def __int__(self) -> int:
        return self.value


@dataclass(frozen=True)
class Candidate:
    """A candidate issue and its score on every criterion (criterion slug → score)."""

    issue: str
    scores: Mapping[str, Score]

    def __post_init__(self) -> None:
        if not self.issue.strip():
            raise PrioritisationError("a candidate issue needs a name")


@dataclass(frozen=True)
class Override:
    """An analyst's replacement of one score: only with a written reason, and who by."""

    issue: str
    criterion: str
    score: int
    reason: str
    by: str

    def __post_init__(self) -> None:
        _check_score(self.score)
        if not self.reason.strip():
            raise PrioritisationError(
                f"overriding the {self.criterion} score of {self.issue!r} needs a written reason"
            )
        if not self.by.strip():
            raise PrioritisationError("an override must say who made it")


@dataclass(frozen=True)
class Contribution:
    """One criterion's part of an issue's total: ``score × weight = contribution``."""

    criterion: str
    label: str
    score: int
    weight: float
    contribution: float
    reason: str
    override: Override | None = None
    """The override in force, if any (``score`` is then its score)."""
    original_score: int | None = None
    """The score before the override (None when not overridden)."""
    original_reason: str | None = None


@dataclass(frozen=True)
class RankedIssue:
    """One issue in the ranked list (``position`` 1 = highest priority)."""

    position: int
    issue: str
    total: float
    contributions: tuple[Contribution, ...]
    tied: bool = False
    """Shares its total with another issue (their order is by name)."""
    exact_total: Fraction = field(default=Fraction(0), repr=False, compare=False)

    @property
    def overridden(self) -> bool:
        """Whether any of its scores is an analyst's override."""
        return any(c.override is not None for c in self.contributions)


def _check_score(value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not (
        SCORE_MIN <= value <= SCORE_MAX
    ):  # fmt: skip
        raise PrioritisationError(
            f"a score is a whole number from {SCORE_MIN} to {SCORE_MAX}, not {value!r}"
        )


def _exact(weight: float | int | Decimal | Fraction) -> Fraction:
    return weight if isinstance(weight, Fraction) else Fraction(weight)


def validate_weights(
    weights: Mapping[str, float] | None, criteria: Sequence[Criterion] = DEFAULT_CRITERIA
) -> dict[str, float]:
    """``weights`` checked against ``criteria``: every weight a finite number ≥ 0, no
    unknown criterion, not all 0; a criterion not given takes weight 1. Raises
    :class:`PrioritisationError` listing every problem."""
    slugs = [c.slug for c in criteria]
    if len(set(slugs)) != len(slugs):
        raise PrioritisationError("criteria slugs must be unique")
    given = dict(weights or {})
    problems = [f"unknown criterion {k!r}" for k in given if k not in slugs]
    result: dict[str, float] = {}
    for slug in slugs:
        w = given.get(slug, 1.0)
        if isinstance(w, bool) or not isinstance(w, int | float | Decimal | Fraction) or not (
            math.isfinite(w) and w >= 0
        ):  # fmt: skip
            problems.append(f"the weight of {slug} must be a number ≥ 0, not {w!r}")
            continue
        result[slug] = float(w)
    if not problems and not any(result.values()):
        problems.append("at least one weight must be above 0")
    if problems:
        raise PrioritisationError("; ".join(problems))
    return result


def rank(
    candidates: Iterable[Candidate],
    weights: Mapping[str, float] | None = None,
    *,
    criteria: Sequence[Criterion] = DEFAULT_CRITERIA,
    overrides: Iterable[Override] = (),
) -> list[RankedIssue]:
    """The candidates ranked by their weighted total, highest first (ties by name).

    Every candidate must be scored on every criterion; issue names must be unique
    (case-insensitive); each (issue, criterion) may be overridden once.
    """
    w = validate_weights(weights, criteria)
    given = dict(weights or {})
    exact_w = {k: _exact(given.get(k, 1)) for k in w}
    cands = list(candidates)
    names = [c.issue.strip().casefold() for c in cands]
    dupes = sorted({c.issue for c, n in zip(cands, names, strict=True) if names.count(n) > 1})
    if dupes:
        raise PrioritisationError(f"issues named more than once: {', '.join(dupes)}")
    by_name = {c.issue: c for c in cands}
    slugs = {c.slug for c in criteria}
    chosen: dict[tuple[str, str], Override] = {}
    for o in overrides:
        if o.issue not in by_name:
            raise PrioritisationError(f"override for unknown issue {o.issue!r}")
        if o.criterion not in slugs:
            raise PrioritisationError(f"override for unknown criterion {o.criterion!r}")
        if (o.issue, o.criterion) in chosen:
            raise PrioritisationError(
                f"the {o.criterion} score of {o.issue!r} is overridden more than once"
            )
        chosen[(o.issue, o.criterion)] = o
    scored: list[tuple[Fraction, Candidate, tuple[Contribution, ...]]] = []
    for cand in cands:
        missing = [c.slug for c in criteria if c.slug not in cand.scores]
        extra = sorted(set(cand.scores) - slugs)
        if missing or extra:
            what = [f"no score for {', '.join(missing)}"] if missing else []
            what += [f"unknown criteria {', '.join(extra)}"] if extra else []
            raise PrioritisationError(f"{cand.issue!r}: {'; '.join(what)}")
        total = Fraction(0)
        parts: list[Contribution] = []
        for crit in criteria:
            base = cand.scores[crit.slug]
            ov = chosen.get((cand.issue, crit.slug))
            value = ov.score if ov is not None else base.value
            exact = value * exact_w[crit.slug]
            total += exact
            parts.append(Contribution(
                crit.slug, crit.label, value, w[crit.slug], float(exact),
                ov.reason if ov is not None else base.reason, ov,
                base.value if ov is not None else None, base.reason if ov is not None else None,
            ))  # fmt: skip
        scored.append((total, cand, tuple(parts)))
    scored.sort(key=lambda t: (-t[0], t[1].issue.casefold(), t[1].issue))
    totals = [t[0] for t in scored]
    return [
        RankedIssue(i + 1, cand.issue, float(total), parts, totals.count(total) > 1, total)
        for i, (total, cand, parts) in enumerate(scored)
    ]


# --- scores from evidence --------------------------------------------------------------


def score_from_quantiles(value: float, all_values: Sequence[float]) -> Score:
    """1-5 by where ``value`` falls among ``all_values`` (its mid-rank percentile, in
    fifths): the lowest of five distinct values scores 1, the highest 5, and values all
    equal score 3. Non-decreasing in ``value``."""
    values = [float(v) for v in all_values]
    if not values:
        raise PrioritisationError("score_from_quantiles needs at least one value")
    if not math.isfinite(value) or not all(math.isfinite(v) for v in values):
        raise PrioritisationError("score_from_quantiles needs finite numbers")
    below = sum(1 for v in values if v < value)
    at_or_below = sum(1 for v in values if v <= value)
    percentile = Fraction(below + at_or_below, 2 * len(values))
    score = min(SCORE_MAX, SCORE_MIN + math.floor(percentile * 5))
    return Score(score, f"{value:g} is at percentile {float(percentile) * 100:.0f} of the "
                        f"{len(values)} values compared (fifth {score} of 5)")  # fmt: skip


def trend_score(change_pct: float, significant: bool, *, large_pct: float = 20.0) -> Score:
    """1-5 from a change between periods: a change that is not statistically significant
    scores 3, "no change", whatever its size (honest numbers); a significant rise scores
    4, or 5 when at least ``large_pct``; a significant fall 2, or 1 when at least
    ``large_pct``."""
    if not math.isfinite(change_pct):
        raise PrioritisationError(f"a change must be a finite number, not {change_pct!r}")
    if large_pct <= 0:
        raise PrioritisationError("large_pct must be above 0")
    if not significant or change_pct == 0:
        reason = (f"a change of {change_pct:+.0f}% that is not statistically significant: no "
                  "change" if change_pct else "no change")  # fmt: skip
        return Score(3, reason)
    size = "large " if abs(change_pct) >= large_pct else ""
    if change_pct > 0:
        return Score(5 if size else 4, f"a significant {size}rise of {change_pct:+.0f}%")
    return Score(1 if size else 2, f"a significant {size}fall of {change_pct:+.0f}%")


CONFIDENCE_BANDS: tuple[tuple[float, int], ...] = ((0.95, 5), (0.85, 4), (0.7, 3), (0.5, 2))
"""(least coverage share, score); below the last band scores 1."""


def confidence_score(coverage_share: float) -> Score:
    """1-5 from the share (0..1) of the period and place the data covers: at least 95%
    scores 5, 85% 4, 70% 3, 50% 2, less 1."""
    if not math.isfinite(coverage_share) or not 0 <= coverage_share <= 1:
        raise PrioritisationError(f"coverage is a share from 0 to 1, not {coverage_share!r}")
    for least, score in CONFIDENCE_BANDS:
        if coverage_share >= least:
            return Score(score, f"the data covers {coverage_share:.0%} (at least {least:.0%})")
    return Score(SCORE_MIN, f"the data covers only {coverage_share:.0%}")
