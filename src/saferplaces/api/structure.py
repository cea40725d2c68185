"""The partnership's groups and meetings, and its plans. Groups and meetings follow the
pages' one rule (`GroupQuerySet.visible_to`): a restricted group and its meetings are
404 to everyone but its members and administrators. Plans are read by anyone signed in,
as on the plan pages."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django_filters import rest_framework as filters
from rest_framework import serializers, viewsets

from saferplaces.partnership.models import Group, Meeting
from saferplaces.strategy.models import Plan


class GroupSerializer(serializers.ModelSerializer[Group]):
    place: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    parent: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(  # type: ignore[assignment]
        slug_field="slug", read_only=True, allow_null=True
    )

    class Meta:
        model = Group
        fields = ["slug", "name", "kind", "place", "parent", "purpose", "cadence",
                  "statutory", "restricted"]  # fmt: skip


class MeetingSerializer(serializers.ModelSerializer[Meeting]):
    group: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )

    class Meta:
        model = Meeting
        fields = ["id", "group", "title", "date", "location", "status"]


class PlanSerializer(serializers.ModelSerializer[Plan]):
    place: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    priorities: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="title", many=True, read_only=True
    )

    class Meta:
        model = Plan
        fields = ["id", "place", "kind", "title", "period_label", "starts_on", "ends_on",
                  "vision", "status", "approved_on", "priorities"]  # fmt: skip


class GroupFilter(filters.FilterSet):
    place = filters.CharFilter(field_name="place__slug")
    parent = filters.CharFilter(field_name="parent__slug")

    class Meta:
        model = Group
        fields = ["kind", "place", "parent", "statutory", "restricted"]


class MeetingFilter(filters.FilterSet):
    group = filters.CharFilter(field_name="group__slug")
    date_after = filters.DateFilter(field_name="date", lookup_expr="gte")
    date_before = filters.DateFilter(field_name="date", lookup_expr="lte")

    class Meta:
        model = Meeting
        fields = ["group", "status", "date_after", "date_before"]


class PlanFilter(filters.FilterSet):
    place = filters.CharFilter(field_name="place__slug")

    class Meta:
        model = Plan
        fields = ["place", "kind", "status"]


class GroupViewSet(viewsets.ReadOnlyModelViewSet[Group]):
    """Groups of the partnership structure the caller may see."""

    serializer_class = GroupSerializer
    lookup_field = "slug"
    filterset_class = GroupFilter
    ordering_fields = ["name", "slug", "kind"]
    ordering = ["name"]

    def get_queryset(self) -> QuerySet[Group]:
        visible = Group.objects.visible_to(self.request.user)
        return visible.select_related("place", "parent").order_by("name", "pk")


class MeetingViewSet(viewsets.ReadOnlyModelViewSet[Meeting]):
    """Meetings of the groups the caller may see."""

    serializer_class = MeetingSerializer
    filterset_class = MeetingFilter
    ordering_fields = ["date", "title"]
    ordering = ["-date"]

    def get_queryset(self) -> QuerySet[Meeting]:
        groups = Group.objects.visible_to(self.request.user)
        return (
            Meeting.objects.filter(group__in=groups).select_related("group").order_by("-date", "pk")
        )


class PlanViewSet(viewsets.ReadOnlyModelViewSet[Plan]):
    """Community safety plans (drafts too: the caller is signed in)."""

    serializer_class = PlanSerializer
    filterset_class = PlanFilter
    ordering_fields = ["starts_on", "title"]
    ordering = ["-starts_on"]

    def get_queryset(self) -> QuerySet[Plan]:
        return (
            Plan.objects.select_related("place")
            .prefetch_related("priorities")
            .order_by("-starts_on", "pk")
        )
