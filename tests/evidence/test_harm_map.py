"""Harm on the map (`evidence.harm_map`): each LSOA's harm per 1,000 residents checked
against counts made here from the raw police.uk sample with csv and gzip alone; left-out
categories named, never weighted 0; districts without data left out, never 0."""

from __future__ import annotations

import csv
import gzip
import math
from collections import Counter
from pathlib import Path

import pytest

from saferplaces.evidence.harm_map import harm_map, place_harm_map
from saferplaces.evidence.hotspots import find_indicator
from saferplaces.evidence.performance import summary_for
from saferplaces.evidence.scope import scope_for
from saferplaces.evidence.services import import_files
from saferplaces.evidence.store import incident_store
from saferplaces.insight.geography import lsoa_population, lsoa_to_district, lsoas_of
from saferplaces.insight.harm import HarmWeights, illustrative_weights
from saferplaces.insight.periods import financial_year
from saferplaces.partnership.models import Place

pytestmark = pytest.mark.django_db

WEST_LANCS = "E07000127"
FY_2014 = {f"2014-{m:02d}" for m in range(4, 13)} | {f"2015-{m:02d}" for m in (1, 2, 3)}
WEIGHTS = {"burglary": 439.0, "vehicle-crime": 47.0, "shoplifting": 25.0}
"""Category weights for the tests (the slugs of police.uk's crime types)."""
TYPES = {"Burglary": "burglary", "Vehicle crime": "vehicle-crime", "Shoplifting": "shoplifting"}


def _weights() -> HarmWeights:
    return illustrative_weights(WEIGHTS, source="the tests", year="2026")


def _raw_counts(samples: Path, months: set[str]) -> dict[str, Counter[str]]:
    """Crime type → crimes per West Lancashire LSOA in ``months``, each Crime ID once,
    ASB left out, read with csv alone."""
    lookup = lsoa_to_district()
    seen: set[str] = set()
    out: dict[str, Counter[str]] = {}
    for f in sorted(samples.glob("*.csv.gz")):
        with gzip.open(f, "rt", encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                code = row["LSOA code"]
                if row["Month"] not in months or lookup.get(code) != WEST_LANCS:
                    continue
                if row["Crime type"] == "Anti-social behaviour" or row["Crime ID"] in seen:
                    continue
                seen.add(row["Crime ID"])
                out.setdefault(row["Crime type"], Counter())[code] += 1
    return out


@pytest.fixture
def imported(demo: Place, samples: Path) -> Path:
    import_files("police-uk", sorted(samples.glob("*.csv.gz")))
    return samples


def _map(slug: str, indicator: str, weights: HarmWeights) -> object:
    place = Place.objects.get(slug=slug)
    scope = scope_for(place)
    period = financial_year(2014)
    ind = find_indicator(indicator)
    result = summary_for(scope, period, ind)
    return harm_map(incident_store(), scope=scope, result=result, indicator=ind,
                    period=period, weights=weights)  # fmt: skip


def test_harm_per_1000_matches_the_raw_files(imported: Path) -> None:
    """Given the sample imported and weights for burglary, vehicle crime and shoplifting
    When the harm map of all crime in West Lancashire, 2014/15, is made
    Then every one of its LSOAs has harm = Σ crimes of a weighted type × weight and
    harm per 1,000 = harm / residents × 1,000, counted here from the CSV files; its
    volume is every crime there; and each other crime type is named as left out with
    its count, none weighted 0."""
    raw = _raw_counts(imported, FY_2014)
    hm = _map("west-lancashire", "all-crime", _weights())
    assert hm.refusal is None and not hm.excluded
    rows = {r.code: r for r in hm.lsoas}
    assert set(rows) == set(lsoas_of(WEST_LANCS)) and len(rows) == 73
    checked = 0
    for code, r in rows.items():
        harm = math.fsum(raw.get(t, Counter())[code] * WEIGHTS[c] for t, c in TYPES.items())
        volume = sum(counter[code] for counter in raw.values())
        pop = lsoa_population(code, 2014)
        assert pop, code
        assert r.harm == pytest.approx(harm)
        assert r.harm_per_1000 == pytest.approx(1000.0 * harm / pop)
        assert r.count == volume
        assert r.weighted_count == sum(raw.get(t, Counter())[code] for t in TYPES)
        checked += harm > 0
    assert checked > 60  # the figures are not all 0
    assert hm.total_harm == pytest.approx(
        math.fsum(sum(raw.get(t, Counter()).values()) * WEIGHTS[c] for t, c in TYPES.items())
    )
    # left out: every other crime type of the sample, with its count; ASB is not all crime
    left = {t: sum(c.values()) for t, c in raw.items() if t not in TYPES}
    from saferplaces.insight.schema import slugify

    assert {slugify(t): n for t, n in left.items()} == {c: n for c, n in hm.unweighted.items() if n}
    assert "anti-social-behaviour" not in hm.unweighted
    # a retired category with nothing recorded in the period is not named
    assert "public-disorder-and-weapons" not in hm.unweighted
    assert set(hm.weighted) == set(WEIGHTS)
    sentence = hm.left_out_sentence()
    assert "Other theft" in sentence and "not weighted 0" in sentence
    assert "Burglary" not in sentence


def test_the_categories_of_an_indicator_none_weighted_refuse(imported: Path) -> None:
    """Given weights for burglary only, when the harm of anti-social behaviour is asked
    for, then there is no map and the reason says no category has a weight; deliberate
    fires (not police.uk) are refused for that reason."""
    only = illustrative_weights({"burglary": 10.0}, source="the tests", year="2026")
    hm = _map("west-lancashire", "anti-social-behaviour", only)
    assert hm.lsoas == [] and hm.refusal and "gives none of the categories" in hm.refusal
    assert hm.unweighted.get("anti-social-behaviour", 0) > 0
    fires = _map("west-lancashire", "deliberate-fires", only)
    assert fires.refusal and "counts no police.uk category" in fires.refusal


def test_districts_without_data_are_left_out_not_zero(imported: Path) -> None:
    """Given only West Lancashire's data, when the harm map of Lancashire county is made,
    then the LSOAs of its other districts are left out with the reason, and none of them
    has a harm row (no 0)."""
    county = Place.objects.filter(kind="county", name__icontains="Lancashire").first()
    assert county is not None
    hm = _map(county.slug, "all-crime", _weights())
    assert hm.districts == [WEST_LANCS]
    assert {r.district for r in hm.lsoas} == {WEST_LANCS}
    chorley = set(lsoas_of("E07000118"))
    assert chorley <= set(hm.excluded)
    assert all("no data for" in hm.excluded[c] for c in chorley)
    assert not chorley & {r.code for r in hm.lsoas}


def test_place_harm_map_is_cached(imported: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The page's call is cached: a second call returns the same figures without
    computing them again; other weights are another entry."""
    from saferplaces.evidence import harm_map as module

    place = Place.objects.get(slug="west-lancashire")
    ind = find_indicator("all-crime")
    first = place_harm_map(place, financial_year(2014), ind, _weights())
    real = module.harm_map

    def refuse(*args: object, **kwargs: object) -> object:
        raise AssertionError("computed again")

    monkeypatch.setattr(module, "harm_map", refuse)
    second = place_harm_map(place, financial_year(2014), ind, _weights())
    assert [r.harm for r in first.lsoas] == [r.harm for r in second.lsoas]
    monkeypatch.setattr(module, "harm_map", real)
    other = illustrative_weights({"burglary": 1.0}, source="the tests", year="2026")
    third = place_harm_map(place, financial_year(2014), ind, other)
    assert third.total_harm != first.total_harm
