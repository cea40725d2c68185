"""The ASB Case Review ("Community Trigger") threshold, ASB, Crime and Policing Act 2014 s.104.

Statutory rule (s.104(4) and (11)): the threshold must be met when at least 3 (or a
lower local number of) qualifying complaints have been made. A complaint qualifies when
it was made within 1 month of the behaviour and the application comes within 6 months
of the complaint. Areas may add more generous local routes (s.104(5)); this module
offers three common ones: N reports about one location from different people, one hate
incident or crime, and a vulnerable-victim override.

"Within N months" is read generously, as on or before the same calendar date N months
later (clamped to the month end): a partnership may be more generous than the Act,
never less.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from saferplaces.casework.rules.workdays import add_months

__all__ = [
    "STATUTORY_COMPLAINTS",
    "STATUTORY_REPORT_WITHIN_MONTHS",
    "STATUTORY_WITHIN_MONTHS",
    "Complaint",
    "PolicyError",
    "ThresholdDecision",
    "ThresholdPolicy",
    "assess",
    "exclusion",
    "policy_from_mapping",
    "second_report_prompt",
]

STATUTORY_COMPLAINTS = 3
STATUTORY_WITHIN_MONTHS = 6
STATUTORY_REPORT_WITHIN_MONTHS = 1
SECOND_REPORT_WITHIN_MONTHS = 6


class PolicyError(ValueError):
    """A partnership's threshold settings are not allowed."""


def _months(n: int) -> str:
    """ "1 month", "6 months"."""
    return f"{n} month" if n == 1 else f"{n} months"


def _plural(n: int, word: str) -> str:
    """ "1 day", "45 days"."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _are_needed(n: int) -> str:
    """ "1 is needed", "3 are needed"."""
    return "1 is needed" if n == 1 else f"{n} are needed"


@dataclass(frozen=True)
class Complaint:
    """One complaint about anti-social behaviour, as recorded by an agency."""

    reported_on: date
    behaviour_on: date
    reporter: str
    agency: str
    location: str = ""
    hate: bool = False


@dataclass(frozen=True)
class ThresholdPolicy:
    """A partnership's threshold; the defaults are the statutory rule alone."""

    complaints_needed: int = STATUTORY_COMPLAINTS
    within_months: int = STATUTORY_WITHIN_MONTHS
    report_within_months: int = STATUTORY_REPORT_WITHIN_MONTHS
    linked_location_reports: int | None = None
    hate_incident_qualifies: bool = False
    vulnerable_victim_override: bool = False

    def __post_init__(self) -> None:
        for problem in _policy_problems(self):
            raise PolicyError(problem)


def _policy_problems(policy: ThresholdPolicy) -> list[str]:
    """Plain-English reasons why ``policy`` is not allowed (empty when it is)."""
    problems = []
    if not 1 <= policy.complaints_needed <= STATUTORY_COMPLAINTS:
        problems.append(
            f"complaints_needed must be between 1 and {STATUTORY_COMPLAINTS} "
            f"(the Act allows a lower number, not a higher one), not {policy.complaints_needed}"
        )
    if policy.within_months < STATUTORY_WITHIN_MONTHS:
        problems.append(
            f"within_months must be at least {STATUTORY_WITHIN_MONTHS} "
            f"(the Act's period), not {policy.within_months}"
        )
    if policy.report_within_months < STATUTORY_REPORT_WITHIN_MONTHS:
        problems.append(
            f"report_within_months must be at least {STATUTORY_REPORT_WITHIN_MONTHS} "
            f"(the Act's period), not {policy.report_within_months}"
        )
    if policy.linked_location_reports is not None and policy.linked_location_reports < 1:
        problems.append(
            f"linked_location_reports must be at least 1 (or unset), "
            f"not {policy.linked_location_reports}"
        )
    return problems


@dataclass(frozen=True)
class ThresholdDecision:
    """Whether the threshold is met, the complaints that qualified, and why."""

    met: bool
    reasons: tuple[str, ...]
    qualifying: tuple[Complaint, ...]


