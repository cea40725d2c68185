"""Fixtures of the API tests: the demo partnership (people, groups, casework, delivery),
tokens made through the service, and a client that sends one."""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable, Iterator

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from saferplaces.api.tokens import NewToken, create_token


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """Throttle counts and cached figures start empty in every test."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def demo_world(db: None) -> None:
    """The demo partnership, as `saferplaces load_demo` loads it."""
    call_command("load_demo", stdout=io.StringIO())


def make_token(username: str, *, two_factor: bool = True, days: int = 30) -> NewToken:
    user = User.objects.get(username=username)
    return create_token(
        user,
        name=f"{username} test",
        expires_on=timezone.localdate() + datetime.timedelta(days=days),
        two_factor=two_factor,
    )


def bearer(text: str) -> Client:
    """A client that sends ``Authorization: Bearer <text>`` with every request."""
    return Client(headers={"Authorization": f"Bearer {text}"})


@pytest.fixture
def api_as(demo_world: None) -> Callable[..., Client]:
    """api_as("analyst"): a client with a fresh two-factor token of that demo user."""

    def client(username: str, *, two_factor: bool = True) -> Client:
        return bearer(make_token(username, two_factor=two_factor).text)

    return client
