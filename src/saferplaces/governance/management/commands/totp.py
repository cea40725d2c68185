"""`saferplaces totp USERNAME`: DEMO ONLY, the two-factor code of a demo user right now."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_otp.plugins.otp_totp.models import TOTPDevice

from saferplaces.governance.two_factor_demo import DEMO_SECRET, is_demo_device, usable_code


class Command(BaseCommand):
    help = (
        "DEMO ONLY: print the 6-digit two-factor code a demo user can enter now. Refuses "
        "any device but the demo's (named 'demo', with the demo's published secret "
        f"{DEMO_SECRET}), so it never reads a real user's code."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        username = options["username"]
        user = get_user_model()._default_manager.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user {username!r}")
        devices = list(TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk"))
        if not devices:
            raise CommandError(f"{username} has no two-factor device")
        if not all(is_demo_device(device) for device in devices):
            raise CommandError(
                f"Refused: {username}'s two-factor device is not a demo device. This command "
                "only prints codes of the demo's devices (load_demo makes them), never a "
                "real user's."
            )
        code = usable_code(devices[0])
        if code is None:
            raise CommandError("The code was just used: try again in a few seconds")
        self.stdout.write(code)