def exclusion(policy: ThresholdPolicy, application_on: date, complaint: Complaint) -> str | None:
    """Why ``complaint`` does not qualify for an application on ``application_on``.

    None when it qualifies.
    """
    made = complaint.reported_on
    prefix = f"complaint of {made.isoformat()} not counted"
    if made > application_on:
        return f"{prefix}: made after the application ({application_on.isoformat()})"
    if made < complaint.behaviour_on:
        return (
            f"{prefix}: made before the behaviour it reports "
            f"({complaint.behaviour_on.isoformat()}); check the dates"
        )
    if made > add_months(complaint.behaviour_on, policy.report_within_months):
        days = (made - complaint.behaviour_on).days
        return (
            f"{prefix}: made {_plural(days, 'day')} after the behaviour "
            f"(must be within {_months(policy.report_within_months)})"
        )
    if application_on > add_months(made, policy.within_months):
        return (
            f"{prefix}: made more than {_months(policy.within_months)} before the "
            f"application ({application_on.isoformat()})"
        )
    return None


def _statutory(policy: ThresholdPolicy, qualifying: Sequence[Complaint]) -> tuple[bool, str]:
    """The count rule: at least ``complaints_needed`` qualifying complaints."""
    met = len(qualifying) >= policy.complaints_needed
    counted = (
        f"{_plural(len(qualifying), 'qualifying complaint')} in the "
        f"{_months(policy.within_months)} before the application"
    )
    if met:
        return True, f"{counted} ({policy.complaints_needed} needed): the threshold is met"
    return False, f"{counted}; {_are_needed(policy.complaints_needed)}"


def _normalise(text: str) -> str:
    """Case- and spacing-insensitive form for comparing names and places."""
    return " ".join(text.split()).casefold()


def _reporters_by_location(qualifying: Iterable[Complaint]) -> dict[str, tuple[str, set[str]]]:
    """For each named location: its first spelling and the distinct reporters."""
    found: dict[str, tuple[str, set[str]]] = {}
    for complaint in qualifying:
        place = _normalise(complaint.location)
        if not place:
            continue
        _, reporters = found.setdefault(place, (complaint.location.strip(), set()))
        if _normalise(complaint.reporter):
            reporters.add(_normalise(complaint.reporter))
    return found


def _linked_location(
    policy: ThresholdPolicy, qualifying: Sequence[Complaint]
) -> tuple[bool, str] | None:
    """The local route: N different people reporting the same location."""
    needed = policy.linked_location_reports
    if needed is None:
        return None
    by_place = _reporters_by_location(qualifying)
    if not by_place:
        return False, "no qualifying complaint names a location"
    shown, reporters = max(by_place.values(), key=lambda item: len(item[1]))
    people = "1 person" if len(reporters) == 1 else f"{len(reporters)} different people"
    window = _months(policy.within_months)
    if len(reporters) >= needed:
        return True, (
            f"{people} reported {shown} in the {window} before the application "
            f"({needed} needed): the threshold is met"
        )
    return False, (
        f"at most {people} reported the same location ({shown}) in the {window} before "
        f"the application; {_are_needed(needed)}"
    )


def _hate(policy: ThresholdPolicy, qualifying: Sequence[Complaint]) -> tuple[bool, str] | None:
    """The local route: one qualifying complaint of a hate incident or crime."""
    if not policy.hate_incident_qualifies:
        return None
    hate = [c for c in qualifying if c.hate]
    if hate:
        return True, (
            f"the qualifying complaint of {hate[0].reported_on.isoformat()} reports a hate "
            "incident or crime, and one is enough here: the threshold is met"
        )
    return False, "no qualifying complaint reports a hate incident or crime"


def _vulnerable(
    policy: ThresholdPolicy, qualifying: Sequence[Complaint], vulnerable_victim: bool
) -> tuple[bool, str] | None:
    """The local route: a vulnerable victim with at least one qualifying complaint."""
    if not policy.vulnerable_victim_override or not vulnerable_victim:
        return None
    if qualifying:
        return True, (
            "the victim is vulnerable and this partnership's policy lets that meet the "
            "threshold: the threshold is met"
        )
    return False, (
        "the victim is vulnerable, but the override still needs at least one qualifying complaint"
    )


