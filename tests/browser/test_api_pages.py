"""In a real browser, under the site's Content-Security-Policy: the docs page draws
Swagger UI from our own static files with no refused script or style, and the API tokens
pages pass axe (WCAG 2.x A/AA, serious and critical)."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from saferplaces.api.models import ApiToken
from saferplaces.partnership.demo.loader import DEMO_PASSWORD
from tests.browser import axe
from tests.browser.signin import two_factor_if_asked
from tests.browser.test_csp import WATCH_VIOLATIONS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/sign-in/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    two_factor_if_asked(page, username)


def test_docs_and_token_pages_under_the_policy(page: Any, live_server: Any, settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("load_demo", stdout=io.StringIO())
    console: list[str] = []
    page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    page.on("pageerror", lambda error: console.append(f"pageerror: {error}"))
    page.add_init_script(WATCH_VIOLATIONS)
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    axe.install(page, live_server.url)
    base = live_server.url
    _sign_in(page, base, "officer")

    found = []
    page.goto(f"{base}/account/api-tokens/")
    assert page.get_by_role("heading", name="Your API tokens").is_visible()
    found.append(axe.describe("tokens", axe.violations(page)))
    page.fill("#id_name", "Power BI")
    expires = timezone.localdate() + datetime.timedelta(days=30)
    page.fill("#id_expires_on", expires.isoformat())
    page.get_by_role("button", name="Create token").click()
    token = page.locator("#new-token").inner_text()
    assert token.startswith("sp_")
    assert ApiToken.objects.get(name="Power BI").two_factor  # made after two-factor
    found.append(axe.describe("token created", axe.violations(page)))
    page.get_by_role("link", name="Revoke Power BI").click()
    found.append(axe.describe("revoke", axe.violations(page)))

    page.goto(f"{base}/api/docs/")
    page.wait_for_selector(".swagger-ui .opblock", timeout=30_000)
    assert page.locator(".swagger-ui .opblock").count() >= 20
    assert page.evaluate("window.__cspViolations") == []
    assert not [m for m in console if "Refused" in m or m.startswith("pageerror")], console
    assert all(url.startswith(base) for url in requested), "nothing from the internet"
    assert not [f for f in found if f], "\n".join(found)
