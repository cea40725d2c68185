"""A death review panel in the personas' world (tests/personas.py).

- Dora (Testshire Police, panel coordinator) sits on the Testford review panel; her role
  sees identifying details under the agreement.
- Eric (Testford Council, community safety officer) sits on the panel too; he works on the
  pseudonymous review only.
- Both organisations have signed the panel's death review agreement, which is in force.
- Charlie (Testford Council, like Eric) is on no group; Alice (Testford Council) is on the
  LPG; Bella (Testford Council, board member) chairs the Executive Group the panel reports to.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
from django.test import Client

from saferplaces.death_reviews import services
from saferplaces.death_reviews.models import Circumstances, DeathReview
from saferplaces.governance import audit
from saferplaces.governance.catalogue import Purpose
from saferplaces.governance.models import AgreementStatus, SharingAgreement
from saferplaces.governance.services import (
    agreement_from_template,
    set_agreement_status,
    sign_agreement,
)
from saferplaces.partnership import services as partnership
from saferplaces.partnership.models import Group, Person
from saferplaces.partnership.models.groups import GroupKind, MembershipRole
from saferplaces.partnership.models.people import PersonRole
from tests.otp import verified_login
from tests.personas import World, make_person

ACTOR = audit.SYSTEM
NOTIFIED = datetime.date(2025, 3, 10)


@dataclass
class Panel:
    world: World
    group: Group
    agreement: SharingAgreement
    dora: Person
    eric: Person


def make_panel(world: World) -> Panel:
    group = partnership.upsert_group(
        None,
        slug="testford-dhr-panel",
        name="Testford Review Panel",
        kind=GroupKind.PANEL,
        place=world.district,
        parent=world.executive,
    )
    dora = make_person("dora", world.police, first_name="Dora", role=PersonRole.PANEL_COORDINATOR)
    eric = make_person("eric", world.council, first_name="Eric")
    partnership.upsert_membership(None, group=group, person=dora, role=MembershipRole.CHAIR)
    partnership.upsert_membership(None, group=group, person=eric, role=MembershipRole.MEMBER)
    agreement = agreement_from_template(
        ACTOR,
        world.district,
        Purpose.DEATH_REVIEW,
        panels=[group],
        starts_on=datetime.date(2025, 1, 1),
        expires_on=datetime.date.today() + datetime.timedelta(days=365),
    )
    for person in (dora, eric):
        sign_agreement(ACTOR, agreement, person.organisation, person, datetime.date(2025, 1, 2))
    set_agreement_status(ACTOR, agreement, AgreementStatus.ACTIVE)
    return Panel(world, group, agreement, dora, eric)


def notify(panel: Panel, **changes: object) -> DeathReview:
    values: dict[str, object] = {
        "pseudonym": "Adult T",
        "real_name": "Terry Testperson",
        "age_at_death": 41,
        "date_of_death": NOTIFIED - datetime.timedelta(days=3),
        "circumstances": Circumstances.HOMICIDE,
        "notified_by": panel.world.police,
        "notified_on": NOTIFIED,
    }
    values.update(changes)
    return services.notify(ACTOR, panel.group, **values)  # type: ignore[arg-type]


@pytest.fixture
def panel(world: World) -> Panel:
    return make_panel(world)


@pytest.fixture
def review(panel: Panel) -> DeathReview:
    return notify(panel)


def signed_in(person: Person) -> Client:
    """A client signed in as the person, two-factor sign-in done."""
    client = Client()
    verified_login(client, person.user)
    return client


@pytest.fixture
def dora_client(panel: Panel) -> Client:
    return signed_in(panel.dora)


@pytest.fixture
def eric_client(panel: Panel) -> Client:
    return signed_in(panel.eric)