def assess(
    policy: ThresholdPolicy,
    application_on: date,
    complaints: Iterable[Complaint],
    vulnerable_victim: bool = False,
) -> ThresholdDecision:
    """Decide whether an application on ``application_on`` meets the threshold.

    Reasons list each rule tried (the statutory count first, then any local routes the
    policy turns on), followed by one line for each complaint not counted.
    """
    qualifying: list[Complaint] = []
    not_counted: list[str] = []
    for complaint in sorted(complaints, key=lambda c: (c.reported_on, c.behaviour_on)):
        why_not = exclusion(policy, application_on, complaint)
        if why_not is None:
            qualifying.append(complaint)
        else:
            not_counted.append(why_not)
    routes = [
        _statutory(policy, qualifying),
        _linked_location(policy, qualifying),
        _hate(policy, qualifying),
        _vulnerable(policy, qualifying, vulnerable_victim),
    ]
    tried = [route for route in routes if route is not None]
    return ThresholdDecision(
        met=any(met for met, _ in tried),
        reasons=tuple(reason for _, reason in tried) + tuple(not_counted),
        qualifying=tuple(qualifying),
    )


_POLICY_INTS = ("complaints_needed", "within_months", "report_within_months")
_POLICY_BOOLS = ("hate_incident_qualifies", "vulnerable_victim_override")
_POLICY_KEYS = frozenset({*_POLICY_INTS, *_POLICY_BOOLS, "linked_location_reports"})


def _whole_number(field: str, value: object) -> int:
    """A whole-number setting (booleans refused)."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise PolicyError(f"{field} must be a whole number, not {value!r}")
    return value


def policy_from_mapping(d: Mapping[str, object]) -> ThresholdPolicy:
    """Build a partnership's policy from its settings; missing settings take the statutory value.

    Refuses unknown settings, non-numbers, numbers below 1, a complaint count above the
    Act's 3 and periods shorter than the Act's.
    """
    unknown = sorted(set(d) - _POLICY_KEYS)
    if unknown:
        raise PolicyError(f"unknown threshold setting(s): {', '.join(map(repr, unknown))}")
    ints = {f: _whole_number(f, d[f]) for f in _POLICY_INTS if f in d}
    for field, number in ints.items():
        if number < 1:
            raise PolicyError(f"{field} must be 1 or more, not {number}")
    bools: dict[str, bool] = {}
    for field in _POLICY_BOOLS:
        if field in d:
            value = d[field]
            if not isinstance(value, bool):
                raise PolicyError(f"{field} must be true or false, not {value!r}")
            bools[field] = value
    linked = d.get("linked_location_reports")
    if linked is not None:
        linked = _whole_number("linked_location_reports", linked)
        if linked < 1:
            raise PolicyError(f"linked_location_reports must be 1 or more, not {linked}")
    defaults = ThresholdPolicy()
    return ThresholdPolicy(
        complaints_needed=ints.get("complaints_needed", defaults.complaints_needed),
        within_months=ints.get("within_months", defaults.within_months),
        report_within_months=ints.get("report_within_months", defaults.report_within_months),
        linked_location_reports=linked,
        hate_incident_qualifies=bools.get("hate_incident_qualifies", False),
        vulnerable_victim_override=bools.get("vulnerable_victim_override", False),
    )


def second_report_prompt(
    reports_by_same_person: Sequence[date],
    new_report_on: date,
    within_months: int = SECOND_REPORT_WITHIN_MONTHS,
) -> bool:
    """True when ``new_report_on`` is this person's second (or later) report in 6 months.

    ``reports_by_same_person`` are the person's earlier reports (not this one). When
    True, staff should tell the person of their right to an ASB Case Review (2025
    guidance). The window counts back from the new report, which at month ends is a
    day or two more generous than counting forward (6 months before 2023-08-29 is
    2023-02-28): a reminder of a right is better given than missed.
    """
    since = add_months(new_report_on, -within_months)
    return any(since <= earlier <= new_report_on for earlier in reports_by_same_person)
