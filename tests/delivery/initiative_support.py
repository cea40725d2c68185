"""Builders for the initiative, action plan and digest tests: Bright Sparx 2014 in
Testford, led by the Testford Local Priorities Group, with a 3-week action plan."""

from __future__ import annotations

import datetime

from saferplaces.delivery import initiatives as services
from saferplaces.delivery.models import ActionPlan, DeliveryAction, Initiative, InitiativeKind
from saferplaces.partnership.models import Organisation, Person
from tests.personas import World

START = datetime.date(2014, 10, 20)  # a Monday
END = datetime.date(2014, 11, 9)  # three weeks later, a Sunday


def day(n: int) -> datetime.date:
    """The plan's n-th day (0 = Monday 20 October 2014)."""
    return START + datetime.timedelta(days=n)


def make_sparx(world: World, name: str = "Bright Sparx 2014") -> Initiative:
    return services.create_initiative(
        None, place=world.district, name=name, kind=InitiativeKind.OPERATION,
        starts_on=START, ends_on=END, aims="Reduce deliberate fires\nDivert young people",
        lead_group=world.lpg, partners=[world.council, world.police],
    )  # fmt: skip


def make_plan(initiative: Initiative, title: str = "Bright Sparx 3-week plan") -> ActionPlan:
    return services.create_action_plan(None, initiative, title=title)


def add(
    plan: ActionPlan, title: str, org: Organisation, first: int, last: int,
    person: Person | None = None, **kw: object,
) -> DeliveryAction:  # fmt: skip
    """An action of `plan` from day `first` to day `last`."""
    return services.add_action(
        None, plan, title=title, owner_organisation=org, owner_person=person,
        starts_on=day(first), due_on=day(last), **kw,  # type: ignore[arg-type]
    )  # fmt: skip
