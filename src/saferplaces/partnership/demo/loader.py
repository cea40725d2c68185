"""The demo partnership: Lancashire's two-tier structure and West Lancashire CSP as the
2014/15 briefing describes it, with plainly fictional people.

Idempotent: reference data (places, organisations, people, groups, memberships) is
upserted on natural keys; meetings, actions and escalations are added only when missing
(by group and title), so running it twice leaves the same rows. Every write goes through
`saferplaces.partnership.services`.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from saferplaces.partnership import services
from saferplaces.partnership.geography import load_geography
from saferplaces.partnership.models import (
    Action,
    Escalation,
    Group,
    Meeting,
    Organisation,
    Person,
    Place,
)
from saferplaces.partnership.models.groups import GroupKind, MembershipRole
from saferplaces.partnership.models.meetings import ActionStatus, MeetingStatus
from saferplaces.partnership.models.people import OrganisationKind, PersonRole
from saferplaces.partnership.models.places import PlaceKind

DEMO_PASSWORD = "saferplaces-demo"  # noqa: S105 - the one shared password of the demo only
LANCASHIRE_PFA = "E23000003"
LANCASHIRE_COUNTY = "E10000017"
LANCASHIRE_FRA = "E31000023"
AREAS = {
    "North": ["Blackpool", "Fylde", "Lancaster", "Wyre"],
    "East": ["Blackburn with Darwen", "Burnley", "Hyndburn", "Pendle", "Ribble Valley",
             "Rossendale"],
    "South": ["Chorley", "Preston", "South Ribble", "West Lancashire"],
}  # fmt: skip
"""The three Area Community Safety Steering Groups' districts (the county agreement)."""
SIGN_IN_URL = "http://127.0.0.1:8000/sign-in/"

COUNCILS = {
    "Blackburn with Darwen": "Blackburn with Darwen Council",
    "Blackpool": "Blackpool Council",
    "Burnley": "Burnley Borough Council",
    "Chorley": "Chorley Council",
    "Fylde": "Fylde Borough Council",
    "Hyndburn": "Hyndburn Borough Council",
    "Lancaster": "Lancaster City Council",
    "Pendle": "Pendle Borough Council",
    "Preston": "Preston City Council",
    "Ribble Valley": "Ribble Valley Borough Council",
    "Rossendale": "Rossendale Borough Council",
    "South Ribble": "South Ribble Borough Council",
    "West Lancashire": "West Lancashire Borough Council",
    "Wyre": "Wyre Borough Council",
}

# slug, name, kind, served place slugs
ORGANISATIONS: list[tuple[str, str, str, list[str]]] = [
    (
        "lancashire-county-council",
        "Lancashire County Council",
        OrganisationKind.COUNTY_COUNCIL,
        ["lancashire-county"],
    ),
    ("lancashire-constabulary", "Lancashire Constabulary", OrganisationKind.POLICE, ["lancashire"]),
    (
        "lancashire-fire-and-rescue-service",
        "Lancashire Fire and Rescue Service",
        OrganisationKind.FIRE,
        ["lancashire-fire"],
    ),
    (
        "nhs-west-lancashire-ccg",
        "NHS West Lancashire CCG",
        OrganisationKind.HEALTH,
        ["west-lancashire"],
    ),
    (
        "lancashire-probation-crc",
        "Lancashire Probation / CRC",
        OrganisationKind.PROBATION,
        ["lancashire"],
    ),
    (
        "lancashire-opcc",
        "Office of the Police and Crime Commissioner for Lancashire",
        OrganisationKind.PCC,
        ["lancashire"],
    ),
    (
        "west-lancashire-voluntary-sector",
        "West Lancashire voluntary sector partners",
        OrganisationKind.VOLUNTARY,
        ["west-lancashire"],
    ),
    (
        "lancashire-young-peoples-service",
        "Lancashire Young People's Service",
        OrganisationKind.YOUTH,
        ["lancashire"],
    ),
    (
        "west-lancashire-estates-management",
        "West Lancashire Estates Management Team",
        OrganisationKind.HOUSING,
        ["west-lancashire"],
    ),
]


@dataclass(frozen=True)
class DemoPerson:
    username: str
    first_name: str
    last_name: str
    organisation: str  # slug
    job_title: str
    role: str
    staff: bool = False


