"""Community views: survey results read into typed rows, bad rows named, margins."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from saferplaces.insight.problems import ImportRejected
from saferplaces.insight.sources.survey import read_survey, with_margin

HEADER = "Question,Area,Response,Response share,Base size"


def _write(tmp_path: Path, text: str, name: str = "lil.csv") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_reads_rows(tmp_path: Path) -> None:
    """Given a Living in Lancashire style file, when read, then each row is typed."""
    path = _write(tmp_path, f"{HEADER}\n"
                  "How safe do you feel after dark?,West Lancashire,Very or fairly safe,62%,412\n"
                  "How safe do you feel after dark?,Lancashire,Very or fairly safe,58.5,\"3,204\"\n"
                  "Is ASB a problem?,West Lancashire,Yes,,0\n")  # fmt: skip
    result = read_survey(path)
    assert result.problems == []
    first, second, third = result.rows
    assert (first.question, first.area, first.response, first.share, first.base, first.line) == (
        "How safe do you feel after dark?",
        "West Lancashire",
        "Very or fairly safe",
        62.0,
        412,
        2,
    )
    assert second.share == 58.5 and second.base == 3204
    assert third.share is None and third.margin() is None
    assert result.questions() == ["How safe do you feel after dark?", "Is ASB a problem?"]


def test_minimal_columns_any_order(tmp_path: Path) -> None:
    """Given the required columns in another order with other names, then they are read."""
    path = _write(tmp_path, "base,share,area,question\n25,40,Ormskirk,Safe?\n")
    [row] = read_survey(path).rows
    assert (row.question, row.area, row.response, row.share, row.base) == (
        "Safe?",
        "Ormskirk",
        "",
        40.0,
        25,
    )


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("Q,West Lancs,Yes,140,50", "share '140' is outside 0-100"),
        ("Q,West Lancs,Yes,-1,50", "share '-1' is outside 0-100"),
        ("Q,West Lancs,Yes,lots,50", "share 'lots' is not a number"),
        ("Q,West Lancs,Yes,40,0", "a share of 40% with a base size of 0"),
        ("Q,West Lancs,Yes,40,", "base size is empty"),
        ("Q,West Lancs,Yes,40,12.5", "base size '12.5' is not a whole number ≥ 0"),
        ("Q,West Lancs,Yes,40,-3", "base size '-3' is not a whole number ≥ 0"),
        (",West Lancs,Yes,40,10", "question is empty"),
        ("Q,,Yes,40,10", "area is empty"),
        ("Q,West Lancs,Yes", "3 fields; the header has 5"),
        ("Q,West Lancs,No,40,10", "the same question, area and response as line 2"),
    ],
)
def test_bad_rows_named(tmp_path: Path, row: str, reason: str) -> None:
    """Given a bad row at line 3, when read, then it is named by file, line and reason,
    the good row is kept, and raise_if_problems refuses the file."""
    path = _write(tmp_path, f"{HEADER}\nQ,West Lancs,No,60,10\n{row}\n")
    result = read_survey(path)
    assert len(result.rows) == 1 and result.rows_rejected == 1
    [problem] = result.problems
    assert (problem.file, problem.line) == ("lil.csv", 3)
    assert reason in problem.reason
    with pytest.raises(ImportRejected):
        result.raise_if_problems()


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "file is empty"),
        ("Question,Area,Share\nQ,A,4\n", "it needs the columns question, area, share, base"),
        ("Question,Area,Share,Percent,Base\n", "more than one share column"),
    ],
)
def test_header_checked(tmp_path: Path, text: str, reason: str) -> None:
    """Given a file without the needed header, then the file is refused whole."""
    result = read_survey(_write(tmp_path, text))
    assert result.rows == []
    assert reason in result.problems[0].reason


@pytest.mark.parametrize(
    ("share", "base", "points", "text"),
    [
        (40, 25, 19.2, "40% ± 19 points (25 respondents)"),
        (50, 1000, 3.1, "50% ± 3 points (1,000 respondents)"),
        (62, 412, 4.7, "62% ± 5 points (412 respondents)"),
        (100, 10, 0.0, "100% ± 0 points (10 respondents)"),
    ],
)
def test_with_margin(share: float, base: int, points: float, text: str) -> None:
    """Given a share and base, then the 95% margin is as a page should say it."""
    m = with_margin(share, base)
    assert m.points == pytest.approx(points, abs=0.05)
    assert m.text() == text
    assert 0 <= m.low <= share <= m.high <= 100


def test_wilson_interval_not_empty_at_100() -> None:
    """Given 100% of 10, then the interval still says it could be lower (Wilson)."""
    m = with_margin(100, 10)
    assert m.low == pytest.approx(72.2, abs=0.1) and m.high == 100


@pytest.mark.parametrize(("share", "base"), [(40, 0), (101, 10), (-1, 10), (40, -5)])
def test_with_margin_refuses(share: float, base: int) -> None:
    """Given no respondents or a share off the scale, then no margin is given."""
    with pytest.raises(ValueError):
        with_margin(share, base)


@given(st.floats(0, 100), st.integers(1, 10_000), st.integers(1, 10_000))
def test_margin_shrinks_with_base(share: float, n: int, m: int) -> None:
    """A larger base never gives a wider margin; the interval holds the share."""
    small, large = sorted((n, m))
    a, b = with_margin(share, small), with_margin(share, large)
    assert b.points <= a.points + 1e-9
    assert a.low - 1e-9 <= share <= a.high + 1e-9
