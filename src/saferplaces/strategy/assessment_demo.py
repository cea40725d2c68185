"""The demo's strategic assessment: West Lancashire, 2014/15, built from the incident
data the demo imports (the shipped West Lancashire sample, April 2013 to March 2015).

``load`` creates the assessment and scores its candidate priorities with the services in
``saferplaces.strategy.assessments`` (harm by the active uploaded weights when there are
any; otherwise the assessment says none are loaded), and adds one partner section,
written by the demo's community safety officer (``officer``). The section's text is
ILLUSTRATIVE, written for the demo, and says so: it is not any partner's real words.

It does nothing when the incident store holds no data for the place and year (the demo
loader may run before any import). Idempotent: the assessment is found by place and year,
scored only when it has no candidates, and the section added only when missing (by
title). Documents are not built here.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from saferplaces.evidence.performance import performance
from saferplaces.evidence.scope import ScopeError
from saferplaces.partnership.models import Organisation, Person, Place
from saferplaces.strategy import assessments as services
from saferplaces.strategy.gather import assessment_period
from saferplaces.strategy.harm_weights import active_harm_weights
from saferplaces.strategy.models import StrategicAssessment

DISTRICT_SLUG = "west-lancashire"
YEAR = "2014/15"
OFFICER = "officer"
OFFICER_ORGANISATION = "west-lancashire-borough-council"
SECTION_TITLE = "Community safety team (illustrative)"
SECTION_TEXT = (
    "Illustrative text written for this demonstration, not a partner's real input. "
    "The community safety team sees anti-social behaviour peak around Mischief Night and "
    "Bonfire Night and again in Freshers' Week in Ormskirk, and reports of criminal damage "
    "follow the same pattern. Residents at ward meetings raise speeding and parking more "
    "often than the figures would suggest. The team asks that the assessment weigh the "
    "seasonal peaks and the partnership's capacity to run the Bright Sparx campaign when "
    "the priorities are set."
)


def _officer() -> tuple[Any, Organisation | None]:
    user = get_user_model().objects.filter(username=OFFICER).first()
    person = Person.objects.select_related("organisation").filter(user=user).first()
    if person is not None:
        return user, person.organisation
    return user, Organisation.objects.filter(slug=OFFICER_ORGANISATION).first()


def _has_data(place: Place) -> bool:
    try:
        return performance(place, assessment_period(YEAR)).has_data
    except ScopeError:
        return False


@transaction.atomic
def load() -> dict[str, int]:
    """West Lancashire's strategic assessment for 2014/15 with its candidates scored and
    one (illustrative) partner section; nothing when no incident data is held for it.
    Returns how many assessments, scored candidates and sections were made this time."""
    done = {"assessments": 0, "candidates": 0, "sections": 0}
    place = Place.objects.filter(slug=DISTRICT_SLUG).first()
    if place is None or not _has_data(place):
        return {"assessments": 0}
    user, organisation = _officer()
    a = StrategicAssessment.objects.filter(place=place, year=YEAR).first()
    if a is None:
        a = services.create_assessment(user, place, YEAR)
        done["assessments"] = 1
    if a.signed_off:
        return done
    if not a.candidates.exists():
        done["candidates"] = len(services.score_candidates(user, a, active_harm_weights()))
    if organisation is not None and not a.sections.filter(title=SECTION_TITLE).exists():
        services.add_section(user, a, organisation, SECTION_TITLE, SECTION_TEXT)
        done["sections"] = 1
    return done
