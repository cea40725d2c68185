"""saferplaces partnership create --csp "Newcastle upon Tyne" [--admin USERNAME --email ADDRESS]

Sets up the partnership of any community safety partnership in England and Wales: its
responsible authorities as organisations, a statutory board and a first administrator,
on the reference geography (loaded first if it is not there yet). Safe to run again.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from saferplaces.partnership.geography import load_geography
from saferplaces.partnership.models import Place
from saferplaces.partnership.models.places import PlaceKind
from saferplaces.partnership.setup import partnership_place, set_up_partnership


class Command(BaseCommand):
    help = "Set up a community safety partnership: partnership create --csp NAME-OR-CODE"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="set up the partnership of a CSP (idempotent)")
        create.add_argument("--csp", required=True, help="the CSP's name or ONS code")
        create.add_argument("--admin", help="username of the first administrator")
        create.add_argument("--email", default="", help="the administrator's email address")

    def handle(self, *args: Any, **options: Any) -> None:
        if not Place.objects.filter(kind=PlaceKind.REGION).exists():
            self.stdout.write("Loading the reference geography of England and Wales first.")
            load_geography()
        try:
            place = partnership_place(options["csp"])
            setup = set_up_partnership(
                None, place, admin_username=options["admin"], admin_email=options["email"]
            )
        except ValidationError as e:
            raise CommandError("; ".join(e.messages)) from None
        self.stdout.write(f"Partnership: {setup.place.label}")
        self.stdout.write(f"Board: {setup.board.name}")
        for org in setup.organisations:
            self.stdout.write(f"Organisation: {org.name} ({org.get_kind_display()})")
        if setup.administrator is not None:
            name = setup.administrator.user.get_username()
            if setup.password:
                self.stdout.write(
                    f"Administrator: {name}, first password {setup.password} "
                    "(shown once: sign in and change it)"
                )
            else:
                self.stdout.write(f"Administrator: {name} (already there; password unchanged)")
        self.stdout.write(f"Dashboard: /places/{setup.place.slug}/dashboard/")
