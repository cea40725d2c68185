"""The register of sharing agreements: reading it, making an agreement from a template,
inviting and signing, and activating, suspending and ending it."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from saferplaces.governance import access, audit, services
from saferplaces.governance.catalogue import Purpose
from saferplaces.governance.models import (
    AgreementParty,
    AgreementStatus,
    AuditEvent,
    SharingAgreement,
)
from saferplaces.partnership.models import Group
from saferplaces.partnership.models.groups import GroupKind
from tests.governance.conftest import Cast
from tests.personas import client_for

LIST = reverse("governance:agreements")
NEW = reverse("governance:agreement_new")


def detail(agreement: SharingAgreement) -> str:
    return reverse("governance:agreement", kwargs={"pk": agreement.pk})


def status_url(agreement: SharingAgreement, status: str) -> str:
    return reverse("governance:agreement_status", kwargs={"pk": agreement.pk, "status": status})


def sign(cast: Cast, agreement: SharingAgreement) -> None:
    services.sign_agreement(
        audit.SYSTEM, agreement, cast.world.police, cast.bob, timezone.localdate()
    )


# Reading ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_register_lists_the_partnerships_agreements_to_anyone_signed_in_of_it(
    cast: Cast, draft: SharingAgreement
) -> None:
    """Given a draft agreement for Testford
    When an analyst of the county's police (not a manager, on no panel) opens the register
    Then it lists the agreement with its DPIA reference, lawful basis and status."""
    response = client_for(cast.andy).get(LIST)
    assert response.status_code == 200
    html = response.content.decode()
    assert draft.title in html
    assert "DPIA-2026-001" in html
    assert "UK GDPR Art 6(1)(e)" in html
    assert "Draft" in html
    assert "New agreement from a template" not in html  # analysts do not make agreements


@pytest.mark.django_db
def test_register_needs_sign_in(client: object, draft: SharingAgreement) -> None:
    """Given a signed-out visitor, When they open the register, Then they are sent to sign in."""
    response = client.get(LIST)  # type: ignore[attr-defined]
    assert response.status_code == 302
    assert "sign-in" in response["Location"] or "login" in response["Location"]


@pytest.mark.django_db
def test_another_partnership_sees_neither_list_entry_nor_page(
    cast: Cast, draft: SharingAgreement
) -> None:
    """Given Zed of Otherton's council
    When Zed opens Testford's register and agreement page
    Then the list does not name it and the page is 404."""
    zed = client_for(cast.zed)
    assert draft.title not in zed.get(LIST).content.decode()
    assert zed.get(detail(draft)).status_code == 404


@pytest.mark.django_db
def test_agreement_page_shows_parties_terms_and_history(
    cast: Cast, draft: SharingAgreement
) -> None:
    """Given an agreement Testshire Police signed (Bob) and Testford Council was invited to
    When anyone of the partnership opens it
    Then it shows who signed and when, the invitation, the terms, panels and its history."""
    services.sign_agreement(
        audit.Actor(cast.bob.user, "Testshire Police"),
        draft,
        cast.world.police,
        cast.bob,
        datetime.date(2026, 1, 5),
    )
    AgreementParty.objects.create(agreement=draft, organisation=cast.world.council)
    response = client_for(cast.andy).get(detail(draft))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Bob Persona" in html and "5 January 2026" in html
    assert "Testford Council" in html and "Invited" in html
    assert "DPA 2018 Sch.1 para 18" in html  # a lawful basis line
    assert "Testford Divert Group" in html
    assert "Panel coordinator / practitioner" in html  # roles that see identifying details
    assert "Sharing agreement drafted" in html and "Testshire Police signed" in html
    assert "Review overdue" not in html


@pytest.mark.django_db
def test_review_overdue_is_tagged(cast: Cast, draft: SharingAgreement) -> None:
    """Given an active agreement whose review date has passed
    When the register is opened, Then it says "Review overdue"."""
    sign(cast, draft)
    services.set_agreement_status(audit.SYSTEM, draft, AgreementStatus.ACTIVE)
    SharingAgreement.objects.filter(pk=draft.pk).update(
        review_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    assert "Review overdue" in client_for(cast.andy).get(LIST).content.decode()


# Making -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_community_safety_officer_makes_an_agreement_from_a_template(cast: Cast) -> None:
    """Given Alice, Testford Council's community safety officer
    When she picks Testford, the MARAC purpose, the Divert panel, a start and a DPIA
    Then a draft is made from the MARAC template covering the panel, with its audit event."""
    alice = client_for(cast.alice)
    assert alice.get(NEW).status_code == 200
    response = alice.post(
        NEW,
        {
            "place": cast.world.district.pk,
            "purpose": Purpose.MARAC,
            "panels": [cast.world.divert.pk],
            "starts_on": "2026-04-01",
            "dpia_reference": "DPIA-MARAC-7",
        },
    )
    agreement = SharingAgreement.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail(agreement)
    assert agreement.status == AgreementStatus.DRAFT
    assert agreement.purpose == Purpose.MARAC
    assert agreement.title == "Testford: MARAC information sharing agreement"
    assert list(agreement.panels.all()) == [cast.world.divert]
    assert agreement.expires_on == datetime.date(2027, 3, 31)
    assert agreement.dpia_reference == "DPIA-MARAC-7"
    event = AuditEvent.objects.get(object_type="sharing_agreement")
    assert event.username == "alice" and event.organisation == "Testford Council"


@pytest.mark.django_db
def test_new_agreement_form_says_what_to_fix(cast: Cast) -> None:
    """Given Alice leaves out the purpose and the DPIA and gives a start that is no date
    When she submits, Then the error summary says what to fix and nothing is made."""
    response = client_for(cast.alice).post(
        NEW, {"place": cast.world.district.pk, "starts_on": "31/02/2026"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html
    assert "Choose what the agreement is for" in html
    assert "Enter the DPIA reference" in html
    assert "Start date must be a real date" in html
    assert 'href="#id_purpose"' in html and 'id="id_purpose"' in html
    assert not SharingAgreement.objects.exists()


@pytest.mark.django_db
def test_panel_of_another_place_is_refused(cast: Cast) -> None:
    """Given a panel of the county (not Testford) that staff could choose
    When an agreement for Testford names it, Then the form says to choose Testford's panels."""
    county_panel = Group.objects.create(
        name="Testshire MARAC", slug="testshire-marac", kind=GroupKind.PANEL,
        place=cast.world.county, restricted=True,
    )  # fmt: skip
    cast.alice.organisation.places.add(cast.world.county)
    response = client_for(cast.alice).post(
        NEW,
        {
            "place": cast.world.district.pk,
            "purpose": Purpose.MARAC,
            "panels": [county_panel.pk],
            "starts_on": "2026-04-01",
            "dpia_reference": "DPIA-1",
        },
    )
    assert response.status_code == 400
    assert "is not a panel of Testford" in response.content.decode()
    assert not SharingAgreement.objects.exists()