PEOPLE = [
    DemoPerson(
        "officer",
        "Alex",
        "Demo",
        "west-lancashire-borough-council",
        "Community Safety Officer",
        PersonRole.COMMUNITY_SAFETY_OFFICER,
    ),
    DemoPerson(
        "analyst",
        "Sam",
        "Sample",
        "lancashire-constabulary",
        "Partnership Analyst",
        PersonRole.ANALYST,
    ),
    DemoPerson(
        "coordinator",
        "Pat",
        "Placeholder",
        "lancashire-probation-crc",
        "IOM Coordinator (Revolution)",
        PersonRole.PANEL_COORDINATOR,
    ),
    DemoPerson(
        "chair",
        "Morgan",
        "Example",
        "west-lancashire-borough-council",
        "Director, chair of the CSP Executive Group",
        PersonRole.BOARD_MEMBER,
    ),
    DemoPerson(
        "county",
        "Jamie",
        "Mock",
        "lancashire-county-council",
        "Community Safety Policy Officer",
        PersonRole.COUNTY_POLICY_OFFICER,
    ),
    DemoPerson(
        "police",
        "Taylor",
        "Test",
        "lancashire-constabulary",
        "Inspector, West Lancashire",
        PersonRole.BOARD_MEMBER,
    ),
    DemoPerson(
        "fire",
        "Riley",
        "Dummy",
        "lancashire-fire-and-rescue-service",
        "Community Fire Safety Manager",
        PersonRole.PANEL_COORDINATOR,
    ),
    DemoPerson(
        "health",
        "Casey",
        "Fictional",
        "nhs-west-lancashire-ccg",
        "Commissioning Manager",
        PersonRole.BOARD_MEMBER,
    ),
    DemoPerson(
        "probation",
        "Quinn",
        "Pretend",
        "lancashire-probation-crc",
        "Senior Probation Officer",
        PersonRole.BOARD_MEMBER,
    ),
    DemoPerson(
        "youth",
        "Drew",
        "Makebelieve",
        "lancashire-young-peoples-service",
        "Youth Worker",
        PersonRole.PANEL_COORDINATOR,
    ),
    DemoPerson(
        "housing",
        "Jordan",
        "Notreal",
        "west-lancashire-estates-management",
        "Estates Manager",
        PersonRole.PANEL_COORDINATOR,
    ),
    DemoPerson(
        "voluntary",
        "Frankie",
        "Imaginary",
        "west-lancashire-voluntary-sector",
        "Voluntary Sector Coordinator",
        PersonRole.PANEL_COORDINATOR,
    ),
    DemoPerson(
        "pcc",
        "Robin",
        "Madeup",
        "lancashire-opcc",
        "Partnerships Officer",
        PersonRole.COUNTY_POLICY_OFFICER,
    ),
    DemoPerson(
        "admin",
        "Demo",
        "Administrator",
        "west-lancashire-borough-council",
        "System administrator (Django admin)",
        PersonRole.COMMUNITY_SAFETY_OFFICER,
        staff=True,
    ),
]

WL = "west-lancashire"


@dataclass(frozen=True)
class DemoGroup:
    slug: str
    name: str
    kind: str
    place: str
    parent: str | None
    purpose: str
    cadence: str = ""
    statutory: bool = False
    restricted: bool = False  # handles people: members and administrators only


