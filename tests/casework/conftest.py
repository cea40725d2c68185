from __future__ import annotations

import pytest
from django.test import Client

from saferplaces.partnership.models import Person
from tests.casework.world import CaseworkWorld, make_casework_world
from tests.otp import verified_login


@pytest.fixture
def cw(db: None, fast_passwords: None) -> CaseworkWorld:
    return make_casework_world()


def signed_in(person: Person) -> Client:
    """A client signed in as the person, two-factor verified (casework needs it)."""
    client = Client()
    verified_login(client, person.user)
    return client
