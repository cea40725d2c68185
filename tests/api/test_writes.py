"""Writes through the API go through the pages' service functions: the same activity
events, the same checks, and 404 for anyone the pages would refuse."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import transaction
from django.test import Client

from saferplaces.delivery import funding, initiatives
from saferplaces.delivery.access import can_edit_delivery, can_update_action
from saferplaces.delivery.models import ActionStatus, DeliveryAction, QuarterlyReturn
from saferplaces.evidence.access import can_import
from saferplaces.evidence.models import BatchStatus, Import
from saferplaces.partnership.models import ActivityEvent
from tests.places import SAMPLES

pytestmark = pytest.mark.django_db
USERS = ("officer", "analyst", "coordinator", "chair", "county", "police", "fire", "admin")


class Rollback(Exception):
    pass


def _events_of(write: Callable[[], Any]) -> list[tuple[Any, ...]]:
    """The activity events ``write`` makes (kept), as comparable tuples."""
    before = ActivityEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    write()
    rows = ActivityEvent.objects.filter(pk__gt=before).order_by("pk")
    return list(rows.values_list("actor__username", "verb", "object_type", "object_id", "summary"))


def _service_events(write: Callable[[], Any]) -> list[tuple[Any, ...]]:
    """The events the service itself makes for the same change, then undone."""
    found: list[tuple[Any, ...]] = []
    try:
        with transaction.atomic():
            found = _events_of(write)
            raise Rollback
    except Rollback:
        pass
    return found


def _user(predicate: Callable[[User], bool]) -> User:
    return next(u for u in User.objects.filter(username__in=USERS) if predicate(u))


def test_action_status_writes_the_services_event(api_as: Callable[..., Client]) -> None:
    action = DeliveryAction.objects.first()
    assert action is not None
    new = next(s for s in ActionStatus.values if s != action.status)
    editor = _user(can_edit_delivery)
    want = _service_events(lambda: initiatives.set_action_status(
        editor, DeliveryAction.objects.get(pk=action.pk), status=new, rag="amber"))  # fmt: skip
    client = api_as(editor.username)
    got = _events_of(lambda: client.patch(
        f"/api/actions/{action.pk}/", {"status": new, "rag": "amber"},
        content_type="application/json"))  # fmt: skip
    assert got == want and len(got) == 1
    action.refresh_from_db()
    assert (action.status, action.rag) == (new, "amber")
    assert (action.completed_on is not None) == (new == ActionStatus.DONE)


def test_only_editors_and_the_owner_change_an_action(api_as: Callable[..., Client]) -> None:
    action = DeliveryAction.objects.first()
    assert action is not None
    outsider = _user(lambda u: not can_update_action(u, action))
    response = api_as(outsider.username).patch(
        f"/api/actions/{action.pk}/", {"status": "done"}, content_type="application/json"
    )
    assert response.status_code == 404
    assert DeliveryAction.objects.get(pk=action.pk).status == action.status


def test_add_action_through_the_service(api_as: Callable[..., Client]) -> None:
    plan_action = DeliveryAction.objects.select_related("plan", "owner_organisation").first()
    assert plan_action is not None
    editor = _user(can_edit_delivery)
    body = {"plan": plan_action.plan_id, "title": "Leaflet the estate",
            "owner_organisation": plan_action.owner_organisation.slug,
            "starts_on": "2026-01-05", "due_on": "2026-01-30"}  # fmt: skip
    client = api_as(editor.username)
    got = _events_of(lambda: client.post("/api/actions/", body, content_type="application/json"))
    made = DeliveryAction.objects.get(title="Leaflet the estate")
    assert got == [(editor.username, "created", "delivery.deliveryaction", str(made.pk),
                    f"Action Leaflet the estate added to {plan_action.plan.title}")]  # fmt: skip
    bad = client.post("/api/actions/", body | {"due_on": "2025-01-01"},
                      content_type="application/json")  # fmt: skip
    assert bad.status_code == 400 and "due_on" in bad.json()
    viewer = api_as(_user(lambda u: not can_edit_delivery(u)).username)
    refused = viewer.post("/api/actions/", body, content_type="application/json")
    assert refused.status_code == 404


def test_submit_return_writes_the_services_event(api_as: Callable[..., Client]) -> None:
    ret = QuarterlyReturn.objects.order_by("pk").first()
    assert ret is not None
    editor = _user(can_edit_delivery)
    values = {"spend": Decimal("1234.50"), "rag": "amber", "narrative": "On track",
              "outputs": "3 events", "submitted_on": datetime.date(2026, 1, 10)}  # fmt: skip
    want = _service_events(lambda: funding.submit_return(editor, ret, **values))
    client = api_as(editor.username)
    body = {k: str(v) for k, v in values.items()}
    response = client.post(f"/api/returns/{ret.pk}/submit/", body, content_type="application/json")
    assert response.status_code == 200, response.content
    got = ActivityEvent.objects.order_by("-pk").values_list(
        "actor__username", "verb", "object_type", "object_id", "summary")[:1]  # fmt: skip
    assert list(got) == want
    assert response.json()["spend"] == "1234.50"
    refused = client.post(f"/api/returns/{ret.pk}/submit/", {"spend": "1.005", "rag": "red"},
                          content_type="application/json")  # fmt: skip
    assert refused.status_code == 400


def test_upload_queues_an_import_through_the_upload_service(api_as: Callable[..., Client]) -> None:
    importer = _user(can_import)
    client = api_as(importer.username)
    sample = sorted(SAMPLES.glob("*.csv.gz"))[0]
    with sample.open("rb") as fh:
        response = client.post("/api/imports/", {"kind": "police-uk", "uploads": [fh]})
    assert response.status_code == 202, response.content
    body = response.json()
    record = Import.objects.get(pk=body["id"])
    assert body["task"] == body["id"] and record.status == BatchStatus.QUEUED
    assert record.imported_by == importer
    assert (Path(record.upload) / record.files[0]).read_bytes() == sample.read_bytes()
    event = ActivityEvent.objects.get(verb="uploaded", object_id=str(record.pk))
    assert event.actor == importer and sample.name in event.summary
    status = client.get(f"/api/imports/{record.pk}/").json()
    assert status["status"] == "queued" and status["progress"] == 0


def test_uploads_that_the_page_refuses_are_refused(
    api_as: Callable[..., Client], tmp_path: Path
) -> None:
    client = api_as(_user(can_import).username)
    fake = tmp_path / "fake.csv.gz"
    fake.write_bytes(b"not gzip at all")
    with fake.open("rb") as fh:
        response = client.post("/api/imports/", {"kind": "police-uk", "uploads": [fh]})
    assert response.status_code == 400 and "uploads" in response.json()
    assert client.post("/api/imports/", {"kind": "police-uk"}).status_code == 400
    assert not Import.objects.exists()


def test_imports_are_404_to_those_who_may_not_import(api_as: Callable[..., Client]) -> None:
    outsider = _user(lambda u: not can_import(u))
    client = api_as(outsider.username)
    assert client.get("/api/imports/").status_code == 404
    sample = sorted(SAMPLES.glob("*.csv.gz"))[0]
    with sample.open("rb") as fh:
        assert (
            client.post("/api/imports/", {"kind": "police-uk", "uploads": [fh]}).status_code == 404
        )
    assert not Import.objects.exists()
