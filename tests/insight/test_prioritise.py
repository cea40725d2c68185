"""The prioritisation matrix: table-driven scoring and ranking, and property tests."""

from __future__ import annotations

import itertools
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from saferplaces.insight.prioritise import (
    DEFAULT_CRITERIA,
    Candidate,
    Criterion,
    Override,
    PrioritisationError,
    RankedIssue,
    Score,
    confidence_score,
    rank,
    score_from_quantiles,
    trend_score,
    validate_weights,
)

SLUGS = [c.slug for c in DEFAULT_CRITERIA]


def _cand(issue: str, **scores: int) -> Candidate:
    values = {s: Score(scores.get(s.replace("-", "_"), 3), f"{s} evidence") for s in SLUGS}
    return Candidate(issue, values)


def test_ranked_with_reasons() -> None:
    """Given two issues, when ranked, then the higher total comes first and each
    criterion shows score × weight = contribution and its reason."""
    violence = _cand("Violent crime", harm=5, volume=4)
    asb = _cand("ASB", harm=2, volume=5)
    ranked = rank([asb, violence], {"harm": 2.0})
    assert [r.issue for r in ranked] == ["Violent crime", "ASB"]
    top = ranked[0]
    assert top.position == 1 and top.total == 5 * 2 + 4 + 3 * 5
    harm = top.contributions[0]
    assert (harm.criterion, harm.score, harm.weight, harm.contribution) == ("harm", 5, 2.0, 10.0)
    assert harm.reason == "harm evidence" and harm.override is None


@pytest.mark.parametrize(
    ("weights", "order"),
    [
        ({"harm": 1.0, "volume": 1.0}, ["A", "B"]),  # tie 25 = 25: by name
        ({"harm": 3.0, "volume": 1.0}, ["A", "B"]),
        ({"harm": 1.0, "volume": 3.0}, ["B", "A"]),
        ({"harm": 0.0, "volume": 0.0}, ["A", "B"]),
    ],
)
def test_weights_set_the_order(weights: dict[str, float], order: list[str]) -> None:
    """Given A high on harm and B high on volume, then the weights decide their order,
    and a tie goes by name."""
    a = _cand("A", harm=5, volume=1)
    b = _cand("B", harm=1, volume=5)
    assert [r.issue for r in rank([b, a], weights)] == order


def test_tie_flagged_and_broken_by_name() -> None:
    """Given equal totals, then the order is by name (case-insensitive) and both are
    flagged as tied."""
    ranked = rank([_cand("burglary"), _cand("ASB"), _cand("Drugs", harm=5)])
    assert [r.issue for r in ranked] == ["Drugs", "ASB", "burglary"]
    assert [r.tied for r in ranked] == [False, True, True]


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        ({"harm": -1.0}, "must be a number ≥ 0"),
        ({"harm": float("nan")}, "must be a number ≥ 0"),
        ({"harm": float("inf")}, "must be a number ≥ 0"),
        ({"colour": 1.0}, "unknown criterion 'colour'"),
        ({s: 0.0 for s in SLUGS}, "at least one weight must be above 0"),
    ],
)
def test_bad_weights(weights: dict[str, float], message: str) -> None:
    """Given a bad weight, then it is refused with the reason."""
    with pytest.raises(PrioritisationError, match=message):
        validate_weights(weights)


