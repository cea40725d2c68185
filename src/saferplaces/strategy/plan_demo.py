"""The demo's plans: Lancashire's Community Safety Agreement 2014/16 (report to Cabinet,
4 December 2014, `003_a32c2c99868af03e.txt`) on the Lancashire county place (E10000017), and West
Lancashire CSP's priorities for 2015/16 (the CSP's 2015 briefing,
`000_df761ae8dc1d7fc2.txt`) on the West Lancashire district place.

Neither document names the policing body's objectives (the CSA says only that partners
"have due regard for the strategies and priorities of the Police and Crime Commissioner
for Lancashire"), so the demo registers none and maps no priority to one.

Idempotent: plans are upserted on (place, kind, period) and their items added only when
missing (by title or number). Every write goes through `saferplaces.strategy.plans`.
Needs the demo's places (`saferplaces.partnership.demo.loader.load_demo` first).
"""

from __future__ import annotations

import datetime

from django.db import transaction

from saferplaces.partnership.demo.loader import LANCASHIRE_COUNTY
from saferplaces.partnership.models import Place
from saferplaces.partnership.models.places import PlaceKind
from saferplaces.strategy import plans as services
from saferplaces.strategy.models.plans import Plan, PlanKind

DISTRICT_SLUG = "west-lancashire"

CSA_SOURCE = (
    "Lancashire Community Safety Agreement 2014/16, report of the Interim Executive Director "
    "for Children and Young People to Cabinet, 4 December 2014 (Appendix 'A')"
)
CSA_VISION = (
    "Working together to make Lancashire a better place for this and future generations, "
    "where crime continually reduces, innovative and excellent practice is the norm, and fear "
    "of crime is not a constraint to daily life and investment."
)
# (title, indicator keys)
CSA_PRIORITIES: list[tuple[str, list[str]]] = [
    ("Anti-Social Behaviour & Hate Crime", ["anti-social-behaviour"]),
    ("Child Sexual Exploitation", []),
    ("Domestic Abuse", ["domestic-abuse"]),
    ("Road Safety", []),
    ("Violent Crime", ["violence-and-sexual-offences"]),
]
CSA_FACTORS = [
    "Alcohol and Drugs",
    "Reoffending",
    "Interpersonal Violence",
    "Health",
    "Deprivation",
]
CSA_OUTCOMES = [
    "Communities are more cohesive and resilient",
    "Victims are supported and harm is reduced",
    "Offending and re-offending are reduced",
    "There are fewer first-time entrants into the youth justice system",
    "Crime and anti-social behaviour continue to reduce",
    "Criminality is targeted and disrupted",
]
CSA_REQUIREMENTS = [
    "Serious Organised Crime",
    "CONTEST and preventing extremism",
    "Legislative changes",
    "Consultation, Inspections, Domestic Homicide Reviews, and Serious Case Reviews",
]

WL_SOURCE = "West Lancashire Community Safety Partnership briefing, CSP Priorities 2015/16"
WL_VISION = (
    "To continue to ensure that West Lancashire remains one of the safest Boroughs in the "
    "Country to live, work and visit."
)
# (title, description, indicator keys, county priority title or None)
WL_PRIORITIES: list[tuple[str, str, list[str], str | None]] = [
    (
        "General ASB",
        "Including the Mischief, Halloween and Bonfire period (Bright Sparx) and Fresher's Week.",
        ["anti-social-behaviour", "deliberate-fires", "criminal-damage-and-arson"],
        "Anti-Social Behaviour & Hate Crime",
    ),
    ("Reducing Reoffending", "", [], None),
    ("Child Sexual Exploitation", "", [], None),  # the same title as the county's
    ("Cross Border Offending & Organised Crime", "", [], None),
    (
        "Violent Crime including Domestic Abuse",
        "",
        ["violence-and-sexual-offences", "domestic-abuse"],
        "Violent Crime",
    ),
]
WL_FACTORS = [
    (
        "Alcohol and drugs",
        "A key cross-cutting theme: the impact that the misuse of alcohol and drugs has on both "
        "perpetrators and victims of crime.",
    )
]


def lancashire_county() -> Place:
    """The county council's county (E10000017), as the demo loader names it."""
    return Place.objects.get(kind=PlaceKind.COUNTY, county_code=LANCASHIRE_COUNTY)


def _ensure_items(plan: Plan, priorities: list[tuple[str, str, list[str], str | None]]) -> None:
    have = set(plan.priorities.values_list("title", flat=True))
    for title, description, keys, county_title in priorities:
        if title in have:
            continue
        county = None
        if county_title:
            county = (
                Plan.objects.get(place=lancashire_county(), kind=PlanKind.COUNTY_AGREEMENT,
                                 period_label="2014/16")
                .priorities.get(title=county_title)
            )  # fmt: skip
        services.add_priority(
            None, plan, title=title, description=description, indicator_keys=keys,
            county_priority=county,
        )  # fmt: skip


@transaction.atomic
def load() -> dict[str, int]:
    """Load (or refresh) the two demo plans. Returns counts of what is now there."""
    county = lancashire_county()
    csa = services.upsert_plan(
        None,
        place=county,
        kind=PlanKind.COUNTY_AGREEMENT,
        period_label="2014/16",
        title="Lancashire Community Safety Agreement 2014/16",
        starts_on=datetime.date(2014, 4, 1),
        ends_on=datetime.date(2016, 3, 31),
        vision=CSA_VISION,
        source=CSA_SOURCE,
    )
    _ensure_items(csa, [(t, "", keys, None) for t, keys in CSA_PRIORITIES])
    factors = set(csa.factors.values_list("title", flat=True))
    for title in CSA_FACTORS:
        if title not in factors:
            services.add_factor(None, csa, title=title)
    numbers = set(csa.outcomes.values_list("number", flat=True))
    for number, text in enumerate(CSA_OUTCOMES, start=1):
        if number not in numbers:
            services.add_outcome(None, csa, text=text, number=number)
    requirements = set(csa.requirements.values_list("title", flat=True))
    for title in CSA_REQUIREMENTS:
        if title not in requirements:
            services.add_requirement(None, csa, title=title)
    # Left a draft: the report recommends that Full Council approves it; approve it in the
    # demo to see the approval recorded.

    district = Place.objects.get(slug=DISTRICT_SLUG)
    wl = services.upsert_plan(
        None,
        place=district,
        kind=PlanKind.PARTNERSHIP,
        period_label="2015/16",
        title="West Lancashire Community Safety Partnership priorities 2015/16",
        starts_on=datetime.date(2015, 4, 1),
        ends_on=datetime.date(2016, 3, 31),
        vision=WL_VISION,
        source=WL_SOURCE,
    )
    _ensure_items(wl, WL_PRIORITIES)
    have = set(wl.factors.values_list("title", flat=True))
    for title, description in WL_FACTORS:
        if title not in have:
            services.add_factor(None, wl, title=title, description=description)
    return {
        "plans": Plan.objects.count(),
        "county priorities": csa.priorities.count(),
        "district priorities": wl.priorities.count(),
    }
