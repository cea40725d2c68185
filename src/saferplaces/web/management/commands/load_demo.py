"""Load the demo partnership (Lancashire and West Lancashire CSP) with its fictional
casework, ASB Case Review and death review. Safe to run again.

It lives in `web` because it gathers every app's demo (the partnership below, casework
and the reviews above it)."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from saferplaces.partnership.demo.loader import (
    DEMO_PASSWORD,
    SIGN_IN_URL,
    accounts_table,
    load_demo,
)
from saferplaces.partnership.models import Group, Organisation, Person, Place


def load_app_demos() -> dict[str, int]:
    """Lancashire's Community Safety Agreement 2014/16, West Lancashire's priorities and
    its strategic assessment for 2014/15 (when the sample data is imported);
    panels, agreements and fictional cases; one ASB Case Review and one death review;
    the published two-factor secret for every demo person who may see casework."""
    from saferplaces.asb_case_reviews import demo as asb_demo
    from saferplaces.casework import demo as casework_demo
    from saferplaces.death_reviews import demo as death_demo
    from saferplaces.delivery.demo import load_delivery_demo
    from saferplaces.governance.access import has_casework_access
    from saferplaces.governance.two_factor_demo import ensure_demo_device
    from saferplaces.partnership.services import set_line_manager
    from saferplaces.strategy import assessment_demo, plan_demo
    from saferplaces.strategy.models import StrategicAssessment

    today = timezone.localdate()
    groups = {g.slug: g for g in Group.objects.all()}
    people = {p.user.get_username(): p for p in Person.objects.select_related("user")}
    orgs = {o.slug: o for o in Organisation.objects.all()}
    counts = casework_demo.load(groups, people, orgs, today) | plan_demo.load()
    counts |= load_delivery_demo()  # after the plans: initiatives serve their priorities
    # the strategic assessment needs the sample data (`saferplaces demo` imports it first)
    assessment_demo.load()
    counts["strategic assessments"] = StrategicAssessment.objects.count()
    place = Place.objects.get(slug="west-lancashire")
    asb_demo.load(place)
    death_demo.load(place)
    # the senior probation officer supervises the IOM coordinator (and reads their trail)
    set_line_manager(None, people["coordinator"], people["probation"])
    for person in people.values():
        if has_casework_access(person.user):
            ensure_demo_device(person.user)
    return counts


class Command(BaseCommand):
    help = "Load the demo partnership: Lancashire's structure and West Lancashire CSP (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            self.stdout.write("The database is not migrated yet: migrating it first.")
            call_command("migrate", interactive=False, verbosity=0)
        counts = load_demo() | load_app_demos()
        summary = ", ".join(f"{n} {name}" for name, n in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Demo partnership loaded: {summary}."))
        self.stdout.write("")
        self.stdout.write(f"Sign in at {SIGN_IN_URL} with any of these demo accounts.")
        self.stdout.write(f"Every demo account has the password: {DEMO_PASSWORD}")
        self.stdout.write("")
        self.stdout.write(accounts_table())
