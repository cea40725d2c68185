"""In a real browser, with the Content-Security-Policy on: the dashboard still draws its
charts (vega-embed with the CSP-safe expression interpreter, no injected <style>), and no
page the officer opens makes the browser refuse anything."""

from __future__ import annotations

import io
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

import saferplaces.insight
from saferplaces.evidence.models import BatchStatus, Import
from saferplaces.partnership.demo.loader import DEMO_PASSWORD
from tests.browser.signin import two_factor_if_asked

SAMPLES = Path(saferplaces.insight.__file__).parent / "samples" / "police_uk" / "west_lancashire"

# Recorded in the page before any of its own scripts run (an init script is the browser's,
# not the page's, so the policy does not stop it).
WATCH_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(e.violatedDirective + " " + e.blockedURI);
});
"""


@pytest.mark.django_db(transaction=True)
def test_dashboard_draws_its_charts_under_the_content_security_policy(
    page: Any, live_server: Any, settings: Any
) -> None:
    """Given the demo and its sample data, When the officer signs in and opens the pages
    she uses, the dashboard and the import pages among them (one polling with htmx), Then
    every response carries the policy, the charts are drawn as SVG, and the console shows
    no "Refused to" message and the page no security policy violation."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("load_demo", stdout=io.StringIO())
    call_command("import", "police-uk", str(SAMPLES), "--no-progress", stdout=io.StringIO())
    landed = Import.objects.get()
    running = Import.objects.create(  # its page polls with htmx
        id=uuid.uuid4(), kind="police-uk", status=BatchStatus.RUNNING, progress=45,
        files=["2015-04-lancashire-street.csv"], stage="Reading and checking the files",
    )  # fmt: skip
    console: list[str] = []
    page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    page.on("pageerror", lambda error: console.append(f"pageerror: {error}"))
    page.add_init_script(WATCH_VIOLATIONS)

    response = page.goto(f"{live_server.url}/sign-in/")
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert "js-enabled" in page.evaluate("document.body.className")  # the hashed snippet ran
    page.fill("#id_username", "officer")
    page.fill("#id_password", DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    two_factor_if_asked(page, "officer")
    page.wait_for_url(f"{live_server.url}/")

    violations: list[str] = []
    for path in [
        "/places/west-lancashire/dashboard/",
        "/places/west-lancashire/structure/",
        "/places/west-lancashire/papers/",
        "/imports/",
        "/imports/new/",
        "/imports/mappings/new/",
        f"/imports/{landed.pk}/",
        f"/imports/{landed.pk}/withdraw/",
        f"/imports/{running.pk}/",
        "/groups/west-lancashire-lpg/",
        "/password/",
        "/no-such-page/",
    ]:
        response = page.goto(f"{live_server.url}{path}")
        assert "content-security-policy" in response.headers, path
        if path.endswith("/dashboard/"):
            page.wait_for_selector("[data-spec] svg")
            page.wait_for_function("document.querySelectorAll('[data-spec] svg').length >= 5")
            page.locator("[data-spec] svg").first.hover()  # tooltips must not need inline style
        page.wait_for_load_state("networkidle")
        violations += [f"{path}: {v}" for v in page.evaluate("window.__cspViolations")]

    assert violations == []
    refused = [line for line in console if "Refused to" in line or "Content Security" in line]
    assert refused == []
    assert not [line for line in console if line.startswith("pageerror")], console
