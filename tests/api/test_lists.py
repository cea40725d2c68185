"""Every list is paginated (bounded page size), filtered and ordered; each token has its
own rate limit."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.conf import settings
from django.test import Client

from saferplaces.api.throttling import TokenRateThrottle
from saferplaces.delivery.models import ActionStatus, DeliveryAction, QuarterlyReturn
from saferplaces.partnership.models import Group, Place

pytestmark = pytest.mark.django_db


def test_pages_are_bounded_and_walk_the_whole_list(api_as: Callable[..., Client]) -> None:
    client = api_as("officer")
    total = DeliveryAction.objects.count()
    first = client.get("/api/actions/?page_size=10").json()
    assert first["count"] == total and len(first["results"]) == min(10, total)
    huge = client.get("/api/places/?page_size=100000").json()
    assert len(huge["results"]) == settings.API_MAX_PAGE_SIZE < Place.objects.count()
    seen, url = [], "/api/actions/?page_size=7"
    while url:
        page = client.get(url).json()
        seen += [row["id"] for row in page["results"]]
        url = page["next"]
    assert sorted(seen) == sorted(DeliveryAction.objects.values_list("pk", flat=True))


def test_filters(api_as: Callable[..., Client]) -> None:
    client = api_as("officer")
    for status in ActionStatus.values:
        got = client.get(f"/api/actions/?status={status}&page_size=500").json()
        assert got["count"] == DeliveryAction.objects.filter(status=status).count()
        assert {row["status"] for row in got["results"]} <= {status}
    districts = client.get("/api/places/?kind=district").json()
    assert districts["count"] == Place.objects.filter(kind="district").count() > 0
    submitted = client.get("/api/returns/?submitted=true").json()
    assert submitted["count"] == QuarterlyReturn.objects.filter(submitted_on__isnull=False).count()
    assert client.get("/api/actions/?status=nonsense").status_code == 400


def test_ordering(api_as: Callable[..., Client]) -> None:
    client = api_as("officer")
    rows = client.get("/api/actions/?ordering=-due_on&page_size=500").json()["results"]
    dues = [row["due_on"] for row in rows]
    assert dues == sorted(dues, reverse=True) and len(set(dues)) > 1
    names = [g["name"] for g in client.get("/api/groups/?ordering=-name").json()["results"]]
    assert names == sorted(names, reverse=True)


def test_restricted_groups_are_404_to_others(api_as: Callable[..., Client]) -> None:
    restricted = Group.objects.filter(restricted=True).first()
    assert restricted is not None
    members = set(restricted.memberships.values_list("person__user__username", flat=True))
    outsider = next(u for u in ("officer", "analyst", "fire", "health") if u not in members)
    client = api_as(outsider)
    assert client.get(f"/api/groups/{restricted.slug}/").status_code == 404
    slugs = {g["slug"] for g in client.get("/api/groups/?page_size=500").json()["results"]}
    assert restricted.slug not in slugs
    assert api_as("admin").get(f"/api/groups/{restricted.slug}/").status_code == 200


def test_rate_limit_is_per_token(
    api_as: Callable[..., Client], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(TokenRateThrottle, "THROTTLE_RATES", {"token": "3/minute"})
    first, second = api_as("officer"), api_as("officer")
    assert [first.get("/api/plans/").status_code for _ in range(3)] == [200, 200, 200]
    refused = first.get("/api/plans/")
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert second.get("/api/plans/").status_code == 200  # another token, its own count


def test_the_rate_comes_from_the_setting() -> None:
    assert settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["token"] == settings.API_RATE