GROUPS = [
    DemoGroup(
        "lancashire-community-safety-strategy-group",
        "Lancashire Community Safety Strategy Group",
        GroupKind.COUNTY_STRATEGY,
        "lancashire",
        None,
        "The Lancashire Chief Executives Group undertakes the function of the county strategy "
        "group. It sets the strategic direction and coordinates joint activity under the "
        "statutory duties of the responsible authorities: reduce crime and re-offending, tackle "
        "anti-social behaviour and substance misuse; ensure information sharing is in place and "
        "develop the Community Safety Agreement for Lancashire; maintain good partnership "
        "working; engage and consult communities; and have due regard for the priorities of "
        "the Police and Crime Commissioner for Lancashire.",
        "Quarterly",
        True,
    ),
    *[
        DemoGroup(
            f"{area.lower()}-area-community-safety-steering-group",
            f"{area} Area Community Safety Steering Group",
            GroupKind.AREA_STEERING,
            f"{area.lower()}-lancashire",
            "lancashire-community-safety-strategy-group",
            f"District Community Safety Partnerships ({', '.join(districts)}) collaborating to "
            "further refine joint working, and the route for escalating issues from a local "
            "level to the county strategy group.",
            "Quarterly",
        )
        for area, districts in AREAS.items()
    ],
    DemoGroup(
        "west-lancashire-csp-executive-group",
        "West Lancashire CSP Executive Group",
        GroupKind.STRATEGY,
        WL,
        "south-area-community-safety-steering-group",
        "Community Safety Partnership Executive Group (statutory group) of the six responsible "
        "authorities. It formulates and implements the partnership's strategy, with the vision "
        "to continue to ensure that West Lancashire remains one of the safest boroughs in the "
        "country to live, work and visit, working closely with the Office of the Police and "
        "Crime Commissioner.",
        "Quarterly",
        True,
    ),
    DemoGroup(
        "west-lancashire-lpg",
        "Local Priorities Group",
        GroupKind.THEMATIC,
        WL,
        "west-lancashire-csp-executive-group",
        "Responsible for overseeing delivery of agreed CSP priorities. Meets monthly and "
        "coordinates multi-agency delivery against key priorities, emerging threats and "
        "performance. Oversees the task and time groups, and monitors delivery of funded "
        "schemes through their quarterly reporting.",
        "Monthly",
    ),
    DemoGroup(
        "west-lancashire-integrated-working-panel",
        "Integrated Working Panel",
        GroupKind.PANEL,
        WL,
        "west-lancashire-csp-executive-group",
        "Established in 2015 to manage in partnership local child sexual exploitation (CSE) "
        "issues.",
        "Monthly",
        restricted=True,
    ),
    DemoGroup(
        "west-lancashire-divert",
        "Divert Group",
        GroupKind.PANEL,
        WL,
        "west-lancashire-lpg",
        "Manages a cohort of young people, focused on early intervention and prevention: an "
        "early action approach to steering young people away from crime and ASB.",
        "Monthly",
        restricted=True,
    ),
    DemoGroup(
        "west-lancashire-bright-sparx",
        "Bright Sparx",
        GroupKind.TASK_AND_TIME,
        WL,
        "west-lancashire-lpg",
        "Task and time group for the Halloween, Mischief Night and bonfire period: reduce ASB, "
        "firework nuisance and criminal damage; provide positive diversionary activities for "
        "young people; promote community confidence and keep young people safe; remove "
        "detritus and combustible materials that can be used for unauthorised bonfires and "
        "ASB fires. Coordinated through a multi-agency 3 week action plan.",
        "Weekly from September to November",
    ),
    DemoGroup(
        "west-lancashire-freshers-week",
        "Freshers' Week",
        GroupKind.TASK_AND_TIME,
        WL,
        "west-lancashire-lpg",
        "Task and time group that produces and delivers the multi-agency Freshers' Plan.",
        "Monthly from June to October",
    ),
    DemoGroup(
        "west-lancashire-community-action-engagement",
        "Community Action and Engagement",
        GroupKind.TASK_AND_TIME,
        WL,
        "west-lancashire-lpg",
        "Task and time group planning the Community Action and Engagement Days: removing "
        "rubbish and combustible materials and giving residents the chance to engage with "
        "local service providers.",
        "As needed",
    ),
    DemoGroup(
        "west-lancashire-revolution-management",
        "Revolution Management Group",
        GroupKind.PANEL,
        WL,
        "west-lancashire-lpg",
        "Integrated Offender Management: multi-agency focus on prolific and serious violent "
        "offenders, managing a cohort of offenders involved in high impact acquisitive crime "
        "and serious violence.",
        "Monthly",
        restricted=True,
    ),
    DemoGroup(
        "west-lancashire-revolution-operational",
        "Revolution Operational Group",
        GroupKind.PANEL,
        WL,
        "west-lancashire-revolution-management",
        "Operational case management of the Revolution (IOM) cohort.",
        "Fortnightly",
        restricted=True,
    ),
    DemoGroup(
        "west-lancashire-malt",
        "MALT",
        GroupKind.THEMATIC,
        WL,
        "west-lancashire-lpg",
        "Multi-agency group with a focus on alcohol and licensing issues.",
        "Monthly",
    ),
    DemoGroup(
        "west-lancashire-nemesis",
        "Nemesis Group",
        GroupKind.PANEL,
        WL,
        "west-lancashire-lpg",
        "Operation Nemesis: multi-agency forum introduced to manage in partnership organised "
        "crime group (OCG) issues.",
        "Monthly",
        restricted=True,
    ),
    DemoGroup(
        "west-lancashire-asbrac",
        "ASBRAC",
        GroupKind.PANEL,
        WL,
        "west-lancashire-lpg",
        "Anti-Social Behaviour Risk Assessment Conference: multi-agency forum aimed at "
        "supporting repeat vulnerable ASB cases and reducing risk of harm.",
        "Monthly",
        restricted=True,
    ),
]

