"""The governance personas, on the Testford world of tests/personas.py.

- Alice (Testford Council, community safety officer) makes and changes agreements.
- Bob (Testshire Police, community safety officer) sits on the Testford Divert panel and
  signs for Testshire Police.
- Andy (Testshire Police, analyst) reads the register but may neither sign nor change it.
- Zed works for another partnership's council (Otherton): Testford's register is 404.
- Sue (Testford Council, board member) is the line manager of Alice and Charlie.
- Vic (Testshire Police, board member) is the line manager of Bob.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
from django.utils import timezone

from saferplaces.governance import audit, services
from saferplaces.governance.catalogue import Purpose
from saferplaces.governance.models import SharingAgreement
from saferplaces.partnership import services as partnership
from saferplaces.partnership.models import Person
from saferplaces.partnership.models.people import OrganisationKind, PersonRole
from saferplaces.partnership.models.places import PlaceKind
from tests.personas import World, make_alice, make_bob, make_charlie, make_person


@dataclass
class Cast:
    world: World
    alice: Person
    bob: Person
    charlie: Person
    andy: Person
    zed: Person
    sue: Person
    vic: Person


def make_cast(world: World) -> Cast:
    alice, bob, charlie = make_alice(world), make_bob(world), make_charlie(world)
    andy = make_person("andy", world.police, first_name="Andy", role=PersonRole.ANALYST)
    otherton = partnership.upsert_place(
        None, slug="otherton", name="Otherton", kind=PlaceKind.DISTRICT
    )
    other_council = partnership.upsert_organisation(
        None,
        slug="otherton-council",
        name="Otherton Council",
        kind=OrganisationKind.COUNCIL,
        places=[otherton],
    )
    zed = make_person("zed", other_council, first_name="Zed")
    sue = make_person("sue", world.council, first_name="Sue", role=PersonRole.BOARD_MEMBER)
    vic = make_person("vic", world.police, first_name="Vic", role=PersonRole.BOARD_MEMBER)
    for person, manager in ((alice, sue), (charlie, sue), (bob, vic)):
        person.line_manager = manager
        person.save(update_fields=["line_manager"])
    return Cast(world, alice, bob, charlie, andy, zed, sue, vic)


@pytest.fixture
def cast(world: World) -> Cast:
    return make_cast(world)


def make_draft(world: World, **kwargs: object) -> SharingAgreement:
    today = timezone.localdate()
    return services.agreement_from_template(
        audit.SYSTEM,
        world.district,
        Purpose.DIVERSION,
        panels=[world.divert],
        starts_on=today - datetime.timedelta(days=10),
        dpia_reference="DPIA-2026-001",
        **kwargs,  # type: ignore[arg-type]
    )


@pytest.fixture
def draft(cast: Cast) -> SharingAgreement:
    return make_draft(cast.world)
