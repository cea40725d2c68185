"""saferplaces digest send [--today YYYY-MM-DD] [--dry-run] [--base-url URL]

E-mail each lead group its overdue delivery actions and overdue quarterly returns: one
e-mail a group, to its members with an e-mail address; nothing to a group with nothing
overdue. Prints what it sent (or, with --dry-run, would send). Run it weekly, e.g. from
cron on Monday at 07:00:

    0 7 * * 1  cd /srv/saferplaces && .venv/bin/saferplaces digest send

Mail goes through Django's EMAIL_BACKEND (the console backend in the demo).
"""

from __future__ import annotations

import datetime
import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from saferplaces.delivery.digest import send_digests


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError as e:
        raise CommandError(f"--today {text!r} is not a date: give it as YYYY-MM-DD") from e


class Command(BaseCommand):
    help = "digest send: email each lead group its overdue actions and returns (weekly)"
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["send"], help="send the digest")
        parser.add_argument("--today", metavar="YYYY-MM-DD", help="the day to count from")
        parser.add_argument("--dry-run", action="store_true", help="print, send nothing")
        parser.add_argument(
            "--base-url",
            default=os.environ.get("SAFERPLACES_BASE_URL", ""),
            help="the site's address, for links (default $SAFERPLACES_BASE_URL)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        today = _date(options["today"]) if options["today"] else timezone.localdate()
        dry = bool(options["dry_run"])
        sent = send_digests(today, dry_run=dry, base_url=options["base_url"])
        verb = "Would send" if dry else "Sent"
        for d in sent:
            counts = (
                f"{len(d.actions)} overdue action{'s' if len(d.actions) != 1 else ''}, "
                f"{len(d.returns)} overdue return{'s' if len(d.returns) != 1 else ''}"
            )
            if not d.recipients:
                self.stdout.write(
                    f"Not sent to {d.group.name} ({counts}): none of its members has an "
                    "e-mail address"
                )
                continue
            n = len(d.recipients)
            self.stdout.write(
                f"{verb} to {d.group.name} ({n} recipient{'s' if n != 1 else ''}: "
                f"{', '.join(d.recipients)}): {counts}"
            )
            if d.skipped:
                self.stdout.write(f"  No e-mail address, not sent to: {', '.join(d.skipped)}")
        if not sent:
            self.stdout.write(f"Nothing overdue on {today:%-d %B %Y}: no digest sent.")
