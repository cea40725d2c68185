"""The partnership-wide sharing agreement templates, one per purpose.

Councils report that drafting sharing agreements delays action on ASB (LGA and Resolve
survey: 8 in 10), and most want one agreement for all. So the register offers one
template per purpose that every party signs up to, instead of one agreement per pair of
organisations. The wording is a starting point: each partnership edits its copy.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models


class Purpose(models.TextChoices):
    IOM = "iom", "Integrated offender management"
    DIVERSION = "diversion", "Early intervention and diversion"
    EXPLOITATION = "exploitation", "Child exploitation"
    ASB_RISK = "asb_risk", "ASB risk assessment conference"
    MARAC = "marac", "Multi-agency risk assessment conference (domestic abuse)"
    OCG = "ocg", "Organised crime group management"
    ASB_CASE_REVIEW = "asb_case_review", "ASB Case Reviews (Community Trigger)"
    DEATH_REVIEW = "death_review", "Domestic abuse related death reviews"


PUBLIC_TASK = "UK GDPR Art 6(1)(e) (a task in the public interest)"
SPECIAL = "UK GDPR Art 9(2)(g) with DPA 2018 Sch.1 para 10 (preventing or detecting unlawful acts)"
SAFEGUARDING = (
    "UK GDPR Art 9(2)(g) with DPA 2018 Sch.1 para 18 "
    "(safeguarding children and individuals at risk)"
)
LAW_ENFORCEMENT = "DPA 2018 Part 3 (law enforcement processing by competent authorities)"
S115 = "s.115 Crime and Disorder Act 1998 (a power to share for crime and disorder purposes)"


@dataclass(frozen=True)
class Template:
    purpose: str
    title: str
    lawful_basis: str
    data_items: str
    retention: str
    retention_days: int


def _basis(*lines: str) -> str:
    return "\n".join(lines)


TEMPLATES: dict[str, Template] = {
    t.purpose: t
    for t in (
        Template(
            Purpose.IOM,
            "Integrated offender management information sharing agreement",
            _basis(PUBLIC_TASK, SPECIAL, LAW_ENFORCEMENT, S115),
            "Name, date of birth, address, offending history, custody or community status, "
            "licence conditions, pathway needs (accommodation, employment, substance misuse, "
            "health, finance, family), risk assessments, actions and their owners.",
            "Six years after the person is de-selected from the cohort.",
            6 * 365,
        ),
        Template(
            Purpose.DIVERSION,
            "Early intervention and diversion information sharing agreement",
            _basis(PUBLIC_TASK, SAFEGUARDING, S115),
            "Name, date of birth, school, family contacts, referral reason, interventions "
            "offered and their outcome.",
            "Until the young person's 25th birthday or six years after closure, "
            "whichever is later.",
            6 * 365,
        ),
        Template(
            Purpose.EXPLOITATION,
            "Child exploitation panel information sharing agreement",
            _basis(PUBLIC_TASK, SAFEGUARDING, LAW_ENFORCEMENT, S115),
            "Name, date of birth, address, school, missing episodes, associates, locations of "
            "concern, risk assessments, safety plans.",
            "Six years after closure (safeguarding records may be kept longer by the lead agency).",
            6 * 365,
        ),
        Template(
            Purpose.ASB_RISK,
            "ASB risk assessment conference information sharing agreement",
            _basis(PUBLIC_TASK, SPECIAL, S115),
            "Victim's name, address and vulnerabilities, incidents reported, perpetrators "
            "where known, actions per agency.",
            "Two years after closure.",
            2 * 365,
        ),
        Template(
            Purpose.MARAC,
            "MARAC information sharing agreement",
            _basis(PUBLIC_TASK, SAFEGUARDING, LAW_ENFORCEMENT, S115),
            "Victim's and perpetrator's names, dates of birth and addresses, children in the "
            "household, DASH risk assessment, incidents, safety actions per agency.",
            "Six years after the last referral.",
            6 * 365,
        ),
        Template(
            Purpose.OCG,
            "Organised crime group management information sharing agreement",
            _basis(PUBLIC_TASK, LAW_ENFORCEMENT, S115),
            "Nominals' names and dates of birth, roles in the group, disruption tactics and "
            "their owners.",
            "Six years after the group is archived.",
            6 * 365,
        ),
        Template(
            Purpose.ASB_CASE_REVIEW,
            "ASB Case Review information sharing agreement",
            _basis(PUBLIC_TASK, SPECIAL, S115),
            "Applicant's name and contact details, the incidents reported, to whom and when, "
            "agencies' responses, the review's recommendations.",
            "Two years after the review closes.",
            2 * 365,
        ),
        Template(
            Purpose.DEATH_REVIEW,
            "Domestic abuse related death review information sharing agreement",
            _basis(PUBLIC_TASK, SAFEGUARDING, LAW_ENFORCEMENT, S115),
            "The deceased's and family members' names, agencies' contact with them, "
            "chronologies, individual management reviews, the overview report.",
            "Until publication, then as the Home Office guidance sets for the anonymised report.",
            10 * 365,
        ),
    )
}
