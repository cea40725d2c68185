"""Places and their figures: coverage, indicators compared with the year before, windows of
the year and hot spots. Every figure comes from the evidence functions the CLI uses
(`saferplaces indicators|seasons|hotspots --format json`), never recomputed here, with the
same guardrails: "no data" is null, never 0, and a comparison without a verdict says why.
Everyone signed in may read them, as on the dashboard."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from saferplaces.api.common import ERRORS, PERIOD_PARAMETERS, period_of
from saferplaces.evidence.families import FamilyError, indicator_named, place_family
from saferplaces.evidence.figures import latest_month, months_held, store_holds
from saferplaces.evidence.hotspots import find_indicator, place_hotspots
from saferplaces.evidence.near_repeat import near_repeats
from saferplaces.evidence.performance import indicator_summary
from saferplaces.evidence.scope import PlaceScope, ScopeError, scope_for
from saferplaces.evidence.seasons import seasons
from saferplaces.insight.hotspots import HotspotError
from saferplaces.insight.near_repeat import NearRepeatRefused
from saferplaces.insight.periods import Period
from saferplaces.insight.windows import WindowError
from saferplaces.partnership.models import Place

MAX_HOTSPOT_YEARS = 5


# ---- serializers (the shapes the schema documents) ----------------------------------
class PlaceSerializer(serializers.ModelSerializer[Place]):
    parent: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(  # type: ignore[assignment]
        slug_field="slug", read_only=True, allow_null=True
    )

    class Meta:
        model = Place
        fields = ["slug", "name", "kind", "parent", "lad_code", "csp_code", "county_code",
                  "pfa_code", "lsoa_code"]  # fmt: skip


class CoverageSerializer(serializers.Serializer[Any]):
    districts = serializers.ListField(
        child=serializers.CharField(), help_text="LAD codes the place's figures count"
    )
    months_held = serializers.ListField(
        child=serializers.CharField(),
        help_text="Months (YYYY-MM) in which the data covers all its districts that have any",
    )
    latest_month_held = serializers.CharField(
        allow_null=True, help_text="The latest month any district is covered (YYYY-MM)"
    )
    reason = serializers.CharField(
        allow_null=True, help_text="Why the place has no figures (an LSOA, no district)"
    )


def coverage(place: Place) -> dict[str, Any]:
    """The place's districts and the months it has figures for (`figures.months_held`)."""
    try:
        scope = scope_for(place)
    except ScopeError as exc:
        return {"districts": [], "months_held": [], "latest_month_held": latest_month(),
                "reason": str(exc)}  # fmt: skip
    return {"districts": list(scope.districts), "months_held": months_held(scope),
            "latest_month_held": latest_month(), "reason": None}  # fmt: skip


class PlaceDetailSerializer(PlaceSerializer):
    coverage = serializers.SerializerMethodField()

    class Meta(PlaceSerializer.Meta):
        fields = [*PlaceSerializer.Meta.fields, "coverage"]

    @extend_schema_field(CoverageSerializer)
    def get_coverage(self, place: Place) -> dict[str, Any]:
        return coverage(place)


class IndicatorSerializer(serializers.Serializer[Any]):
    """One record of `saferplaces indicators --format json`."""

    indicator = serializers.CharField()
    name = serializers.CharField()
    unit = serializers.CharField()
    place = serializers.CharField()
    period = serializers.CharField()
    start = serializers.CharField()
    end = serializers.CharField()
    previous_period = serializers.CharField()
    months = serializers.ListField(child=serializers.CharField())
    previous_months = serializers.ListField(child=serializers.CharField())
    months_expected = serializers.IntegerField()
    months_with_data = serializers.IntegerField()
    previous_months_with_data = serializers.IntegerField()
    count = serializers.IntegerField(allow_null=True, help_text="null: no data (never 0)")
    previous_count = serializers.IntegerField(allow_null=True)
    change = serializers.IntegerField(allow_null=True)
    pct_change = serializers.FloatField(allow_null=True)
    rate_per_1000 = serializers.FloatField(allow_null=True)
    previous_rate_per_1000 = serializers.FloatField(allow_null=True)
    population = serializers.IntegerField(allow_null=True)
    z = serializers.FloatField(allow_null=True)
    p_value = serializers.FloatField(allow_null=True)
    significant = serializers.BooleanField()
    verdict = serializers.CharField()
    reason = serializers.CharField(allow_null=True, help_text="Why there is no verdict")
    like_for_like = serializers.JSONField(
        allow_null=True, help_text="The months both sides hold, compared, when they differ"
    )
    districts = serializers.ListField(child=serializers.CharField())
    districts_without_data = serializers.ListField(child=serializers.CharField())
    partial = serializers.BooleanField()  # type: ignore[assignment]
    complete = serializers.BooleanField()
    series_break = serializers.CharField(allow_null=True)
    warnings = serializers.ListField(child=serializers.CharField())


