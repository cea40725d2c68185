"""Retention: a period per record type, and the purge that deletes what has expired.

Each app registers its record types (`register`), saying how to find the records that
ended before a day. The period is the registered default unless a `RetentionPeriod` row
overrides it. `purge` deletes what has expired, type by type, and records that it did as
an audit event (how many, which ids, the cut-off) in the same transaction.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from saferplaces.governance import audit
from saferplaces.governance.models import AuditAction, RetentionPeriod


@dataclass(frozen=True)
class RecordType:
    key: str
    label: str
    default_days: int
    expired: Callable[[datetime.date], QuerySet[Any]]


REGISTRY: dict[str, RecordType] = {}


def register(
    key: str, label: str, default_days: int, expired: Callable[[datetime.date], QuerySet[Any]]
) -> None:
    """Register a record type: ``expired(cutoff)`` returns the records that ended before it."""
    REGISTRY[key] = RecordType(key, label, default_days, expired)


def keep_days(record_type: RecordType) -> int:
    row = RetentionPeriod.objects.filter(record_type=record_type.key).first()
    return row.keep_days if row else record_type.default_days


@dataclass(frozen=True)
class Purged:
    record_type: str
    label: str
    cutoff: datetime.date
    deleted: int


def purge(*, today: datetime.date | None = None, dry_run: bool = False) -> list[Purged]:
    """Delete every record past its retention period; one audit event per record type."""
    day = today or timezone.localdate()
    results = []
    for record_type in REGISTRY.values():
        cutoff = day - datetime.timedelta(days=keep_days(record_type))
        with transaction.atomic():
            query = record_type.expired(cutoff)
            ids = [str(pk) for pk in query.values_list("pk", flat=True)]
            if ids and not dry_run:
                query.model.objects.filter(pk__in=ids).delete()
                audit.record(
                    audit.SYSTEM,
                    AuditAction.PURGE,
                    record_type.key,
                    "",
                    f"Retention: deleted {len(ids)} {record_type.label} that ended before "
                    f"{cutoff:%d %B %Y}",
                    before={"ids": ids[:1000], "count": len(ids), "cutoff": cutoff.isoformat()},
                )
        results.append(Purged(record_type.key, record_type.label, cutoff, len(ids)))
    return results
