"""Casework services: the lifecycle, the risk checklist, repeat MARAC referrals, cohort
figures counted from cases, duplicate subjects, retention and suppression."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from saferplaces.casework import services
from saferplaces.casework.models import Case, CaseStatus, Custody, Panel, PanelKind, Subject
from saferplaces.casework.subjects import likely_duplicates
from saferplaces.governance.access import require_panel_access
from saferplaces.governance.audit import verify
from saferplaces.governance.models import AuditAction, AuditEvent
from saferplaces.governance.suppression import suppress, suppress_row
from tests.casework.world import CaseworkWorld, _panel, agree

TODAY = timezone.localdate()


def _access(cw: CaseworkWorld):  # type: ignore[no-untyped-def]
    return require_panel_access(cw.priya.user, cw.iom.group)


def _open(cw: CaseworkWorld, given: str, family: str, dob: datetime.date | None, **details):  # type: ignore[no-untyped-def]
    access = _access(cw)
    subject = services.add_subject(
        services.actor_for(access), cw.iom, given_name=given, family_name=family, date_of_birth=dob
    )
    return services.open_case(
        access, cw.iom, subject, lead_agency=cw.world.police, referred_by=cw.world.police,
        reason="test", referred_on=TODAY, **details,
    )  # fmt: skip


@pytest.mark.django_db
def test_lifecycle_moves_only_forward(cw: CaseworkWorld) -> None:
    """Given a referred case, when it is accepted, made active and closed, then each step
    is recorded with its before and after, and skipping or reopening is refused."""
    access, case = _access(cw), cw.case
    with pytest.raises(ValidationError, match="can become accepted, declined"):
        services.change_status(access, case, CaseStatus.CLOSED, on=TODAY, reason="x")
    services.change_status(access, case, CaseStatus.ACCEPTED, on=TODAY)
    services.change_status(access, case, CaseStatus.ACTIVE, on=TODAY, reason="Selected at panel")
    assert case.selected_on == TODAY  # an IOM case is selected when it becomes active
    with pytest.raises(ValidationError, match="reason"):
        services.change_status(access, case, CaseStatus.CLOSED, on=TODAY)
    services.change_status(access, case, CaseStatus.CLOSED, on=TODAY, reason="Moved away")
    assert case.deselected_on == TODAY and case.deselection_reason == "Moved away"
    with pytest.raises(ValidationError):
        services.change_status(access, case, CaseStatus.ACTIVE, on=TODAY)
    last = AuditEvent.objects.filter(object_id=case.reference, action=AuditAction.UPDATE).last()
    assert (
        last is not None and last.before["status"] == "active" and last.after["status"] == "closed"
    )


@pytest.mark.django_db
def test_cohort_figures_are_counted_from_cases(cw: CaseworkWorld) -> None:
    """Given cases in custody and in the community, accepted, referred and closed, then
    the panel's figures count only the managed ones, and follow every change."""
    access = _access(cw)
    cases = [
        _open(cw, "A", f"Person{n}", None, custody=Custody.CUSTODY if n < 3 else Custody.COMMUNITY)
        for n in range(5)
    ]
    for case in cases[:4]:
        services.change_status(access, case, CaseStatus.ACCEPTED, on=TODAY)
    figures = Case.objects.filter(panel=cw.iom).cohort_figures()
    assert (figures["managed"], figures["in_custody"], figures["in_community"]) == (4, 3, 1)
    assert figures["referred"] == 2  # the world's own case and the fifth
    services.change_status(access, cases[0], CaseStatus.CLOSED, on=TODAY, reason="done")
    figures = Case.objects.filter(panel=cw.iom).cohort_figures()
    assert (figures["managed"], figures["in_custody"], figures["closed"]) == (3, 2, 1)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("yes", "judged", "reason", "level"),
    [(9, "", "", "standard"), (10, "", "", "medium"), (13, "", "", "medium"), (14, "", "", "high"),
     (9, "high", "Escalating stalking", "high")],
)  # fmt: skip
def test_dash_scoring_through_the_service(
    cw: CaseworkWorld, yes: int, judged: str, reason: str, level: str
) -> None:
    answers = [True] * yes + [False] * (24 - yes)
    assessment = services.assess_risk(
        _access(cw), cw.case, instrument_key="dash-24", answers=answers, assessed_on=TODAY,
        judged_level=judged, reason=reason,
    )  # fmt: skip
    assert (assessment.yes_count, assessment.level) == (yes, level)


