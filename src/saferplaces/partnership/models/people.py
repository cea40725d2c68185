"""Organisations (responsible authorities and other partners) and the people in them."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class OrganisationKind(models.TextChoices):
    # Responsible authorities, Crime and Disorder Act 1998 s.5
    COUNCIL = "council", "District or unitary council"
    COUNTY_COUNCIL = "county_council", "County council"
    POLICE = "police", "Police"
    FIRE = "fire", "Fire and rescue"
    HEALTH = "health", "Health (CCG / ICB)"
    PROBATION = "probation", "Probation"
    # Other partners
    PCC = "pcc", "Office of the Police and Crime Commissioner"
    HOUSING = "housing", "Housing"
    VOLUNTARY = "voluntary", "Voluntary sector"
    EDUCATION = "education", "Education"
    YOUTH = "youth", "Youth services"
    OTHER = "other", "Other partner"


RESPONSIBLE_AUTHORITY_KINDS = frozenset(
    {
        OrganisationKind.COUNCIL,
        OrganisationKind.COUNTY_COUNCIL,
        OrganisationKind.POLICE,
        OrganisationKind.FIRE,
        OrganisationKind.HEALTH,
        OrganisationKind.PROBATION,
    }
)


class Organisation(models.Model):
    name = models.CharField(max_length=160, unique=True)
    slug = models.SlugField(max_length=160, unique=True)
    kind = models.CharField(max_length=20, choices=OrganisationKind.choices)
    places = models.ManyToManyField(
        "partnership.Place", blank=True, related_name="organisations", help_text="Places served"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_responsible_authority(self) -> bool:
        """A statutory partner under the Crime and Disorder Act 1998 s.5 (from its kind)."""
        return self.kind in RESPONSIBLE_AUTHORITY_KINDS


class PersonRole(models.TextChoices):
    COMMUNITY_SAFETY_OFFICER = "cso", "Community safety officer"
    ANALYST = "analyst", "Analyst"
    PANEL_COORDINATOR = "panel", "Panel coordinator / practitioner"
    BOARD_MEMBER = "board", "Board member / chair"
    COUNTY_POLICY_OFFICER = "county", "County policy officer"


class Person(models.Model):
    """The partnership profile of a signed-in user."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="person"
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="people")
    job_title = models.CharField(max_length=160, blank=True)
    role = models.CharField(max_length=10, choices=PersonRole.choices)
    line_manager = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="staff",
        help_text="Their supervisor, who may read their casework audit trail",
    )

    class Meta:
        ordering = ["user__last_name", "user__first_name", "user__username"]
        verbose_name_plural = "people"

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.user.get_full_name() or self.user.get_username()
