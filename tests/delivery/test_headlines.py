"""The year's headlines summed from outputs (saferplaces.delivery.outputs.headlines)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from saferplaces.delivery.models import OutputKind
from saferplaces.delivery.outputs import headlines, record_output
from saferplaces.partnership.models import Place
from saferplaces.partnership.models.places import PlaceKind
from tests.delivery.evaluation_support import make_initiative
from tests.personas import World

pytestmark = pytest.mark.django_db
D = Decimal


def _record(initiative, kind: str, q: str, on: datetime.date, approx: bool = False) -> None:  # type: ignore[no-untyped-def]
    record_output(None, initiative=initiative, kind=kind, quantity=D(q), on=on, approximate=approx)


def test_headlines_sum_the_financial_year_per_kind_and_initiative(world: World) -> None:
    """Given Bright Sparx's 6 engagement days and 150 tons, and the year-round engagement
    days' 9 days and 225.5 tons in 2014/15, plus outputs dated in March 2014 and April
    2015, When the 2014/15 headlines are asked for, Then they sum April 2014 to March
    2015 only: 15 engagement days and 375.5 tons, with each initiative's own sums."""
    sparx = make_initiative(world.district)
    days = make_initiative(world.district, name="Community Action Days 2014/15",
                           starts_on=datetime.date(2014, 3, 1),
                           ends_on=datetime.date(2015, 3, 31), strands=())  # fmt: skip
    _record(sparx, OutputKind.ENGAGEMENT_DAYS, "6", datetime.date(2014, 11, 1))
    _record(sparx, OutputKind.TONS_REMOVED, "150", datetime.date(2014, 11, 1))
    _record(days, OutputKind.ENGAGEMENT_DAYS, "9", datetime.date(2015, 3, 31))
    _record(days, OutputKind.TONS_REMOVED, "225.5", datetime.date(2014, 4, 1))
    _record(days, OutputKind.TONS_REMOVED, "1000", datetime.date(2014, 3, 31))
    _record(days, OutputKind.TONS_REMOVED, "1000", datetime.date(2015, 4, 1))
    h = headlines(world.district, 2014)
    assert h.label == "2014/15"
    assert {t.kind: t.quantity for t in h.totals} == {
        "tons_removed": D("375.5"), "engagement_days": D("15"),
    }  # fmt: skip
    assert h.sentences == ["375.5 tons removed", "15 engagement days"]
    per = {i.initiative.name: {t.kind: t.quantity for t in i.totals} for i in h.initiatives}
    assert per == {
        "Bright Sparx 2014": {"tons_removed": D(150), "engagement_days": D(6)},
        "Community Action Days 2014/15": {"tons_removed": D("225.5"), "engagement_days": D(9)},
    }


def test_a_kind_with_no_outputs_is_absent_and_estimates_are_flagged(world: World) -> None:
    """Given attendees recorded as approximately 500 and an exact 20, When headlines are
    asked for, Then the sum is "approximately 520 attendees" and no other kind appears
    (not even as 0)."""
    sparx = make_initiative(world.district)
    _record(sparx, OutputKind.ATTENDEES, "500", datetime.date(2014, 10, 30), approx=True)
    _record(sparx, OutputKind.ATTENDEES, "20", datetime.date(2014, 10, 31))
    h = headlines(world.district, 2014)
    assert h.sentences == ["approximately 520 attendees"]
    assert [t.kind for t in h.totals] == ["attendees"]


def test_a_county_sums_the_initiatives_of_the_places_below_it(world: World) -> None:
    """Given an initiative in the district and one in another place outside the county,
    When the county's headlines are asked for, Then only the district's count."""
    make_initiative(world.district)
    elsewhere = Place.objects.create(slug="elsewhere", name="Elsewhere", kind=PlaceKind.DISTRICT)
    far = make_initiative(elsewhere, name="Far away")
    _record(
        world.district.initiatives.get(), OutputKind.EVENTS_HELD, "3", datetime.date(2014, 11, 1)
    )
    _record(far, OutputKind.EVENTS_HELD, "4", datetime.date(2014, 11, 1))
    assert headlines(world.county, 2014).sentences == ["3 events held"]
    assert headlines(world.district, 2015).totals == []
    assert not headlines(world.district, 2015).has_outputs
