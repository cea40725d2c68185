"""Risk instruments in use: the shipped scoring (DASH, the police's 27-question version)
with wording an administrator provides, and any instrument configured in the admin."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from saferplaces.casework.models import RiskInstrument
from saferplaces.casework.rules import instruments

SHIPPED = {i.key: i for i in (instruments.DASH, instruments.DASH_POLICE_27)}


def instrument_for(key: str) -> instruments.Instrument:
    """The instrument with its configured wording; a configured row overrides the shipped one."""
    row = RiskInstrument.objects.filter(key=key).first()
    if row is None:
        if key in SHIPPED:
            return SHIPPED[key]
        raise ValidationError(f"No risk instrument {key!r}: an administrator configures it")
    try:
        return instruments.instrument_from_mapping(
            {
                "key": row.key,
                "name": row.name,
                "question_count": row.question_count,
                "bands": row.bands,
                "questions": row.questions or None,
            }
        )
    except ValueError as error:
        raise ValidationError(f"Risk instrument {row.key!r} is misconfigured: {error}") from error


def available() -> list[instruments.Instrument]:
    keys = set(SHIPPED) | set(RiskInstrument.objects.values_list("key", flat=True))
    return [instrument_for(key) for key in sorted(keys)]
