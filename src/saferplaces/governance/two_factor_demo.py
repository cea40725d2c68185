"""Two-factor sign-in for the demo: a known authenticator secret for the demo's users.

Everyone who may see casework enters a code from an authenticator app after their
password (`saferplaces.web.two_factor`). The demo's casework users share one published
secret, `DEMO_SECRET`, on a device named "demo", so that anyone trying the demo can add
it to an authenticator app (or ask `saferplaces totp USERNAME` for the code). A device is
a *demo device* only when it has that name **and** that secret: its codes are no secret,
and `saferplaces totp` refuses every other device, so it can never read a real user's code.
"""

from __future__ import annotations

import time
from base64 import b32decode

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

DEMO_DEVICE_NAME = "demo"
DEMO_SECRET = "SAFERPLACESDEMOTWOFACTORSIGNIN23"  # noqa: S105 - published on purpose
"""The demo's authenticator secret (base32, 20 bytes): published, so for the demo only."""
DEMO_KEY = b32decode(DEMO_SECRET).hex()


@transaction.atomic
def ensure_demo_device(user: AbstractBaseUser) -> TOTPDevice:
    """Give a demo user a confirmed TOTP device named "demo" with the published secret,
    and no other TOTP device (so the two-factor step asks for the demo's codes). Calling
    it again changes nothing (the device's record of codes already used is kept)."""
    TOTPDevice.objects.filter(user=user).exclude(name=DEMO_DEVICE_NAME).delete()
    devices = list(TOTPDevice.objects.filter(user=user, name=DEMO_DEVICE_NAME).order_by("pk"))
    for extra in devices[1:]:
        extra.delete()
    if not devices:
        return TOTPDevice.objects.create(
            user=user, name=DEMO_DEVICE_NAME, key=DEMO_KEY, confirmed=True
        )
    device = devices[0]
    if device.key != DEMO_KEY or not device.confirmed:
        device.key, device.confirmed, device.last_t, device.drift = DEMO_KEY, True, -1, 0
        device.save()
    return device


def is_demo_device(device: TOTPDevice) -> bool:
    """Whether this device's codes are public: named "demo" and keyed with `DEMO_SECRET`."""
    return device.name == DEMO_DEVICE_NAME and device.key.lower() == DEMO_KEY


def usable_code(device: TOTPDevice, *, now: float | None = None) -> str | None:
    """The code the site accepts from this device now, or None until the next time step.

    Usually the authenticator's current code; but a code is accepted only once, so after
    one was used this is the next time step's code (accepted now within the device's
    tolerance of one step)."""
    clock = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    clock.time = time.time() if now is None else now
    current = clock.t()
    wanted = max(current, device.last_t + 1)
    if wanted > current + device.tolerance:
        return None
    at_step = TOTP(device.bin_key, device.step, device.t0, device.digits, 0)
    at_step.time = device.t0 + wanted * device.step
    return str(at_step.token()).zfill(device.digits)
