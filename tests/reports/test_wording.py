"""Headline wording: rises, falls, no change, zero and tiny counts, significance, plurals."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from saferplaces.reports.pack import figure_from_counts
from saferplaces.reports.tables import (
    category_notes,
    category_rows,
    district_rows,
    districts_note,
    summary_rows,
)
from saferplaces.reports.wording import (
    ANNEX_HEADER,
    METHOD_NOTES,
    TECHNICAL_NOTES,
    annex_rows,
    change_cells,
    count_cell,
    coverage_sentence,
    figures_rows,
    fmt_signed_int,
    fmt_signed_pct,
    headline,
    headlines,
    signal_words,
    verdict_label,
    verdict_text,
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
        # zero previous: no percentage; 4 in all is too few to judge
        (
            "Deliberate fires",
            "fires",
            4,
            0,
            "long",
            "Deliberate fires: 4, none in 2013/14; too few to judge",
        ),
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
        # the exact test: 76 against 100 could be chance (p = 0.08)
        (
            "Deliberate fires",
            "fires",
            76,
            100,
            "short",
            "Deliberate fires down by 24.0% (24 fewer fires) — within normal variation",
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
        # fewer than 20 in the two periods together: too few, however large the change
        ("Robbery", "crimes", 12, 3, "short", "Robbery 12 (3 in 2013/14); too few to judge"),
        # one side small, the total enough to judge
        (
            "Robbery",
            "crimes",
            30,
            10,
            "short",
            "Robbery up by 200.0% (20 more crimes) — a significant increase",
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


# ---------------------------------------------------------------- no data, parts, unlike months


def test_no_data_is_said_never_zero(pack) -> None:  # type: ignore[no-untyped-def]
    """Given an indicator with no data this period, Then its sentence says "no data", its
    table cells say "No data" or are blank, and no cell reads 0."""
    fig = pack.indicator("deliberate-fires")
    assert headline(fig, P, C) == "Deliberate fires: no data for 2014/15"
    rows = dict(figures_rows(fig, P, C))
    assert rows["2014/15 (fires)"] == "No data"
    assert rows["2013/14 (fires)"] == "52"
    assert rows["Verdict"] == "No data"
    assert "Change" not in rows and "% change" not in rows
    summary = next(r for r in summary_rows(pack) if r[0] == "Deliberate fires")
    assert summary == ["Deliberate fires", "No data", "52 (12 months)", "", "", "No data",
                       "No data"]  # fmt: skip
    assert "0" not in summary[1:2] + summary[3:]


def test_unlike_periods_show_both_counts_and_the_same_months(pack) -> None:  # type: ignore[no-untyped-def]
    """Given periods holding 12 and 11 months, Then the figures give both counts with the
    months held, the like-for-like comparison over the 11 months both hold, and no
    verdict for the whole (the verdict shown is the like-for-like one, named so)."""
    fig = pack.indicator("violence-and-sexual-offences")
    text = headline(fig, P, C)
    assert text.startswith(
        "Violence and sexual offences: 1,520 in 2014/15 (12 months held) and 1,490 in "
        "2013/14 (11 months). Over May 2014 to March 2015 and the same months a year "
        "before, down by 6.6% (98 fewer crimes)"
    )
    rows = dict(figures_rows(fig, P, C))
    assert rows["Months held"] == "12 and 11 of 12"
    assert rows["Same months: May 2014 to March 2015"] == "1,392"
    assert rows["Same months a year before"] == "1,490"
    assert rows["Change over the same months"] == "\u221298 (\u22126.6%)"
    assert "Change" not in rows  # no change for the whole periods
    assert verdict_text(fig) == f"Same 11 months: {fig.like_for_like.verdict}"
    assert change_cells(fig) == ("\u221298 (same 11 months)", "\u22126.6% (same 11 months)")
    assert count_cell(fig) == "1,520 (12 months)"
    assert count_cell(fig, previous=True) == "1,490 (11 months)"


def test_a_part_of_a_place_gets_no_verdict_for_the_whole() -> None:
    """Given a county whose data covers one district, Then every sentence and verdict
    cell says there is no verdict for the whole, and the coverage names the district."""
    from tests.reports.conftest import partial_pack

    part = partial_pack()
    assert coverage_sentence(part) == (
        "Part of Lancashire only: the data covers 1 of 12 districts: West Lancashire. "
        "No verdict is given for Lancashire as a whole."
    )
    for fig in part.indicators:
        assert headline(fig, P, C).endswith("in the districts with data; no verdict for the "
                                            "whole area")  # fmt: skip
        assert verdict_text(fig) == "No verdict: part of the area"
        assert "significant" not in " ".join(v for _, v in figures_rows(fig, P, C)).lower()
        assert annex_rows(fig)[3:5] == ["n/a", "n/a"]
    assert {row[-1] for row in category_rows(part)} == {"No verdict: part of the area"}


def test_categories_carry_the_indicators_verdicts(pack) -> None:  # type: ignore[no-untyped-def]
    """Given categories judged by the indicators' rules, Then each row's verdict is the
    one the rules gave (too few, like for like, significant), never one made up here."""
    rows = {r[0]: r for r in category_rows(pack)}
    assert rows["Drugs"][-1] == "Significant reduction"
    assert rows["Robbery"][-1] == "Too few to judge"
    assert rows["Violence and sexual offences"][3] == "\u221298 (same 11 months)"
    assert rows["Violence and sexual offences"][-1].startswith("Same 11 months: ")
    assert [r[0] for r in category_rows(pack)][:2] == [
        "Violence and sexual offences", "Criminal damage and arson"
    ]  # fmt: skip
    notes = " ".join(category_notes(pack))
    assert "May 2013" in notes and "different months" in notes


def test_districts_with_no_data_are_listed_not_ranked(pack) -> None:  # type: ignore[no-untyped-def]
    """Given two districts with no data, Then they come last with no rank and "No data",
    and the ranks run 1.. over the districts with a rate."""
    rows = district_rows(pack)
    assert [r[0] for r in rows[-2:]] == ["Fylde", "Wyre"]
    assert all(r[1] == "" and r[2] == r[3] == "No data" for r in rows[-2:])
    assert [r[1] for r in rows[:-2]] == [str(i) for i in range(1, 13)]
    assert districts_note(pack) == "No data held for Fylde, Wyre: listed, not ranked or charted."


def test_signals_in_plain_words() -> None:
    assert signal_words([]) is None
    assert signal_words(["beyond-limits", "run-of-8"]) == (
        "outside the range of normal variation; one of 8 months in a row on the same side "
        "of the average"
    )
    assert "sigma" not in (signal_words(["2-of-3-beyond-2-sigma"]) or "")


def test_plain_notes_name_no_statistic() -> None:
    """The method notes for the body are plain English; the annex notes name the test."""
    body = " ".join(METHOD_NOTES)
    for word in ("Poisson", "p-value", "binomial", "sigma", " z "):
        assert word not in body
    annex = " ".join(TECHNICAL_NOTES)
    assert "Poisson z" in annex and "binomial" in annex
    assert ANNEX_HEADER[3] == "Poisson z"