C, V, M, S, A = (
    MembershipRole.CHAIR,
    MembershipRole.VICE_CHAIR,
    MembershipRole.MEMBER,
    MembershipRole.SECRETARIAT,
    MembershipRole.ADVISER,
)
MEMBERSHIPS: dict[str, list[tuple[str, str]]] = {
    "lancashire-community-safety-strategy-group": [("county", S), ("pcc", A)],
    "north-area-community-safety-steering-group": [("county", S)],
    "east-area-community-safety-steering-group": [("county", S)],
    "south-area-community-safety-steering-group": [("county", S), ("chair", M), ("officer", M)],
    "west-lancashire-csp-executive-group": [
        ("chair", C),
        ("officer", S),
        ("police", M),
        ("fire", M),
        ("health", M),
        ("probation", M),
        ("county", M),
        ("pcc", A),
        ("analyst", A),
    ],
    "west-lancashire-lpg": [
        ("police", C),
        ("officer", S),
        ("analyst", M),
        ("fire", M),
        ("youth", M),
        ("housing", M),
        ("voluntary", M),
        ("coordinator", M),
        ("health", M),
    ],
    "west-lancashire-integrated-working-panel": [
        ("youth", C),
        ("police", M),
        ("health", M),
        ("coordinator", M),
    ],
    "west-lancashire-divert": [("youth", C), ("officer", M), ("police", M), ("voluntary", M)],
    "west-lancashire-bright-sparx": [
        ("officer", C),
        ("fire", V),
        ("housing", M),
        ("youth", M),
        ("voluntary", M),
        ("police", M),
    ],
    "west-lancashire-freshers-week": [("officer", C), ("police", M), ("analyst", M)],
    "west-lancashire-community-action-engagement": [("housing", C), ("officer", M), ("fire", M)],
    "west-lancashire-revolution-management": [
        ("probation", C),
        ("coordinator", S),
        ("police", M),
        ("officer", M),
    ],
    "west-lancashire-revolution-operational": [("coordinator", C), ("analyst", M)],
    "west-lancashire-malt": [("police", C), ("officer", M), ("health", M)],
    "west-lancashire-nemesis": [("police", C), ("analyst", M)],
    "west-lancashire-asbrac": [("officer", C), ("housing", M), ("police", M), ("voluntary", M)],
}


def demo_places(report: dict[str, int] | None = None) -> dict[str, Place]:
    """The demo's places: Lancashire's 14 districts from the reference geography (loaded
    for Lancashire's force area when it is not there yet), and the three areas of the
    pan-Lancashire structure under the force area, each with its districts."""
    if not Place.objects.filter(kind=PlaceKind.FORCE, pfa_code=LANCASHIRE_PFA).exists():
        load_geography(force_areas=[LANCASHIRE_PFA])
    force = Place.objects.get(kind=PlaceKind.FORCE, pfa_code=LANCASHIRE_PFA)
    districts = {p.name: p for p in force.members.all()}
    places: dict[str, Place] = {"lancashire": force}
    places["lancashire-county"] = Place.objects.get(
        kind=PlaceKind.COUNTY, county_code=LANCASHIRE_COUNTY
    )
    places["lancashire-fire"] = Place.objects.get(kind=PlaceKind.FIRE, fra_code=LANCASHIRE_FRA)
    for area, names in AREAS.items():
        slug = f"{area.lower()}-lancashire"
        places[slug] = services.upsert_place(
            None,
            slug=slug,
            name=f"{area} Lancashire",
            kind=PlaceKind.AREA,
            parent=force,
            members=[districts[n] for n in names],
        )
        for name in names:
            places[slugify(name)] = services.move_place(None, districts[name], places[slug])
    if report is not None:
        report["places"] = len(places)
    return places


