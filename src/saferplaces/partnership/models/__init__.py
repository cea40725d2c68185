"""The partnership's structure, split by concept (see each module)."""

from saferplaces.partnership.models.activity import ActivityEvent
from saferplaces.partnership.models.escalations import Escalation, EscalationResponse
from saferplaces.partnership.models.groups import Group, Membership
from saferplaces.partnership.models.meetings import Action, AgendaItem, Decision, Meeting
from saferplaces.partnership.models.people import Organisation, Person
from saferplaces.partnership.models.places import Place, PlaceAlias, PlacePopulation

__all__ = [
    "Action",
    "ActivityEvent",
    "AgendaItem",
    "Decision",
    "Escalation",
    "EscalationResponse",
    "Group",
    "Meeting",
    "Membership",
    "Organisation",
    "Person",
    "Place",
    "PlaceAlias",
    "PlacePopulation",
]
