"""Delivery: initiatives, their action plans' actions, funding streams and quarterly
returns. Reading is for every member of the partnership, changing for editors, and an
action's status also for its owner: the pages' own decisions (`delivery.access`), and
anyone else is answered 404. Every write goes through the delivery service functions, so
the activity events are those the pages write."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from saferplaces.api.common import ERRORS, ListingViewSet, not_found, through_service
from saferplaces.delivery import funding, initiatives
from saferplaces.delivery.access import can_edit_delivery, can_update_action, can_view_delivery
from saferplaces.delivery.models import (
    ActionPlan,
    ActionStatus,
    DeliveryAction,
    FundingStream,
    Initiative,
    QuarterlyReturn,
    Rag,
    Strand,
)
from saferplaces.partnership.models import Organisation, Person

WRITE_ERRORS = {400: ERRORS[400], 401: ERRORS[401], 404: ERRORS[404]}


class DeliveryViewer:
    """404 for anyone who may not read delivery (list and record alike); whoever may read
    it sees every row."""

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        not_found(can_view_delivery(request.user))

    def visible(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset


# ---- serializers ----------------------------------------------------------------------
class InitiativeSerializer(serializers.ModelSerializer[Initiative]):
    place: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    lead_group: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True
    )
    partners: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="slug", many=True, read_only=True
    )

    class Meta:
        model = Initiative
        fields = ["slug", "name", "kind", "place", "starts_on", "ends_on", "aims", "summary",
                  "lead_group", "partners"]  # fmt: skip


class ActionSerializer(serializers.ModelSerializer[DeliveryAction]):
    initiative: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        source="plan.initiative", slug_field="slug", read_only=True
    )
    owner_organisation: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )

    class Meta:
        model = DeliveryAction
        fields = ["id", "plan", "initiative", "strand", "title", "owner_organisation",
                  "owner_person", "starts_on", "due_on", "status", "rag", "completed_on",
                  "note", "order", "updated_at"]  # fmt: skip


class ActionCreateSerializer(serializers.Serializer[Any]):
    plan = serializers.PrimaryKeyRelatedField(queryset=ActionPlan.objects.all())
    title = serializers.CharField(max_length=300)
    owner_organisation: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="slug", queryset=Organisation.objects.all()
    )
    owner_person = serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.all(), required=False, allow_null=True
    )
    strand = serializers.PrimaryKeyRelatedField(
        queryset=Strand.objects.all(), required=False, allow_null=True
    )
    starts_on = serializers.DateField()
    due_on = serializers.DateField()
    status = serializers.ChoiceField(ActionStatus.choices, default=ActionStatus.NOT_STARTED)
    rag = serializers.ChoiceField(Rag.choices, required=False, allow_blank=True, default="")
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ActionUpdateSerializer(serializers.Serializer[Any]):
    """Status and RAG (editors and the action's owner); title, dates and note (editors)."""

    status = serializers.ChoiceField(ActionStatus.choices, required=False)
    rag = serializers.ChoiceField(Rag.choices, required=False, allow_blank=True)
    title = serializers.CharField(max_length=300, required=False)
    starts_on = serializers.DateField(required=False)
    due_on = serializers.DateField(required=False)
    note = serializers.CharField(required=False, allow_blank=True)


class FundingStreamSerializer(serializers.ModelSerializer[FundingStream]):
    place: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    accountable_to: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True
    )

    class Meta:
        model = FundingStream
        fields = ["id", "place", "funder", "name", "year", "year_label", "amount",
                  "conditions", "accountable_to"]  # fmt: skip


class ReturnSerializer(serializers.ModelSerializer[QuarterlyReturn]):
    stream: serializers.PrimaryKeyRelatedField[Any] = serializers.PrimaryKeyRelatedField(
        source="allocation.stream", read_only=True
    )
    initiative: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        source="allocation.initiative", slug_field="slug", read_only=True
    )

    class Meta:
        model = QuarterlyReturn
        fields = ["id", "allocation", "stream", "initiative", "quarter", "due_on",
                  "submitted_on", "spend", "outputs", "narrative", "rag"]  # fmt: skip


class ReturnSubmitSerializer(serializers.Serializer[Any]):
    spend = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)
    rag = serializers.ChoiceField(Rag.choices)
    narrative = serializers.CharField(required=False, allow_blank=True, default="")
    outputs = serializers.CharField(required=False, allow_blank=True, default="")
    submitted_on = serializers.DateField(required=False, allow_null=True, default=None)


# ---- filters --------------------------------------------------------------------------
class InitiativeFilter(filters.FilterSet):
    place = filters.CharFilter(field_name="place__slug")
    lead_group = filters.CharFilter(field_name="lead_group__slug")

    class Meta:
        model = Initiative
        fields = ["place", "kind", "lead_group"]


