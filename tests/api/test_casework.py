"""Casework through the API: the pages' single access decision (404 for the rest), the
pages' audit trail for every read, identifying details only where the agreement allows,
two-factor tokens only, never cached."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.test import Client

from saferplaces.casework.models import OPEN_STATUSES, Case, Panel
from saferplaces.governance import audit
from saferplaces.governance.access import panel_access, panels_visible_to
from saferplaces.governance.models import AuditEvent

pytestmark = pytest.mark.django_db
USERS = ("coordinator", "analyst", "officer", "police", "fire", "health", "probation", "admin")


def _visible(username: str) -> set[str]:
    """The casework panels the casework index page lists for the user."""
    user = User.objects.get(username=username)
    panels = Panel.objects.filter(group__in=panels_visible_to(user))
    return set(panels.values_list("group__slug", flat=True))


def test_panels_are_those_the_pages_show(api_as: Callable[..., Client]) -> None:
    for username in USERS:
        body = api_as(username).get("/api/casework/panels/").json()
        assert {p["slug"] for p in body["results"]} == _visible(username), username


def test_other_panels_and_cases_are_404(api_as: Callable[..., Client]) -> None:
    hidden = 0
    for username in USERS:
        client, visible = api_as(username), _visible(username)
        for panel in Panel.objects.select_related("group"):
            if panel.group.slug in visible:
                continue
            hidden += 1
            assert client.get(f"/api/casework/panels/{panel.group.slug}/").status_code == 404
            assert client.get(f"/api/casework/panels/{panel.group.slug}/cases/").status_code == 404
            case = Case.objects.filter(panel=panel).first()
            if case is not None:
                assert client.get(f"/api/casework/cases/{case.reference}/").status_code == 404
    assert hidden > 0  # the demo has someone who may not see some panel
    assert api_as("coordinator").get("/api/casework/cases/NOPE-1/").status_code == 404


def test_every_read_is_audited_as_the_pages_do(api_as: Callable[..., Client]) -> None:
    client = api_as("coordinator")
    user = User.objects.get(username="coordinator")
    panel = Panel.objects.select_related("group").filter(group__in=panels_visible_to(user))[0]
    slug = panel.group.slug
    before = AuditEvent.objects.count()
    assert client.get(f"/api/casework/panels/{slug}/").status_code == 200
    listed = client.get(f"/api/casework/panels/{slug}/cases/?status=any")
    assert listed.status_code == 200
    case = Case.objects.filter(panel=panel).first()
    assert case is not None
    detail = client.get(f"/api/casework/cases/{case.reference}/")
    assert detail.status_code == 200 and detail["Cache-Control"].startswith("no-store")
    events = list(AuditEvent.objects.order_by("seq")[before:])
    assert [(e.action, e.object_type, e.object_id) for e in events] == [
        ("view", "panel", slug), ("search", "panel", slug), ("view", "case", case.reference),
    ]  # fmt: skip
    access = panel_access(user, panel.group)
    assert access is not None
    assert {e.username for e in events} == {"coordinator"}
    assert {e.organisation for e in events} == {access.organisation.name}
    assert all(e.summary.startswith("API: ") for e in events)
    assert audit.verify().ok  # the chain still holds


def test_case_lists_are_open_cases_by_default(api_as: Callable[..., Client]) -> None:
    client = api_as("coordinator")
    user = User.objects.get(username="coordinator")
    panel = Panel.objects.select_related("group").filter(group__in=panels_visible_to(user))[0]
    got = client.get(f"/api/casework/panels/{panel.group.slug}/cases/?page_size=500").json()
    want = Case.objects.filter(panel=panel, status__in=OPEN_STATUSES)
    assert sorted(r["reference"] for r in got["results"]) == sorted(
        want.values_list("reference", flat=True)
    )
    everything = client.get(f"/api/casework/panels/{panel.group.slug}/cases/?status=any").json()
    assert everything["count"] == Case.objects.filter(panel=panel).count()


def test_identifying_details_only_where_the_agreement_allows(api_as: Callable[..., Client]) -> None:
    seen = set()
    for username in USERS:
        user = User.objects.get(username=username)
        client = api_as(username)
        for panel in Panel.objects.filter(group__in=panels_visible_to(user)).select_related(
            "group"
        ):
            access = panel_access(user, panel.group)
            assert access is not None
            case = Case.objects.filter(panel=panel).select_related("subject").first()
            if case is None:
                continue
            body = client.get(f"/api/casework/cases/{case.reference}/").json()
            if access.identifying:
                assert body["subject"]["family_name"] == case.subject.family_name
            else:
                assert body["subject"] is None
            seen.add(access.identifying)
    assert seen == {True, False}


def test_a_token_made_without_two_factor_reads_no_casework(api_as: Callable[..., Client]) -> None:
    client = api_as("coordinator", two_factor=False)
    before = AuditEvent.objects.count()
    assert client.get("/api/casework/panels/").status_code == 404
    assert client.get("/api/places/").status_code == 200  # the rest of the API still works
    assert AuditEvent.objects.count() == before


def test_a_session_without_two_factor_reads_no_casework(demo_world: None) -> None:
    client = Client()
    client.force_login(User.objects.get(username="coordinator"))
    assert client.get("/api/casework/panels/").status_code == 404
