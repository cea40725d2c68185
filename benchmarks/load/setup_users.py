"""Make the load test's people: copies of the demo's personas (same organisation, role and
group memberships, so the same access), one account per simulated user, each with the
demo's published two-factor device when it may see casework, and a personal API token
for each API reader. Run by run.py inside the server's environment:

    python benchmarks/load/setup_users.py PLAN.json OUT.json

PLAN.json maps a persona ("officer", "analyst", ...) to [demo username, count, token?];
OUT.json receives [{"persona", "username", "token"}].
"""

from __future__ import annotations

import datetime
import json
import sys

import django

django.setup()

from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from saferplaces.api.tokens import create_token  # noqa: E402
from saferplaces.governance.access import has_casework_access  # noqa: E402
from saferplaces.governance.two_factor_demo import ensure_demo_device  # noqa: E402
from saferplaces.partnership import services  # noqa: E402
from saferplaces.partnership.demo.loader import DEMO_PASSWORD  # noqa: E402
from saferplaces.partnership.models import Membership, Person  # noqa: E402

KEPT = {"member", "secretariat", "adviser"}
"""Roles a copy keeps; a chair or vice-chair's copy is a member."""


@transaction.atomic
def copy_person(template: Person, username: str) -> Person:
    """A new person like `template`: same organisation, role, job and memberships (as a
    member where the template chairs: a group has one chair)."""
    person = services.upsert_person(
        None, username=username, first_name=template.user.first_name,
        last_name=f"{template.user.last_name} ({username})",
        organisation=template.organisation, role=template.role, job_title=template.job_title,
        email=f"{username}@load.invalid", password=DEMO_PASSWORD,
    )  # fmt: skip
    for membership in Membership.objects.filter(person=template).select_related("group"):
        role = membership.role if membership.role in KEPT else "member"
        services.upsert_membership(None, group=membership.group, person=person, role=role,
                                   organisation=membership.organisation)  # fmt: skip
    if has_casework_access(person.user):
        ensure_demo_device(person.user)
    return person


def main(plan_path: str, out_path: str) -> None:
    with open(plan_path, encoding="utf-8") as fh:
        plan = json.load(fh)
    accounts = []
    expires = timezone.localdate() + datetime.timedelta(days=2)
    for persona, (template_name, count, wants_token) in plan.items():
        template = Person.objects.select_related("user", "organisation").get(
            user__username=template_name
        )
        for i in range(1, int(count) + 1):
            username = f"load-{persona}-{i:02d}"
            person = copy_person(template, username)
            token = ""
            if wants_token:
                token = create_token(person.user, name="load test", expires_on=expires).text
            accounts.append({"persona": persona, "username": username, "token": token,
                             "two_factor": has_casework_access(person.user)})  # fmt: skip
    with open(out_path, "w", encoding="utf-8") as fh:
        json.dump(accounts, fh, indent=1)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
