"""Named personas for the whole suite (healthchecks style).

- Alice is a member of the Testford Local Priorities Group (LPG).
- Bob is a member of another group, the Testford Divert Group (a sub-group of the LPG).
  Divert is a multi-agency panel, so it is restricted (need to know): only Bob and Sam
  may open it; Alice still sees and answers what it escalates to her LPG.
- Charlie is signed in but a member of no group.
- Sam is staff (may add to any group) but a member of none.

Plain factory functions build them; the pytest fixtures at the bottom wrap the factories.
Use them from any test folder with `from tests.personas import *  # noqa: F403` in that
folder's conftest.py (tests/partnership/conftest.py does), or add
`pytest_plugins = ["tests.personas"]` to tests/conftest.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from saferplaces.partnership import services
from saferplaces.partnership.models import Group, Organisation, Person, Place
from saferplaces.partnership.models.groups import GroupKind, MembershipRole
from saferplaces.partnership.models.people import OrganisationKind, PersonRole
from saferplaces.partnership.models.places import PlaceKind

PASSWORD = "persona-password-1"


@dataclass
class World:
    """A small two-tier partnership: Testshire, South Testshire, Testford."""

    county: Place
    area: Place
    district: Place
    council: Organisation
    police: Organisation
    county_group: Group
    area_group: Group
    executive: Group
    lpg: Group
    divert: Group


def make_world() -> World:
    county = services.upsert_place(
        None,
        slug="testshire",
        name="Testshire",
        kind=PlaceKind.COUNTY,
        county_code="E10999999",
        pfa_code="E23999999",
        fra_code="E31999999",
    )
    area = services.upsert_place(
        None, slug="south-testshire", name="South Testshire", kind=PlaceKind.AREA, parent=county
    )
    district = services.upsert_place(
        None,
        slug="testford",
        name="Testford",
        kind=PlaceKind.DISTRICT,
        parent=area,
        lad_code="E07999999",
        csp_code="E22999999",
        pfa_code="E23999999",
        fra_code="E31999999",
        county_code="E10999999",
    )
    services.record_populations(None, district, {2019: 100_000, 2020: 101_000}, "test")
    council = services.upsert_organisation(
        None,
        slug="testford-council",
        name="Testford Council",
        kind=OrganisationKind.COUNCIL,
        places=[district],
    )
    police = services.upsert_organisation(
        None,
        slug="testshire-police",
        name="Testshire Police",
        kind=OrganisationKind.POLICE,
        places=[county],
    )
    county_group = services.upsert_group(
        None,
        slug="testshire-strategy",
        name="Testshire Strategy Group",
        kind=GroupKind.COUNTY_STRATEGY,
        place=county,
        statutory=True,
    )
    area_group = services.upsert_group(
        None,
        slug="south-testshire-steering",
        name="South Testshire Steering Group",
        kind=GroupKind.AREA_STEERING,
        place=area,
        parent=county_group,
    )
    executive = services.upsert_group(
        None,
        slug="testford-executive",
        name="Testford Executive Group",
        kind=GroupKind.STRATEGY,
        place=district,
        parent=area_group,
        statutory=True,
    )
    lpg = services.upsert_group(
        None,
        slug="testford-lpg",
        name="Testford Local Priorities Group",
        kind=GroupKind.THEMATIC,
        place=district,
        parent=executive,
        cadence="Monthly",
        purpose="Oversees delivery of agreed priorities",
    )
    divert = services.upsert_group(
        None,
        slug="testford-divert",
        name="Testford Divert Group",
        kind=GroupKind.PANEL,
        place=district,
        parent=lpg,
    )
    return World(
        county, area, district, council, police, county_group, area_group, executive, lpg, divert
    )


def make_person(
    username: str,
    organisation: Organisation,
    *,
    first_name: str,
    staff: bool = False,
    role: str = PersonRole.COMMUNITY_SAFETY_OFFICER,
) -> Person:
    return services.upsert_person(
        None,
        username=username,
        first_name=first_name,
        last_name="Persona",
        organisation=organisation,
        role=role,
        password=PASSWORD,
        is_staff=staff,
    )


def make_alice(world: World) -> Person:
    alice = make_person("alice", world.council, first_name="Alice")
    services.upsert_membership(None, group=world.lpg, person=alice, role=MembershipRole.CHAIR)
    return alice


def make_bob(world: World) -> Person:
    bob = make_person("bob", world.police, first_name="Bob")
    services.upsert_membership(None, group=world.divert, person=bob, role=MembershipRole.MEMBER)
    return bob


def make_charlie(world: World) -> Person:
    return make_person("charlie", world.council, first_name="Charlie")


def make_sam(world: World) -> Person:
    return make_person("sam", world.council, first_name="Sam", staff=True)


def client_for(person: Person) -> Client:
    client = Client()
    client.force_login(person.user)
    return client


# Fixtures ----------------------------------------------------------------------------


@pytest.fixture
def fast_passwords(settings: Any) -> None:
    """Hash passwords with MD5 in tests: PBKDF2 would spend seconds on every persona."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(db: None, fast_passwords: None) -> World:
    return make_world()


@pytest.fixture
def alice(world: World) -> Person:
    return make_alice(world)


@pytest.fixture
def bob(world: World) -> Person:
    return make_bob(world)


@pytest.fixture
def charlie(world: World) -> Person:
    return make_charlie(world)


@pytest.fixture
def sam(world: World) -> Person:
    return make_sam(world)


@pytest.fixture
def alice_client(alice: Person) -> Client:
    return client_for(alice)


@pytest.fixture
def bob_client(bob: Person) -> Client:
    return client_for(bob)


@pytest.fixture
def charlie_client(charlie: Person) -> Client:
    return client_for(charlie)


@pytest.fixture
def sam_client(sam: Person) -> Client:
    return client_for(sam)


__all__ = [
    "PASSWORD",
    "World",
    "alice",
    "alice_client",
    "bob",
    "bob_client",
    "charlie",
    "charlie_client",
    "client_for",
    "fast_passwords",
    "make_alice",
    "make_bob",
    "make_charlie",
    "make_sam",
    "make_world",
    "sam",
    "sam_client",
    "world",
]