class ActionFilter(filters.FilterSet):
    initiative = filters.CharFilter(field_name="plan__initiative__slug")
    owner_organisation = filters.CharFilter(field_name="owner_organisation__slug")
    due_before = filters.DateFilter(field_name="due_on", lookup_expr="lte")
    due_after = filters.DateFilter(field_name="due_on", lookup_expr="gte")

    class Meta:
        model = DeliveryAction
        fields = ["plan", "initiative", "status", "rag", "owner_organisation", "due_before",
                  "due_after"]  # fmt: skip


class StreamFilter(filters.FilterSet):
    place = filters.CharFilter(field_name="place__slug")

    class Meta:
        model = FundingStream
        fields = ["place", "year", "funder"]


class ReturnFilter(filters.FilterSet):
    stream = filters.NumberFilter(field_name="allocation__stream")
    year = filters.NumberFilter(field_name="allocation__stream__year")
    initiative = filters.CharFilter(field_name="allocation__initiative__slug")
    submitted = filters.BooleanFilter(field_name="submitted_on", lookup_expr="isnull",
                                      exclude=True)  # fmt: skip

    class Meta:
        model = QuarterlyReturn
        fields = ["stream", "year", "initiative", "quarter", "rag", "submitted"]


# ---- views ----------------------------------------------------------------------------
class InitiativeViewSet(DeliveryViewer, ListingViewSet[Initiative]):
    """Projects and time-boxed operations."""

    queryset = Initiative.objects.select_related("place", "lead_group").prefetch_related("partners")
    serializer_class = InitiativeSerializer
    lookup_field = "slug"
    filterset_class = InitiativeFilter
    ordering_fields = ["name", "starts_on", "ends_on"]
    ordering = ["-starts_on"]


class ActionViewSet(
    DeliveryViewer,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    ListingViewSet[DeliveryAction],
):
    """Actions of the initiatives' action plans."""

    queryset = DeliveryAction.objects.select_related("plan__initiative", "owner_organisation")
    serializer_class = ActionSerializer
    filterset_class = ActionFilter
    ordering_fields = ["due_on", "starts_on", "status", "title"]
    ordering = ["due_on"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    @extend_schema(request=ActionCreateSerializer,
                   responses={201: ActionSerializer, **WRITE_ERRORS})  # fmt: skip
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Add an action to a plan (editors), through `delivery.initiatives.add_action`."""
        not_found(can_edit_delivery(request.user))
        given = ActionCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = dict(given.validated_data)
        plan = data.pop("plan")
        made = through_service(lambda: initiatives.add_action(request.user, plan, **data))
        return Response(ActionSerializer(made).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ActionUpdateSerializer,
                   responses={200: ActionSerializer, **WRITE_ERRORS})  # fmt: skip
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Change an action: status and RAG through `set_action_status` (editors and the
        owner), other fields through `update_action` (editors)."""
        found = self.get_object()
        given = ActionUpdateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = dict(given.validated_data)
        state = {k: data.pop(k) for k in ("status", "rag") if k in data}
        not_found(can_update_action(request.user, found))
        if data:
            not_found(can_edit_delivery(request.user))
            found = through_service(lambda: initiatives.update_action(request.user, found, **data))
        if state:
            found = through_service(
                lambda: initiatives.set_action_status(
                    request.user,
                    found,
                    status=state.get("status", found.status),
                    rag=state.get("rag", found.rag),
                )
            )
        found.refresh_from_db()
        return Response(ActionSerializer(found).data)

    @extend_schema(exclude=True)
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.partial_update(request, *args, **kwargs)


class FundingStreamViewSet(DeliveryViewer, ListingViewSet[FundingStream]):
    """Money funders give the partnership, a financial year each."""

    queryset = FundingStream.objects.select_related("place", "accountable_to")
    serializer_class = FundingStreamSerializer
    filterset_class = StreamFilter
    ordering_fields = ["year", "funder", "amount"]
    ordering = ["-year"]


class ReturnViewSet(DeliveryViewer, ListingViewSet[QuarterlyReturn]):
    """Quarterly returns each allocation owes its funder."""

    queryset = QuarterlyReturn.objects.select_related(
        "allocation__stream", "allocation__initiative"
    )
    serializer_class = ReturnSerializer
    filterset_class = ReturnFilter
    ordering_fields = ["due_on", "quarter", "submitted_on"]
    ordering = ["due_on"]

    @extend_schema(request=ReturnSubmitSerializer,
                   responses={200: ReturnSerializer, **WRITE_ERRORS})  # fmt: skip
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def submit(self, request: Request, pk: str) -> Response:
        """Submit (or correct) a quarterly return (editors), through
        `delivery.funding.submit_return`."""
        ret = self.get_object()
        not_found(can_edit_delivery(request.user))
        given = ReturnSubmitSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = dict(given.validated_data)
        done = through_service(lambda: funding.submit_return(request.user, ret, **data))
        return Response(ReturnSerializer(done).data)
