from __future__ import annotations

import pytest
from django.test import Client

from saferplaces.partnership.models import Person
from tests.casework.world import CaseworkWorld, make_casework_world


@pytest.fixture
def cw(db: None, fast_passwords: None) -> CaseworkWorld:
    return make_casework_world()


def signed_in(person: Person) -> Client:
    """A client signed in as the person, two-factor verified (casework needs it)."""
    client = Client()
    try:
        from tests.otp import verified_login
    except ImportError:  # until two-factor lands
        client.force_login(person.user)
    else:
        verified_login(client, person.user)
    return client
