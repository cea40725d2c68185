"""The demo's delivery: West Lancashire CSP in 2014/15 as its 2015 briefing describes it
(`000_df761ae8dc1d7fc2.txt`): three funding streams (OPCC £10,000, West Lancashire
Borough Council £5,000, Estates Management Team £4,750) accountable to the Local
Priorities Group through quarterly reporting, and the three projects they funded: the
Freshers' Action Plan (26 multi-agency actions), the Community Action and Engagement
Days (15 days, 375 tons of rubbish and combustible materials removed in the year) and
Bright Sparx 2014 (four strands, a 3-week multi-agency action plan, its outputs, its
evaluation measures and its value case: 30 fire call-outs a night at £515 each).

What is exact and what is illustrative is written in DEMO.md beside this file: the
briefing gives the stream totals but not how they were split between the projects, nor
any return, nor the titles of the actions; those are illustrative and say so.

Idempotent: every row is upserted on its natural key with
`saferplaces.partnership.services.upsert_row` and many-to-many links are `.set()`, so
running it twice changes nothing. Needs the demo partnership
(`saferplaces.partnership.demo.loader.load_demo`) and, for the priorities, the plan
demo (`saferplaces.strategy.plan_demo.load`) first.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction

from saferplaces.delivery.models import (
    ActionPlan,
    ActionStatus,
    Allocation,
    DeliveryAction,
    EvaluationMeasure,
    EvaluationWindow,
    FundingStream,
    Initiative,
    InitiativeKind,
    Output,
    OutputKind,
    QuarterlyReturn,
    Rag,
    Strand,
    UnitCost,
    ValueCase,
)
from saferplaces.partnership.models import Group, Organisation, Person, Place
from saferplaces.partnership.services import upsert_row
from saferplaces.strategy.models.plans import PlanKind, PlanPriority

PLACE_SLUG = "west-lancashire"
LPG_SLUG = "west-lancashire-lpg"
YEAR = 2014  # the financial year 2014/15
ILLUSTRATIVE_SPLIT = "Illustrative: the seed gives only the stream totals."
ILLUSTRATIVE_RETURN = (
    "Illustrative return: the briefing says funded schemes reported quarterly to the Local "
    "Priorities Group but gives no return's figures."
)
PRIORITY_PLAN = "2015/16"
PRIORITY_TITLE = "General ASB"  # "including Mischief, Halloween & Bon Fire Period; Fresher's Week"

BRIGHT_SPARX = "bright-sparx-2014"
FRESHERS = "freshers-action-plan-2014"
ENGAGEMENT = "community-action-engagement-days-2014-15"

# organisation slug → the demo person who speaks for it (an action's owner)
OWNER = {
    "lancashire-constabulary": "police",
    "west-lancashire-borough-council": "officer",
    "lancashire-fire-and-rescue-service": "fire",
    "nhs-west-lancashire-ccg": "health",
    "lancashire-probation-crc": "probation",
    "west-lancashire-voluntary-sector": "voluntary",
    "lancashire-young-peoples-service": "youth",
    "west-lancashire-estates-management": "housing",
    "lancashire-county-council": "county",
}
POLICE, WLBC, FIRE, CCG = (
    "lancashire-constabulary",
    "west-lancashire-borough-council",
    "lancashire-fire-and-rescue-service",
    "nhs-west-lancashire-ccg",
)
PROBATION, VOLUNTARY, YPS, ESTATES, LCC = (
    "lancashire-probation-crc",
    "west-lancashire-voluntary-sector",
    "lancashire-young-peoples-service",
    "west-lancashire-estates-management",
    "lancashire-county-council",
)


@dataclass(frozen=True)
class DemoInitiative:
    slug: str
    name: str
    kind: str
    starts_on: datetime.date
    ends_on: datetime.date
    summary: str
    aims: str
    lead: str  # username
    partners: list[str]  # organisation slugs


INITIATIVES = [
    DemoInitiative(
        FRESHERS,
        "Freshers' Action Plan 2014",
        InitiativeKind.PROJECT,
        datetime.date(2014, 9, 1),
        datetime.date(2014, 9, 30),
        "Delivery of the Fresher's Action Plan: the Freshers' Week task and time group's "
        "multi-agency plan for the arrival of students at Edge Hill University, Ormskirk, "
        "which included the delivery of 26 multi-agency actions and excellent community "
        "feedback. Overseen by the Local Priorities Group.",
        "",
        "officer",
        [POLICE, WLBC, FIRE, CCG, VOLUNTARY, ESTATES],
    ),
    DemoInitiative(
        ENGAGEMENT,
        "Community Action and Engagement Days 2014/15",
        InitiativeKind.PROJECT,
        datetime.date(2014, 4, 1),
        datetime.date(2015, 3, 31),
        "The delivery of 15 Community Action & Engagement Days in 2014/15 with over 375 tons "
        "of rubbish and combustible materials removed and excellent opportunities for "
        "engagement with local service providers. Six of the fifteen days were Bright Sparx "
        "2014's and are recorded there; this project records the other nine.",
        "To remove rubbish and combustible materials\n"
        "To give residents opportunities to engage with local service providers",
        "housing",
        [ESTATES, WLBC, FIRE, POLICE, PROBATION, VOLUNTARY],
    ),
    DemoInitiative(
        BRIGHT_SPARX,
        "Bright Sparx 2014",
        InitiativeKind.OPERATION,
        datetime.date(2014, 10, 20),
        datetime.date(2014, 11, 9),
        "An example of effective multi-agency delivery over Halloween, Mischief Night and the "
        "bonfire period, coordinated through a robust multi-agency 3-week action plan "
        "developed by the Community Safety Team and delivered by the Police, local community "
        "leaders and the voluntary sector, the Estates Management Team, the Street Scene "
        "Team, Lancashire Fire and Rescue, the Community Payback Team and Young People's "
        "Services. Bright Sparx is an identified local strategic priority.",
        "To reduce ASB, firework nuisance and criminal damage\n"
        "To provide positive diversionary activities for young people\n"
        "To promote community confidence in service providers and keep young people safe "
        "over the bonfire period\n"
        "To remove detritus and combustible materials that can be used for unauthorised "
        "bonfires and ASB fires",
        "officer",
        [POLICE, VOLUNTARY, ESTATES, WLBC, FIRE, PROBATION, YPS],
    ),
]

ENGAGEMENT_DAYS, DIVERSIONARY, GO4IT, MISCHIEF = (
    "Community Action & Engagement Days",
    "Diversionary activities",
    "The Go4IT event",
    "Mischief Night diversionary plans",
)
STRANDS: list[tuple[str, str]] = [
    (
        ENGAGEMENT_DAYS,
        "The delivery of 6 Community Action & Engagement Days: rubbish and combustible "
        "materials removed, and community based opportunities for engagement with service "
        "providers on a range of issues.",
    ),
    (
        DIVERSIONARY,
        "A range of diversionary activities delivered by Young People's Services and the "
        "voluntary sector.",
    ),
    (GO4IT, "The Go4IT event for young people, over 3 evenings."),
    (MISCHIEF, "Mischief Night diversionary plans."),
]


def _d(month: int, day: int) -> datetime.date:
    return datetime.date(2014, month, day)


# (title, owner organisation slug, starts, due)
FRESHERS_ACTIONS: list[tuple[str, str, datetime.date, datetime.date]] = [
    ("Brief neighbourhood officers on the Freshers' Week patrol plan", POLICE, _d(9, 1), _d(9, 5)),
    ("Agree patrol routes between the Edge Hill campus and Ormskirk town centre with the "
     "university's security team", POLICE, _d(9, 1), _d(9, 10)),
    ("Write to residents near student housing about Freshers' Week and who to call",
     WLBC, _d(9, 1), _d(9, 12)),
    ("Write to HMO landlords about bin storage and waste collection days", WLBC, _d(9, 1),
     _d(9, 12)),
    ("Test smoke alarms in student HMOs with their landlords", FIRE, _d(9, 1), _d(9, 19)),
    ("Put a personal safety and burglary prevention guide in the students' welcome packs",
     POLICE, _d(9, 1), _d(9, 19)),
    ("Licensing visits to town-centre pubs and bars ahead of Freshers' Week", WLBC, _d(9, 8),
     _d(9, 19)),
    ("Remind off-licences of Challenge 25 and proxy sales", WLBC, _d(9, 8), _d(9, 19)),
    ("Remind tenants of estates near the campus how to report ASB and noise", ESTATES,
     _d(9, 8), _d(9, 19)),
    ("Offer home fire safety checks to private student houses", FIRE, _d(9, 8), _d(9, 30)),
    ("Share Freshers' Week dates with the local A&E and monitor alcohol-related attendances",
     CCG, _d(9, 15), _d(9, 30)),
    ("Deliver fire safety talks in the halls of residence", FIRE, _d(9, 15), _d(9, 26)),
    ("Leaflet student houses on burglary prevention", POLICE, _d(9, 15), _d(9, 26)),
    ("Post safety and respect-your-neighbours messages on the CSP's social media", WLBC,
     _d(9, 15), _d(9, 28)),
    ("Extra high-visibility patrols in the town centre on Freshers' nights", POLICE,
     _d(9, 20), _d(9, 28)),
    ("Daily Freshers' Week briefing and tasking with partners", POLICE, _d(9, 20), _d(9, 28)),
    ("Extend CCTV control room cover on Freshers' nights", WLBC, _d(9, 20), _d(9, 28)),
    ("Out-of-hours noise nuisance cover during Freshers' Week", WLBC, _d(9, 20), _d(9, 28)),
    ("Marshal the town-centre taxi ranks with taxi licensing", WLBC, _d(9, 20), _d(9, 27)),
    ("Street pastors in Ormskirk town centre on Freshers' nights", VOLUNTARY, _d(9, 20),
     _d(9, 27)),
    ("Run a welfare drop-in for vulnerable students on Freshers' nights", VOLUNTARY,
     _d(9, 20), _d(9, 27)),
    ("Street Scene Team: extra litter picks and bin emptying the mornings after Freshers' "
     "nights", WLBC, _d(9, 21), _d(9, 28)),
    ("Cycle security marking on campus", POLICE, _d(9, 22), _d(9, 24)),
    ("Crime prevention stand at the Freshers' Fair", POLICE, _d(9, 23), _d(9, 23)),
    ("Sexual health and alcohol awareness information at the Freshers' Fair", CCG, _d(9, 23),
     _d(9, 23)),
    ("Debrief Freshers' Week with partners and collect residents' feedback", WLBC, _d(9, 29),
     _d(9, 30)),
]  # fmt: skip

# (title, strand name or None, owner organisation slug, starts, due, depends on titles)
BRIGHT_SPARX_ACTIONS: list[tuple[str, str | None, str, datetime.date, datetime.date, list[str]]] = [
    ("Agree the 3-week multi-agency action plan with partners", None, WLBC, _d(10, 20),
     _d(10, 20), []),
    ("Identify hot-spot sites for combustible materials and fly-tipping on the estates",
     ENGAGEMENT_DAYS, ESTATES, _d(10, 20), _d(10, 24), []),
    ("Street Scene Team: schedule collections for the six engagement days", ENGAGEMENT_DAYS,
     WLBC, _d(10, 20), _d(10, 24),
     ["Identify hot-spot sites for combustible materials and fly-tipping on the estates"]),
    ("Programme diversionary activities for half-term and the bonfire period", DIVERSIONARY,
     YPS, _d(10, 20), _d(10, 26), []),
    ("Confirm the Go4IT venue, staffing and transport", GO4IT, YPS, _d(10, 20), _d(10, 31), []),
    ("Publicise Go4IT through schools and youth clubs", GO4IT, FIRE, _d(10, 20), _d(10, 31),
     []),
    ("Remind retailers not to sell fireworks, eggs and flour to under-18s", MISCHIEF, LCC,
     _d(10, 20), _d(10, 31), []),
    ("Mischief Night patrol and dispersal plan for the hot-spot areas", MISCHIEF, POLICE,
     _d(10, 20), _d(10, 31), []),
    ("Deliver the six Community Action & Engagement Days", ENGAGEMENT_DAYS, ESTATES,
     _d(10, 27), _d(11, 7),
     ["Street Scene Team: schedule collections for the six engagement days"]),
    ("Community Payback Team: work teams to clear combustible materials on the engagement "
     "days", ENGAGEMENT_DAYS, PROBATION, _d(10, 27), _d(11, 7), []),
    ("Fire safety and bonfire advice at the engagement days", ENGAGEMENT_DAYS, FIRE,
     _d(10, 27), _d(11, 7), []),
    ("Neighbourhood officers at the engagement days for residents' concerns", ENGAGEMENT_DAYS,
     POLICE, _d(10, 27), _d(11, 7), []),
    ("Evening activities with local community groups", DIVERSIONARY, VOLUNTARY, _d(10, 27),
     _d(11, 9), ["Programme diversionary activities for half-term and the bonfire period"]),
    ("Detached youth work in the hot-spot areas on Halloween and Mischief Night", DIVERSIONARY,
     YPS, _d(10, 31), _d(11, 4), []),
    ("Deliver Go4IT over three evenings", GO4IT, YPS, _d(11, 3), _d(11, 5),
     ["Confirm the Go4IT venue, staffing and transport"]),
    ("Mischief Night: high-visibility patrols and dispersal", MISCHIEF, POLICE, _d(11, 4),
     _d(11, 4), ["Mischief Night patrol and dispersal plan for the hot-spot areas"]),
    ("Joint fire and police patrols to remove unauthorised bonfires", MISCHIEF, FIRE,
     _d(11, 4), _d(11, 5), []),
    ("Debrief Bright Sparx and report its figures to the Local Priorities Group", None, WLBC,
     _d(11, 6), _d(11, 9), []),
]  # fmt: skip

# (initiative slug, strand name or None, kind, quantity, on, approximate, note)
OUTPUTS: list[tuple[str, str | None, str, str, datetime.date, bool, str]] = [
    (FRESHERS, None, OutputKind.ACTIONS_DELIVERED, "26", _d(9, 30), False,
     "The Fresher's Plan included the delivery of 26 multi-agency actions."),
    (ENGAGEMENT, None, OutputKind.ENGAGEMENT_DAYS, "9", datetime.date(2015, 3, 31), False,
     "The year's 15 Community Action & Engagement Days less the 6 recorded on Bright Sparx."),
    (ENGAGEMENT, None, OutputKind.TONS_REMOVED, "225", datetime.date(2015, 3, 31), False,
     "The year's 375 tons of rubbish and combustible materials ('over 375') less the 150 "
     "recorded on Bright Sparx."),
    (BRIGHT_SPARX, ENGAGEMENT_DAYS, OutputKind.ENGAGEMENT_DAYS, "6", _d(11, 7), False,
     "6 Community Action & Engagement Days."),
    (BRIGHT_SPARX, ENGAGEMENT_DAYS, OutputKind.TONS_REMOVED, "150", _d(11, 7), False,
     "150 tons of rubbish and combustible materials were removed."),
    (BRIGHT_SPARX, DIVERSIONARY, OutputKind.PARTICIPANTS, "200", _d(11, 9), False,
     "200 young people participated in positive activities."),
    (BRIGHT_SPARX, GO4IT, OutputKind.ATTENDEES, "500", _d(11, 5), True,
     "Attended by approximately 500 young people over 3 evenings."),
]  # fmt: skip

# (funder, organisation slug, amount)
STREAMS: list[tuple[str, str, str]] = [
    ("Office of the Police and Crime Commissioner", "lancashire-opcc", "10000.00"),
    ("West Lancashire Borough Council", WLBC, "5000.00"),
    ("Estates Management Team", ESTATES, "4750.00"),
]
CONDITIONS = (
    "Funded schemes are accountable to the CSP via quarterly reporting and delivery is "
    "monitored through the Local Priorities Group."
)

# (funder, initiative slug, amount, purpose, quarterly spend Q1-Q4, submitted by)
ALLOCATIONS: list[tuple[str, str, str, str, tuple[str, str, str, str], str]] = [
    ("Office of the Police and Crime Commissioner", BRIGHT_SPARX, "10000.00",
     "Bright Sparx 2014: engagement days, diversionary activities, Go4IT and Mischief Night "
     "plans.", ("0.00", "1500.00", "8500.00", "0.00"), "officer"),
    ("West Lancashire Borough Council", FRESHERS, "2000.00",
     "Delivery of the Fresher's Action Plan.", ("0.00", "2000.00", "0.00", "0.00"), "officer"),
    ("West Lancashire Borough Council", ENGAGEMENT, "3000.00",
     "Community Action and Engagement Days.", ("750.00", "750.00", "750.00", "750.00"),
     "housing"),
    ("Estates Management Team", ENGAGEMENT, "4750.00",
     "Community Action and Engagement Days on the estates: skips, collections and disposal.",
     ("1200.00", "1200.00", "1150.00", "1200.00"), "housing"),
]  # fmt: skip

# quarter → (due, submitted): due 28 days after the quarter ends (the default of
# SAFERPLACES_RETURN_DUE_DAYS), submitted a week before (illustrative)
QUARTERS: dict[int, tuple[datetime.date, datetime.date]] = {
    1: (datetime.date(2014, 7, 28), datetime.date(2014, 7, 21)),
    2: (datetime.date(2014, 10, 28), datetime.date(2014, 10, 21)),
    3: (datetime.date(2015, 1, 28), datetime.date(2015, 1, 21)),
    4: (datetime.date(2015, 4, 28), datetime.date(2015, 4, 21)),
}

# (indicator slug, window)
MEASURES: list[tuple[str, str]] = [
    ("deliberate-fires", EvaluationWindow.OCTOBER_NOVEMBER),
    ("anti-social-behaviour", EvaluationWindow.OCTOBER_NOVEMBER),
    ("criminal-damage-and-arson", EvaluationWindow.OCTOBER_NOVEMBER),
    ("anti-social-behaviour", EvaluationWindow.MISCHIEF_NIGHT),
]
UNIT_COST_SOURCE = "West Lancashire CSP, Bright Sparx, 2014/15 performance presentation"
VALUE_CASE_BASIS = (
    "Before Bright Sparx, fire crews would have been called out on average 30 times a night "
    "(West Lancashire CSP, Bright Sparx, 2014/15 performance presentation)."
)


def _priorities(place: Place) -> list[PlanPriority]:
    """The district plan's "General ASB" priority (it includes the Mischief, Halloween and
    bonfire period and Fresher's Week), or nothing when the plan demo is not loaded."""
    return list(
        PlanPriority.objects.filter(
            plan__place=place,
            plan__kind=PlanKind.PARTNERSHIP,
            plan__period_label=PRIORITY_PLAN,
            title=PRIORITY_TITLE,
        )
    )