def _organisations(places: dict[str, Place]) -> dict[str, Organisation]:
    orgs: dict[str, Organisation] = {}
    for district, name in COUNCILS.items():
        slug = slugify(name)
        orgs[slug] = services.upsert_organisation(
            None,
            slug=slug,
            name=name,
            kind=OrganisationKind.COUNCIL,
            places=[places[slugify(district)]],
        )
    for slug, name, kind, served in ORGANISATIONS:
        orgs[slug] = services.upsert_organisation(
            None, slug=slug, name=name, kind=kind, places=[places[s] for s in served]
        )
    return orgs


def _people(orgs: dict[str, Organisation]) -> dict[str, Person]:
    return {
        p.username: services.upsert_person(
            None,
            username=p.username,
            first_name=p.first_name,
            last_name=p.last_name,
            organisation=orgs[p.organisation],
            role=p.role,
            job_title=p.job_title,
            email=f"{p.username}@demo.invalid",
            password=DEMO_PASSWORD,
            is_staff=p.staff,
            is_superuser=p.staff,
        )
        for p in PEOPLE
    }


def _groups(places: dict[str, Place], people: dict[str, Person]) -> dict[str, Group]:
    groups: dict[str, Group] = {}
    for g in GROUPS:  # parents come before their children in GROUPS
        groups[g.slug] = services.upsert_group(
            None,
            slug=g.slug,
            name=g.name,
            kind=g.kind,
            place=places[g.place],
            purpose=g.purpose,
            cadence=g.cadence,
            statutory=g.statutory,
            parent=groups[g.parent] if g.parent else None,
            restricted=g.restricted,
        )
    for slug, members in MEMBERSHIPS.items():
        for username, role in members:
            services.upsert_membership(None, group=groups[slug], person=people[username], role=role)
    return groups


def _meeting(
    group: Group,
    title: str,
    date: datetime.date,
    status: str,
    items: list[tuple[str, str]],
    decisions: list[str],
) -> Meeting:
    existing = Meeting.objects.filter(group=group, title=title).first()
    if existing:
        return existing
    meeting = services.add_meeting(
        None,
        group=group,
        title=title,
        date=date,
        status=status,
        location="Council Offices, Ormskirk (demo)",
    )
    for title_, minutes in items:
        services.add_agenda_item(None, meeting=meeting, title=title_, minutes=minutes)
    for text in decisions:
        services.record_decision(None, meeting=meeting, text=text)
    return meeting


