"""Plainly fictional casework for the demo partnership (West Lancashire), so that the
counts match the founding briefing: Revolution (IOM) manages 117 offenders, 51 of them in
custody; Divert works with 12 young people; the Integrated Working Panel with 11. A MARAC
holds a repeat case; ASBRAC a few vulnerable victims.

Every person is invented (family names such as "Madeup" and "Notreal"); nothing here is
or resembles a real record. Sharing agreements, one per purpose from the templates, give
the demo's panel members their access: `voluntary` sits on Divert and ASBRAC for an
organisation that has not signed, and `county` sits on no panel, so both see no casework.

Idempotent: a panel that already has cases is left as it is.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Iterator
from typing import Any

from django.db import transaction

from saferplaces.casework import services
from saferplaces.casework.models import (
    Case,
    CaseStatus,
    Cohort,
    Custody,
    Panel,
    PanelKind,
    Pathway,
)
from saferplaces.governance import audit
from saferplaces.governance import services as governance
from saferplaces.governance.access import panel_access, require_panel_access
from saferplaces.governance.catalogue import Purpose
from saferplaces.governance.models import AgreementStatus, SharingAgreement
from saferplaces.partnership import services as partnership
from saferplaces.partnership.models import Group, Organisation, Person
from saferplaces.partnership.models.groups import GroupKind, MembershipRole
from saferplaces.partnership.models.people import PersonRole

GIVEN = (
    "Alex",
    "Bailey",
    "Casey",
    "Dana",
    "Eden",
    "Finley",
    "Glen",
    "Harley",
    "Indy",
    "Jules",
    "Kit",
    "Logan",
    "Morgan",
    "Noel",
    "Oakley",
    "Parker",
    "Quinn",
    "Reese",
    "Sasha",
    "Toby",
)
FAMILY = (
    "Madeup",
    "Notreal",
    "Fictional",
    "Pretend",
    "Imaginary",
    "Makebelieve",
    "Example",
    "Sample",
    "Placeholder",
    "Dummy",
    "Mockington",
    "Fakeley",
    "Inventor",
    "Storybook",
)

# slug of the panel's group → kind, reference prefix, agreement purpose
PANELS = {
    "west-lancashire-revolution-operational": (PanelKind.IOM, "REV", Purpose.IOM),
    "west-lancashire-divert": (PanelKind.DIVERSION, "DIV", Purpose.DIVERSION),
    "west-lancashire-integrated-working-panel": (
        PanelKind.EXPLOITATION,
        "IWP",
        Purpose.EXPLOITATION,
    ),
    "west-lancashire-asbrac": (PanelKind.ASB_RISK, "ASBR", Purpose.ASB_RISK),
    "west-lancashire-nemesis": (PanelKind.OCG, "NEM", Purpose.OCG),
    "west-lancashire-marac": (PanelKind.MARAC, "MARAC", Purpose.MARAC),
}
# The organisations that sign each agreement (by slug); the voluntary sector has not.
SIGNATORIES = (
    "west-lancashire-borough-council",
    "lancashire-constabulary",
    "lancashire-probation-crc",
    "lancashire-young-peoples-service",
    "nhs-west-lancashire-ccg",
    "west-lancashire-estates-management",
    "lancashire-fire-and-rescue-service",
)
MARAC_MEMBERS = (
    ("housing", MembershipRole.CHAIR),
    ("police", MembershipRole.MEMBER),
    ("health", MembershipRole.MEMBER),
)


def _names(seed: int) -> Iterator[tuple[str, str, datetime.date]]:
    rng = random.Random(seed)
    while True:
        dob = datetime.date(rng.randint(1970, 2004), rng.randint(1, 12), rng.randint(1, 28))
        yield rng.choice(GIVEN), rng.choice(FAMILY), dob


def _marac_group(place_group: Group, people: dict[str, Person]) -> Group:
    group = partnership.upsert_group(
        None,
        slug="west-lancashire-marac",
        name="West Lancashire MARAC",
        kind=GroupKind.PANEL,
        place=place_group.place,
        parent=place_group,
        purpose="Multi-agency risk assessment conference: safety plans for victims of "
        "domestic abuse at high risk.",
        cadence="Monthly",
    )
    for username, role in MARAC_MEMBERS:
        partnership.upsert_membership(None, group=group, person=people[username], role=role)
    return group


def _agreement(group: Group, purpose: str, orgs: list[Organisation], today: datetime.date) -> None:
    if SharingAgreement.objects.filter(panels=group, purpose=purpose).exists():
        return
    starts = today - datetime.timedelta(days=180)
    agreement = governance.agreement_from_template(
        audit.SYSTEM,
        group.place,
        purpose,
        panels=[group],
        starts_on=starts,
        expires_on=starts + datetime.timedelta(days=364),
        dpia_reference=f"DPIA-WL-{purpose.upper()}",
    )
    if purpose == Purpose.OCG:  # the police analyst keys Nemesis's nominals
        agreement.identifying_roles = [PersonRole.PANEL_COORDINATOR, PersonRole.ANALYST]
        agreement.save(update_fields=["identifying_roles"])
    for org in orgs:
        governance.sign_agreement(audit.SYSTEM, agreement, org, None, starts)
    governance.set_agreement_status(audit.SYSTEM, agreement, AgreementStatus.ACTIVE)


def _coordinator(group: Group) -> Person:
    """The member who keys the demo's cases: one whose role sees identifying details."""
    for membership in group.memberships.select_related("person__user", "organisation"):
        access = panel_access(membership.person.user, group)
        if access is not None and access.identifying:
            return membership.person
    raise LookupError(f"No demo member of {group} may key identifying details")


