"""Casework in a real browser: the demo's IOM coordinator signs in with a password and a
two-factor code, finds Revolution's cohort (117 managed, 51 in custody: counted from the
cases), opens a case, keys a duplicate person and is warned, and adds a note; every
casework page passes axe. A demo person on no panel sees no casework and a case is 404.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from saferplaces.casework.models import Case, CaseStatus
from saferplaces.governance.audit import verify
from saferplaces.governance.models import AuditEvent
from saferplaces.partnership.demo.loader import DEMO_PASSWORD
from tests.browser import axe
from tests.otp import code_for

REVOLUTION = "west-lancashire-revolution-operational"


def _sign_in(page: Any, live_server: Any, username: str) -> None:
    page.goto(f"{live_server.url}/sign-in/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def _check(page: Any, what: str, found: list[str]) -> None:
    problem = axe.describe(what, axe.violations(page))
    if problem:
        found.append(problem)


@pytest.mark.django_db(transaction=True)
def test_coordinator_works_a_case_with_two_factor_sign_in(
    page: Any, live_server: Any, settings: Any
) -> None:
    """Given the demo, when the coordinator signs in and opens casework, then the
    two-factor step comes first; after the code, Revolution shows 117 managed and 51 in
    custody; a case shows the person; keying that person again warns of a duplicate; a
    note lands; and the audit trail verifies with the views recorded."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("load_demo", stdout=io.StringIO())
    axe.install(page, live_server.url)
    found: list[str] = []
    _sign_in(page, live_server, "coordinator")

    assert "/sign-in/two-factor/" in page.url  # a casework user is asked at once
    page.goto(f"{live_server.url}/casework/")
    assert "/sign-in/two-factor/" in page.url  # and cannot go round it
    _check(page, "two-factor step", found)
    page.fill("#id_code", code_for(User.objects.get(username="coordinator")))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{live_server.url}/casework/")
    _check(page, "casework index", found)

    page.get_by_role("link", name="Revolution Operational Group").click()
    assert page.locator('[data-figure="managed"]').inner_text() == "117"
    assert page.locator('[data-figure="in_custody"]').inner_text() == "51"
    _check(page, "panel case list", found)

    case = Case.objects.filter(panel__group__slug=REVOLUTION, status=CaseStatus.ACTIVE).first()
    assert case is not None
    page.get_by_label("Reference").fill(case.reference)
    page.get_by_role("button", name="Show cases").click()
    page.get_by_role("link", name=case.reference).click()
    assert case.subject.family_name in page.locator("#identity").inner_text()
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
    _check(page, "case page", found)

    page.fill("#id_note-text", "Attended the appointment (browser test)")
    page.get_by_role("button", name="Add the note").click()
    page.wait_for_selector("text=Attended the appointment (browser test)")

    page.goto(f"{live_server.url}/casework/cases/{case.reference}/risk/dash-24/")
    _check(page, "DASH checklist", found)

    page.goto(f"{live_server.url}/casework/panels/{REVOLUTION}/new/")
    page.fill("#id_given_name", case.subject.given_name)
    page.fill("#id_family_name", case.subject.family_name.upper())
    page.fill("#id_date_of_birth", case.subject.date_of_birth.isoformat())
    page.select_option("#id_lead_agency", label="Lancashire Probation / CRC")
    page.select_option("#id_referred_by", label="Lancashire Constabulary")
    page.fill("#id_reason", "Referred again")
    page.get_by_role("button", name="Check and open the case").click()
    page.wait_for_selector("#duplicates")
    _check(page, "new case, duplicate warning", found)

    for path in (
        "/casework/asb-case-reviews/",
        "/casework/death-reviews/",
        "/governance/agreements/",
    ):
        page.goto(f"{live_server.url}{path}")
        _check(page, path, found)
        first = page.locator("main table a.govuk-link").first
        if first.count():
            first.click()
            _check(page, f"{path}, first record", found)

    assert not found, "\n".join(found)
    assert AuditEvent.objects.filter(
        username="coordinator", object_id=case.reference, action="view"
    ).exists()
    assert verify().ok


@pytest.mark.django_db(transaction=True)
def test_a_person_on_no_panel_sees_no_casework(page: Any, live_server: Any, settings: Any) -> None:
    """Given the demo, when the county policy officer (on no panel) opens casework and a
    case's address, then casework says there is none for her and the case is not found."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("load_demo", stdout=io.StringIO())
    _sign_in(page, live_server, "county")
    page.goto(f"{live_server.url}/casework/")
    assert "no casework for you to see" in page.content()
    case = Case.objects.filter(panel__group__slug=REVOLUTION).first()
    assert case is not None
    response = page.goto(f"{live_server.url}/casework/cases/{case.reference}/")
    assert response is not None and response.status == 404
    assert case.subject.family_name not in page.content()
