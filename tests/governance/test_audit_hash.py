"""The audit hash: what `record` writes is what `verify` recomputes from the stored row,
on SQLite (naive UTC times, JSON as text) and PostgreSQL (aware times, parsed JSON)."""

from __future__ import annotations

import datetime

import pytest

from saferplaces.governance import audit
from saferplaces.governance.models import AuditAction, AuditEvent


def test_naive_times_are_utc() -> None:
    aware = datetime.datetime(2026, 3, 29, 1, 30, 0, 123456, tzinfo=datetime.UTC)
    assert audit._micros(aware.replace(tzinfo=None)) == audit._micros(aware)
    london = aware.astimezone(datetime.timezone(datetime.timedelta(hours=1)))
    assert audit._micros(london) == audit._micros(aware)


def test_parts_cannot_run_into_each_other() -> None:
    """Given two events whose fields differ only in where one ends and the next begins,
    then their hashes differ (each part carries its length)."""
    base = ["1", "0", "ab", "c", "view", "case", "R1", "s", "", "", "", audit.GENESIS]
    moved = ["1", "0", "a", "bc", "view", "case", "R1", "s", "", "", "", audit.GENESIS]
    assert audit._hash(base) != audit._hash(moved)


@pytest.mark.django_db
def test_what_record_writes_verify_recomputes() -> None:
    """Given events with and without before/after (dates, nested values, unicode), when
    the chain is verified from the stored rows, then every hash matches; and changing one
    stored value by a raw update is caught at that event."""
    audit.record(audit.SYSTEM, AuditAction.VIEW, "case", "R1", "Viewed")
    audit.record(
        audit.SYSTEM, AuditAction.UPDATE, "case", "R1", "Edited: café",
        before={"next_review_on": datetime.date(2026, 1, 31), "needs": ["a", "b"]},
        after={"next_review_on": datetime.date(2026, 2, 28), "needs": ["b"], "z": {"y": 1}},
    )  # fmt: skip
    audit.record(audit.SYSTEM, AuditAction.EXPORT, "panel", "p", "Exported")
    assert audit.verify().ok and audit.verify().events == 3
    AuditEvent.objects.filter(seq=2).update(after={"next_review_on": "2026-03-31"})
    result = audit.verify()
    assert (result.ok, result.broken_at) == (False, 2)