def _cases(
    panel: Panel,
    group: Group,
    orgs: dict[str, Organisation],
    today: datetime.date,
    plan: list[dict[str, object]],
    seed: int,
) -> None:
    person = _coordinator(group)
    access = require_panel_access(person.user, group)
    actor = services.actor_for(access)
    names = _names(seed)
    rng = random.Random(seed + 1)
    lead = access.organisation
    for spec in plan:
        given, family, dob = next(names)
        subject = services.add_subject(
            actor,
            panel,
            given_name=given,
            family_name=family,
            date_of_birth=dob,
            address="1 Demo Street, Ormskirk",
            postcode="L39 0ZZ",
        )
        referred = today - datetime.timedelta(days=rng.randint(40, 700))
        details: dict[str, Any] = {k: v for k, v in spec.items() if k in services.EDITABLE}
        details.setdefault("next_review_on", today + datetime.timedelta(days=rng.randint(-10, 60)))
        case = services.open_case(
            access,
            panel,
            subject,
            lead_agency=lead,
            referred_by=orgs[str(spec.get("by", "police"))],
            reason=str(spec.get("reason", "Referred by the agency")),
            referred_on=referred,
            **details,
        )
        status = spec.get("status", CaseStatus.ACTIVE)
        if status == CaseStatus.REFERRED:
            continue
        services.change_status(
            access, case, CaseStatus.ACCEPTED, on=referred, reason="Meets the panel's criteria"
        )
        if status in (CaseStatus.ACTIVE, CaseStatus.CLOSED):
            services.change_status(
                access,
                case,
                CaseStatus.ACTIVE,
                on=referred + datetime.timedelta(days=7),
                reason="Selected at panel",
            )
        if status == CaseStatus.CLOSED:
            services.change_status(
                access,
                case,
                CaseStatus.CLOSED,
                on=today - datetime.timedelta(days=20),
                reason="Goals achieved",
            )


def _iom_plan() -> list[dict[str, object]]:
    """117 managed (51 in custody, 66 in the community), two awaiting a decision, three
    de-selected: the panel page counts 117 and 51 from these."""
    cohorts = [Cohort.FIXED] * 40 + [Cohort.FLEX] * 52 + [Cohort.FREE] * 25
    plan: list[dict[str, object]] = []
    pathways = list(Pathway.values)
    for n, cohort in enumerate(cohorts):
        plan.append(
            {
                "cohort": cohort,
                "custody": Custody.CUSTODY if n % 117 < 51 else Custody.COMMUNITY,
                "pathway_needs": [pathways[n % 7], pathways[(n * 3 + 1) % 7]],
                "selection_reason": "Prolific acquisitive offending",
                "by": "probation",
                "reason": "Repeat acquisitive offending on release",
            }
        )
    plan += [{"status": CaseStatus.REFERRED, "by": "police", "reason": "New nominal"}] * 2
    plan += [{"status": CaseStatus.CLOSED, "cohort": Cohort.FLEX, "custody": Custody.COMMUNITY}] * 3
    return plan


@transaction.atomic
def load(
    groups: dict[str, Group],
    people: dict[str, Person],
    orgs: dict[str, Organisation],
    today: datetime.date,
) -> dict[str, int]:
    """Panels, agreements and fictional cases for West Lancashire. Returns counts."""
    groups = dict(groups)
    groups["west-lancashire-marac"] = _marac_group(groups["west-lancashire-lpg"], people)
    signatories = [orgs[slug] for slug in SIGNATORIES if slug in orgs]
    youth, estates = "lancashire-young-peoples-service", "west-lancashire-estates-management"
    plans: dict[str, list[dict[str, object]]] = {
        "west-lancashire-revolution-operational": _iom_plan(),
        "west-lancashire-divert": [{"by": youth, "reason": "First-time entrant risk"}] * 12,
        "west-lancashire-integrated-working-panel": [
            {"by": youth, "reason": "Missing episodes and exploitation concerns"}
        ]
        * 11,
        "west-lancashire-asbrac": [{"by": estates, "reason": "Repeat victim of ASB"}] * 4,
        "west-lancashire-nemesis": [{"reason": "Nominal in an organised crime group"}] * 6,
        "west-lancashire-marac": [{"reason": "DASH high risk (16 yes)"}] * 5,
    }
    aliases = {"police": "lancashire-constabulary", "probation": "lancashire-probation-crc"}
    for slug, (kind, prefix, purpose) in PANELS.items():
        group = groups[slug]
        panel, _ = Panel.objects.get_or_create(
            group=group, defaults={"kind": kind, "reference_prefix": prefix}
        )
        _agreement(group, purpose, signatories, today)
        if Case.objects.filter(panel=panel).exists():
            continue
        named = {**orgs, **{k: orgs[v] for k, v in aliases.items() if v in orgs}}
        _cases(
            panel, group, named, today, plans[slug], seed=len(prefix) * 1000 + sum(map(ord, prefix))
        )
    _marac_repeat(groups["west-lancashire-marac"], orgs, today)
    return {"casework panels": Panel.objects.count(), "cases": Case.objects.count()}


def _marac_repeat(group: Group, orgs: dict[str, Organisation], today: datetime.date) -> None:
    """A second referral of one MARAC victim within 12 months of the first: a repeat."""
    case = Case.objects.filter(panel__group=group).order_by("reference").first()
    if case is None or case.referrals.filter(repeat=True).exists():
        return
    access = require_panel_access(_coordinator(group).user, group)
    last = case.referrals.order_by("-referred_on").first()
    again = (
        max(today - datetime.timedelta(days=10), last.referred_on + datetime.timedelta(days=1))
        if last
        else today
    )
    services.add_referral(
        access,
        case,
        organisation=orgs["lancashire-constabulary"],
        referred_on=again,
        reason="Further incident reported against the same victim",
    )
