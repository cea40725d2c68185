"""Initiatives, strands and action plans (saferplaces.delivery.initiatives)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from saferplaces.delivery import initiatives as services
from saferplaces.delivery.models import Initiative
from saferplaces.partnership.models import ActivityEvent, Person
from saferplaces.strategy import plans as strategy
from saferplaces.strategy.models.plans import PlanKind
from tests.delivery.initiative_support import END, START, make_plan, make_sparx
from tests.personas import World

pytestmark = pytest.mark.django_db


def test_an_initiative_is_created_with_partners_lead_and_an_event(
    world: World, alice: Person
) -> None:
    """Given Testford, When Alice creates Bright Sparx led by the LPG with two partners,
    Then it has a slug from place and name, its partners, and an activity event."""
    sparx = services.create_initiative(
        alice.user, place=world.district, name="Bright Sparx 2014", kind="operation",
        starts_on=START, ends_on=END, lead_group=world.lpg, partners=[world.police, world.council],
    )  # fmt: skip
    assert sparx.slug == "testford-bright-sparx-2014"
    assert set(sparx.partners.all()) == {world.police, world.council}
    assert sparx.lead_group == world.lpg
    assert ActivityEvent.objects.filter(
        verb="created", object_type="delivery.initiative", object_id=str(sparx.pk)
    ).exists()


def test_the_same_name_twice_in_a_place_is_refused(world: World) -> None:
    """Given Bright Sparx in Testford, When another is created with the name in other
    case, Then it is refused with a message naming the place and nothing is added."""
    make_sparx(world)
    with pytest.raises(ValidationError, match="Testford already has an initiative called"):
        make_sparx(world, name="bright sparx 2014")
    assert Initiative.objects.count() == 1


def test_an_end_before_the_start_is_refused(world: World) -> None:
    """When an initiative would end before it starts, Then it is refused."""
    with pytest.raises(ValidationError):
        services.create_initiative(None, place=world.district, name="Backwards",
                                   kind="project", starts_on=END, ends_on=START)  # fmt: skip


def test_update_changes_partners_and_priorities_and_records_what_changed(world: World) -> None:
    """Given Bright Sparx with two partners, When it is updated to serve a plan priority
    with one partner, Then both change and the event names them; the same update again
    records nothing."""
    sparx = make_sparx(world)
    plan = strategy.create_plan(None, place=world.district, kind=PlanKind.PARTNERSHIP,
                                title="Testford plan", period_label="2014/15",
                                starts_on=START, ends_on=END)  # fmt: skip
    prio = strategy.add_priority(None, plan, title="General ASB")
    services.update_initiative(None, sparx, priorities=[prio], partners=[world.police])
    assert list(sparx.priorities.all()) == [prio]
    assert list(sparx.partners.all()) == [world.police]
    event = ActivityEvent.objects.filter(
        verb="updated", object_type="delivery.initiative", object_id=str(sparx.pk)
    ).get()
    assert "partners" in event.summary and "priorities" in event.summary
    services.update_initiative(None, sparx, priorities=[prio], partners=[world.police])
    assert (
        ActivityEvent.objects.filter(
            verb="updated", object_type="delivery.initiative", object_id=str(sparx.pk)
        ).count()
        == 1
    )


def test_strands_are_added_in_order_and_names_are_unique(world: World) -> None:
    """Given Bright Sparx, When four strands are added, Then they keep their order; a
    second strand of the same name is refused."""
    sparx = make_sparx(world)
    names = ["Engagement days", "Diversionary activities", "The Go4IT event",
             "Mischief Night plans"]  # fmt: skip
    for n in names:
        services.add_strand(None, sparx, name=n)
    assert [s.name for s in sparx.strands.all()] == names
    with pytest.raises(ValidationError, match="already has a strand called The Go4IT event"):
        services.add_strand(None, sparx, name="The Go4IT event")
    strand = sparx.strands.get(name="The Go4IT event")
    services.update_strand(None, strand, description="At the leisure centre")
    strand.refresh_from_db()
    assert strand.description == "At the leisure centre"


def test_a_plan_title_is_once_per_initiative(world: World) -> None:
    """Given a plan, When another of the same title is started, Then it is refused."""
    sparx = make_sparx(world)
    make_plan(sparx)
    with pytest.raises(ValidationError, match="already has an action plan called"):
        make_plan(sparx)


def test_initiatives_of_a_place_are_its_own(world: World) -> None:
    """Given initiatives in Testford and in the county, Then a place lists only its own."""
    make_sparx(world)
    services.create_initiative(None, place=world.county, name="County op", kind="operation",
                               starts_on=START, ends_on=END)  # fmt: skip
    assert [i.name for i in services.initiatives_of(world.district)] == ["Bright Sparx 2014"]
