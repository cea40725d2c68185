"""What every API view shares: the error body, the period query, "404, not 403" and the
shape of a list."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Model, QuerySet
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import generics, serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request

from saferplaces.evidence.figures import latest_month
from saferplaces.evidence.periods import PeriodAfterData, period_from
from saferplaces.insight.periods import Period, PeriodError

T = TypeVar("T")
M = TypeVar("M", bound=Model)


class ErrorSerializer(serializers.Serializer[Any]):
    detail = serializers.CharField()


ERRORS = {  # on an operation that names its responses (saferplaces.api.schema adds the rest)
    400: OpenApiResponse(description="The request is not right: the body says what to fix"),
    401: OpenApiResponse(ErrorSerializer, description="No valid token"),
    404: OpenApiResponse(ErrorSerializer, description="None, or not the caller's to see"),
}


def not_found(allowed: bool) -> None:
    """404 unless ``allowed``: a record the caller may not see does not reveal itself."""
    if not allowed:
        raise Http404("Not found")


PERIOD_PARAMETERS = [
    OpenApiParameter(
        "period", str, description="2014/15 (financial year), 2021 (calendar year) or "
        "rolling[:YYYY-MM]; give `period`, or `from` and `to`",
    ),
    OpenApiParameter("from", str, description="first month, YYYY-MM (with `to`)"),
    OpenApiParameter("to", str, description="last month, YYYY-MM (with `from`)"),
]  # fmt: skip


def period_of(request: Request) -> Period:
    """The period the query asks for, read as the CLI reads --period/--from/--to."""
    latest = latest_month()
    query = request.query_params
    try:
        return period_from(query.get("period"), query.get("from"), query.get("to"), latest)
    except PeriodAfterData as exc:
        raise ValidationError({"period": f"Unknown period: {exc}"}) from None
    except PeriodError as exc:
        held = f"the latest month held is {latest}" if latest else "nothing is imported yet"
        raise ValidationError({"period": f"Unknown period: {exc} ({held})"}) from None


def through_service(write: Callable[[], T]) -> T:
    """Run a service function; its ValidationError (Django's) becomes a 400 that says what
    to fix, field by field where it names fields."""
    try:
        return write()
    except DjangoValidationError as error:
        if hasattr(error, "error_dict"):
            raise ValidationError(error.message_dict) from None
        raise ValidationError({"detail": error.messages}) from None


class Listing(generics.GenericAPIView[M]):
    """A list of the API (and its records). Each states `queryset` (what to select and
    prefetch), `visible()` (its access rule: which rows this caller may see; there is no
    default), `filterset_class`, `ordering_fields` and the default `ordering`, which
    `StableOrdering` (a default filter) applies, ending with the primary key."""

    def visible(self, queryset: QuerySet[M]) -> QuerySet[M]:
        raise NotImplementedError(f"{type(self).__name__} must say which rows are visible")

    def get_queryset(self) -> QuerySet[M]:
        return self.visible(super().get_queryset())


class ListingViewSet(Listing[M], viewsets.ReadOnlyModelViewSet[M]):
    """A `Listing` with its records: GET /things/ and GET /things/<id>/."""
