"""Writes to evaluation measures, unit costs and value cases (delivery.evaluation_services)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from saferplaces.delivery import evaluation_services as services
from saferplaces.delivery.models import EvaluationWindow, ValueCase
from saferplaces.partnership.models import ActivityEvent, Person, Place
from saferplaces.partnership.models.places import PlaceKind
from tests.delivery.evaluation_support import make_initiative
from tests.personas import World

pytestmark = pytest.mark.django_db
D = Decimal


def test_measures_are_added_once_on_known_indicators(world: World, alice: Person) -> None:
    """Given Bright Sparx, When Alice adds ASB in October–November, Then it is stored in
    order with an event; the same again, an unknown indicator or 1 year is refused."""
    sparx = make_initiative(world.district)
    m = services.add_measure(alice.user, initiative=sparx, indicator_key="anti-social-behaviour",
                             window=EvaluationWindow.OCTOBER_NOVEMBER)  # fmt: skip
    n = services.add_measure(alice.user, initiative=sparx, indicator_key="deliberate-fires",
                             window=EvaluationWindow.OCTOBER_NOVEMBER)  # fmt: skip
    assert (m.years, n.order > m.order) == (10, True)
    assert ActivityEvent.objects.filter(verb="added", object_id=str(m.pk)).exists()
    with pytest.raises(ValidationError, match="already evaluated"):
        services.add_measure(None, initiative=sparx, indicator_key="anti-social-behaviour",
                             window=EvaluationWindow.OCTOBER_NOVEMBER)  # fmt: skip
    with pytest.raises(ValidationError, match="Unknown indicator: smiles"):
        services.add_measure(None, initiative=sparx, indicator_key="smiles",
                             window=EvaluationWindow.HALLOWEEN)  # fmt: skip
    with pytest.raises(ValidationError):
        services.add_measure(None, initiative=sparx, indicator_key="burglary",
                             window=EvaluationWindow.HALLOWEEN, years=1)  # fmt: skip
    services.remove_measure(alice.user, m)
    assert list(sparx.evaluation_measures.all()) == [n]


def test_value_cases_use_the_places_own_or_shared_unit_costs(world: World) -> None:
    """Given a shared unit cost, one of Testford and one of another place, When value
    cases are added, Then the shared and own costs are offered and accepted, the other
    place's is refused, as are a negative baseline and a duplicate cost name."""
    sparx = make_initiative(world.district)
    other = Place.objects.create(slug="elsewhere", name="Elsewhere", kind=PlaceKind.DISTRICT)
    shared = services.add_unit_cost(None, place=None, name="Fire call-out", unit="call-out",
                                    amount=D(515), source="LFRS 2014")  # fmt: skip
    own = services.add_unit_cost(None, place=world.district, name="Clean-up", unit="ton",
                                 amount=D("80.50"), source="Council 2014")  # fmt: skip
    theirs = services.add_unit_cost(None, place=other, name="Patrol", unit="hour",
                                    amount=D(40), source="Police 2014")  # fmt: skip
    assert services.unit_costs_for(world.district) == [own, shared]
    case = services.add_value_case(None, initiative=sparx, unit_cost=shared,
                                   baseline_per_period=D(30))  # fmt: skip
    assert case.observed_per_period is None and case.period == "night"
    with pytest.raises(ValidationError, match="belongs to another place"):
        services.add_value_case(None, initiative=sparx, unit_cost=theirs,
                                baseline_per_period=D(1))  # fmt: skip
    with pytest.raises(ValidationError):
        services.add_value_case(None, initiative=sparx, unit_cost=own,
                                baseline_per_period=D(-1))  # fmt: skip
    with pytest.raises(ValidationError, match="already exists"):
        services.add_unit_cost(None, place=None, name="fire call-out", unit="call-out",
                               amount=D(1), source="x")  # fmt: skip
    services.remove_value_case(None, case)
    assert not ValueCase.objects.exists()