@pytest.mark.django_db
def test_only_community_safety_officers_and_staff_make_or_change_agreements(
    cast: Cast, draft: SharingAgreement
) -> None:
    """Given Andy (analyst) and Vic (board member)
    When they open the new, invite and status pages, Then each is 404."""
    for person in (cast.andy, cast.vic):
        client = client_for(person)
        assert client.get(NEW).status_code == 404
        invite = reverse("governance:agreement_invite", kwargs={"pk": draft.pk})
        assert client.get(invite).status_code == 404
        assert (
            client.post(status_url(draft, AgreementStatus.ENDED), {"reason": "x"}).status_code
            == 404
        )
    draft.refresh_from_db()
    assert draft.status == AgreementStatus.DRAFT


# Inviting and signing --------------------------------------------------------------------


@pytest.mark.django_db
def test_invite_then_a_person_of_that_organisation_signs(
    cast: Cast, draft: SharingAgreement
) -> None:
    """Given Alice invites Testshire Police
    When Charlie (Testford Council) tries to sign, Then 404 and nothing is signed
    When Andy (Police, analyst) tries, Then 404 too
    When Bob (Police, community safety officer) signs, Then the police is a party signed by him."""
    invite = reverse("governance:agreement_invite", kwargs={"pk": draft.pk})
    response = client_for(cast.alice).post(invite, {"organisation": cast.world.police.pk})
    assert response.status_code == 302
    party = AgreementParty.objects.get(agreement=draft)
    assert party.organisation == cast.world.police and party.signed_on is None
    sign_url = reverse("governance:agreement_sign", kwargs={"pk": draft.pk})
    assert client_for(cast.charlie).post(sign_url).status_code == 404
    assert client_for(cast.andy).post(sign_url).status_code == 404
    party.refresh_from_db()
    assert party.signed_on is None

    bob = client_for(cast.bob)
    assert "Sign for Testshire Police" in bob.get(detail(draft)).content.decode()
    assert bob.get(sign_url).status_code == 200
    assert bob.post(sign_url).status_code == 302
    party.refresh_from_db()
    assert party.signed_by == cast.bob
    assert party.signed_on == timezone.localdate()


