"""Headline wording: rises, falls, no change, zero and tiny counts, significance, plurals."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from saferplaces.reports.pack import figure_from_counts
from saferplaces.reports.wording import (
    fmt_signed_int,
    fmt_signed_pct,
    headline,
    headlines,
    verdict_label,
)

P, C = "2014/15", "2013/14"


def _h(name: str, unit: str, cur: int, prev: int, style: str = "long") -> str:
    fig = figure_from_counts(name.lower(), name, unit, cur, prev, 111_000)
    return headline(fig, P, C, style=style)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("name", "unit", "cur", "prev", "style", "expected"),
    [
        # fall, long style, significant (z = 2(sqrt 4995 - sqrt 5400) = -5.6)
        (
            "All crime",
            "crimes",
            4995,
            5400,
            "long",
            "All crime down by 7.5%, equivalent to 405 fewer crimes — a significant reduction",
        ),
        # rise, short style, not significant
        (
            "Vehicle crime",
            "crimes",
            395,
            383,
            "short",
            "Vehicle crime up by 3.1% (12 more crimes) — within normal variation",
        ),
        (
            "Vehicle crime",
            "crimes",
            395,
            383,
            "long",
            "Vehicle crime up by 3.1%, equivalent to 12 more crimes — within normal variation",
        ),
        # significant rise
        (
            "Shoplifting",
            "crimes",
            600,
            400,
            "short",
            "Shoplifting up by 50.0% (200 more crimes) — a significant increase",
        ),
        # no change
        (
            "Burglary",
            "crimes",
            120,
            120,
            "long",
            "Burglary unchanged at 120 — within normal variation",
        ),
        # zero previous: no percentage
        ("Deliberate fires", "fires", 4, 0, "long", "Deliberate fires: 4, none in 2013/14"),
        (
            "Deliberate fires",
            "fires",
            40,
            0,
            "long",
            "Deliberate fires: 40, none in 2013/14 — a significant increase",
        ),
        # zero both
        ("Robbery", "crimes", 0, 0, "long", "Robbery: none in 2014/15 or 2013/14"),
        # tiny counts
        ("Robbery", "crimes", 3, 2, "long", "Robbery 3 (2 in 2013/14); too few to judge"),
        ("Robbery", "crimes", 0, 9, "long", "Robbery 0 (9 in 2013/14); too few to judge"),
        ("Robbery", "crimes", 9, 9, "long", "Robbery 9 (9 in 2013/14); too few to judge"),
        # singular
        (
            "Arson",
            "crimes",
            11,
            10,
            "short",
            "Arson up by 10.0% (1 more crime) — within normal variation",
        ),
        (
            "Arson",
            "crimes",
            10,
            11,
            "long",
            "Arson down by 9.1%, equivalent to 1 fewer crime — within normal variation",
        ),
        # unit nouns
        (
            "Anti-social behaviour",
            "incidents",
            4210,
            4561,
            "short",
            "Anti-social behaviour down by 7.7% (351 fewer incidents) — a significant reduction",
        ),
        (
            "Deliberate fires",
            "fires",
            76,
            100,
            "short",
            "Deliberate fires down by 24.0% (24 fewer fires) — a significant reduction",
        ),
        # thousands separators in counts and percentages
        (
            "All crime",
            "crimes",
            25000,
            1000,
            "long",
            "All crime up by 2,400.0%, equivalent to 24,000 more crimes — a significant increase",
        ),
        (
            "All crime",
            "crimes",
            12345,
            13000,
            "long",
            "All crime down by 5.0%, equivalent to 655 fewer crimes — a significant reduction",
        ),
        # a tiny percentage
        (
            "All crime",
            "crimes",
            20001,
            20000,
            "short",
            "All crime up by less than 0.1% (1 more crime) — within normal variation",
        ),
        # one side tiny, other not: not "too few to judge"
        (
            "Robbery",
            "crimes",
            12,
            3,
            "short",
            "Robbery up by 300.0% (9 more crimes) — a significant increase",
        ),
        (
            "Robbery",
            "crimes",
            12,
            8,
            "short",
            "Robbery up by 50.0% (4 more crimes) — within normal variation",
        ),
    ],
)
def test_headline_table(
    name: str, unit: str, cur: int, prev: int, style: str, expected: str
) -> None:
    assert _h(name, unit, cur, prev, style) == expected


def test_headline_uses_the_figures_own_significance() -> None:
    # Given a figure the insight engine judged significant though the counts are close
    base = figure_from_counts("x", "Drugs", "crimes", 190, 240)
    assert base.significant
    # Then the sentence says so
    assert headline(base, P, C).endswith("— a significant reduction")


def test_verdict_label_for_tiny_counts() -> None:
    assert verdict_label(figure_from_counts("r", "Robbery", "crimes", 3, 2)) == "too few to judge"
    assert verdict_label(figure_from_counts("f", "Fires", "fires", 4, 0)) == "too few to judge"
    assert (
        verdict_label(figure_from_counts("a", "All", "crimes", 4995, 5400))
        == "significant reduction"
    )


def test_signed_formats() -> None:
    assert fmt_signed_int(-405) == "\u2212405"
    assert fmt_signed_int(1200) == "+1,200"
    assert fmt_signed_pct(-7.5) == "\u22127.5%"
    assert fmt_signed_pct(None) == "n/a"
    assert fmt_signed_pct(0.01) == "0.0%"


def test_pack_headlines(pack) -> None:  # type: ignore[no-untyped-def]
    lines = headlines(pack)
    assert len(lines) == len(pack.indicators)
    assert (
        lines[0]
        == "All crime down by 7.5%, equivalent to 405 fewer crimes — a significant reduction"
    )
    assert lines[3] == "Vehicle crime up by 3.1% (12 more crimes) — within normal variation"


counts = st.integers(min_value=0, max_value=2_000_000)
units = st.sampled_from(["crimes", "incidents", "fires", "offences"])


@given(cur=counts, prev=counts, unit=units, style=st.sampled_from(["long", "short"]))
def test_headline_properties(cur: int, prev: int, unit: str, style: str) -> None:
    fig = figure_from_counts("x", "Some crime", unit, cur, prev, 100_000)
    text = headline(fig, P, C, style=style)  # type: ignore[arg-type]
    assert "less " + unit not in text
    assert " less " not in text.replace("less than 0.1%", "")
    assert "down by -" not in text and "down by \u2212" not in text
    assert "up by -" not in text
    assert "-" not in re.sub(r"Anti-social|\d{4}/\d{2}", "", text.split(" — ")[0]).replace(
        "down by", ""
    )
    m = re.search(r"(?:up|down) by ([\d,]+\.\d)%", text)
    if m:
        assert fig.pct_change is not None
        assert float(m.group(1).replace(",", "")) == round(abs(fig.pct_change), 1)
    if "%" in text:
        assert prev > 0
    # singular/plural agree with the number in front of the noun
    for number, noun in re.findall(r"(\d[\d,]*) (?:more|fewer) (\w+)", text):
        singular = unit[:-1]
        assert noun == (singular if number == "1" else unit)
    if cur == prev and prev >= 10:
        assert "unchanged" in text
