"""The demo's casework matches the founding briefing, and its access is as the README says."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from saferplaces.casework.models import Case, Referral
from saferplaces.governance.access import has_casework_access
from saferplaces.governance.audit import verify
from saferplaces.partnership.models import Person
from tests.otp import verified_login


@pytest.fixture
def demo(db: None, settings) -> None:  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("load_demo", stdout=io.StringIO())


def _figures(slug: str) -> dict[str, int]:
    return Case.objects.filter(panel__group__slug=slug).cohort_figures()


@pytest.mark.django_db
def test_counts_match_the_briefing_and_loading_twice_changes_nothing(demo: None) -> None:
    """Given the demo, then Revolution manages 117 (51 in custody), Divert 12 and the
    Integrated Working Panel 11, counted from cases; the MARAC has a repeat referral; and
    loading the demo again adds nothing."""
    revolution = _figures("west-lancashire-revolution-operational")
    assert (revolution["managed"], revolution["in_custody"]) == (117, 51)
    assert _figures("west-lancashire-divert")["managed"] == 12
    assert _figures("west-lancashire-integrated-working-panel")["managed"] == 11
    assert Referral.objects.filter(
        case__panel__group__slug="west-lancashire-marac", repeat=True
    ).exists()
    cases, referrals = Case.objects.count(), Referral.objects.count()
    call_command("load_demo", stdout=io.StringIO())
    assert (Case.objects.count(), Referral.objects.count()) == (cases, referrals)
    assert verify().ok


@pytest.mark.django_db
def test_access_as_the_readme_says(demo: None) -> None:
    def person(username: str) -> Person:
        return Person.objects.select_related("user").get(user__username=username)

    for username in (
        "officer",
        "analyst",
        "coordinator",
        "police",
        "health",
        "youth",
        "housing",
        "probation",
    ):
        assert has_casework_access(person(username).user), username
    for username in ("county", "voluntary", "chair", "fire", "pcc"):
        assert not has_casework_access(person(username).user), username

    probation = Client()
    verified_login(probation, person("probation").user)
    assert probation.get(reverse("governance:audit_trail", args=["coordinator"])).status_code == 200
    housing = Client()
    verified_login(housing, person("housing").user)
    assert housing.get(reverse("governance:audit_trail", args=["coordinator"])).status_code == 404