def _operational(groups: dict[str, Group], people: dict[str, Person], today: datetime.date) -> None:
    lpg = groups["west-lancashire-lpg"]
    exec_group = groups["west-lancashire-csp-executive-group"]
    first = _meeting(
        lpg,
        "Monthly meeting: performance and emerging threats",
        today - datetime.timedelta(56),
        MeetingStatus.HELD,
        [
            (
                "Performance report",
                "All crime is down 8.9% on last year (456 fewer crimes), ASB down 8.3%, "
                "in police.uk street-level data for 2014/15. The CSP briefing's 7.5% (405 "
                "fewer) came from the force's recorded-crime figures, which are compiled "
                "differently. The analyst will check whether the change is significant.",
            ),
            ("Emerging threats", "Rise in reports of cross-border offending; Nemesis to review."),
        ],
        ["Analyst to report significance (Poisson test) alongside raw percentages"],
    )
    second = _meeting(
        lpg,
        "Monthly meeting: Bright Sparx and Freshers' Week",
        today - datetime.timedelta(28),
        MeetingStatus.HELD,
        [
            (
                "Bright Sparx planning",
                "Three strands agreed: Community Action and Engagement "
                "Days, diversionary activities, the Go4IT event.",
            ),
            ("Freshers' Week plan", "Multi-agency plan of 26 actions to be refreshed."),
            ("Funded schemes: quarterly returns", "Returns received from all three projects."),
        ],
        [
            "Approve the Bright Sparx 3 week action plan in principle",
            "Escalate the Bright Sparx funding gap to the Executive Group",
        ],
    )
    _meeting(
        lpg,
        "Monthly meeting: priorities for next year",
        today + datetime.timedelta(7),
        MeetingStatus.SCHEDULED,
        [("Strategic assessment refresh", ""), ("CSP priorities", "")],
        [],
    )
    _meeting(
        exec_group,
        "Quarterly meeting",
        today - datetime.timedelta(40),
        MeetingStatus.HELD,
        [
            (
                "Partnership plan refresh",
                "Plan to be refreshed with the South Division strategic assessment.",
            )
        ],
        [
            "Agree the CSP priorities: general ASB, reducing reoffending, CSE, cross-border and "
            "organised crime, violent crime including domestic abuse"
        ],
    )
    actions = [
        (
            lpg,
            "Circulate the monthly performance report to partners",
            "analyst",
            today + datetime.timedelta(10),
            ActionStatus.OPEN,
            first,
        ),
        (
            lpg,
            "Draft the Bright Sparx 3 week multi-agency action plan",
            "officer",
            today - datetime.timedelta(7),
            ActionStatus.IN_PROGRESS,
            second,
        ),  # overdue
        (
            lpg,
            "Refresh the Freshers' Week plan with the university",
            "police",
            today + datetime.timedelta(21),
            ActionStatus.OPEN,
            second,
        ),
        (
            lpg,
            "Book sites for the Community Action and Engagement Days",
            "housing",
            today - datetime.timedelta(3),
            ActionStatus.DONE,
            first,
        ),
        (
            groups["west-lancashire-divert"],
            "Review new referrals to the Divert cohort",
            "youth",
            today + datetime.timedelta(14),
            ActionStatus.OPEN,
            None,
        ),
    ]
    for group, title, owner, due, status, meeting in actions:
        if not Action.objects.filter(group=group, title=title).exists():
            services.add_action(
                None,
                group=group,
                title=title,
                owner=people[owner],
                due_date=due,
                status=status,
                meeting=meeting,
            )
    if not Escalation.objects.filter(from_group=lpg, title__startswith="Funding gap").exists():
        services.raise_escalation(
            None,
            group=lpg,
            title="Funding gap for Bright Sparx diversionary activities",
            detail="The Mischief Night diversionary plans cannot be met from the OPCC grant "
            "alone. The LPG asks the Executive Group to agree partner contributions before "
            "the bonfire period.",
            raised_by=people["officer"],
            raised_on=today - datetime.timedelta(20),
        )
    nemesis = groups["west-lancashire-nemesis"]
    if not Escalation.objects.filter(from_group=nemesis).exists():
        escalation = services.raise_escalation(
            None,
            group=nemesis,
            title="Cross-border OCG activity with neighbouring forces",
            detail="OCG members are operating across the force boundary; the group needs "
            "the LPG to bring partners from neighbouring areas together.",
            raised_by=people["police"],
            raised_on=today - datetime.timedelta(60),
        )
        services.resolve_escalation(
            None,
            escalation,
            resolution="LPG agreed a joint tasking meeting with neighbouring partners.",
            by=people["officer"],
            on=today - datetime.timedelta(45),
        )


@transaction.atomic
def load_demo(today: datetime.date | None = None) -> dict[str, int]:
    """Load (or refresh) the demo partnership. Returns counts of what is now there."""
    today = today or timezone.localdate()
    report: dict[str, int] = {}
    places = demo_places(report)
    orgs = _organisations(places)
    people = _people(orgs)
    groups = _groups(places, people)
    _operational(groups, people, today)
    return {
        "places": Place.objects.count(),
        "organisations": len(orgs),
        "people": len(people),
        "groups": len(groups),
        "meetings": Meeting.objects.count(),
        "actions": Action.objects.count(),
        "escalations": Escalation.objects.count(),
    }


def accounts_table() -> str:
    """The demo accounts as a Markdown table (printed by `load_demo`, kept in README.md)."""
    lines = [
        "| Username | Name | Organisation | Role | Job title |",
        "|---|---|---|---|---|",
    ]
    orgs = {slug: name for slug, name, _, _ in ORGANISATIONS}
    orgs |= {slugify(name): name for name in COUNCILS.values()}
    for p in PEOPLE:
        role = "Django admin (staff, superuser)" if p.staff else PersonRole(p.role).label
        lines.append(
            f"| `{p.username}` | {p.first_name} {p.last_name} | "
            f"{orgs[p.organisation]} | {role} | {p.job_title} |"
        )
    return "\n".join(lines)