def _actions(
    plan: ActionPlan,
    rows: list[tuple[str, str | None, str, datetime.date, datetime.date, list[str]]],
    strands: dict[str, Strand],
    orgs: dict[str, Organisation],
    people: dict[str, Person],
) -> dict[str, DeliveryAction]:
    """Upsert a plan's actions (all done on their due dates, green) and their dependencies."""
    made: dict[str, DeliveryAction] = {}
    for order, (title, strand, org, starts, due, _) in enumerate(rows, start=1):
        made[title], _ = upsert_row(
            DeliveryAction,
            {"plan": plan, "title": title},
            {
                "strand": strands[strand] if strand else None,
                "owner_organisation": orgs[org],
                "owner_person": people.get(OWNER[org]),
                "starts_on": starts,
                "due_on": due,
                "status": ActionStatus.DONE,
                "rag": Rag.GREEN,
                "completed_on": due,
                "note": "Illustrative title: the briefing does not list the plan's actions.",
                "order": order,
            },
        )
    for title, *_, depends in rows:
        made[title].depends_on.set([made[d] for d in depends])
    return made


@transaction.atomic
def load_delivery_demo() -> dict[str, int]:
    """Load (or refresh) West Lancashire's delivery in 2014/15. Returns counts of what is
    now there for the place."""
    place = Place.objects.get(slug=PLACE_SLUG)
    lpg = Group.objects.get(slug=LPG_SLUG)
    orgs = {o.slug: o for o in Organisation.objects.filter(slug__in=[*OWNER, "lancashire-opcc"])}
    people = {
        p.user.get_username(): p
        for p in Person.objects.select_related("user").filter(user__username__in=OWNER.values())
    }
    users = {
        u.get_username(): u
        for u in get_user_model().objects.filter(username__in=["officer", "housing"])
    }
    priorities = _priorities(place)

    initiatives: dict[str, Initiative] = {}
    for d in INITIATIVES:
        initiative, _ = upsert_row(
            Initiative,
            {"slug": d.slug},
            {
                "place": place,
                "name": d.name,
                "kind": d.kind,
                "starts_on": d.starts_on,
                "ends_on": d.ends_on,
                "aims": d.aims,
                "summary": d.summary,
                "lead_group": lpg,
                "lead_person": people.get(d.lead),
            },
        )
        initiative.partners.set([orgs[s] for s in d.partners])
        initiative.priorities.set(priorities)
        initiatives[d.slug] = initiative

    bright = initiatives[BRIGHT_SPARX]
    strands: dict[str, Strand] = {}
    for order, (name, description) in enumerate(STRANDS, start=1):
        strands[name], _ = upsert_row(
            Strand, {"initiative": bright, "name": name},
            {"description": description, "order": order},
        )  # fmt: skip

    freshers_plan, _ = upsert_row(
        ActionPlan, {"initiative": initiatives[FRESHERS], "title": "Fresher's Plan 2014"}, {}
    )
    _actions(
        freshers_plan,
        [(t, None, org, s, e, []) for t, org, s, e in FRESHERS_ACTIONS],
        strands,
        orgs,
        people,
    )
    sparx_plan, _ = upsert_row(
        ActionPlan,
        {"initiative": bright, "title": "Bright Sparx 2014: multi-agency 3-week action plan"},
        {},
    )
    _actions(sparx_plan, BRIGHT_SPARX_ACTIONS, strands, orgs, people)

    for slug, strand, kind, quantity, on, approximate, note in OUTPUTS:
        upsert_row(
            Output,
            {"initiative": initiatives[slug], "kind": kind,
             "strand": strands[strand] if strand else None},
            {"quantity": Decimal(quantity), "on": on, "approximate": approximate,
             "note": note},
        )  # fmt: skip

    streams: dict[str, FundingStream] = {}
    for funder, org, amount in STREAMS:
        streams[funder], _ = upsert_row(
            FundingStream,
            {"place": place, "year": YEAR, "funder": funder, "name": ""},
            {"funder_organisation": orgs[org], "amount": Decimal(amount),
             "conditions": CONDITIONS, "accountable_to": lpg},
        )  # fmt: skip
    for funder, slug, amount, purpose, spends, by in ALLOCATIONS:
        allocation, _ = upsert_row(
            Allocation,
            {"stream": streams[funder], "initiative": initiatives[slug]},
            {"amount": Decimal(amount), "purpose": f"{ILLUSTRATIVE_SPLIT} {purpose}"},
        )
        for quarter, spend in enumerate(spends, start=1):
            due, submitted = QUARTERS[quarter]
            upsert_row(
                QuarterlyReturn,
                {"allocation": allocation, "quarter": quarter},
                {"due_on": due, "submitted_on": submitted, "submitted_by": users.get(by),
                 "spend": Decimal(spend), "rag": Rag.GREEN, "narrative": ILLUSTRATIVE_RETURN,
                 "outputs": "Delivered as planned (illustrative)."},
            )  # fmt: skip

    for order, (indicator, window) in enumerate(MEASURES):
        upsert_row(
            EvaluationMeasure,
            {"initiative": bright, "indicator_key": indicator, "window": window},
            {"years": 10, "order": order},
        )
    call_out, _ = upsert_row(
        UnitCost,
        {"place": place, "name": "Fire call-out"},
        {"unit": "call-out", "amount": Decimal("515.00"), "source": UNIT_COST_SOURCE},
    )
    upsert_row(
        ValueCase,
        {"initiative": bright, "unit_cost": call_out},
        {"baseline_per_period": Decimal("30"), "observed_per_period": None,
         "period": "night", "periods": 1, "basis": VALUE_CASE_BASIS},
    )  # fmt: skip

    return {
        "initiatives": Initiative.objects.filter(place=place).count(),
        "funding streams": FundingStream.objects.filter(place=place).count(),
        "delivery actions": DeliveryAction.objects.filter(plan__initiative__place=place).count(),
    }
