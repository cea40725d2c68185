"""Funding streams, their allocations to initiatives and the quarterly returns each
allocation owes.

Money is `Decimal` with two places (pence) everywhere; nothing is a float. A stream
belongs to a place and a financial year (``year`` is the year it starts: 2014 is
2014/15). Allocating more than a stream holds is refused by the service that writes
allocations (it locks the stream row); a return is overdue from the day after its due
date until it is submitted.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from saferplaces.delivery.models.initiatives import Initiative, Rag
from saferplaces.partnership.models import Group, Organisation, Place

__all__ = [
    "Allocation",
    "FundingStream",
    "QuarterlyReturn",
    "QuarterlyReturnQuerySet",
    "financial_year_label",
]


def money_field(verbose_name: str | None = None, **kwargs: Any) -> models.DecimalField[Any, Any]:
    """Pounds and pence: up to £9,999,999,999.99, never a float."""
    return models.DecimalField(verbose_name, max_digits=12, decimal_places=2, **kwargs)


def financial_year_label(year: int) -> str:
    """2014 → "2014/15"."""
    return f"{year}/{(year + 1) % 100:02d}"


class FundingStream(models.Model):
    """Money a funder gives the partnership for one financial year."""

    place = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="funding_streams")
    funder = models.CharField(
        max_length=160, help_text="For example Office of the Police and Crime Commissioner"
    )
    funder_organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = models.CharField(max_length=160, blank=True, help_text="The grant's name, if any")
    year = models.PositiveSmallIntegerField(
        help_text="The financial year it starts in: 2014 for 2014/15",
        validators=[MinValueValidator(2000), MaxValueValidator(2100)],
    )
    amount = money_field(None, validators=[MinValueValidator(Decimal("0.01"))])
    conditions = models.TextField(blank=True)
    accountable_to = models.ForeignKey(
        Group,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="funding_streams",
        help_text="The group that monitors the returns, for example the Local Priorities Group",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["place__name", "-year", "funder", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["place", "year", "funder", "name"], name="funding_stream_once"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="funding_stream_positive"),
        ]

    def __str__(self) -> str:
        label = f"{self.funder} ({self.name})" if self.name else self.funder
        return f"{label} {self.year_label}"

    @property
    def year_label(self) -> str:
        return financial_year_label(self.year)


class Allocation(models.Model):
    """Part of a stream given to an initiative."""

    stream = models.ForeignKey(FundingStream, on_delete=models.PROTECT, related_name="allocations")
    initiative = models.ForeignKey(Initiative, on_delete=models.PROTECT, related_name="allocations")
    amount = money_field(None, validators=[MinValueValidator(Decimal("0.01"))])
    purpose = models.CharField(max_length=300, blank=True)
    decided_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["stream", "initiative__name"]
        constraints = [
            models.UniqueConstraint(fields=["stream", "initiative"], name="allocation_once"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="allocation_positive"),
        ]

    def __str__(self) -> str:
        return f"£{self.amount:,} from {self.stream} to {self.initiative}"


class QuarterlyReturnQuerySet(models.QuerySet["QuarterlyReturn"]):
    def outstanding(self) -> QuarterlyReturnQuerySet:
        return self.filter(submitted_on__isnull=True)

    def overdue(self, today: datetime.date) -> QuarterlyReturnQuerySet:
        """Not submitted and the due date has passed (due today is not yet overdue)."""
        return self.outstanding().filter(due_on__lt=today)


class QuarterlyReturn(models.Model):
    """What an allocation reports for one quarter of its financial year (Q1 April–June
    … Q4 January–March): spend, outputs, narrative and a RAG rating."""

    allocation = models.ForeignKey(Allocation, on_delete=models.CASCADE, related_name="returns")
    quarter = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    due_on = models.DateField("Due on")
    submitted_on = models.DateField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    spend = money_field(None, null=True, blank=True, validators=[MinValueValidator(Decimal("0"))])
    outputs = models.TextField(blank=True, help_text="What the money delivered this quarter")
    narrative = models.TextField(blank=True)
    rag = models.CharField("RAG", max_length=5, choices=Rag.choices, blank=True)

    objects: ClassVar[QuarterlyReturnQuerySet] = QuarterlyReturnQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["allocation", "quarter"]
        constraints = [
            models.UniqueConstraint(fields=["allocation", "quarter"], name="return_once"),
            models.CheckConstraint(
                condition=Q(quarter__gte=1, quarter__lte=4), name="return_quarter_1_to_4"
            ),
        ]

    def __str__(self) -> str:
        return f"Q{self.quarter} {self.allocation.stream.year_label} return: {self.allocation}"

    @property
    def is_submitted(self) -> bool:
        return self.submitted_on is not None

    def is_overdue(self, today: datetime.date) -> bool:
        return self.submitted_on is None and self.due_on < today