def test_override_keeps_original() -> None:
    """Given an override with a reason, then its score counts and the original is kept."""
    o = Override("ASB", "public-concern", 5, "Residents' survey: top concern", by="analyst")
    ranked = rank([_cand("ASB"), _cand("Burglary", harm=4)], overrides=[o])
    asb = next(r for r in ranked if r.issue == "ASB")
    concern = next(c for c in asb.contributions if c.criterion == "public-concern")
    assert concern.score == 5 and concern.original_score == 3
    assert concern.reason == "Residents' survey: top concern"
    assert concern.original_reason == "public-concern evidence" and concern.override is o
    assert asb.overridden and asb.position == 1


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"reason": "   "}, "needs a written reason"),
        ({"reason": ""}, "needs a written reason"),
        ({"by": " "}, "who made it"),
        ({"score": 6}, "from 1 to 5"),
        ({"score": 0}, "from 1 to 5"),
    ],
)
def test_override_needs_reason(kwargs: dict[str, object], message: str) -> None:
    """Given an override without a reason (or author, or with a score off the scale),
    then it is refused."""
    args: dict[str, object] = {"issue": "ASB", "criterion": "harm", "score": 4,
                               "reason": "why", "by": "me"} | kwargs  # fmt: skip
    with pytest.raises(PrioritisationError, match=message):
        Override(**args)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("candidates", "overrides", "message"),
    [
        ([Candidate("X", {"harm": Score(3, "r")})], [], "no score for volume"),
        ([_cand("X"), _cand("x")], [], "named more than once"),
        ([_cand("X")], [Override("Y", "harm", 3, "r", "me")], "unknown issue"),
        ([_cand("X")], [Override("X", "cost", 3, "r", "me")], "unknown criterion"),
        ([_cand("X")], [Override("X", "harm", 3, "r", "me")] * 2, "more than once"),
    ],
)
def test_rank_refuses(candidates: list[Candidate], overrides: list[Override], message: str) -> None:
    """Given missing scores, duplicate names or bad overrides, then ranking is refused."""
    with pytest.raises(PrioritisationError, match=message):
        rank(candidates, overrides=overrides)


def test_custom_criteria() -> None:
    """Given a partnership's own criteria, then issues are scored on those."""
    crit = [Criterion("cost", "Cost of harm")]
    cands = [Candidate("A", {"cost": Score(2, "r")}), Candidate("B", {"cost": Score(4, "r")})]
    ranked = rank(cands, {"cost": 1.5}, criteria=crit)
    assert [(r.issue, r.total) for r in ranked] == [("B", 6.0), ("A", 3.0)]


@pytest.mark.parametrize(
    ("value", "values", "score"),
    [
        (1, [1, 2, 3, 4, 5], 1),
        (2, [1, 2, 3, 4, 5], 2),
        (3, [1, 2, 3, 4, 5], 3),
        (5, [1, 2, 3, 4, 5], 5),
        (7, [7, 7, 7], 3),
        (9, [9], 3),
        (100, [1, 2, 3], 5),
        (0, [1, 2, 3], 1),
    ],
)
def test_score_from_quantiles(value: float, values: list[float], score: int) -> None:
    """Given a value among others, then it scores by its fifth."""
    assert score_from_quantiles(value, values).value == score


@pytest.mark.parametrize(
    ("change", "significant", "score"),
    [
        (35.0, False, 3),
        (-35.0, False, 3),
        (0.0, True, 3),
        (5.0, True, 4),
        (20.0, True, 5),
        (-5.0, True, 2),
        (-20.0, True, 1),
    ],
)
def test_trend_score(change: float, significant: bool, score: int) -> None:
    """Given a change, then an insignificant one scores as no change."""
    s = trend_score(change, significant)
    assert s.value == score
    if not significant and change:
        assert "not statistically significant" in s.reason


@pytest.mark.parametrize(
    ("share", "score"), [(1.0, 5), (0.95, 5), (0.9, 4), (0.7, 3), (0.5, 2), (0.2, 1), (0.0, 1)]
)
def test_confidence_score(share: float, score: int) -> None:
    """Given the data's coverage, then confidence scores by band."""
    assert confidence_score(share).value == score


@pytest.mark.parametrize("share", [-0.1, 1.5, float("nan")])
def test_confidence_score_refuses(share: float) -> None:
    """Given a share outside 0..1, then it is refused."""
    with pytest.raises(PrioritisationError):
        confidence_score(share)


# --- properties ------------------------------------------------------------------------

scores = st.integers(min_value=1, max_value=5)
weights_st = st.dictionaries(
    st.sampled_from(SLUGS),
    st.one_of(
        st.integers(min_value=0, max_value=10).map(float),
        st.floats(min_value=0, max_value=10, allow_nan=False, allow_infinity=False),
    ),
)
issues_st = st.lists(
    st.tuples(st.text(alphabet="ABCDEFab", min_size=1, max_size=3),
              st.lists(scores, min_size=len(SLUGS), max_size=len(SLUGS))),
    min_size=1, max_size=8, unique_by=lambda t: t[0].casefold(),
)  # fmt: skip


