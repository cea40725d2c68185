"""Risk instrument scoring: DASH bands, professional judgement, administrator settings."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from saferplaces.casework.rules.instruments import (
    DASH,
    DASH_POLICE_27,
    LEVELS,
    Band,
    Instrument,
    InstrumentError,
    final_level,
    instrument_from_mapping,
    level_for,
    level_rank,
    score,
)


def answers(yes: int, total: int = 24, unanswered: int = 0) -> list[bool | None]:
    """``yes`` True, then ``unanswered`` None, the rest False."""
    no = total - yes - unanswered
    return [True] * yes + [None] * unanswered + [False] * no


@pytest.mark.parametrize(
    ("yes", "level"),
    [(0, "standard"), (9, "standard"), (10, "medium"), (13, "medium"), (14, "high"), (24, "high")],
)
def test_dash_boundaries(yes: int, level: str) -> None:
    result = score(DASH, answers(yes))
    assert result.yes_count == yes
    assert result.level == level


def test_dash_police_has_27_questions_and_the_same_bands() -> None:
    assert DASH_POLICE_27.question_count == 27
    assert score(DASH_POLICE_27, answers(14, total=27)).level == "high"
    assert score(DASH_POLICE_27, answers(13, total=27)).level == "medium"


def test_score_counts_unanswered_questions_separately() -> None:
    result = score(DASH, answers(11, unanswered=3))
    assert (result.yes_count, result.answered, result.unanswered) == (11, 21, 3)
    assert result.level == "medium"


@pytest.mark.parametrize("count", [0, 23, 25, 27])
def test_score_refuses_the_wrong_number_of_answers(count: int) -> None:
    with pytest.raises(InstrumentError, match=rf"dash-24\) has 24 questions but {count} answers"):
        score(DASH, [False] * count)


@pytest.mark.parametrize(
    ("scored", "judged", "reason", "expected"),
    [
        ("standard", None, "", "standard"),
        ("medium", "medium", "", "medium"),  # agreeing needs no reason
        ("standard", "medium", "escalating stalking", "medium"),
        ("standard", "high", "threats to kill", "high"),
        ("medium", "high", "pregnant and isolated", "high"),
    ],
)
def test_judgement_may_raise(scored: str, judged: str | None, reason: str, expected: str) -> None:
    assert final_level(DASH, scored, judged, reason) == expected


@pytest.mark.parametrize(
    ("scored", "judged", "reason", "message"),
    [
        ("high", "medium", "victim says it is better", "never lower it: scored high"),
        ("high", "standard", "", "never lower it: scored high"),
        ("medium", "standard", "x", "never lower it: scored medium"),
        ("standard", "high", "", "a reason is needed to raise the level"),
        ("standard", "high", "   ", "a reason is needed to raise the level"),
        ("standard", "severe", "x", "has no level 'severe'"),
    ],
)
def test_judgement_may_not_lower_nor_raise_without_reason(
    scored: str, judged: str, reason: str, message: str
) -> None:
    with pytest.raises(InstrumentError, match=message):
        final_level(DASH, scored, judged, reason)


@pytest.mark.parametrize(("level", "rank"), [("standard", 0), ("medium", 1), ("high", 2)])
def test_level_rank(level: str, rank: int) -> None:
    assert level_rank(level) == rank


def test_level_rank_refuses_unknown_levels() -> None:
    with pytest.raises(InstrumentError, match="unknown risk level 'HIGH'"):
        level_rank("HIGH")


def good_config(**changes: Any) -> dict[str, Any]:
    config: dict[str, Any] = {
        "key": "local-5",
        "name": "A local five-question screen",
        "question_count": 5,
        "bands": [
            {"level": "standard", "label": "Standard", "min_yes": 0},
            {"level": "high", "min_yes": 3},
        ],
    }
    config.update(changes)
    return config


def test_instrument_from_mapping() -> None:
    instrument = instrument_from_mapping(good_config(questions=["q1", "q2", "q3", "q4", "q5"]))
    assert instrument.key == "local-5"
    assert instrument.levels == ("standard", "high")
    assert instrument.bands[1] == Band("high", "High risk", 3)
    assert instrument.questions == ("q1", "q2", "q3", "q4", "q5")
    assert score(instrument, [True, True, True, False, None]).level == "high"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"key": ""}, "'key' must be some text"),
        ({"name": None}, "'name' must be some text"),
        ({"question_count": 0}, "'question_count' must be a whole number of at least 1"),
        ({"question_count": "5"}, "'question_count' must be a whole number"),
        ({"question_count": True}, "'question_count' must be a whole number"),
        ({"bands": []}, "'bands' must be a non-empty list"),
        ({"bands": "standard"}, "'bands' must be a non-empty list"),
        ({"bands": [{"level": "standard", "min_yes": 1}]}, "must start at 0 yes answers"),
        (
            {"bands": [{"level": "standard", "min_yes": 0}, {"level": "critical", "min_yes": 2}]},
            "unknown risk level 'critical'",
        ),
        (
            {"bands": [{"level": "standard", "min_yes": 0}, {"level": "high", "min_yes": 0}]},
            "bands must rise",
        ),
        (
            {
                "bands": [
                    {"level": "standard", "min_yes": 0},
                    {"level": "high", "min_yes": 2},
                    {"level": "medium", "min_yes": 4},
                ]
            },
            "band levels must go standard, medium, high",
        ),
        (
            {"bands": [{"level": "standard", "min_yes": 0}, {"level": "high", "min_yes": 6}]},
            "more than the 5 questions",
        ),
        ({"bands": [{"level": "standard", "min_yes": 0, "colour": "red"}]}, "'colour'"),
        ({"questions": ["only one"]}, "1 questions given but question_count is 5"),
        ({"questions": "q1"}, "must be a list of texts"),
        ({"questions": ["a", "", "c", "d", "e"]}, "every question must be some text"),
        ({"threshold": 3}, "unknown setting"),
    ],
)
def test_instrument_from_mapping_refuses_bad_settings(
    changes: dict[str, Any], message: str
) -> None:
    with pytest.raises(InstrumentError, match=message):
        instrument_from_mapping(good_config(**changes))


def test_instrument_constructor_validates_too() -> None:
    with pytest.raises(InstrumentError, match="question_count must be at least 1"):
        Instrument("x", "X", 0, (Band("standard", "Standard", 0),))


yes_counts = st.integers(min_value=0, max_value=24)


@given(
    scored_from=yes_counts,
    judged=st.one_of(st.none(), st.sampled_from(LEVELS)),
    reason=st.sampled_from(["", "  ", "professional concern"]),
)
def test_final_level_is_never_below_the_scored_level(
    scored_from: int, judged: str | None, reason: str
) -> None:
    scored = level_for(DASH, scored_from)
    try:
        result = final_level(DASH, scored, judged, reason)
    except InstrumentError:
        assert judged is not None
        return
    assert level_rank(result) >= level_rank(scored)


@given(answers_=st.lists(st.one_of(st.none(), st.booleans()), min_size=24, max_size=24))
def test_score_adds_up_and_more_yes_never_lowers_the_level(answers_: list[bool | None]) -> None:
    result = score(DASH, answers_)
    assert result.answered + result.unanswered == 24
    assert result.yes_count <= result.answered
    if False in answers_:
        more = list(answers_)
        more[more.index(False)] = True
        assert level_rank(score(DASH, more).level) >= level_rank(result.level)
