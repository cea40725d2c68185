"""Signing in through the browser, with the two-factor step when the account is asked for it
(everyone who may see casework is: in the demo, officer, analyst, coordinator and others)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User

from tests.otp import code_for


def two_factor_if_asked(page: Any, username: str) -> None:
    """After "Sign in" was clicked: enter the account's current code if the two-factor
    step is shown (the sign-in then goes on to where it was going)."""
    page.wait_for_load_state()
    if "/sign-in/two-factor/" not in page.url:
        return
    page.fill("#id_code", code_for(User.objects.get(username=username)))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()
