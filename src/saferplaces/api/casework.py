"""Casework through the API: the panels the caller works on, a panel's cases and a case.

The same single decision as the casework pages (`governance.access.panels_visible_to`,
`require_panel_access`): anyone else is answered 404, so a record does not reveal itself.
Identifying details (the subject's name, date of birth, address) only where the covering
agreement allows them for the caller's role. Every read is written to the casework audit
trail (`governance.audit.record`, the pages' function) with the caller's organisation and
address, and every response is `Cache-Control: no-store`.

As a casework page needs a session that has completed two-factor sign-in, the API reads
casework only for a token made in such a session (`ApiToken.two_factor`), or for such a
session itself; anyone else is answered 404 here.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.cache import add_never_cache_headers
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field
from rest_framework import generics, serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from saferplaces.api.common import Listing, ListingViewSet, not_found
from saferplaces.api.models import ApiToken
from saferplaces.casework.models import OPEN_STATUSES, Case, Panel
from saferplaces.casework.services import actor_for
from saferplaces.governance import audit
from saferplaces.governance.access import PanelAccess, panels_visible_to, require_panel_access
from saferplaces.governance.models import AuditAction
from saferplaces.governance.pages import client_address, needs_two_factor

API = "API: "
"""Audit summaries of API reads start with this, so the trail tells them from page views."""


def two_factor_done(request: Request) -> bool:
    """The token was made in a two-factor session, or this session is one."""
    if isinstance(request.auth, ApiToken):
        return request.auth.two_factor
    return not needs_two_factor(request._request)


class Casework:
    """404 unless two-factor is done; every response no-store."""

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        not_found(two_factor_done(request))

    def finalize_response(
        self, request: Request, response: Response, *args: Any, **kwargs: Any
    ) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]
        add_never_cache_headers(response)
        response["Cache-Control"] = "no-store, " + response["Cache-Control"]
        return response


def _actor(request: Request, access: PanelAccess) -> audit.Actor:
    return actor_for(access, client_address(request._request))


# ---- serializers ----------------------------------------------------------------------
class CohortSerializer(serializers.Serializer[Any]):
    managed = serializers.IntegerField()
    in_custody = serializers.IntegerField()
    in_community = serializers.IntegerField()
    fixed = serializers.IntegerField()
    flex = serializers.IntegerField()
    free = serializers.IntegerField()
    referred = serializers.IntegerField()
    closed = serializers.IntegerField()


class PanelSerializer(serializers.ModelSerializer[Panel]):
    slug = serializers.CharField(source="group.slug", read_only=True)
    name = serializers.CharField(source="group.name", read_only=True)
    cohort = serializers.SerializerMethodField()

    class Meta:
        model = Panel
        fields = ["slug", "name", "kind", "reference_prefix", "cohort"]

    @extend_schema_field(CohortSerializer)
    def get_cohort(self, panel: Panel) -> dict[str, int]:
        return Case.objects.filter(panel=panel).cohort_figures()


class SubjectSerializer(serializers.Serializer[Any]):
    given_name = serializers.CharField()
    family_name = serializers.CharField()
    date_of_birth = serializers.DateField(allow_null=True)
    gender = serializers.CharField()
    address = serializers.CharField()
    postcode = serializers.CharField()


class CaseSerializer(serializers.ModelSerializer[Case]):
    panel = serializers.CharField(source="panel.group.slug", read_only=True)
    lead_agency: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    subject = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = ["reference", "panel", "status", "lead_agency", "cohort", "custody",
                  "pathway_needs", "opened_on", "decided_on", "selected_on",
                  "next_review_on", "closed_on", "subject"]  # fmt: skip

    @extend_schema_field(SubjectSerializer(allow_null=True))
    def get_subject(self, case: Case) -> dict[str, Any] | None:
        """The person, only for a caller the agreement allows identifying details."""
        if not self.context.get("identifying"):
            return None
        return dict(SubjectSerializer(case.subject).data)


class CaseFilter(filters.FilterSet):
    status = filters.CharFilter(method="by_status", help_text="open (default), any, or a status")
    reference = filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = Case
        fields = ["status", "reference"]

    def by_status(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        if value == "any":
            return queryset
        if value == "open":
            return queryset.filter(status__in=OPEN_STATUSES)
        return queryset.filter(status=value)


# ---- views ----------------------------------------------------------------------------
class PanelViewSet(Casework, ListingViewSet[Panel]):
    """The panels whose casework the caller may see, with their cohort figures."""

    queryset = Panel.objects.select_related("group")
    serializer_class = PanelSerializer
    lookup_field = "group__slug"
    lookup_url_kwarg = "slug"
    ordering_fields = ["group__name", "kind"]
    ordering = ["group__name"]
    filterset_fields = ["kind"]

    def visible(self, queryset: QuerySet[Panel]) -> QuerySet[Panel]:
        return queryset.filter(group__in=panels_visible_to(self.request.user))

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().list(request, *args, **kwargs)
        for row in response.data["results"]:
            panel = Panel.objects.select_related("group").get(group__slug=row["slug"])
            access = require_panel_access(request.user, panel.group)
            audit.record(_actor(request, access), AuditAction.VIEW, "panel", panel.group.slug,
                         f"{API}Listed {panel}: cohort figures")  # fmt: skip
        return response

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        panel = self.get_object()
        access = require_panel_access(request.user, panel.group)
        audit.record(_actor(request, access), AuditAction.VIEW, "panel", panel.group.slug,
                     f"{API}Cohort figures of {panel}")  # fmt: skip
        return Response(self.get_serializer(panel).data)


class PanelCaseList(Casework, Listing[Case], generics.ListAPIView[Case]):
    """A panel's cases: open ones by default (?status=any, or a status), a reference."""

    queryset = Case.objects.select_related("panel__group", "lead_agency")
    serializer_class = CaseSerializer
    filterset_class = CaseFilter
    ordering_fields = ["reference", "opened_on", "next_review_on", "status"]
    ordering = ["reference"]
    access: PanelAccess

    def visible(self, queryset: QuerySet[Case]) -> QuerySet[Case]:
        """The panel's cases for a caller with access to it (404 for anyone else); open
        ones unless ?status= says otherwise."""
        if getattr(self, "swagger_fake_view", False):
            return queryset.none()
        panel = Panel.objects.select_related("group").filter(group__slug=self.kwargs["slug"])
        found = panel.first()
        if found is None:
            raise Http404("Not found")
        self.access = require_panel_access(self.request.user, found.group)
        cases = queryset.filter(panel=found)
        if self.access.identifying:
            cases = cases.select_related("subject")
        if "status" not in self.request.query_params:
            cases = cases.filter(status__in=OPEN_STATUSES)
        return cases

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        access = getattr(self, "access", None)
        context["identifying"] = bool(access and access.identifying)
        return context

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().list(request, *args, **kwargs)
        query = {k: v for k, v in request.query_params.items() if k in ("status", "reference")}
        slug = self.access.group.slug
        audit.record(
            _actor(request, self.access), AuditAction.SEARCH if query else AuditAction.VIEW,
            "panel", slug, f"{API}Case list of {self.access.group}"
            + (f": {', '.join(f'{k} {v!r}' for k, v in sorted(query.items()))}" if query else ""),
        )  # fmt: skip
        return response


class CaseViewSet(Casework, viewsets.GenericViewSet[Case]):
    """One case, by its reference."""

    serializer_class = CaseSerializer
    lookup_field = "reference"

    def get_queryset(self) -> QuerySet[Case]:
        return Case.objects.select_related("panel__group", "subject", "lead_agency")

    def retrieve(self, request: Request, reference: str) -> Response:
        case = self.get_object()
        access = require_panel_access(request.user, case.panel.group)
        audit.record(
            _actor(request, access), AuditAction.VIEW, "case", case.reference,
            f"{API}Case viewed{' with identifying details' if access.identifying else ''}",
        )  # fmt: skip
        return Response(CaseSerializer(case, context={"identifying": access.identifying}).data)