@pytest.mark.django_db
def test_judgement_never_lowers_and_wrong_length_is_refused(cw: CaseworkWorld) -> None:
    with pytest.raises(ValidationError, match="never lower"):
        services.assess_risk(
            _access(cw), cw.case, instrument_key="dash-24", answers=[True] * 15 + [False] * 9,
            assessed_on=TODAY, judged_level="medium", reason="feels lower",
        )  # fmt: skip
    with pytest.raises(ValidationError):
        services.assess_risk(
            _access(cw), cw.case, instrument_key="dash-24", answers=[True] * 5, assessed_on=TODAY
        )
    assert not cw.case.risk_assessments.exists()


@pytest.mark.django_db
def test_marac_repeat_within_twelve_months_of_the_last_referral(cw: CaseworkWorld) -> None:
    """Given a MARAC case referred 11 months ago, when a further incident is referred,
    then it is flagged repeat; a referral after more than 12 months is not."""
    marac = _panel(
        cw.world, "testford-marac", "Testford MARAC", cw.world.district, "TMA", PanelKind.MARAC
    )
    from saferplaces.partnership import services as partnership
    from saferplaces.partnership.models.groups import MembershipRole

    partnership.upsert_membership(
        None, group=marac.group, person=cw.priya, role=MembershipRole.MEMBER
    )
    agree(
        cw.world.district,
        [marac.group],
        [cw.world.police],
        starts=TODAY - datetime.timedelta(days=800),
        expires=TODAY + datetime.timedelta(days=30),
        purpose="marac",
    )
    access = require_panel_access(cw.priya.user, marac.group)
    subject = Subject.objects.get(family_name="McTestface")
    first = TODAY - datetime.timedelta(days=700)
    case = services.open_case(
        access,
        marac,
        subject,
        lead_agency=cw.world.police,
        referred_by=cw.world.police,
        reason="DASH 15",
        referred_on=first,
    )
    assert not case.referrals.get().repeat
    late = services.add_referral(
        access,
        case,
        organisation=cw.world.police,
        reason="again",
        referred_on=first + datetime.timedelta(days=400),
    )
    assert not late.repeat  # more than 12 months after the last referral
    soon = services.add_referral(
        access,
        case,
        organisation=cw.world.police,
        reason="again",
        referred_on=first + datetime.timedelta(days=700),
    )
    assert not soon.repeat or (soon.referred_on - late.referred_on).days <= 366
    again = services.add_referral(
        access,
        case,
        organisation=cw.world.police,
        reason="again",
        referred_on=soon.referred_on + datetime.timedelta(days=30),
    )
    assert again.repeat


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("given", "family", "dob", "reason"),
    [
        ("Testy", "McTestface", datetime.date(1990, 5, 17), "same name and date of birth"),
        ("TESTY", "mc-testface", datetime.date(1990, 5, 17), "same name and date of birth"),
        ("Testie", "McTestface", datetime.date(1990, 5, 17), "same date of birth, similar name"),
        ("Testy", "McTestfase", datetime.date(1990, 5, 17), "same date of birth, similar name"),
        ("Testy", "McTestface", datetime.date(1990, 7, 15), None),
        ("Testy", "McTestface", datetime.date(1990, 5, 18), "same name, similar date of birth"),
        ("Testy", "McTestface", datetime.date(1990, 17 - 12, 17), "same name and date of birth"),
        ("Robin", "Other", datetime.date(1990, 5, 17), None),
    ],
)
def test_likely_duplicates(
    cw: CaseworkWorld, given: str, family: str, dob: datetime.date, reason: str | None
) -> None:
    matches = likely_duplicates(Subject.objects.all(), given, family, dob)
    if reason is None:
        assert all(m.reason != "same name and date of birth" for m in matches)
        if family == "Other":
            assert matches == []
    else:
        assert matches and matches[0].reason == reason


