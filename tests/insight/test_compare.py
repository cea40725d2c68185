"""District summaries and control charts against independently counted samples."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from saferplaces.insight.breakdowns import by_category
from saferplaces.insight.compare import (
    INCOMPLETE,
    NO_DATA,
    PARTIAL,
    summarise,
)
from saferplaces.insight.geography import districts_in_pfa
from saferplaces.insight.imports import import_police_uk
from saferplaces.insight.indicators import DEFAULT_INDICATORS, Indicator, indicator_by_slug
from saferplaces.insight.periods import parse_period
from saferplaces.insight.stats import judge, poisson_z
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


def pop(codes: Sequence[str], year: int) -> int | None:
    """Residents for rates: 111,845 in West Lancashire, 1,000 in any other district."""
    return sum(111_845 if c == WEST_LANCS else 1_000 for c in codes) or None


def months_of(period: str) -> list[str]:
    return [m.strftime("%Y-%m") for m in parse_period(period).months()]


def test_financial_year_summary_matches_independent_counts(wl_store: IncidentStore) -> None:
    """Given 2013/14 and 2014/15 for West Lancashire (all 24 months held), when
    summarised, then every police indicator's counts, change, months and verdict follow
    from an independent count, the verdict from the exact test."""
    period = parse_period("2014/15")
    results = {r.indicator: r for r in summarise(
        wl_store, districts=[WEST_LANCS], place="West Lancashire", period=period,
        population=pop)}  # fmt: skip
    cur, prev = months_of("2014/15"), months_of("2013/14")
    cases = {
        "all-crime": (None, {"anti-social-behaviour"}),
        "anti-social-behaviour": ({"anti-social-behaviour"}, set()),
        "burglary": ({"burglary"}, set()),
        "vehicle-crime": ({"vehicle-crime"}, set()),
        "criminal-damage-and-arson": ({"criminal-damage-and-arson"}, set()),
    }
    for slug, (cats, excl) in cases.items():
        r = results[slug]
        c, p = expected_count(cats, excl, cur), expected_count(cats, excl, prev)
        assert (r.count, r.previous_count, r.change) == (c, p, c - p), slug
        assert (r.months, r.previous_months) == (cur, prev)
        assert r.z == round(poisson_z(c, p), 4)
        j = judge(c, p)
        assert (r.verdict, r.significant, r.p_value) == (j.verdict, j.significant, j.p_value)
        assert r.rate_per_1000 == round(1000 * c / 111_845, 3)
        assert r.complete and not r.partial and r.reason is None, slug
    assert results["all-crime"].count == 4648 and results["all-crime"].change == -456
    assert results["all-crime"].verdict == "significant reduction"


def test_no_source_means_no_figure_not_zero(wl_store: IncidentStore) -> None:
    """Given only police.uk data, the fire and domestic abuse indicators have no figure
    (None, never 0) and say why."""
    results = {r.indicator: r for r in summarise(
        wl_store, districts=[WEST_LANCS], place="WL", period=parse_period("2014/15"))}  # fmt: skip
    for slug in ("deliberate-fires",):
        r = results[slug]
        assert r.count is None and r.previous_count is None and r.months == []
        assert r.verdict == NO_DATA and not r.significant
        assert r.reason == "no imported source supplies this indicator"
    assert results["domestic-abuse"].count is None


def test_unlike_months_get_no_verdict_and_a_like_for_like_comparison(
    wl_store: IncidentStore,
) -> None:
    """Given 2014 (12 months held) against 2013 (only April to December held), when
    summarised, then the whole has no verdict and no change, the months counted on each
    side are listed, and April to December of both years are compared and judged."""
    (r,) = summarise(wl_store, districts=[WEST_LANCS], place="WL", period=parse_period("2014"),
                     indicators=[indicator_by_slug("all-crime")])  # fmt: skip
    assert r.months == months_of("2014")
    assert r.previous_months == [f"2013-{m:02d}" for m in range(4, 13)]
    assert r.verdict == INCOMPLETE and not r.significant
    assert r.change is None and r.pct_change is None and r.z is None
    like = r.like_for_like
    assert like is not None
    assert like.months == [f"2014-{m:02d}" for m in range(4, 13)]
    assert like.previous_months == r.previous_months
    c = expected_count(None, {"anti-social-behaviour"}, like.months)
    p = expected_count(None, {"anti-social-behaviour"}, like.previous_months)
    assert (like.count, like.previous_count, like.change) == (c, p, c - p)
    assert like.verdict == judge(c, p).verdict
    assert "2014 holds 12 months and 2013 9" in (r.reason or "")


def test_three_months_are_not_judged_against_twelve(wl_store: IncidentStore) -> None:
    """Given 2015 (January to March held) against 2014: no verdict on the whole (it was
    "−78.87%, significant reduction"), January to March compared like for like."""
    for r in summarise(wl_store, districts=[WEST_LANCS], place="WL", period=parse_period("2015")):
        if r.count is None:
            continue
        assert len(r.months) == 3 and len(r.previous_months) == 12
        assert not r.significant and r.change is None
        assert r.like_for_like is not None and len(r.like_for_like.months) == 3


def test_a_part_is_never_the_whole(wl_store: IncidentStore) -> None:
    """Given only West Lancashire's data, when Lancashire's 14 districts are summarised,
    then only West Lancashire is counted, with its own residents for the rate, the others
    are named as without data, and there is no verdict (it was "complete: true", 4,648
    crimes over 1.47M residents)."""
    lancashire = [d.code for d in districts_in_pfa("E23000003")]
    (r,) = summarise(wl_store, districts=lancashire, place="Lancashire",
                     period=parse_period("2014/15"), indicators=[indicator_by_slug("all-crime")],
                     population=pop)  # fmt: skip
    assert r.districts == [WEST_LANCS] and len(r.districts_without_data) == 13
    assert r.count == 4648 and r.population == 111_845
    assert r.rate_per_1000 == round(1000 * 4648 / 111_845, 3)
    assert r.partial and not r.complete and not r.significant and r.verdict == PARTIAL
    assert r.reason == "covers 1 of 14 districts: West Lancashire"


def test_a_district_with_no_data_has_no_figure(wl_store: IncidentStore) -> None:
    """Given no data for Rossendale, every indicator has no figure and no verdict (it was
    0 crimes, 12 months with data, within normal variation)."""
    results = summarise(wl_store, districts=["E07000125"], place="Rossendale",
                        period=parse_period("2014/15"), population=pop)  # fmt: skip
    for r in results:
        assert r.count is None and r.previous_count is None and r.rate_per_1000 is None
        assert r.verdict == NO_DATA and r.months == [] and not r.significant
        assert r.districts == [] and r.districts_without_data == ["E07000125"]


def test_a_category_break_is_not_compared_and_tables_agree_with_cards(
    wl_store: IncidentStore,
) -> None:
    """Given April 2013 in police.uk's old categories ("Violent crime", sexual offences in
    "Other crime"), when 2014/15 is compared with 2013/14, then Violence and sexual
    offences counts May 2013 to March 2014 only (no verdict on 12 against 11 months),
    and the category breakdown's row equals the card (it was +11.2% against +3.2%)."""
    period = parse_period("2014/15")
    (card,) = summarise(wl_store, districts=[WEST_LANCS], place="WL", period=period,
                        indicators=[indicator_by_slug("violence-and-sexual-offences")])  # fmt: skip
    assert card.previous_months == months_of("2013/14")[1:]
    assert card.verdict == INCOMPLETE and card.series_break
    assert card.like_for_like is not None and len(card.like_for_like.months) == 11
    rows = {r.indicator: r for r in by_category(
        wl_store, districts=[WEST_LANCS], place="WL", indicator=indicator_by_slug("all-crime"),
        period=period)}  # fmt: skip
    row = rows["violence-and-sexual-offences"]
    assert (row.count, row.previous_count, row.months, row.previous_months) == (
        card.count,
        card.previous_count,
        card.months,
        card.previous_months,
    )
    assert row.like_for_like == card.like_for_like
    # Burglary did not change its category: 12 against 12, judged.
    assert rows["burglary"].previous_months == months_of("2013/14")
    assert rows["burglary"].verdict in (
        "significant reduction",
        "within normal variation",
        "significant increase",
    )


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
