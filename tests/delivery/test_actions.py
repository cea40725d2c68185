"""Actions of a multi-agency action plan: owners, dependencies, status and RAG, overdue
(saferplaces.delivery.initiatives)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from saferplaces.delivery import initiatives as services
from saferplaces.delivery.models import ActionStatus, DeliveryAction, Rag
from saferplaces.partnership.models import ActivityEvent, Person
from tests.delivery.initiative_support import add, day, make_plan, make_sparx
from tests.personas import World

pytestmark = pytest.mark.django_db


def test_an_action_is_added_with_owner_dates_and_dependencies(world: World, alice: Person) -> None:
    """Given a plan, When Alice adds an action depending on another, Then it is stored
    with its owner and dependency and an event names the plan."""
    plan = make_plan(make_sparx(world))
    briefing = add(plan, "Brief the fire crews", world.police, 0, 2)
    days = services.add_action(
        alice.user, plan, title="Engagement days", owner_organisation=world.council,
        owner_person=alice, starts_on=day(3), due_on=day(9), depends_on=[briefing],
    )  # fmt: skip
    assert list(days.depends_on.all()) == [briefing]
    assert days.owner_person == alice
    event = ActivityEvent.objects.get(
        verb="created", object_type="delivery.deliveryaction", object_id=str(days.pk)
    )
    assert "Bright Sparx 3-week plan" in event.summary


def test_an_owner_of_another_organisation_is_refused(world: World, alice: Person) -> None:
    """Given Alice works for the council, When an action of the police names her as owner,
    Then it is refused, saying whom she works for."""
    plan = make_plan(make_sparx(world))
    with pytest.raises(ValidationError, match="Alice Persona works for Testford Council"):
        add(plan, "Patrols", world.police, 0, 3, person=alice)
    assert not DeliveryAction.objects.exists()


def test_a_strand_of_another_initiative_is_refused(world: World) -> None:
    """Given two initiatives, When an action names the other's strand, Then it is refused."""
    plan = make_plan(make_sparx(world))
    other = make_sparx(world, name="Freshers 2014")
    stall = services.add_strand(None, other, name="Welcome stall")
    with pytest.raises(ValidationError, match="Welcome stall is not a strand of Bright Sparx"):
        add(plan, "Stall", world.council, 0, 1, strand=stall)


def test_an_action_cannot_depend_on_itself(world: World) -> None:
    """Given an action, When it is made to depend on itself, Then the message names it."""
    plan = make_plan(make_sparx(world))
    a = add(plan, "Leaflet drop", world.council, 0, 2)
    with pytest.raises(ValidationError, match="Leaflet drop cannot depend on itself"):
        services.update_action(None, a, depends_on=[a])
    assert not a.depends_on.exists()


def test_an_action_cannot_depend_on_another_plans_action(world: World) -> None:
    """Given two plans, When an action depends on the other plan's, Then it is refused."""
    sparx = make_sparx(world)
    plan, other = make_plan(sparx), make_plan(sparx, "Mischief Night plan")
    theirs = add(other, "Road closures", world.police, 0, 1)
    with pytest.raises(ValidationError, match="Road closures: it is an action of another plan"):
        add(plan, "Bonfire clear-up", world.council, 2, 4, depends_on=[theirs])


def test_a_cycle_is_refused_naming_the_actions(world: World) -> None:
    """Given A ← B ← C (C depends on B, B on A), When A is made to depend on C, Then it is
    refused with the circle of names, and A keeps no dependency."""
    plan = make_plan(make_sparx(world))
    a = add(plan, "Book venue", world.council, 0, 1)
    b = add(plan, "Invite schools", world.council, 2, 3, depends_on=[a])
    c = add(plan, "Go4IT event", world.police, 4, 4, depends_on=[b])
    with pytest.raises(ValidationError) as err:
        services.update_action(None, a, depends_on=[c])
    assert "Book venue → Go4IT event → Invite schools → Book venue" in err.value.messages[0]
    assert not a.depends_on.exists()


def test_a_dependency_due_after_the_start_is_allowed_but_warned(world: World) -> None:
    """Given B starts on day 2 and depends on A due on day 4, Then B is stored and the
    warning says it starts before A is due; C starting after A is due is not warned."""
    plan = make_plan(make_sparx(world))
    a = add(plan, "Skip hire", world.council, 0, 4)
    b = add(plan, "Clear-up", world.council, 2, 6, depends_on=[a])
    c = add(plan, "Report", world.council, 5, 6, depends_on=[a])
    warnings = services.dependency_warnings(services.actions_of(plan))
    assert warnings == {b.pk: ["starts before Skip hire is due"]}
    assert c.pk not in warnings


