"""The partnership's groups and meetings, and its plans. Groups and meetings follow the
pages' one rule (`GroupQuerySet.visible_to`): a restricted group and its meetings are
404 to everyone but its members and administrators. Plans are read by anyone signed in,
as on the plan pages."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import QuerySet
from django_filters import rest_framework as filters
from rest_framework import serializers

from saferplaces.api.common import ListingViewSet
from saferplaces.partnership.models import Group, Meeting
from saferplaces.partnership.models.groups import GroupQuerySet
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


class GroupViewSet(ListingViewSet[Group]):
    """Groups of the partnership structure the caller may see."""

    queryset = Group.objects.select_related("place", "parent")
    serializer_class = GroupSerializer
    lookup_field = "slug"
    filterset_class = GroupFilter
    ordering_fields = ["name", "slug", "kind"]
    ordering = ["name"]

    def visible(self, queryset: QuerySet[Group]) -> QuerySet[Group]:
        return cast(GroupQuerySet, queryset).visible_to(self.request.user)


class MeetingViewSet(ListingViewSet[Meeting]):
    """Meetings of the groups the caller may see."""

    queryset = Meeting.objects.select_related("group")
    serializer_class = MeetingSerializer
    filterset_class = MeetingFilter
    ordering_fields = ["date", "title"]
    ordering = ["-date"]

    def visible(self, queryset: QuerySet[Meeting]) -> QuerySet[Meeting]:
        return queryset.filter(group__in=Group.objects.visible_to(self.request.user))


class PlanViewSet(ListingViewSet[Plan]):
    """Community safety plans (drafts too: the caller is signed in)."""

    queryset = Plan.objects.select_related("place").prefetch_related("priorities")
    serializer_class = PlanSerializer
    filterset_class = PlanFilter
    ordering_fields = ["starts_on", "title"]
    ordering = ["-starts_on"]

    def visible(self, queryset: QuerySet[Plan]) -> QuerySet[Plan]:
        return queryset  # every plan to anyone signed in, as on the plan pages