class SourceSerializer(serializers.Serializer[Any]):
    source = serializers.CharField()  # type: ignore[assignment]
    name = serializers.CharField()
    sentence = serializers.CharField()
    caveat = serializers.CharField(allow_null=True)


class IndicatorsSerializer(serializers.Serializer[Any]):
    place = serializers.CharField()
    period = serializers.CharField()
    previous_period = serializers.CharField()
    indicators = IndicatorSerializer(many=True)
    sources = SourceSerializer(many=True)


class SeasonsSerializer(serializers.Serializer[Any]):
    place = serializers.CharField()
    window = serializers.CharField()
    years = serializers.ListField(
        child=serializers.JSONField(),
        help_text="One object per year, as `saferplaces seasons --format json`",
    )
    notes = serializers.ListField(child=serializers.CharField())
    source = serializers.CharField()  # type: ignore[assignment]


class HotspotsSerializer(serializers.Serializer[Any]):
    summary = serializers.JSONField(
        help_text="Method, counts per class, legend, sources and limitations"
    )
    lsoas = serializers.ListField(
        child=serializers.JSONField(),
        help_text="One record per LSOA, as `saferplaces hotspots --format json`; "
        'left-out LSOAs have spot "excluded" and a reason, never a 0',
    )


class FamilySerializer(serializers.Serializer[Any]):
    csp_code = serializers.CharField()
    csp_name = serializers.CharField()
    indicator = serializers.CharField()
    period = serializers.CharField()
    family_rate_per_1000 = serializers.JSONField(help_text='a number, or "no data"')
    national_rate_per_1000 = serializers.JSONField(
        help_text='pooled over the partnerships with data; "no data" with fewer than 10'
    )
    partnerships_with_data = serializers.IntegerField()
    rank = serializers.JSONField(allow_null=True, help_text="rank, 95% interval, of")
    members = serializers.ListField(
        child=serializers.JSONField(),
        help_text='the partnership, then its peers nearest first; "no data", never 0',
    )
    points = serializers.ListField(child=serializers.JSONField())
    notes = serializers.ListField(child=serializers.CharField())
    method = serializers.CharField()
    measures_used = serializers.ListField(child=serializers.CharField())
    measures_missing = serializers.ListField(child=serializers.CharField())
    source = serializers.CharField()  # type: ignore[assignment]


class NearRepeatsSerializer(serializers.Serializer[Any]):
    place = serializers.CharField()
    result = serializers.JSONField(
        help_text="cells (distance band × time band: observed, expected, ratio, p), "
        "readings in words, method, as `saferplaces near_repeat --format json`"
    )


# ---- views --------------------------------------------------------------------------
class PlaceFilter(filters.FilterSet):
    kind = filters.CharFilter()
    parent = filters.CharFilter(field_name="parent__slug")
    name = filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = Place
        fields = ["kind", "parent", "name", "lad_code", "csp_code"]


def _scope(place: Place) -> PlaceScope:
    try:
        return scope_for(place)
    except ScopeError as exc:
        raise ValidationError({"place": str(exc)}) from None


def _held_period(request: Request) -> Period:
    period = period_of(request)
    if not store_holds(period):
        held = latest_month()
        raise NotFound(
            f"No incident data for {period.label} or {period.previous().label} anywhere"
            + (f": the latest month held is {held}" if held else ": nothing is imported yet")
        )
    return period


