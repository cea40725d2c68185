"""Did it work: evaluation of an initiative on the shipped West Lancashire police.uk
sample (2013-04 to 2015-03, month level), checked against the insight engine and the
evidence layer computed here independently."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache

from saferplaces.delivery.evaluation import (
    MONTH_ONLY,
    NO_DATA,
    PARTIAL,
    TOO_FEW_INCIDENTS,
    YearCount,
    compare,
    evaluate,
)
from saferplaces.delivery.models import EvaluationMeasure, EvaluationWindow, UnitCost, ValueCase
from saferplaces.evidence.performance import compute_performance
from saferplaces.evidence.scope import scope_for
from saferplaces.evidence.store import incident_store
from saferplaces.insight.indicators import indicator_by_slug
from saferplaces.insight.periods import financial_year
from saferplaces.insight.seasons import BONFIRE_MONTHS, window_counts
from saferplaces.insight.stats import judge
from saferplaces.partnership.models import Place
from tests.delivery.evaluation_support import delivery_sample_store, make_initiative

__all__ = ["delivery_sample_store"]
pytestmark = pytest.mark.django_db
ASB = "anti-social-behaviour"


@pytest.fixture
def west_lancs(settings: Any, delivery_sample_store: Path, demo: Place) -> Place:
    settings.INCIDENT_STORE_DIR = delivery_sample_store
    cache.clear()
    return Place.objects.get(slug="west-lancashire")


def _measure(initiative: Any, key: str, window: str, years: int = 10) -> EvaluationMeasure:
    return EvaluationMeasure.objects.create(initiative=initiative, indicator_key=key,
                                            window=window, years=years)  # fmt: skip


def test_october_november_over_ten_years_matches_the_insight_engine(west_lancs: Place) -> None:
    """Given Bright Sparx 2014 in West Lancashire evaluated on ASB in October–November
    over ten years, When it is evaluated, Then 2005–2012 have no count (no data, not 0),
    2013 and 2014 equal the insight engine's window counts over West Lancashire's
    districts and the evidence layer's seasonal chart, and the verdict is the exact test
    of 2014 against 2013."""
    sparx = make_initiative(west_lancs)
    _measure(sparx, ASB, EvaluationWindow.OCTOBER_NOVEMBER)
    result = evaluate(sparx)
    [m] = result.measures
    assert [y.year for y in m.years] == list(range(2005, 2015))
    assert all(y.count is None and y.reason for y in m.years[:8])
    scope = scope_for(west_lancs)
    direct = window_counts(incident_store(), BONFIRE_MONTHS, years=[2013, 2014],
                           indicator=indicator_by_slug(ASB), districts=scope.districts)  # fmt: skip
    assert [y.count for y in m.years[8:]] == [r.count for r in direct]
    assert all(r.count for r in direct)
    perf = compute_performance(scope, financial_year(2014))
    [chart] = [s for s in perf.seasonal if s.indicator.slug == ASB and "October" in s.title]
    assert {r.year: r.count for r in chart.years} == {y.year: y.count for y in m.years[8:]}
    c13, c14 = (r.count or 0 for r in direct)
    expected = judge(c14, c13)
    assert m.comparison.year == 2014 and m.comparison.current == c14
    assert m.comparison.against_previous is not None
    assert m.comparison.against_previous.p_value == expected.p_value
    assert m.comparison.verdict == expected.verdict
    assert m.comparison.against_mean is None
    assert "No data held for 2005" in " ".join(m.notes)
    assert result.sources and "police.uk" in result.sources[0].name


def test_mischief_night_on_police_uk_is_refused_honestly(west_lancs: Place) -> None:
    """Given ASB on Mischief Night (4 November) year by year, When evaluated on police.uk
    (month level), Then no year has a count and the verdict says police.uk records only
    the month, never a zero or a trend."""
    sparx = make_initiative(west_lancs)
    _measure(sparx, ASB, EvaluationWindow.MISCHIEF_NIGHT)
    [m] = evaluate(sparx).measures
    assert m.comparison.verdict == MONTH_ONLY
    assert all(y.count is None for y in m.years)
    assert any(y.reason and "no date" in y.reason for y in m.years)
    assert m.comparison.against_previous is None


def test_the_initiatives_own_dates_whole_months_count_day_dates_refuse(west_lancs: Place) -> None:
    """Given one initiative running 1 October–30 November and another 20 October–9
    November, When each is evaluated on its own dates, Then the first counts the same as
    October–November and the second (days) is refused on month-level data."""
    months = make_initiative(west_lancs, name="Autumn", starts_on=datetime.date(2014, 10, 1),
                             ends_on=datetime.date(2014, 11, 30))  # fmt: skip
    days = make_initiative(west_lancs)
    _measure(months, ASB, EvaluationWindow.INITIATIVE, years=2)
    _measure(months, ASB, EvaluationWindow.OCTOBER_NOVEMBER, years=2)
    _measure(days, ASB, EvaluationWindow.INITIATIVE, years=2)
    own, named = evaluate(months).measures
    assert [y.count for y in own.years] == [y.count for y in named.years]
    assert own.window_label.startswith("October–November")
    [refused] = evaluate(days).measures
    assert refused.comparison.verdict == MONTH_ONLY


def test_a_place_with_no_data_says_no_data(west_lancs: Place) -> None:
    """Given an initiative in Preston, whose districts the sample does not cover, When
    evaluated, Then every year says no data (None with a reason) and so does the verdict."""
    preston = Place.objects.get(slug="preston")
    sparx = make_initiative(preston)
    _measure(sparx, ASB, EvaluationWindow.OCTOBER_NOVEMBER, years=3)
    [m] = evaluate(sparx).measures
    assert [y.count for y in m.years] == [None, None, None]
    assert all(y.reason and "Preston" in y.reason for y in m.years)
    assert m.comparison.verdict == NO_DATA


def test_a_place_only_partly_covered_gets_counts_but_no_verdict(west_lancs: Place) -> None:
    """Given an initiative of the county (fourteen districts) when only West Lancashire is
    held, When evaluated, Then the counts are West Lancashire's with a note naming it, and
    no verdict is given for the county."""
    lancashire = Place.objects.get(slug="lancashire")
    wide = make_initiative(lancashire, name="County Bright Sparx")
    _measure(wide, ASB, EvaluationWindow.OCTOBER_NOVEMBER, years=2)
    [m] = evaluate(wide).measures
    assert all(y.count for y in m.years)
    assert m.comparison.verdict == PARTIAL
    assert any("West Lancashire only" in n for n in m.notes)


def test_no_measures_and_the_value_case(west_lancs: Place) -> None:
    """Given Bright Sparx with no measures and the value case "30 call-outs a night at
    £515", When evaluated, Then it says it has no measures, and the value case shows the
    arithmetic and claims only "up to £15,450 a night"."""
    sparx = make_initiative(west_lancs)
    cost = UnitCost.objects.create(name="Fire call-out", unit="call-out", amount=Decimal(515),
                                   source="Lancashire Fire and Rescue, 2014")  # fmt: skip
    ValueCase.objects.create(initiative=sparx, unit_cost=cost, baseline_per_period=Decimal(30))
    result = evaluate(sparx)
    assert result.measures == [] and result.note and "no evaluation measures" in result.note
    [case] = result.value_cases
    assert case.result.steps == ("30 call-outs a night × £515 = £15,450 a night",)
    assert case.result.avoided_total is None
    assert case.result.baseline_cost_per_period == Decimal("15450.00")


def test_an_unknown_indicator_is_named(west_lancs: Place) -> None:
    """Given a measure on an indicator that no longer exists, Then it says so."""
    sparx = make_initiative(west_lancs)
    _measure(sparx, "no-such-thing", EvaluationWindow.OCTOBER_NOVEMBER)
    [m] = evaluate(sparx).measures
    assert "no-such-thing" in m.comparison.reason and m.years == []


def _rows(counts: dict[int, int | None], y0: int) -> list[YearCount]:
    return [YearCount(y, f"{y}-10-01", f"{y}-11-01", c, None if c is not None else "gap",
                      y == y0) for y, c in counts.items()]  # fmt: skip


@pytest.mark.parametrize(
    ("counts", "verdict", "previous", "mean"),
    [
        ({2012: 8, 2013: 6, 2014: 4}, TOO_FEW_INCIDENTS, True, True),
        ({2012: 100, 2013: 100, 2014: 40}, "significant reduction", True, True),
        ({2012: 100, 2013: None, 2014: 95}, "within normal variation", False, True),
        ({2012: 100, 2013: 90, 2014: None}, NO_DATA, False, False),
        ({2013: None, 2014: 50}, NO_DATA, False, False),
    ],
)
def test_the_verdict_before_and_after(
    counts: dict[int, int | None], verdict: str, previous: bool, mean: bool
) -> None:
    """Given counts year by year, Then the initiative's year is judged against the year
    before (when held) and the mean of earlier years (when two or more are held), by
    the stats module's exact test; a missing year is never treated as 0."""
    c = compare(_rows(counts, 2014), 2014)
    assert c.verdict == verdict
    assert (c.against_previous is not None) is previous
    assert (c.against_mean is not None) is mean
    if c.against_previous is not None and c.current is not None:
        assert c.against_previous.p_value == judge(c.current, counts[2013] or 0).p_value


