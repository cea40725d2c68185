"""?ordering= on every list, always ending with the primary key: a page boundary between
rows that tie (two actions due the same day) must fall in the same place on every request,
or walking the pages skips and repeats rows (PostgreSQL does not keep ties in any order)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework.filters import OrderingFilter
from rest_framework.request import Request


class StableOrdering(OrderingFilter):
    def get_ordering(self, request: Request, queryset: QuerySet[Any], view: Any) -> list[str]:
        ordering = list(super().get_ordering(request, queryset, view) or [])
        if not any(term.lstrip("-") in ("pk", "id") for term in ordering):
            ordering.append("pk")
        return ordering