@pytest.mark.django_db
def test_signing_twice_changes_nothing(cast: Cast, draft: SharingAgreement) -> None:
    """Given Testshire Police signed (Bob) a week ago
    When Vic, a board member of the police, signs again
    Then the signature stays Bob's of a week ago and no audit event is added."""
    week_ago = timezone.localdate() - datetime.timedelta(days=7)
    services.sign_agreement(audit.SYSTEM, draft, cast.world.police, cast.bob, week_ago)
    events = AuditEvent.objects.count()
    response = client_for(cast.vic).post(
        reverse("governance:agreement_sign", kwargs={"pk": draft.pk})
    )
    assert response.status_code == 302
    party = AgreementParty.objects.get(agreement=draft)
    assert (party.signed_by, party.signed_on) == (cast.bob, week_ago)
    assert AuditEvent.objects.count() == events


@pytest.mark.django_db
def test_invite_form_says_what_to_fix(cast: Cast, draft: SharingAgreement) -> None:
    """Given Alice submits the invitation with no organisation, Then it asks her to choose one."""
    response = client_for(cast.alice).post(
        reverse("governance:agreement_invite", kwargs={"pk": draft.pk}), {}
    )
    assert response.status_code == 400
    assert "Choose the organisation to invite" in response.content.decode()


# Status ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_activate_is_refused_until_someone_has_signed(cast: Cast, draft: SharingAgreement) -> None:
    """Given a draft nobody has signed
    When Alice activates it, Then the page says a signature is needed and it stays a draft."""
    response = client_for(cast.alice).post(status_url(draft, AgreementStatus.ACTIVE), {})
    assert response.status_code == 400
    assert "No party has signed yet" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == AgreementStatus.DRAFT


@pytest.mark.django_db
def test_suspending_closes_access_and_needs_a_reason(cast: Cast, draft: SharingAgreement) -> None:
    """Given Testshire Police signed and Alice activated the agreement, Bob (on the Divert
    panel for the police) has access to the panel's casework
    When Alice suspends it without a reason, Then she is asked for one
    When she gives one, Then Bob's access is closed and the history says why."""
    sign(cast, draft)
    alice = client_for(cast.alice)
    assert alice.post(status_url(draft, AgreementStatus.ACTIVE), {}).status_code == 302
    assert access.panel_access(cast.bob.user, cast.world.divert) is not None

    response = alice.post(status_url(draft, AgreementStatus.SUSPENDED), {"reason": ""})
    assert response.status_code == 400
    assert "Enter why you suspend the agreement" in response.content.decode()
    assert access.panel_access(cast.bob.user, cast.world.divert) is not None

    response = alice.post(
        status_url(draft, AgreementStatus.SUSPENDED), {"reason": "DPIA under review"}
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == AgreementStatus.SUSPENDED
    assert access.panel_access(cast.bob.user, cast.world.divert) is None
    assert "DPIA under review" in client_for(cast.andy).get(detail(draft)).content.decode()


@pytest.mark.django_db
def test_an_ended_agreement_offers_no_further_change(cast: Cast, draft: SharingAgreement) -> None:
    """Given Alice ended an agreement, When she asks to activate it, Then 404."""
    services.set_agreement_status(audit.SYSTEM, draft, AgreementStatus.ENDED, reason="replaced")
    response = client_for(cast.alice).post(status_url(draft, AgreementStatus.ACTIVE), {})
    assert response.status_code == 404


@pytest.mark.django_db
def test_lapsed_agreement_says_so(cast: Cast, draft: SharingAgreement) -> None:
    """Given an active agreement whose end date has passed
    When the register is opened, Then it reads "Lapsed"."""
    sign(cast, draft)
    services.set_agreement_status(audit.SYSTEM, draft, AgreementStatus.ACTIVE)
    SharingAgreement.objects.filter(pk=draft.pk).update(
        starts_on=datetime.date(2020, 1, 1), expires_on=datetime.date(2020, 12, 31)
    )
    html = client_for(cast.andy).get(LIST).content.decode()
    assert "Lapsed" in html


@pytest.mark.django_db
def test_a_county_organisation_makes_an_agreement_for_a_district_below_it(cast: Cast) -> None:
    """Given Bob's police serves the county (Testshire), not Testford itself
    When Bob opens the new agreement page, Then Testford and its Divert panel are offered
    And another partnership's places are not."""
    response = client_for(cast.bob).get(NEW)
    assert response.status_code == 200
    form = response.context["form"]
    places = {p.name for p in form.fields["place"].queryset}
    assert {"Testshire", "Testford"} <= places
    assert "Otherton" not in places
    assert cast.world.divert in list(form.fields["panels"].queryset)