def _mixed(counts: dict[int, int | None], month_level: set[int]) -> list[YearCount]:
    return [YearCount(y, f"{y}-11-04", f"{y}-11-04", c, "month only" if y in month_level else None,
                      y == 2014, y not in month_level) for y, c in counts.items()]  # fmt: skip


@pytest.mark.parametrize(
    ("counts", "month_level", "verdict"),
    [
        ({2012: None, 2013: 60, 2014: 20}, {2012}, "significant reduction"),
        ({2012: None, 2013: None, 2014: 20}, {2012, 2013}, MONTH_ONLY),
        ({2012: 50, 2013: 60, 2014: None}, {2014}, MONTH_ONLY),
    ],
)
def test_a_day_window_on_mixed_sources(
    counts: dict[int, int | None], month_level: set[int], verdict: str
) -> None:
    """Given a day window where some years come only from a month-level source, Then the
    years with dates are compared and the others left out; when the initiative's year or
    every earlier year is month-level, the verdict is the honest refusal."""
    assert compare(_mixed(counts, month_level), 2014).verdict == verdict


def test_freshers_week_is_the_places_own_or_refused(west_lancs: Place, settings: Any) -> None:
    """Given a Freshers' week measure, When the place has no Freshers' week set, Then the
    evaluation refuses and says how to set it (no assumed dates); When
    SAFERPLACES_FRESHERS_WEEKS sets 15 September for 7 days, Then the measure counts that
    window each year (a day window over police.uk: the month-only refusal per year)."""
    plan = make_initiative(west_lancs, name="Freshers' plan 2014",
                           starts_on=datetime.date(2014, 9, 1),
                           ends_on=datetime.date(2014, 9, 30))  # fmt: skip
    _measure(plan, ASB, EvaluationWindow.FRESHERS_WEEK, years=2)
    settings.SEASONS_FRESHERS_WEEKS = []
    [m] = evaluate(plan).measures
    assert not m.years
    assert "No Freshers' week is set for West Lancashire" in (m.comparison.reason or "")
    settings.SEASONS_FRESHERS_WEEKS = ["west-lancashire=09-15:7"]
    cache.clear()
    [m] = evaluate(plan).measures
    assert [y.year for y in m.years] == [2013, 2014]
    assert m.comparison.verdict == MONTH_ONLY
