"""District summaries and control charts against independently counted samples."""

from __future__ import annotations

from datetime import date

import pytest

from saferplaces.insight.compare import monthly_series, summarise
from saferplaces.insight.imports import import_police_uk
from saferplaces.insight.indicators import DEFAULT_INDICATORS, Indicator, indicator_by_slug
from saferplaces.insight.periods import parse_period
from saferplaces.insight.stats import poisson_z
from saferplaces.insight.store import IncidentStore
from tests.insight.conftest import WEST_LANCS, count_rows, sample_files


@pytest.fixture(scope="module")
def wl_store(tmp_path_factory: pytest.TempPathFactory) -> IncidentStore:
    store = IncidentStore(tmp_path_factory.mktemp("wl") / "store")
    import_police_uk(store, sample_files())
    return store


def expected_count(categories: set[str] | None, exclude: set[str], months: list[str]) -> int:
    counts = count_rows(sample_files())
    return sum(
        n for (d, c, m), n in counts.items()
        if d == WEST_LANCS and m in months and (categories is None or c in categories)
        and c not in exclude
    )  # fmt: skip


def test_financial_year_summary_matches_independent_counts(wl_store: IncidentStore) -> None:
    """Given 2013/14 and 2014/15 for West Lancashire, when summarised, then every police
    indicator's counts, change, z and verdict follow from an independent count."""
    period = parse_period("2014/15")
    results = {r.indicator: r for r in summarise(
        wl_store, districts=[WEST_LANCS], place="West Lancashire", period=period,
        population=111_845)}  # fmt: skip
    cur = [m.strftime("%Y-%m") for m in period.months()]
    prev = [m.strftime("%Y-%m") for m in period.previous().months()]
    cases = {
        "all-crime": (None, {"anti-social-behaviour"}),
        "anti-social-behaviour": ({"anti-social-behaviour"}, set()),
        "violence-and-sexual-offences": ({"violence-and-sexual-offences", "violent-crime"}, set()),
        "burglary": ({"burglary"}, set()),
        "vehicle-crime": ({"vehicle-crime"}, set()),
        "criminal-damage-and-arson": ({"criminal-damage-and-arson"}, set()),
    }
    for slug, (cats, excl) in cases.items():
        r = results[slug]
        c, p = expected_count(cats, excl, cur), expected_count(cats, excl, prev)
        assert (r.count, r.previous_count, r.change) == (c, p, c - p), slug
        assert r.z == round(poisson_z(c, p), 4)
        assert r.significant == (abs(poisson_z(c, p)) > 1.96)
        assert r.rate_per_1000 == round(1000 * c / 111_845, 3)
        assert r.complete and r.months_with_data == 12 and not r.warnings
    assert results["all-crime"].count > 4000
    assert results["deliberate-fires"].count == 0
    assert results["deliberate-fires"].months_with_data == 0
    assert results["deliberate-fires"].warnings
    assert results["domestic-abuse"].count == 0
    d = results["all-crime"].as_dict()
    assert {"indicator", "place", "period", "start", "end", "count", "previous_count", "change",
            "pct_change", "rate_per_1000", "z", "significant", "verdict"} <= set(d)  # fmt: skip


def test_summary_surfaces_missing_months(wl_store: IncidentStore) -> None:
    """Given data only from 2013-04, when 2013/14 is compared with 2012/13, the result
    says the previous period rests on 0 of 12 months."""
    (r,) = summarise(wl_store, districts=[WEST_LANCS], place="WL",
                     period=parse_period("2013/14"),
                     indicators=[indicator_by_slug("burglary")], population=None)  # fmt: skip
    assert r.previous_months_with_data == 0 and not r.complete
    assert r.pct_change is None and r.rate_per_1000 is None
    assert any("2012/13" in w for w in r.warnings)


def test_summary_for_another_district_is_empty(wl_store: IncidentStore) -> None:
    results = summarise(wl_store, districts=["E07000123"], place="Preston",
                        period=parse_period("2014/15"), population=None)  # fmt: skip
    assert all(r.count == 0 and r.previous_count == 0 for r in results)
    assert all(r.verdict == "within normal variation" for r in results)


def test_monthly_series_marks_gaps_and_limits(wl_store: IncidentStore) -> None:
    ind = indicator_by_slug("anti-social-behaviour")
    points = monthly_series(wl_store, districts=[WEST_LANCS], indicator=ind,
                            start=date(2013, 1, 1), end=date(2015, 3, 1))  # fmt: skip
    assert len(points) == 27
    assert [p.gap for p in points[:3]] == [True, True, True] and points[0].count is None
    counts = count_rows(sample_files())
    observed = [p for p in points if not p.gap]
    for p in observed:
        exp = sum(n for (d, c, m), n in counts.items()
                  if d == WEST_LANCS and c == "anti-social-behaviour" and m == p.month)  # fmt: skip
        assert p.count == exp
    mean = sum(p.count or 0 for p in observed) / len(observed)
    assert observed[0].mean == round(mean, 3)
    assert observed[0].upper == round(mean + 3 * mean**0.5, 3)
    flagged = [p for p in observed if "beyond-limits" in p.signals]
    assert all((p.count or 0) > p.upper or (p.count or 0) < p.lower for p in flagged)


def test_custom_indicator_from_json(wl_store: IncidentStore) -> None:
    ind = Indicator.from_dict(
        {
            "slug": "acq",
            "name": "Acquisitive",
            "spec": {"categories": ["burglary", "robbery", "vehicle-crime"]},
        }
    )
    (r,) = summarise(
        wl_store,
        districts=[WEST_LANCS],
        place="WL",
        period=parse_period("2014/15"),
        indicators=[ind],
        population=None,
    )
    months = [m.strftime("%Y-%m") for m in parse_period("2014/15").months()]
    assert r.count == expected_count({"burglary", "robbery", "vehicle-crime"}, set(), months)
    assert len(DEFAULT_INDICATORS) == 8