def _cands(issues: list[tuple[str, list[int]]]) -> list[Candidate]:
    return [Candidate(name, {s: Score(v, "r") for s, v in zip(SLUGS, vals, strict=True)})
            for name, vals in issues]  # fmt: skip


def _position(ranked: list[RankedIssue], issue: str) -> int:
    return next(r.position for r in ranked if r.issue == issue)


def _usable(weights: dict[str, float]) -> bool:
    full = {s: weights.get(s, 1.0) for s in SLUGS}
    return any(full.values())


@given(issues_st, weights_st, st.data())
def test_raising_a_score_never_lowers_rank(
    issues: list[tuple[str, list[int]]], weights: dict[str, float], data: st.DataObject
) -> None:
    """Raising one issue's score on a criterion never lowers its position."""
    if not _usable(weights):
        return
    i = data.draw(st.integers(0, len(issues) - 1))
    k = data.draw(st.integers(0, len(SLUGS) - 1))
    name, vals = issues[i]
    if vals[k] == 5:
        return
    before = _position(rank(_cands(issues), weights), name)
    raised = list(issues)
    new = list(vals)
    new[k] = data.draw(st.integers(vals[k] + 1, 5))
    raised[i] = (name, new)
    after = _position(rank(_cands(raised), weights), name)
    assert after <= before


@given(issues_st, weights_st, st.sampled_from(SLUGS),
       st.floats(min_value=0, max_value=10, allow_nan=False).filter(lambda d: d > 0))  # fmt: skip
def test_raising_a_weight_never_lowers_the_top_scorer(
    issues: list[tuple[str, list[int]]], weights: dict[str, float], crit: str, delta: float
) -> None:
    """Raising a criterion's weight never lowers the position of any issue with the
    highest score on it (it gains at least as much as every other issue); and every
    total is non-decreasing in each weight."""
    if not _usable(weights):
        return
    cands = _cands(issues)
    before = rank(cands, weights)
    heavier = dict(weights)
    heavier[crit] = weights.get(crit, 1.0) + delta
    after = rank(cands, heavier)
    top = max(c.scores[crit].value for c in cands)
    for c in cands:
        if c.scores[crit].value == top:
            assert _position(after, c.issue) <= _position(before, c.issue)
    old = {r.issue: r.exact_total for r in before}
    assert all(r.exact_total >= old[r.issue] for r in after)


@given(issues_st, weights_st)
def test_ranking_is_deterministic(
    issues: list[tuple[str, list[int]]], weights: dict[str, float]
) -> None:
    """The order does not depend on the order the candidates are given in, and totals
    never rise down the list."""
    if not _usable(weights):
        return
    a = rank(_cands(issues), weights)
    b = rank(list(reversed(_cands(issues))), weights)
    assert [r.issue for r in a] == [r.issue for r in b]
    assert [r.position for r in a] == list(range(1, len(a) + 1))
    assert all(x.exact_total >= y.exact_total for x, y in itertools.pairwise(a))
    assert all(isinstance(r.exact_total, Fraction) for r in a)


@given(st.floats(-1e6, 1e6), st.floats(-1e6, 1e6),
       st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=20))  # fmt: skip
def test_quantile_score_monotone(x: float, y: float, values: list[float]) -> None:
    """score_from_quantiles is 1-5 and non-decreasing in the value."""
    lo, hi = sorted((x, y))
    a, b = score_from_quantiles(lo, values).value, score_from_quantiles(hi, values).value
    assert 1 <= a <= b <= 5


@given(st.floats(-500, 500), st.floats(-500, 500))
def test_trend_score_monotone_and_honest(x: float, y: float) -> None:
    """A bigger significant change never scores lower; an insignificant one scores 3."""
    lo, hi = sorted((x, y))
    assert trend_score(lo, True).value <= trend_score(hi, True).value
    assert trend_score(x, False).value == 3
