"""Who sees what: every casework page for every kind of person.

Given the Testford IOM panel with one case, covered by an agreement in force that
Testshire Police signed (and a lapsed one that Testshire Probation signed),
when each persona opens each page,
then only panel members acting for a party to the agreement in force get the page, the
others get 404 (anonymous people the sign-in page), identifying details show only to the
roles the agreement allows, and every page served wrote its audit event.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from saferplaces.casework.models import CaseNote
from saferplaces.governance.audit import verify
from saferplaces.governance.models import AuditEvent
from tests.casework.conftest import signed_in
from tests.casework.world import CaseworkWorld

ALLOWED = {"priya", "dev"}
DENIED = ["olly", "bea", "lena", "zed", "sam"]


def pages(cw: CaseworkWorld) -> dict[str, str]:
    slug, ref = cw.iom.group.slug, cw.case.reference
    return {
        "panel": reverse("casework:panel", args=[slug]),
        "figures": reverse("casework:figures_csv", args=[slug]),
        "new_case": reverse("casework:new_case", args=[slug]),
        "case": reverse("casework:case", args=[ref]),
        "plan": reverse("casework:plan", args=[ref]),
        "risk": reverse("casework:risk", args=[ref, "dash-24"]),
    }


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["priya", "dev", *DENIED])
@pytest.mark.parametrize("page", ["panel", "figures", "new_case", "case", "plan", "risk"])
def test_each_persona_each_page(cw: CaseworkWorld, persona: str, page: str) -> None:
    person = getattr(cw, persona)
    client = signed_in(person)
    before = AuditEvent.objects.filter(username=persona).count()
    response = client.get(pages(cw)[page])
    expected = 200 if persona in ALLOWED else 404
    if page == "new_case" and persona == "dev":
        expected = 404  # opening a case means keying identifying details
    assert response.status_code == expected, (persona, page)
    written = AuditEvent.objects.filter(username=persona).count() - before
    if expected == 200:
        assert written >= 1, f"{page} served to {persona} without an audit event"
        assert "no-store" in response["Cache-Control"]
    else:
        assert b"McTestface" not in response.content
        assert cw.case.reference.encode() not in response.content


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["panel", "figures", "new_case", "case", "plan", "risk"])
def test_anonymous_is_sent_to_sign_in(cw: CaseworkWorld, page: str) -> None:
    response = Client().get(pages(cw)[page])
    assert response.status_code == 302
    assert "/sign-in/" in response["Location"]


@pytest.mark.django_db
def test_identifying_details_only_for_roles_the_agreement_allows(cw: CaseworkWorld) -> None:
    """Given Priya (panel coordinator) and Dev (board member) on the same panel,
    when both open the case, then only Priya sees the person's name and address."""
    url = pages(cw)["case"]
    assert b"McTestface" in signed_in(cw.priya).get(url).content
    dev_page = signed_in(cw.dev).get(url).content
    assert cw.case.reference.encode() in dev_page
    assert b"McTestface" not in dev_page and b"Fictional Row" not in dev_page
    assert b"McTestface" not in signed_in(cw.dev).get(pages(cw)["panel"]).content


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["priya", "dev", *DENIED])
def test_writing_follows_the_same_rule(cw: CaseworkWorld, persona: str) -> None:
    """Given a persona, when they add a note to the case, then only members with access
    can, and the note's audit event names them and their organisation."""
    client = signed_in(getattr(cw, persona))
    url = reverse("casework:note", args=[cw.case.reference])
    response = client.post(url, {"note-text": f"note by {persona}"})
    if persona in ALLOWED:
        assert response.status_code == 302
        assert CaseNote.objects.filter(text=f"note by {persona}").exists()
        event = AuditEvent.objects.filter(username=persona, object_type="case_note").get()
        assert event.organisation == "Testshire Police"
        assert event.object_id == cw.case.reference
    else:
        assert response.status_code == 404
        assert not CaseNote.objects.filter(text=f"note by {persona}").exists()


@pytest.mark.django_db
def test_index_lists_only_panels_with_access(cw: CaseworkWorld) -> None:
    url = reverse("casework:index")
    assert b"Testford IOM" in signed_in(cw.priya).get(url).content
    for persona in ("olly", "lena", "sam", "bea"):
        page = signed_in(getattr(cw, persona)).get(url).content
        assert b"Testford IOM" not in page, persona
    zed = signed_in(cw.zed).get(url).content
    assert b"Otherton IOM" in zed and b"Testford IOM" not in zed


@pytest.mark.django_db
def test_the_trail_stays_intact_through_the_matrix(cw: CaseworkWorld) -> None:
    for persona in ("priya", "dev", "olly"):
        signed_in(getattr(cw, persona)).get(pages(cw)["case"])
    result = verify()
    assert result.ok and result.events == AuditEvent.objects.count() > 0


@pytest.mark.django_db
def test_a_password_alone_does_not_open_casework(cw: CaseworkWorld) -> None:
    """Given Priya signed in with her password only, when she opens the case, then she is
    sent to the two-factor step and the case is not shown (nor its view audited)."""
    client = Client()
    client.force_login(cw.priya.user)
    response = client.get(pages(cw)["case"])
    assert response.status_code == 302 and "two-factor" in response["Location"]
    viewed = AuditEvent.objects.filter(username="priya", object_type="case", action="view")
    assert not viewed.exists()
