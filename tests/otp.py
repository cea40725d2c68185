"""Signing in a casework user with two-factor sign-in done, for any test.

Casework pages (`governance.pages.casework_page`) send anyone who may see casework to the
two-factor step until their session is OTP-verified. In a Django test client::

    from tests.otp import verified_login
    verified_login(client, bob.user)  # signed in and two-factor verified
    client.get(casework_url)          # the page itself, not the two-factor step

In a browser test (Playwright against live_server), right after clicking "Sign in"::

    page.get_by_role("button", name="Sign in").click()
    pass_two_factor(page, "officer")   # enters the code if the two-factor step shows
    page.wait_for_url(...)             # then wherever the test was going

`code_for(user)` is the code itself (a demo user's device from `ensure_demo_device`
works the same way: its secret is the published DEMO_SECRET).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.contrib.auth.models import User
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from saferplaces.governance.two_factor_demo import usable_code


def totp_device(user: User) -> TOTPDevice:
    """The user's confirmed TOTP device, made (named "test") if they have none."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    return device


def code_for(user: User) -> str:
    """A code the two-factor step accepts now from the user's device (made if need be).
    A code is accepted once: this is the next unused one, ahead by one step if need be."""
    device = totp_device(user)
    device.refresh_from_db()
    code = usable_code(device)
    assert code is not None, "every code within the tolerance was used: wait 30 seconds"
    return code


def verified_login(client: Client, user: User) -> TOTPDevice:
    """Sign the client in as the user with two-factor sign-in done (OTP-verified session)."""
    client.force_login(user)
    device = totp_device(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


def pass_two_factor(page: Any, username: str) -> None:
    """In a browser test, just after submitting the sign-in form: wait until the browser
    has left the sign-in page and, if it is at the two-factor step (setting up or entering
    a code), enter a code from the user's device (made if they have none) and continue.
    Someone who may see no casework goes straight on and this does nothing."""
    page.wait_for_url(lambda url: urlsplit(url).path != "/sign-in/")
    if not urlsplit(page.url).path.startswith("/sign-in/two-factor/"):
        return
    code = code_for(User.objects.get(username=username))
    if urlsplit(page.url).path.endswith("/set-up/"):
        page.reload()  # the device now exists: the set-up page sends on to the code step
    page.fill("#id_code", code)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(lambda url: not urlsplit(url).path.startswith("/sign-in/"))
