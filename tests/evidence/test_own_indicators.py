"""A partnership's own indicators: validated when defined, counted beside the defaults."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from saferplaces.evidence.models import IndicatorDefinition
from saferplaces.evidence.scope import resolve_place
from saferplaces.evidence.services import import_files
from saferplaces.evidence.store import incident_store
from saferplaces.insight.breakdowns import by_category
from saferplaces.insight.indicators import DEFAULT_INDICATORS
from saferplaces.insight.periods import custom

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"categories": ["no-such-crime"]}, "unknown category"),
        ({"colour": ["red"]}, "unknown filter key"),
        (["drugs"], "Enter the filter as an object"),
    ],
)
def test_a_bad_filter_says_what_to_fix(spec: object, message: str) -> None:
    definition = IndicatorDefinition(slug="mine", name="Mine", filter=spec)
    with pytest.raises(ValidationError, match=message):
        definition.full_clean()


def test_an_own_indicator_is_counted_with_the_defaults(demo: object, samples: Path) -> None:
    """Given a "Drugs and weapons" indicator, When indicators are asked for, Then it
    equals the sum of the two categories in the breakdown of the same data."""
    import_files("police-uk", sorted(samples.glob("2014-0[4-9]-*.csv.gz")))
    definition = IndicatorDefinition(
        slug="drugs-and-weapons", name="Drugs and weapons", unit="crimes",
        filter={"categories": ["drugs", "possession-of-weapons"]},
    )  # fmt: skip
    definition.full_clean()
    definition.save()
    out = io.StringIO()
    call_command("indicators", "--place", "West Lancashire", "--from", "2014-04", "--to",
                 "2014-09", "--format", "json", stdout=out)  # fmt: skip
    rows = {r["indicator"]: r for r in json.loads(out.getvalue())}
    districts = resolve_place("West Lancashire").districts
    period = custom("2014-04", "2014-09")
    shares = by_category(
        incident_store(), districts=districts, place="West Lancashire",
        indicator=DEFAULT_INDICATORS[0], period=period,
    )  # fmt: skip
    expected = sum(s.count or 0 for s in shares
                   if s.indicator in {"drugs", "possession-of-weapons"})  # fmt: skip
    assert rows["drugs-and-weapons"]["count"] == expected > 0
