"""From a new strategic assessment to an approved plan in a real browser: the demo's
analyst starts West Lancashire's 2014/15 assessment, scores it, changes one score with a
reason and sees the priorities re-ranked, makes the Word document, signs the assessment
off and downloads the document (its top priority is named in it); then the community
safety officer approves West Lancashire's 2015/16 plan. Both pages pass axe.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command

from saferplaces.partnership.demo.loader import DEMO_PASSWORD
from saferplaces.strategy import assessments
from saferplaces.strategy.models import StrategicAssessment
from tests.browser import axe
from tests.browser.signin import two_factor_if_asked
from tests.places import SAMPLES

PLACE = "west-lancashire"
PLAN = "West Lancashire Community Safety Partnership priorities 2015/16"


def _sign_in(page: Any, live_server: Any, username: str) -> None:
    page.goto(f"{live_server.url}/sign-in/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    two_factor_if_asked(page, username)


def _sign_out(page: Any) -> None:
    page.context.clear_cookies()


def _check(page: Any, what: str, found: list[str]) -> None:
    problem = axe.describe(what, axe.violations(page))
    if problem:
        found.append(problem)


def _overtaker(a: StrategicAssessment) -> tuple[Any, str, int]:
    """A candidate below the top, a criterion and a score that puts it first on its own:
    what the analyst will change (the change itself is made in the browser)."""
    weights = assessments.weights()
    cands = list(a.candidates.order_by("rank", "name"))
    top = cands[0]
    for c in cands[1:]:
        scores = assessments.effective_scores(c)
        for key, w in sorted(weights.items(), key=lambda kv: -kv[1]):
            gain = w * (5 - scores[key])
            if gain > (top.total or 0) - (c.total or 0):
                return c, key, 5
    raise AssertionError("no single score change re-ranks this assessment")


def _paragraphs(path: str) -> list[str]:
    import docx

    return [p.text for p in docx.Document(path).paragraphs]


@pytest.mark.django_db(transaction=True)
def test_analyst_assesses_and_officer_approves_the_plan(
    page: Any, live_server: Any, settings: Any
) -> None:
    """Given the demo and West Lancashire's incidents, when the analyst starts, scores,
    re-scores one priority with a reason, makes the Word document and signs 2014/15 off,
    then the change re-ranks the priorities, the assessment reads signed off and the
    downloaded document names the top priority; when the community safety officer
    records the 2015/16 plan's approval, then it reads approved; and both pages pass axe."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("load_demo", stdout=io.StringIO())
    call_command("import", "police-uk", str(SAMPLES), "--no-progress", stdout=io.StringIO())
    assert not StrategicAssessment.objects.filter(place__slug=PLACE, year="2014/15").exists()
    axe.install(page, live_server.url)
    found: list[str] = []

    # The analyst starts 2014/15.
    _sign_in(page, live_server, "analyst")
    page.goto(f"{live_server.url}/places/{PLACE}/")
    page.get_by_role("link", name="Strategic assessments").click()
    page.get_by_role("link", name="Start a strategic assessment").click()
    page.get_by_label("Financial year").fill("2014/15")
    page.get_by_role("button", name="Start the assessment").click()
    page.wait_for_selector("h1:has-text('Strategic assessment 2014/15')")
    a = StrategicAssessment.objects.get(place__slug=PLACE, year="2014/15")
    assert "Draft" in page.get_by_test_id("status").inner_text()

    # Scores the candidate priorities.
    page.get_by_role("button", name="Score the priorities").click()
    page.wait_for_selector("[data-testid=priority]")
    priorities = page.get_by_test_id("priority")
    assert priorities.count() == a.candidates.count() > 1
    _check(page, "assessment, scored", found)

    # Changes one score with a reason and sees the issue move to the top.
    candidate, criterion, score = _overtaker(a)
    before = priorities.first.locator("h3").inner_text()
    assert not before.startswith(f"1. {candidate.name} ")
    page.get_by_role("link", name=f"Change a score of {candidate.name}").click()
    page.locator(f"input[name=criterion][value={criterion}]").check()
    page.locator(f"input[name=score][value='{score}']").check()
    reason = "Partners report far more of this than the figures show (browser test)"
    page.get_by_label("Why are you changing the score?").fill(reason)
    page.get_by_role("button", name="Change the score").click()
    page.wait_for_selector("[data-testid=overrides]")
    first = priorities.first
    assert first.locator("h3").inner_text().startswith(f"1. {candidate.name} ")
    assert "changed by analyst" in first.inner_text()
    assert reason in page.get_by_test_id("overrides").inner_text()

    # Makes the Word document, then signs the assessment off. (The document is made
    # before the sign-off: once signed off, the page offers no "Make a Word document".)
    page.get_by_role("button", name="Make a Word document").click()
    page.wait_for_selector("[data-testid=versions]")
    page.get_by_role("link", name="Sign off").click()
    page.get_by_label("I approve this strategic assessment on behalf of the partnership").check()
    page.get_by_role("button", name="Sign off").click()
    page.wait_for_selector("[data-testid=status]:has-text('Signed off by analyst')")
    assert page.get_by_role("button", name="Score the priorities again").count() == 0
    _check(page, "assessment, signed off", found)

    # Downloads the Word version: the top priority is named in it.
    with page.expect_download() as info:
        page.get_by_role("link", name="Word version 1").click()
    download = info.value
    assert download.suggested_filename.endswith(".docx")
    ranked = [t for t in _paragraphs(str(download.path())) if t[:1].isdigit() and ". " in t]
    assert ranked and ranked[0].startswith(f"1. {candidate.name} (score "), ranked[:2]

    # The community safety officer approves West Lancashire's 2015/16 plan.
    _sign_out(page)
    _sign_in(page, live_server, "officer")
    page.goto(f"{live_server.url}/places/{PLACE}/")
    page.get_by_role("link", name="plans and community safety agreements").click()
    page.get_by_role("link", name=PLAN).click()
    assert "Draft" in page.get_by_test_id("status").inner_text()
    _check(page, "plan, draft", found)
    page.get_by_role("link", name="Record approval").click()
    page.get_by_label("Date approved").fill("2015-06-17")
    page.get_by_label("Approved by (optional)").fill("Cabinet, 17 June 2015")
    page.get_by_role("button", name="Record approval").click()
    page.wait_for_selector("[data-testid=status]:has-text('Approved')")
    assert page.get_by_role("link", name="Record approval").count() == 0
    _check(page, "plan, approved", found)

    assert not found, "\n".join(found)
