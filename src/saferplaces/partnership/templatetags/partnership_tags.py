"""Small formatting helpers for the partnership templates."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django import template

if TYPE_CHECKING:
    from saferplaces.partnership.models import Action

register = template.Library()


@register.filter
def thousands(value: int | None) -> str:
    """1234567 → "1,234,567" (GOV.UK style for numbers)."""
    if value is None:
        return ""
    return f"{int(value):,}"


@register.filter
def overdue_on(action: Action, today: datetime.date) -> bool:
    """`{{ action|overdue_on:today }}`: open and due before today."""
    return action.is_overdue(today)
