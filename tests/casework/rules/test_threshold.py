"""The ASB Case Review threshold: the statutory rule, local variants, reasons, settings."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from saferplaces.casework.rules.threshold import (
    Complaint,
    PolicyError,
    ThresholdPolicy,
    assess,
    policy_from_mapping,
    second_report_prompt,
)
from saferplaces.casework.rules.workdays import add_months

D = date
APPLIED = D(2025, 3, 10)
STATUTORY = ThresholdPolicy()


def complaint(
    reported: date,
    behaviour: date | None = None,
    reporter: str = "Ms A",
    location: str = "",
    hate: bool = False,
) -> Complaint:
    """A complaint to the council, the behaviour the day before unless given."""
    return Complaint(
        reported_on=reported,
        behaviour_on=behaviour or reported - timedelta(days=1),
        reporter=reporter,
        agency="council",
        location=location,
        hate=hate,
    )


THREE = [complaint(D(2025, 1, 5)), complaint(D(2025, 2, 1)), complaint(D(2025, 3, 1))]


@pytest.mark.parametrize(
    ("complaints", "met", "first_reason"),
    [
        (
            THREE,
            True,
            "3 qualifying complaints in the 6 months before the application (3 needed): "
            "the threshold is met",
        ),
        (
            THREE[:2],
            False,
            "2 qualifying complaints in the 6 months before the application; 3 are needed",
        ),
        ([], False, "0 qualifying complaints in the 6 months before the application"),
        (
            THREE[:1],
            False,
            "1 qualifying complaint in the 6 months before the application; 3 are needed",
        ),
    ],
)
def test_statutory_rule(complaints: list[Complaint], met: bool, first_reason: str) -> None:
    decision = assess(STATUTORY, APPLIED, complaints)
    assert decision.met is met
    assert decision.reasons[0].startswith(first_reason)
    assert decision.qualifying == tuple(complaints)


@pytest.mark.parametrize(
    ("late", "reason"),
    [
        (
            complaint(D(2025, 1, 3), behaviour=D(2024, 11, 19)),
            "complaint of 2025-01-03 not counted: made 45 days after the behaviour "
            "(must be within 1 month)",
        ),
        (
            complaint(D(2024, 9, 9)),  # 6 months and 1 day before 2025-03-10
            "complaint of 2024-09-09 not counted: made more than 6 months before the "
            "application (2025-03-10)",
        ),
        (
            complaint(D(2025, 3, 11)),
            "complaint of 2025-03-11 not counted: made after the application (2025-03-10)",
        ),
        (
            complaint(D(2025, 2, 1), behaviour=D(2025, 2, 5)),
            "complaint of 2025-02-01 not counted: made before the behaviour it reports",
        ),
    ],
)
def test_complaints_that_do_not_qualify(late: Complaint, reason: str) -> None:
    decision = assess(STATUTORY, APPLIED, [*THREE[:2], late])
    assert not decision.met
    assert decision.qualifying == tuple(THREE[:2])
    assert any(r.startswith(reason) for r in decision.reasons), decision.reasons


@pytest.mark.parametrize(
    ("edge", "counted"),
    [
        (complaint(D(2024, 9, 10)), True),  # exactly 6 months before the application
        (complaint(D(2024, 9, 9)), False),
        (complaint(D(2025, 2, 28), behaviour=D(2025, 1, 28)), True),  # exactly 1 month on
        (complaint(D(2025, 3, 1), behaviour=D(2025, 1, 28)), False),
        (complaint(D(2025, 2, 28), behaviour=D(2025, 1, 31)), True),  # month end clamped
        (complaint(D(2025, 3, 10), behaviour=D(2025, 3, 10)), True),  # same day
    ],
)
def test_window_edges(edge: Complaint, counted: bool) -> None:
    decision = assess(STATUTORY, APPLIED, [*THREE[:2], edge])
    assert decision.met is counted


def test_lower_local_number() -> None:
    policy = ThresholdPolicy(complaints_needed=2)
    decision = assess(policy, APPLIED, THREE[:2])
    assert decision.met
    assert "(2 needed)" in decision.reasons[0]


def test_one_needed_reads_well() -> None:
    decision = assess(ThresholdPolicy(complaints_needed=1), APPLIED, [])
    assert decision.reasons[0].endswith("; 1 is needed")


def test_hate_incident_variant() -> None:
    one_hate = [complaint(D(2025, 3, 1), hate=True)]
    assert not assess(STATUTORY, APPLIED, one_hate).met
    policy = ThresholdPolicy(hate_incident_qualifies=True)
    decision = assess(policy, APPLIED, one_hate)
    assert decision.met
    assert "complaint of 2025-03-01 reports a hate incident or crime" in decision.reasons[1]
    not_hate = assess(policy, APPLIED, THREE[:1])
    assert not not_hate.met
    assert "no qualifying complaint reports a hate incident or crime" in not_hate.reasons


def test_hate_incident_must_itself_qualify() -> None:
    policy = ThresholdPolicy(hate_incident_qualifies=True)
    stale = complaint(D(2024, 6, 1), hate=True)
    assert not assess(policy, APPLIED, [stale]).met


def reports_about(place: str, reporters: list[str]) -> list[Complaint]:
    return [
        complaint(D(2025, 1, 1) + timedelta(days=7 * i), reporter=who, location=place)
        for i, who in enumerate(reporters)
    ]


LINKED = ThresholdPolicy(complaints_needed=3, linked_location_reports=5)


@pytest.mark.parametrize(
    ("reporters", "met"),
    [
        (["A", "B", "C", "D", "E"], True),
        (["A", "B", "C", "D"], False),
        (["A", "B", "C", "D", "d "], False),  # the same person twice counts once
        (["A", "B", "C", "D", "D", "E"], True),
    ],
)
def test_linked_location_different_reporters(reporters: list[str], met: bool) -> None:
    # 4 or more complaints meet the count rule anyway: look at the location route's reason
    complaints = reports_about("Market Street play area", reporters)
    decision = assess(LINKED, APPLIED, complaints)
    linked_reason = decision.reasons[1]
    assert ("the threshold is met" in linked_reason) is met
    if met:
        assert linked_reason.startswith(f"{len(set(r.strip().lower() for r in reporters))} ")


def test_linked_location_alone_can_meet_a_threshold_the_count_does_not() -> None:
    # Two people about one place (spelt differently) meet a 2-reporter local route; two
    # people about two places do not.
    policy = ThresholdPolicy(linked_location_reports=2, complaints_needed=3)
    two_people_one_place = [
        complaint(D(2025, 2, 1), reporter="A", location="Bus station"),
        complaint(D(2025, 2, 8), reporter="B", location=" bus  Station "),
    ]
    decision = assess(policy, APPLIED, two_people_one_place)
    assert decision.met
    assert decision.reasons[0].endswith("3 are needed")
    assert decision.reasons[1].startswith("2 different people reported Bus station")
    two_places = [
        complaint(D(2025, 2, 1), reporter="A", location="Bus station"),
        complaint(D(2025, 2, 8), reporter="B", location="Library"),
    ]
    decision = assess(policy, APPLIED, two_places)
    assert not decision.met
    assert "at most 1 person reported the same location" in decision.reasons[1]


def test_vulnerable_victim_override() -> None:
    policy = ThresholdPolicy(vulnerable_victim_override=True)
    one = THREE[:1]
    assert not assess(policy, APPLIED, one, vulnerable_victim=False).met
    assert not assess(STATUTORY, APPLIED, one, vulnerable_victim=True).met
    decision = assess(policy, APPLIED, one, vulnerable_victim=True)
    assert decision.met
    assert "the victim is vulnerable" in decision.reasons[1]
    none = assess(policy, APPLIED, [], vulnerable_victim=True)
    assert not none.met
    assert "needs at least one qualifying complaint" in none.reasons[1]


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ({}, ThresholdPolicy()),
        (
            {
                "complaints_needed": 2,
                "within_months": 12,
                "report_within_months": 2,
                "linked_location_reports": 5,
                "hate_incident_qualifies": True,
                "vulnerable_victim_override": True,
            },
            ThresholdPolicy(2, 12, 2, 5, True, True),
        ),
        ({"linked_location_reports": None}, ThresholdPolicy()),
    ],
)
def test_policy_from_mapping(config: dict[str, Any], expected: ThresholdPolicy) -> None:
    assert policy_from_mapping(config) == expected


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"complaints_needed": 0}, "complaints_needed must be 1 or more, not 0"),
        ({"complaints_needed": 4}, "a lower number, not a higher one"),
        ({"complaints_needed": "3"}, "complaints_needed must be a whole number, not '3'"),
        ({"complaints_needed": True}, "must be a whole number"),
        ({"within_months": 3}, "within_months must be at least 6"),
        ({"report_within_months": 0}, "report_within_months must be 1 or more"),
        ({"linked_location_reports": 0}, "linked_location_reports must be 1 or more"),
        ({"linked_location_reports": 2.5}, "must be a whole number"),
        ({"hate_incident_qualifies": "yes"}, "must be true or false, not 'yes'"),
        ({"complaints": 3}, "unknown threshold setting(s): 'complaints'"),
    ],
)
def test_policy_from_mapping_refuses(config: dict[str, Any], message: str) -> None:
    with pytest.raises(PolicyError) as raised:
        policy_from_mapping(config)
    assert message in str(raised.value)


@pytest.mark.parametrize(
    ("earlier", "new", "prompt"),
    [
        ([], D(2025, 3, 1), False),  # a first report
        ([D(2025, 1, 1)], D(2025, 3, 1), True),  # the second within 6 months
        ([D(2024, 9, 1)], D(2025, 3, 1), True),  # exactly 6 months
        ([D(2024, 8, 31)], D(2025, 3, 1), False),
        ([D(2024, 1, 1), D(2025, 2, 27)], D(2025, 3, 1), True),  # a third report
        ([D(2025, 3, 2)], D(2025, 3, 1), False),  # a later report is not earlier
        ([D(2023, 2, 28)], D(2023, 8, 29), True),  # counted back from the new report
    ],
)
def test_second_report_prompt(earlier: list[date], new: date, prompt: bool) -> None:
    assert second_report_prompt(earlier, new) is prompt


policies = st.builds(
    ThresholdPolicy,
    complaints_needed=st.integers(min_value=1, max_value=3),
    within_months=st.integers(min_value=6, max_value=12),
    report_within_months=st.integers(min_value=1, max_value=3),
    linked_location_reports=st.one_of(st.none(), st.integers(min_value=1, max_value=6)),
    hate_incident_qualifies=st.booleans(),
    vulnerable_victim_override=st.booleans(),
)
days = st.dates(min_value=D(2023, 1, 1), max_value=D(2026, 12, 31))
complaints_ = st.builds(
    Complaint,
    reported_on=days,
    behaviour_on=days,
    reporter=st.sampled_from(["A", "B", "C", "D", "E", "F"]),
    agency=st.sampled_from(["council", "police", "housing"]),
    location=st.sampled_from(["", "Park", "Market Street", "park"]),
    hate=st.booleans(),
)


def earliest(later: date, months: int) -> date:
    """The earliest date that ``later`` is still within ``months`` months of.

    Not simply ``add_months(later, -months)``: 6 months before 2023-08-29 is 2023-02-28,
    yet 6 months after 2023-02-28 is 2023-08-28.
    """
    start = add_months(later, -months)
    while add_months(start, months) < later:
        start += timedelta(days=1)
    return start


@st.composite
def qualifying_complaint(draw: st.DrawFn, policy: ThresholdPolicy, applied: date) -> Complaint:
    """A complaint that qualifies under ``policy`` for an application on ``applied``."""
    reported = draw(st.dates(min_value=earliest(applied, policy.within_months), max_value=applied))
    behaviour = draw(
        st.dates(min_value=earliest(reported, policy.report_within_months), max_value=reported)
    )
    return Complaint(
        reported,
        behaviour,
        draw(st.sampled_from(["A", "B", "G"])),
        "police",
        draw(st.sampled_from(["", "Park"])),
        draw(st.booleans()),
    )


@given(data=st.data(), policy=policies, applied=days, existing=st.lists(complaints_, max_size=8))
def test_adding_a_qualifying_complaint_never_unmeets_the_threshold(
    data: st.DataObject,
    policy: ThresholdPolicy,
    applied: date,
    existing: list[Complaint],
) -> None:
    vulnerable = data.draw(st.booleans())
    extra = data.draw(qualifying_complaint(policy, applied))
    before = assess(policy, applied, existing, vulnerable_victim=vulnerable)
    after = assess(policy, applied, [*existing, extra], vulnerable_victim=vulnerable)
    assert extra in after.qualifying
    assert len(after.qualifying) == len(before.qualifying) + 1
    if before.met:
        assert after.met


@given(policy=policies, applied=days, complaints=st.lists(complaints_, max_size=8))
def test_every_complaint_is_either_counted_or_explained(
    policy: ThresholdPolicy, applied: date, complaints: list[Complaint]
) -> None:
    decision = assess(policy, applied, complaints)
    not_counted = [r for r in decision.reasons if "not counted" in r]
    assert len(decision.qualifying) + len(not_counted) == len(complaints)
