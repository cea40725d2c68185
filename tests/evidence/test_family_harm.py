"""Harm per 1,000 of a partnership and its most similar partnerships
(`evidence.family_harm`), checked against counts made here from the raw police.uk
sample with csv and gzip alone: categories without a weight named and left out (never
weighted 0), members without data without a figure (never 0)."""

from __future__ import annotations

import csv
import gzip
import math
from collections import Counter
from pathlib import Path

import pytest

from saferplaces.evidence.families import family_for, indicator_named
from saferplaces.evidence.family_harm import family_harm
from saferplaces.evidence.scope import scope_for
from saferplaces.evidence.services import import_files
from saferplaces.insight.geography import lsoa_population, lsoa_to_district, lsoas_of
from saferplaces.insight.harm import HarmWeights, illustrative_weights
from saferplaces.insight.periods import financial_year
from saferplaces.partnership.models import Place

pytestmark = pytest.mark.django_db

WEST_LANCS = "E07000127"
FY_2014 = {f"2014-{m:02d}" for m in range(4, 13)} | {f"2015-{m:02d}" for m in (1, 2, 3)}
WEIGHTS = {"burglary": 439.0, "vehicle-crime": 47.0, "shoplifting": 25.0}
TYPES = {"Burglary": "burglary", "Vehicle crime": "vehicle-crime", "Shoplifting": "shoplifting"}


def _weights(categories: dict[str, float] = WEIGHTS) -> HarmWeights:
    return illustrative_weights(categories, source="the tests", year="2026")


def _raw_types(samples: Path) -> Counter[str]:
    """West Lancashire's crimes by police.uk crime type in 2014/15, each Crime ID once,
    anti-social behaviour left out, read with csv alone."""
    lookup, seen, out = lsoa_to_district(), set(), Counter[str]()
    for f in sorted(samples.glob("*.csv.gz")):
        with gzip.open(f, "rt", encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                if row["Month"] not in FY_2014 or lookup.get(row["LSOA code"]) != WEST_LANCS:
                    continue
                if row["Crime type"] == "Anti-social behaviour" or row["Crime ID"] in seen:
                    continue
                seen.add(row["Crime ID"])
                out[row["Crime type"]] += 1
    return out


@pytest.fixture
def family(demo: Place, samples: Path) -> tuple:  # type: ignore[type-arg]
    import_files("police-uk", sorted(samples.glob("*.csv.gz")))
    scope = scope_for(Place.objects.get(slug="west-lancashire"))
    period = financial_year(2014)
    indicator = indicator_named("all-crime")
    return family_for(scope, period, indicator), period, indicator


def test_harm_per_1000_matches_the_raw_files(family: tuple, samples: Path) -> None:  # type: ignore[type-arg]
    """Given the samples and weights for three categories, Then West Lancashire's harm is
    Σ crimes × weight (counted here) and its harm per 1,000 that over its 2014 residents;
    the weighted count is the crimes of those categories; its peers (no data) have no
    harm, never 0; the categories of all crime without a weight are named."""
    fam_, period, indicator = family
    got = family_harm(fam_, period, indicator, _weights())
    raw = _raw_types(samples)
    own = got.of(fam_.csp_code)
    assert own is not None and own.harm is not None and own.harm_per_1000 is not None
    expected = math.fsum(raw[t] * WEIGHTS[s] for t, s in TYPES.items())
    assert own.harm == pytest.approx(expected, rel=1e-12)
    population = sum(lsoa_population(c, 2014) or 0 for c in lsoas_of(WEST_LANCS))
    assert own.harm_per_1000 == pytest.approx(expected * 1000 / population, rel=1e-12)
    assert own.weighted_count == sum(raw[t] for t in TYPES)
    assert sum(own.counts.values()) == sum(raw.values()) == fam_.members[0].count
    for t, s in TYPES.items():
        assert own.counts[s] == raw[t]
    peers = [m for m in got.members if m.code != fam_.csp_code]
    assert len(peers) == 15
    assert all(m.harm is None and m.harm_per_1000 is None and m.reason for m in peers)
    assert got.refusal is None and got.weighted == WEIGHTS
    assert "other-theft" in got.unweighted and "burglary" not in got.unweighted
    assert "Other theft" in got.unweighted_labels()
    assert not got.is_official and "illustrative" in got.weights_name


def test_no_weighted_category_is_a_refusal_not_zero(family: tuple) -> None:  # type: ignore[type-arg]
    """Weights for anti-social behaviour alone cannot weigh all crime: a refusal in
    words and no figure for anyone (never 0)."""
    fam_, period, indicator = family
    got = family_harm(fam_, period, indicator, _weights({"anti-social-behaviour": 5.0}))
    assert got.refusal is not None and "gives none of the categories" in got.refusal
    assert all(m.harm is None and m.harm_per_1000 is None for m in got.members)
    assert got.of(fam_.csp_code) is not None
