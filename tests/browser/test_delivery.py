"""From a new initiative to the funding summary in a real browser: the demo's community
safety officer records an initiative, starts its action plan and adds an action (seen on
the timeline), records a funding stream, allocates part of it to the initiative, submits
the first quarterly return and reads the year's funding summary, where the spend is
counted. Each page passes axe.
"""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command

from saferplaces.delivery.models import Allocation, DeliveryAction, Initiative, QuarterlyReturn
from saferplaces.partnership.demo.loader import DEMO_PASSWORD
from tests.browser import axe
from tests.browser.signin import two_factor_if_asked

PLACE = "west-lancashire"
NAME = "Halloween patrols 2026"
FUNDER = "Ormskirk Town Centre Fund"


def _sign_in(page: Any, live_server: Any, username: str) -> None:
    page.goto(f"{live_server.url}/sign-in/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    two_factor_if_asked(page, username)


def _check(page: Any, what: str, found: list[str]) -> None:
    problem = axe.describe(what, axe.violations(page))
    if problem:
        found.append(problem)


@pytest.mark.django_db(transaction=True)
def test_officer_runs_an_initiative_from_plan_to_funding_summary(
    page: Any, live_server: Any, settings: Any
) -> None:
    """Given the demo partnership, when the community safety officer records an initiative,
    starts its action plan with one action, records a £6,000.00 stream, allocates
    £2,500.50 of it to the initiative and submits the Q1 return with £1,200.25 spent,
    then the timeline shows the action, the allocation has its four returns, and the
    2026/27 funding summary shows the stream with £2,500.50 allocated, £1,200.25 spent
    and £3,499.50 left; and every page passes axe."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("load_demo", stdout=io.StringIO())
    axe.install(page, live_server.url)
    found: list[str] = []
    _sign_in(page, live_server, "officer")

    # A new initiative.
    page.goto(f"{live_server.url}/places/{PLACE}/initiatives/")
    _check(page, "initiatives", found)
    page.goto(f"{live_server.url}/places/{PLACE}/initiatives/new/")
    page.fill("#id_name", NAME)
    page.get_by_label("Time-boxed operation").check()
    page.fill("#id_starts_on", "2026-10-19")
    page.fill("#id_ends_on", "2026-11-08")
    page.fill("#id_aims", "Reduce ASB over Halloween\nKeep young people safe")
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_load_state()
    initiative = Initiative.objects.get(name=NAME)
    assert f"/initiatives/{initiative.slug}/" in page.url
    assert page.get_by_role("heading", name=NAME).first.is_visible()
    _check(page, "initiative", found)

    # Its action plan and one action, on the timeline.
    page.get_by_role("link", name="Start an action plan").click()
    page.fill("#id_title", "Halloween 3-week plan")
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_load_state()
    page.get_by_role("link", name="Add an action").first.click()
    page.fill("#id_title", "Brief the neighbourhood policing teams")
    page.select_option("#id_owner_organisation", label="Lancashire Constabulary")
    page.fill("#id_starts_on", "2026-10-19")
    page.fill("#id_due_on", "2026-10-23")
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_load_state()
    action = DeliveryAction.objects.get(plan__initiative=initiative)
    assert action.title == "Brief the neighbourhood policing teams"
    assert page.get_by_text("Brief the neighbourhood policing teams").first.is_visible()
    _check(page, "action plan", found)

    # A funding stream for the year, and an allocation to the initiative.
    page.goto(f"{live_server.url}/places/{PLACE}/funding/?year=2026/27")
    page.get_by_role("link", name="Record a funding stream").click()
    page.fill("#id_funder", FUNDER)
    page.fill("#id_year", "2026/27")
    page.fill("#id_amount", "6000.00")
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_load_state()
    _check(page, "funding stream", found)
    page.get_by_role("link", name="Allocate funding").click()
    page.select_option("#id_initiative", label=NAME)
    page.fill("#id_amount", "2500.50")
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_load_state()
    allocation = Allocation.objects.get(initiative=initiative)
    assert allocation.amount == Decimal("2500.50")
    assert allocation.returns.count() == 4

    # The first quarterly return, from the initiative's funding section.
    page.goto(f"{live_server.url}/initiatives/{initiative.slug}/funding/")
    page.get_by_role("link", name="Submit the Q1 return").click()
    page.fill("#id_spend", "1200.25")
    page.get_by_label("Green").check()
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_load_state()
    q1 = QuarterlyReturn.objects.get(allocation=allocation, quarter=1)
    assert q1.submitted_on is not None and q1.spend == Decimal("1200.25")

    # The year's funding summary counts it.
    page.goto(f"{live_server.url}/places/{PLACE}/funding/?year=2026/27")
    row = page.locator("tr", has_text=FUNDER).first
    text = row.inner_text()
    assert "£6,000.00" in text and "£2,500.50" in text and "£1,200.25" in text, text
    assert "£3,499.50" in text, text
    _check(page, "funding summary", found)
    assert not found, "\n".join(found)
