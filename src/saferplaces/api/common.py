"""What every API view shares: the error body, the period query and "404, not 403"."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request

from saferplaces.evidence.figures import latest_month
from saferplaces.evidence.periods import PeriodAfterData, period_from
from saferplaces.insight.periods import Period, PeriodError

T = TypeVar("T")


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