class PlaceViewSet(viewsets.ReadOnlyModelViewSet[Place]):
    """Places: the partnership's geography (county, areas, districts, LSOAs)."""

    lookup_field = "slug"
    filterset_class = PlaceFilter
    ordering_fields = ["name", "slug", "kind"]
    ordering = ["name"]

    def get_queryset(self) -> QuerySet[Place]:
        return Place.objects.select_related("parent").order_by("name", "pk")

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Any]]:
        return PlaceDetailSerializer if self.action == "retrieve" else PlaceSerializer

    @extend_schema(responses={200: PlaceDetailSerializer, **ERRORS})
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """A place with its coverage: the districts counted and the months held."""
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(parameters=PERIOD_PARAMETERS, responses={200: IndicatorsSerializer, **ERRORS})
    @action(detail=True, pagination_class=None, filter_backends=[])
    def indicators(self, request: Request, slug: str) -> Response:
        """Every indicator for the place in the period, compared with the year before
        (the figures and guardrails of `saferplaces indicators --format json`)."""
        place = self.get_object()
        scope = _scope(place)
        period = _held_period(request)
        figures = indicator_summary(place, period)
        results = [r.as_dict() for r in figures.results]
        notes = [
            {"source": n.source, "name": n.name, "sentence": n.sentence, "caveat": n.caveat}
            for n in figures.sources
        ]
        body = {"place": scope.name, "period": period.label,
                "previous_period": period.previous().label, "indicators": results,
                "sources": notes}  # fmt: skip
        return Response(IndicatorsSerializer(body).data)

    @extend_schema(
        parameters=[
            OpenApiParameter("window", str, required=True,
                             description="bonfire-period, halloween, diwali, 10-29..11-12 …"),
            OpenApiParameter("category", str, description="category slugs, comma-separated"),
            OpenApiParameter("year", int, description="the year compared (default: latest)"),
        ],
        responses={200: SeasonsSerializer, **ERRORS},
    )  # fmt: skip
    @action(detail=True, pagination_class=None, filter_backends=[])
    def seasons(self, request: Request, slug: str) -> Response:
        """A window of the year, year by year, with the latest year against those before
        (`saferplaces seasons --format json`)."""
        scope = _scope(self.get_object())
        query = request.query_params
        window = query.get("window", "").strip()
        if not window:
            raise ValidationError({"window": "Give a window: bonfire-period, 10-29..11-12 …"})
        year = query.get("year")
        if year is not None and not year.isdigit():
            raise ValidationError({"year": "A year is four digits, such as 2023"})
        try:
            answer = seasons(scope, window, category=query.get("category") or None,
                             year=int(year) if year else None)  # fmt: skip
        except (WindowError, ImproperlyConfigured) as exc:
            raise ValidationError({"window": str(exc)}) from None
        body = {"place": answer.place, "window": answer.window, "years": answer.rows(),
                "notes": answer.notes, "source": answer.source_line}  # fmt: skip
        return Response(body)

    @extend_schema(
        parameters=[
            *PERIOD_PARAMETERS,
            OpenApiParameter("category", str, description="an indicator or category slug"),
            OpenApiParameter("years", int, description=f"1 to {MAX_HOTSPOT_YEARS} years"),
        ],
        responses={200: HotspotsSerializer, **ERRORS},
    )
    @action(detail=True, pagination_class=None, filter_backends=[])
    def hotspots(self, request: Request, slug: str) -> Response:
        """Getis-Ord Gi* hot and cold spots of the place's LSOA rates
        (`saferplaces hotspots --format json`, default permutations and seed)."""
        place = self.get_object()
        _scope(place)
        period = _held_period(request)
        years = request.query_params.get("years", "1")
        if not years.isdigit() or not 1 <= int(years) <= MAX_HOTSPOT_YEARS:
            raise ValidationError({"years": f"years is 1 to {MAX_HOTSPOT_YEARS}"})
        try:
            indicator = find_indicator(request.query_params.get("category") or None)
        except KeyError as exc:
            raise ValidationError({"category": str(exc.args[0])}) from None
        try:
            report = place_hotspots(place, period, indicator, years=int(years))
        except HotspotError as exc:
            raise ValidationError({"period": str(exc)}) from None
        if report.latest.refusal:
            raise NotFound(f"No hot spots for {report.latest.label}: {report.latest.refusal}")
        return Response({"summary": report.summary(), "lsoas": report.rows()})

    @extend_schema(
        parameters=[
            *PERIOD_PARAMETERS,
            OpenApiParameter("indicator", str, description="an indicator slug (all-crime)"),
        ],
        responses={200: FamilySerializer, **ERRORS},
    )
    @action(detail=True, pagination_class=None, filter_backends=[])
    def family(self, request: Request, slug: str) -> Response:
        """The partnership beside its 15 most similar partnerships: rates, funnel bands and
        the rank with its interval (`saferplaces families --format json`)."""
        scope = _scope(self.get_object())
        period = _held_period(request)
        try:
            indicator = indicator_named(request.query_params.get("indicator") or "all-crime")
            answer = place_family(scope, period, indicator)
        except FamilyError as exc:
            raise ValidationError({"place": str(exc)}) from None
        return Response(answer.as_dict())

    @extend_schema(
        parameters=[
            OpenApiParameter("category", str, required=True,
                             description="burglary, vehicle-crime, dwelling-fire …"),
            OpenApiParameter("first", str, description="first day, YYYY-MM-DD"),
            OpenApiParameter("last", str, description="last day, YYYY-MM-DD"),
        ],
        responses={200: NearRepeatsSerializer, **ERRORS},
    )  # fmt: skip
    @action(detail=True, url_path="near-repeats", pagination_class=None, filter_backends=[])
    def near_repeats(self, request: Request, slug: str) -> Response:
        """The Knox test of near repeats (`saferplaces near_repeat --format json`); month-level
        data (police.uk) is refused with the reason."""
        scope = _scope(self.get_object())
        query = request.query_params
        try:
            first, last = (_day(query.get(k), k) for k in ("first", "last"))
            answer = near_repeats(scope, query.get("category", ""), first=first, last=last)
        except (WindowError, NearRepeatRefused) as exc:
            raise ValidationError({"category": str(exc)}) from None
        return Response({"place": scope.name, "result": answer.as_dict()})


def _day(text: str | None, name: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationError({name: "A day is YYYY-MM-DD, such as 2014-11-05"}) from None