def test_due_before_start_is_refused(world: World) -> None:
    """When an action would be due before it starts, Then the message says so."""
    plan = make_plan(make_sparx(world))
    with pytest.raises(ValidationError, match="due date must be the same as or after"):
        add(plan, "Backwards", world.council, 3, 1)


def test_done_records_the_completion_day_and_reopening_clears_it(world: World) -> None:
    """Given an open action, When it is set done on day 5, Then completed_on is day 5;
    set done again later keeps day 5; set in progress clears it."""
    plan = make_plan(make_sparx(world))
    a = add(plan, "Skip hire", world.council, 0, 4)
    services.set_action_status(None, a, status=ActionStatus.DONE, rag=Rag.GREEN, today=day(5))
    a.refresh_from_db()
    assert (a.status, a.rag, a.completed_on) == (ActionStatus.DONE, Rag.GREEN, day(5))
    services.set_action_status(None, a, status=ActionStatus.DONE, rag="", today=day(8))
    a.refresh_from_db()
    assert a.completed_on == day(5)
    services.set_action_status(None, a, status=ActionStatus.IN_PROGRESS, rag=Rag.AMBER)
    a.refresh_from_db()
    assert a.completed_on is None and a.rag == Rag.AMBER


def test_an_unknown_status_is_refused(world: World) -> None:
    plan = make_plan(make_sparx(world))
    a = add(plan, "Skip hire", world.council, 0, 4)
    with pytest.raises(ValidationError, match="Choose a status"):
        services.set_action_status(None, a, status="finished")


def test_overdue_is_strict_due_today_is_not_due_yesterday_is(world: World) -> None:
    """Given an open action due on day 4, Then on day 4 it is not overdue and on day 5 it
    is (1 day); done or cancelled actions are never overdue."""
    sparx = make_sparx(world)
    plan = make_plan(sparx)
    a = add(plan, "Skip hire", world.council, 0, 4)
    done = add(plan, "Posters", world.council, 0, 1, status=ActionStatus.DONE, today=day(1))
    add(plan, "Dropped", world.council, 0, 1, status=ActionStatus.CANCELLED)
    assert services.overdue_actions_for_group(world.lpg, day(4)) == []
    assert services.overdue_actions_for_group(world.lpg, day(5)) == [a]
    assert services.days_overdue(a, day(7)) == 3
    assert done.completed_on == day(1)


def test_overdue_for_a_group_is_only_initiatives_it_leads(world: World) -> None:
    """Given an overdue action in an initiative led by the LPG and one led by Divert, Then
    each group sees only its own."""
    plan = make_plan(make_sparx(world))
    mine = add(plan, "Skip hire", world.council, 0, 1)
    other = make_sparx(world, name="Divert op")
    services.update_initiative(None, other, lead_group=world.divert)
    theirs = add(make_plan(other), "Panel", world.police, 0, 1)
    assert services.overdue_actions_for_group(world.lpg, day(10)) == [mine]
    assert services.overdue_actions_for_group(world.divert, day(10)) == [theirs]


def test_removing_an_action_drops_dependencies_on_it(world: World) -> None:
    """Given B depends on A, When A is removed, Then B remains with no dependency."""
    plan = make_plan(make_sparx(world))
    a = add(plan, "Skip hire", world.council, 0, 4)
    b = add(plan, "Clear-up", world.council, 5, 6, depends_on=[a])
    services.remove_action(None, a)
    assert list(DeliveryAction.objects.all()) == [b]
    assert not b.depends_on.exists()
    assert ActivityEvent.objects.filter(verb="removed", summary__contains="Skip hire").exists()


def test_update_changes_the_dates_and_records_what_changed(world: World) -> None:
    plan = make_plan(make_sparx(world))
    a = add(plan, "Skip hire", world.council, 0, 4)
    services.update_action(None, a, due_on=day(6), note="Extra skips")
    a.refresh_from_db()
    assert (a.due_on, a.note) == (day(6), "Extra skips")
    event = ActivityEvent.objects.get(
        verb="updated", object_type="delivery.deliveryaction", object_id=str(a.pk)
    )
    assert "due_on" in event.summary and "note" in event.summary
