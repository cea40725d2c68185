"""Load the demo partnership (Lancashire and West Lancashire CSP). Safe to run again."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from saferplaces.partnership.demo.loader import (
    DEMO_PASSWORD,
    SIGN_IN_URL,
    accounts_table,
    load_demo,
)


class Command(BaseCommand):
    help = "Load the demo partnership: Lancashire's structure and West Lancashire CSP (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            self.stdout.write("The database is not migrated yet: migrating it first.")
            call_command("migrate", interactive=False, verbosity=0)
        counts = load_demo()
        summary = ", ".join(f"{n} {name}" for name, n in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Demo partnership loaded: {summary}."))
        self.stdout.write("")
        self.stdout.write(f"Sign in at {SIGN_IN_URL} with any of these demo accounts.")
        self.stdout.write(f"Every demo account has the password: {DEMO_PASSWORD}")
        self.stdout.write("")
        self.stdout.write(accounts_table())
