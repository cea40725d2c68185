"""In a real browser: from West Lancashire, through the structure diagram, to an action."""

from __future__ import annotations

import datetime
import io
import os
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from saferplaces.partnership.demo.loader import DEMO_PASSWORD
from saferplaces.partnership.models import Action
from tests.browser.signin import two_factor_if_asked


@pytest.mark.django_db(transaction=True)
def test_officer_adds_an_action_via_the_structure_diagram(
    page: Any, live_server: Any, settings: Any
) -> None:
    """Given the demo partnership, when the community safety officer signs in, opens West
    Lancashire, follows the structure diagram to the Local Priorities Group and adds an
    action, then the action is listed in the group's open actions."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("load_demo", stdout=io.StringIO())

    page.goto(f"{live_server.url}/")
    assert "/sign-in/" in page.url  # anonymous: sent to sign in
    page.fill("#id_username", "officer")
    page.fill("#id_password", DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    two_factor_if_asked(page, "officer")

    page.get_by_role("link", name="West Lancashire", exact=True).first.click()
    page.wait_for_url("**/places/west-lancashire/")
    assert page.get_by_role("heading", level=1).inner_text() == "West Lancashire"
    assert page.get_by_text("E22000162").is_visible()

    page.get_by_role("link", name="Structure of West Lancashire").first.click()
    page.wait_for_url("**/places/west-lancashire/structure/")
    if os.environ.get("SAFERPLACES_SCREENSHOTS"):
        page.screenshot(path=os.environ["SAFERPLACES_SCREENSHOTS"], full_page=True)
    box = page.locator("svg.sp-structure a[href='/groups/west-lancashire-lpg/']")
    assert box.count() == 1
    box.click()  # the diagram's box, not the list below it
    page.wait_for_url("**/groups/west-lancashire-lpg/")
    assert page.get_by_role("heading", level=1).inner_text() == "Local Priorities Group"

    page.get_by_role("link", name="Add an action").click()
    page.fill("#id_title", "Brief partners on Mischief Night patrols")
    page.select_option("#id_owner", label="Alex Demo (West Lancashire Borough Council)")
    due = timezone.localdate() + datetime.timedelta(days=14)
    page.fill("#id_due_date", due.isoformat())
    page.get_by_role("button", name="Add action").click()

    page.wait_for_url("**/groups/west-lancashire-lpg/")
    assert "added" in page.locator(".govuk-notification-banner").inner_text()
    open_actions = page.locator("#open-actions")
    assert open_actions.get_by_text("Brief partners on Mischief Night patrols").is_visible()
    assert open_actions.get_by_text("Overdue").count() == 1  # the demo's overdue action
    assert Action.objects.filter(
        title="Brief partners on Mischief Night patrols",
        owner__user__username="officer",
        due_date=due,
    ).exists()