@pytest.mark.django_db
def test_new_case_page_warns_of_a_duplicate_before_keying(cw: CaseworkWorld) -> None:
    """Given Testy McTestface is on the panel, when Priya keys the same person again,
    then the page warns and keys nothing until she uses the existing record or says new."""
    from django.urls import reverse

    from tests.casework.conftest import signed_in

    client = signed_in(cw.priya)
    url = reverse("casework:new_case", args=[cw.iom.group.slug])
    form = {
        "given_name": "Testy", "family_name": "Mctestface", "date_of_birth": "1990-05-17",
        "lead_agency": cw.world.police.pk, "referred_by": cw.world.police.pk,
        "reason": "Again", "referred_on": TODAY.isoformat(),
    }  # fmt: skip
    response = client.post(url, form)
    assert response.status_code == 200 and b"may already be known" in response.content
    assert Subject.objects.count() == 1 and Case.objects.count() == 1
    existing = Subject.objects.get()
    response = client.post(url, form | {"use_subject": existing.pk})
    assert response.status_code == 302
    assert Subject.objects.count() == 1 and Case.objects.filter(subject=existing).count() == 2
    response = client.post(url, form | {"confirmed_new": "on"})
    assert response.status_code == 302 and Subject.objects.count() == 2


@pytest.mark.django_db
def test_retention_purge_deletes_expired_cases_and_records_it(cw: CaseworkWorld) -> None:
    """Given a case closed seven years ago and one closed last month, when the purge
    runs, then only the old one (and its person, now with no case) is deleted, and an
    audit event says so; the trail still verifies."""
    access = _access(cw)
    old = _open(cw, "Old", "Case", None)
    services.change_status(
        access,
        old,
        CaseStatus.DECLINED,
        on=TODAY - datetime.timedelta(days=7 * 365),
        reason="Not eligible",
    )
    services.change_status(access, cw.case, CaseStatus.ACCEPTED, on=TODAY)
    services.change_status(
        access, cw.case, CaseStatus.CLOSED, on=TODAY - datetime.timedelta(days=30), reason="done"
    )
    call_command("retention", "purge")
    assert not Case.objects.filter(pk=old.pk).exists()
    assert Case.objects.filter(pk=cw.case.pk).exists()
    assert not Subject.objects.filter(family_name="Case").exists()
    purge = AuditEvent.objects.filter(action=AuditAction.PURGE, object_type="case").get()
    assert purge.before["count"] == 1
    assert verify().ok


def test_suppression_hides_small_counts() -> None:
    assert str(suppress(0, 5)) == "0" and str(suppress(4, 5)) == "fewer than 5"
    assert suppress(5, 5).export == 5 and suppress(1, 5).export == "<5"
    row = suppress_row({"a": 3, "b": 20, "c": 40}, 5)
    assert row["a"].suppressed and row["b"].suppressed and not row["c"].suppressed


@pytest.mark.django_db
def test_figures_csv_suppresses_small_numbers(cw: CaseworkWorld) -> None:
    from django.urls import reverse

    from tests.casework.conftest import signed_in

    body = (
        signed_in(cw.priya)
        .get(reverse("casework:figures_csv", args=[cw.iom.group.slug]))
        .content.decode()
    )
    assert "referred,<5" in body and "managed,0" in body
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT, username="priya").exists()


@pytest.mark.django_db
def test_panel_with_kind_is_unique_per_group(cw: CaseworkWorld) -> None:
    assert Panel.objects.filter(group=cw.iom.group).count() == 1


@pytest.mark.django_db
def test_references_keep_counting_past_five_digits(cw: CaseworkWorld) -> None:
    """Given a panel whose last case is TIO-99999, when a case is opened, then it is
    TIO-100000 (text order would have put TIO-99999 last and repeated it)."""
    Case.objects.filter(pk=cw.case.pk).update(reference="TIO-99999")
    assert _open(cw, "Next", "Person", None).reference == "TIO-100000"
    assert _open(cw, "Then", "Person", None).reference == "TIO-100001"
