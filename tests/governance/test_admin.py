"""The admin of information governance: the audit trail strictly read-only (not even a
superuser may add, change or delete an event); agreements' edits are audited."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from saferplaces.governance import audit
from saferplaces.governance.models import AuditAction, AuditEvent, SharingAgreement


def an_event() -> AuditEvent:
    return audit.record(audit.SYSTEM, AuditAction.VIEW, "case", 7, "Viewed case 7")


@pytest.mark.django_db
def test_superuser_reads_the_trail(admin_client: Client) -> None:
    """Given an event, When a superuser opens the trail's list and the event
    Then both show it, with no way to add, save or delete."""
    event = an_event()
    listing = admin_client.get(reverse("admin:governance_auditevent_changelist"))
    assert listing.status_code == 200
    html = listing.content.decode()
    assert "Viewed case 7" in html
    assert reverse("admin:governance_auditevent_add") not in html
    page = admin_client.get(reverse("admin:governance_auditevent_change", args=[event.pk]))
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert "Delete" not in page.content.decode()


@pytest.mark.django_db
def test_superuser_cannot_add_change_or_delete_an_event(admin_client: Client) -> None:
    """Given an event
    When a superuser posts to its change page, opens the delete page or the add page
    Then each is refused (403) and the event and the chain are untouched."""
    event = an_event()
    change = reverse("admin:governance_auditevent_change", args=[event.pk])
    response = admin_client.post(change, {"summary": "Nothing happened", "username": "x"})
    assert response.status_code == 403
    delete = reverse("admin:governance_auditevent_delete", args=[event.pk])
    assert admin_client.get(delete).status_code == 403
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert admin_client.get(reverse("admin:governance_auditevent_add")).status_code == 403
    bulk = admin_client.post(
        reverse("admin:governance_auditevent_changelist"),
        {"action": "delete_selected", "_selected_action": [event.pk]},
    )
    assert bulk.status_code in (200, 302, 403)
    event.refresh_from_db()
    assert event.summary == "Viewed case 7"
    assert AuditEvent.objects.count() == 1
    assert audit.verify().ok


@pytest.mark.django_db
def test_an_agreement_changed_in_the_admin_is_audited(admin_client: Client, world: object) -> None:
    """Given a draft agreement
    When a superuser changes its DPIA reference in the admin
    Then an audit event records the change with before and after."""
    from tests.governance.conftest import make_draft

    agreement = make_draft(world)  # type: ignore[arg-type]
    url = reverse("admin:governance_sharingagreement_change", args=[agreement.pk])
    page = admin_client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {name: form.initial.get(name, "") for name in form.fields if name not in ("panels",)}
    data.update(
        {
            "dpia_reference": "DPIA-2026-099",
            "panels": [g.pk for g in agreement.panels.all()],
            "identifying_roles": '["panel"]',
            "parties-TOTAL_FORMS": "0",
            "parties-INITIAL_FORMS": "0",
            "parties-MIN_NUM_FORMS": "0",
            "parties-MAX_NUM_FORMS": "1000",
        }
    )
    for name in ("starts_on", "expires_on", "review_on"):
        data[name] = getattr(agreement, name).isoformat()
    data["place"] = agreement.place_id
    data["created_at_0"] = agreement.created_at.date().isoformat()
    data["created_at_1"] = agreement.created_at.strftime("%H:%M:%S")
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    agreement = SharingAgreement.objects.get(pk=agreement.pk)
    assert agreement.dpia_reference == "DPIA-2026-099"
    event = AuditEvent.objects.filter(object_type="sharing_agreement").order_by("-seq").first()
    assert event is not None and event.action == AuditAction.UPDATE
    assert event.before is not None and event.before["dpia_reference"] == "DPIA-2026-001"
    assert event.after is not None and event.after["dpia_reference"] == "DPIA-2026-099"
    assert audit.verify().ok
