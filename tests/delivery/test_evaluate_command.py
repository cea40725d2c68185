"""`saferplaces evaluate --initiative NAME --format json|table` on the shipped sample."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command

from saferplaces.delivery.evaluation import MONTH_ONLY
from saferplaces.delivery.models import EvaluationMeasure, EvaluationWindow, UnitCost, ValueCase
from saferplaces.evidence.scope import scope_for
from saferplaces.evidence.store import incident_store
from saferplaces.insight.indicators import indicator_by_slug
from saferplaces.insight.seasons import BONFIRE_MONTHS, window_counts
from saferplaces.partnership.models import Place
from tests.delivery.evaluation_support import delivery_sample_store, make_initiative

__all__ = ["delivery_sample_store"]
pytestmark = pytest.mark.django_db
ASB = "anti-social-behaviour"


@pytest.fixture
def sparx(settings: Any, delivery_sample_store: Path, demo: Place) -> Any:
    settings.INCIDENT_STORE_DIR = delivery_sample_store
    cache.clear()
    place = Place.objects.get(slug="west-lancashire")
    s = make_initiative(place)
    EvaluationMeasure.objects.create(initiative=s, indicator_key=ASB, years=3,
                                     window=EvaluationWindow.OCTOBER_NOVEMBER)  # fmt: skip
    EvaluationMeasure.objects.create(initiative=s, indicator_key=ASB, years=10, order=1,
                                     window=EvaluationWindow.MISCHIEF_NIGHT)  # fmt: skip
    cost = UnitCost.objects.create(name="Fire call-out", unit="call-out", amount=Decimal(515),
                                   source="Lancashire Fire and Rescue, 2014")  # fmt: skip
    ValueCase.objects.create(initiative=s, unit_cost=cost, baseline_per_period=Decimal(30),
                             observed_per_period=Decimal(12), periods=3)  # fmt: skip
    return s


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("evaluate", *args, stdout=out)
    return out.getvalue()


def test_json_carries_the_counts_the_verdict_and_the_arithmetic(sparx: Any) -> None:
    """Given Bright Sparx evaluated on ASB in October–November (3 years) and on Mischief
    Night, and a value case of 30 call-outs down to 12 over 3 nights at £515, When
    `evaluate --format json` runs with the name in another case, Then the years' counts
    equal the insight engine's (2012 no data, null not 0), Mischief Night is refused, and
    the value case's money is in decimal strings with each step."""
    data = json.loads(run("--initiative", "bright sparx 2014", "--format", "json"))
    assert data["initiative"]["slug"] == sparx.slug and data["place"] == "West Lancashire"
    octnov, mischief = data["measures"]
    direct = window_counts(incident_store(), BONFIRE_MONTHS, years=[2013, 2014],
                           indicator=indicator_by_slug(ASB),
                           districts=scope_for(sparx.place).districts)  # fmt: skip
    assert [y["count"] for y in octnov["years"]] == [None, *(r.count for r in direct)]
    assert octnov["years"][0]["complete"] is False and octnov["years"][0]["reason"]
    assert (octnov["years"][1]["start"], octnov["years"][1]["end"]) == ("2013-10-01", "2013-11-30")
    assert octnov["comparison"]["verdict"] and octnov["comparison"]["against_previous"]
    assert mischief["comparison"]["verdict"] == MONTH_ONLY
    [case] = data["value_cases"]
    assert case["avoided_total"] == "27810.00" and case["unit_cost"] == "515.00"
    assert case["steps"] == ["30 call-outs a night × £515 = £15,450 a night",
                             "(30 − 12) × £515 × 3 nights = £27,810"]  # fmt: skip
    assert data["sources"] and "police.uk" in data["sources"][0]


def test_table_shows_no_data_the_verdict_and_the_source(sparx: Any) -> None:
    """Given the same, When `evaluate --format table` runs with the slug, Then 2012 reads
    "no data", the verdicts and the arithmetic are printed, and the source is named."""
    text = run("--initiative", sparx.slug, "--format", "table")
    assert "Bright Sparx 2014, West Lancashire" in text
    line_2012 = next(line for line in text.splitlines() if line.strip().startswith("2012"))
    assert "no data" in line_2012 and " 0 " not in line_2012
    assert f"Verdict: {MONTH_ONLY}" in text
    assert "(30 − 12) × £515 × 3 nights = £27,810" in text
    assert "Source: police.uk" in text


def test_an_unknown_name_is_named_and_an_ambiguous_one_listed(sparx: Any) -> None:
    """Given Bright Sparx in West Lancashire and one of the same name in Preston, When
    asked for a name that does not exist, Then the error names it; When asked for the
    shared name, Then both are listed with their slugs."""
    with pytest.raises(CommandError, match='No initiative is named "Dark Sparx"'):
        run("--initiative", "Dark Sparx")
    make_initiative(Place.objects.get(slug="preston"))
    with pytest.raises(CommandError) as caught:
        run("--initiative", "Bright Sparx 2014")
    assert "2 initiatives" in str(caught.value)
    assert "West Lancashire" in str(caught.value) and "Preston" in str(caught.value)
