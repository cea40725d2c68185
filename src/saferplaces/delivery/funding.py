"""Funding: streams, allocations to initiatives and the quarterly returns each allocation
owes; the year's summary and the monitoring of returns.

Writes are atomic, validated (`full_clean`) and each records an activity event. Money is
`Decimal` to the penny; nothing is a float. An allocation locks its stream's row
(`select_for_update`) and sums the stream's other allocations before it writes, so two
allocations made at once cannot take a stream past what it holds.

Quarters run with the financial year: Q1 April–June, Q2 July–September, Q3
October–December, Q4 January–March. A return is due `SAFERPLACES_RETURN_DUE_DAYS` days
(default 28) after its quarter ends and is overdue from the day after until submitted.

Queries (`summary`, `monitoring`) aggregate in the database with a fixed number of
queries whatever the number of streams and returns.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet, Sum

from saferplaces.delivery.models import (
    Allocation,
    FundingStream,
    Initiative,
    QuarterlyReturn,
    Rag,
    financial_year_label,
)
from saferplaces.insight.periods import PeriodError, parse_period
from saferplaces.partnership.models import Group, Organisation, Place
from saferplaces.partnership.services import Actor, record_event

PENNY = Decimal("0.01")
ZERO = Decimal("0.00")
DUE_SOON_DAYS = 14
"""A return falls due "soon" when its due date is at most this many days away."""
SOURCE = (
    "Source: funding streams, allocations and quarterly returns recorded in saferplaces "
    "by the partnership's officers; spend is the sum of submitted returns only."
)
QUARTER_NAMES = {1: "Q1 April–June", 2: "Q2 July–September", 3: "Q3 October–December",
                 4: "Q4 January–March"}  # fmt: skip
STREAM_FIELDS = ("funder", "name", "amount", "conditions", "accountable_to", "funder_organisation")


# ---------------------------------------------------------------- years and quarters


class FundingYearError(ValueError):
    """A year that is not a financial year such as 2014/15."""


def parse_year(text: str) -> int:
    """``"2014/15"`` → 2014 (the year the financial year starts); a clear error otherwise."""
    try:
        period = parse_period(text)
    except PeriodError as exc:
        raise FundingYearError(f"{text!r} is not a financial year; use one like 2014/15") from exc
    if period.start.month != 4 or period.length != 12:
        raise FundingYearError(f"{text!r} is not a financial year; use one like 2014/15")
    return period.start.year


def year_of(day: datetime.date) -> int:
    """The financial year a day falls in: 1 March 2015 → 2014 (2014/15)."""
    return day.year if day.month >= 4 else day.year - 1


def quarter_end(year: int, quarter: int) -> datetime.date:
    """The last day of quarter 1–4 of financial year ``year`` (Q4 ends 31 March)."""
    ends = {1: (year, 6, 30), 2: (year, 9, 30), 3: (year, 12, 31), 4: (year + 1, 3, 31)}
    if quarter not in ends:
        raise ValueError(f"quarter {quarter} is not 1 to 4")
    return datetime.date(*ends[quarter])


def due_date(year: int, quarter: int, days: int | None = None) -> datetime.date:
    """When the return for ``quarter`` of ``year`` is due: ``days`` (default the setting
    ``RETURN_DUE_DAYS``) after the quarter ends."""
    after = settings.RETURN_DUE_DAYS if days is None else days
    return quarter_end(year, quarter) + datetime.timedelta(days=after)


def pounds(amount: Decimal) -> str:
    """£1,234.50 (always pence)."""
    return f"£{amount.quantize(PENNY):,.2f}"


def _money(value: Any) -> Decimal:
    """A database sum (None when nothing was summed) as pounds and pence."""
    return ZERO if value is None else Decimal(value).quantize(PENNY)


# ---------------------------------------------------------------- writes


def _save(obj: Any) -> Any:
    obj.full_clean()
    obj.save()
    return obj


@transaction.atomic
def create_stream(
    actor: Actor,
    *,
    place: Place,
    funder: str,
    year: int,
    amount: Decimal,
    name: str = "",
    conditions: str = "",
    accountable_to: Group | None = None,
    funder_organisation: Organisation | None = None,
) -> FundingStream:
    """Record money a funder gives the partnership for a financial year."""
    stream = FundingStream(
        place=place, funder=funder.strip(), name=name.strip(), year=year, amount=amount,
        conditions=conditions, accountable_to=accountable_to,
        funder_organisation=funder_organisation,
    )  # fmt: skip
    if FundingStream.objects.filter(
        place=place, year=year, funder=stream.funder, name=stream.name
    ).exists():
        raise ValidationError(
            f"{stream} is already recorded for {place.name}; edit it, or give this one a name"
        )
    _save(stream)
    record_event(actor, "created", stream, f"Funding stream {stream}: {pounds(stream.amount)}")
    return stream


@transaction.atomic
def update_stream(actor: Actor, stream: FundingStream, **changes: Any) -> FundingStream:
    """Change a stream's funder, name, amount, conditions or group. Its amount may not go
    below what is already allocated from it."""
    unknown = set(changes) - set(STREAM_FIELDS)
    if unknown:
        raise ValueError(f"cannot change {', '.join(sorted(unknown))}")
    locked = FundingStream.objects.select_for_update().get(pk=stream.pk)
    for name, value in changes.items():
        setattr(locked, name, value.strip() if name in {"funder", "name"} else value)
    allocated = _money(locked.allocations.aggregate(s=Sum("amount"))["s"])
    if locked.amount is not None and allocated > locked.amount:
        raise ValidationError(
            f"{locked} has {pounds(allocated)} allocated; it cannot hold less than that "
            f"({pounds(locked.amount)}). Reduce or remove allocations first"
        )
    clash = FundingStream.objects.filter(
        place=locked.place_id, year=locked.year, funder=locked.funder, name=locked.name
    ).exclude(pk=locked.pk)
    if clash.exists():
        raise ValidationError(f"{locked} is already recorded for this place and year")
    _save(locked)
    record_event(actor, "updated", locked, f"Funding stream {locked}: {pounds(locked.amount)}")
    return locked


def _check_room(stream: FundingStream, amount: Decimal, exclude: int | None = None) -> None:
    """Refuse an allocation of ``amount`` that would take ``stream`` (locked by the caller)
    past what it holds."""
    others = stream.allocations.all()
    if exclude is not None:
        others = others.exclude(pk=exclude)
    allocated = _money(others.aggregate(s=Sum("amount"))["s"])
    total = allocated + amount
    if total > stream.amount:
        raise ValidationError(
            f"Allocating {pounds(amount)} would take {stream} to {pounds(total)}, more than "
            f"the {pounds(stream.amount)} it holds ({pounds(stream.amount - allocated)} left)"
        )


def _amount(amount: Decimal) -> Decimal:
    if not isinstance(amount, Decimal):
        raise ValidationError("Enter the amount in pounds and pence, for example 2500.00")
    if amount != amount.quantize(PENNY):
        raise ValidationError(f"{amount} has fractions of a penny; enter pounds and pence")
    if amount <= 0:
        raise ValidationError("Enter an amount more than £0.00")
    return amount.quantize(PENNY)


@transaction.atomic
def allocate(
    actor: Actor,
    *,
    stream: FundingStream,
    initiative: Initiative,
    amount: Decimal,
    purpose: str = "",
    decided_on: datetime.date | None = None,
) -> Allocation:
    """Give part of ``stream`` to ``initiative``; refused when the stream would be
    over-allocated. Creates the allocation's four quarterly returns with their due dates."""
    amount = _amount(amount)
    locked = FundingStream.objects.select_for_update().get(pk=stream.pk)
    if Allocation.objects.filter(stream=locked, initiative=initiative).exists():
        raise ValidationError(
            f"{initiative} already has an allocation from {locked}; change that one instead"
        )
    _check_room(locked, amount)
    allocation = _save(
        Allocation(stream=locked, initiative=initiative, amount=amount, purpose=purpose.strip(),
                   decided_on=decided_on)
    )  # fmt: skip
    QuarterlyReturn.objects.bulk_create(
        QuarterlyReturn(allocation=allocation, quarter=q, due_on=due_date(locked.year, q))
        for q in range(1, 5)
    )
    record_event(actor, "allocated", allocation, str(allocation))
    return allocation


@transaction.atomic
def change_allocation(
    actor: Actor,
    allocation: Allocation,
    *,
    amount: Decimal,
    purpose: str | None = None,
    decided_on: datetime.date | None = None,
) -> Allocation:
    """Change an allocation's amount (the same check as allocating), purpose or date."""
    amount = _amount(amount)
    locked_stream = FundingStream.objects.select_for_update().get(pk=allocation.stream_id)
    current = Allocation.objects.select_related("initiative").get(pk=allocation.pk)
    _check_room(locked_stream, amount, exclude=current.pk)
    current.stream = locked_stream
    current.amount = amount
    if purpose is not None:
        current.purpose = purpose.strip()
    current.decided_on = decided_on
    _save(current)
    record_event(actor, "updated", current, str(current))
    return current


@transaction.atomic
def remove_allocation(actor: Actor, allocation: Allocation) -> None:
    """Remove an allocation and its returns; refused once any return is submitted (the
    spend it reports would vanish from the year's figures)."""
    current = Allocation.objects.select_related("stream", "initiative").get(pk=allocation.pk)
    submitted = current.returns.filter(submitted_on__isnull=False).count()
    if submitted:
        raise ValidationError(
            f"{current.initiative} has {submitted} submitted return"
            f"{'' if submitted == 1 else 's'} for {current.stream}; an allocation with "
            "submitted returns cannot be removed (change its amount instead)"
        )
    record_event(actor, "removed", current, str(current))
    current.delete()


@transaction.atomic
def submit_return(
    actor: Actor,
    ret: QuarterlyReturn,
    *,
    spend: Decimal,
    rag: str,
    narrative: str = "",
    outputs: str = "",
    submitted_on: datetime.date | None = None,
) -> QuarterlyReturn:
    """Submit a quarterly return (or correct one already submitted): the quarter's spend,
    its RAG rating, what it delivered and a narrative; records who and when."""
    current = QuarterlyReturn.objects.select_for_update().get(pk=ret.pk)
    if not isinstance(spend, Decimal) or spend < 0:
        raise ValidationError("Enter the spend this quarter, £0.00 or more")
    if spend != spend.quantize(PENNY):
        raise ValidationError(f"{spend} has fractions of a penny; enter pounds and pence")
    if rag not in Rag.values:
        raise ValidationError("Select a RAG rating: red, amber or green")
    correcting = current.submitted_on is not None
    current.spend = spend.quantize(PENNY)
    current.rag = rag
    current.narrative = narrative.strip()
    current.outputs = outputs.strip()
    current.submitted_on = submitted_on or current.submitted_on or datetime.date.today()
    current.submitted_by = actor if actor is not None and actor.is_authenticated else None  # type: ignore[assignment]
    _save(current)
    verb = "corrected" if correcting else "submitted"
    allocation = Allocation.objects.select_related("stream", "initiative").get(
        pk=current.allocation_id
    )
    record_event(
        actor, verb, current,
        f"Q{current.quarter} {allocation.stream.year_label} return for {allocation.initiative} "
        f"from {allocation.stream.funder}: {pounds(current.spend)} spent, "
        f"{current.get_rag_display()}",
    )  # fmt: skip
    return current


def correct_return(actor: Actor, ret: QuarterlyReturn, **values: Any) -> QuarterlyReturn:
    """Correct a submitted return (the same checks as submitting)."""
    if not QuarterlyReturn.objects.filter(pk=ret.pk, submitted_on__isnull=False).exists():
        raise ValidationError("This return has not been submitted yet; submit it first")
    return submit_return(actor, ret, **values)


# ---------------------------------------------------------------- the year's summary


@dataclass(frozen=True)
class AllocationLine:
    """One allocation in a stream's row."""

    pk: int
    initiative: str
    initiative_slug: str
    amount: Decimal


@dataclass(frozen=True)
class StreamRow:
    """One stream's figures for the year."""

    pk: int
    funder: str
    name: str
    amount: Decimal
    allocated: Decimal
    spent: Decimal
    returns_due: int
    returns_overdue: int
    returns_submitted: int
    allocations: list[AllocationLine] = field(default_factory=list)

    @property
    def unallocated(self) -> Decimal:
        return self.amount - self.allocated

    @property
    def label(self) -> str:
        return f"{self.funder} ({self.name})" if self.name else self.funder


@dataclass(frozen=True)
class Totals:
    """The sums of the rows (they reconcile by construction)."""

    amount: Decimal
    allocated: Decimal
    unallocated: Decimal
    spent: Decimal
    returns_due: int
    returns_overdue: int
    returns_submitted: int


@dataclass(frozen=True)
class FundingSummary:
    """A place's funding streams for one financial year, as at ``today``."""

    place: Place
    year: int
    today: datetime.date
    rows: list[StreamRow]
    totals: Totals
    source: str = SOURCE

    @property
    def year_label(self) -> str:
        return financial_year_label(self.year)

    def as_json(self) -> dict[str, Any]:
        """Plain values; money as decimal strings ("10000.00")."""
        return {
            "place": self.place.name,
            "year": self.year_label,
            "as_at": self.today.isoformat(),
            "streams": [
                {
                    "funder": r.funder, "name": r.name, "amount": str(r.amount),
                    "allocated": str(r.allocated), "unallocated": str(r.unallocated),
                    "spent": str(r.spent), "returns_due": r.returns_due,
                    "returns_overdue": r.returns_overdue,
                    "returns_submitted": r.returns_submitted,
                    "allocations": [
                        {"initiative": a.initiative, "amount": str(a.amount)}
                        for a in r.allocations
                    ],
                }
                for r in self.rows
            ],
            "totals": {
                "amount": str(self.totals.amount), "allocated": str(self.totals.allocated),
                "unallocated": str(self.totals.unallocated), "spent": str(self.totals.spent),
                "returns_due": self.totals.returns_due,
                "returns_overdue": self.totals.returns_overdue,
                "returns_submitted": self.totals.returns_submitted,
            },
            "source": self.source,
        }  # fmt: skip


def _totals(rows: list[StreamRow]) -> Totals:
    amount = sum((r.amount for r in rows), ZERO)
    allocated = sum((r.allocated for r in rows), ZERO)
    return Totals(
        amount=amount,
        allocated=allocated,
        unallocated=amount - allocated,
        spent=sum((r.spent for r in rows), ZERO),
        returns_due=sum(r.returns_due for r in rows),
        returns_overdue=sum(r.returns_overdue for r in rows),
        returns_submitted=sum(r.returns_submitted for r in rows),
    )


def _return_counts(today: datetime.date) -> dict[str, Any]:
    outstanding = Q(submitted_on__isnull=True)
    return {
        "spent": Sum("spend", filter=Q(submitted_on__isnull=False)),
        "due": Count("pk", filter=outstanding & Q(due_on__gte=today)),
        "overdue": Count("pk", filter=outstanding & Q(due_on__lt=today)),
        "submitted": Count("pk", filter=Q(submitted_on__isnull=False)),
    }


def summary(place: Place, year: int, today: datetime.date | None = None) -> FundingSummary:
    """The year's funding for ``place``: per stream, what it holds, what is allocated and
    to whom, what submitted returns say was spent, and returns due and overdue. Four
    queries whatever the number of streams."""
    day = today or datetime.date.today()
    streams = list(
        FundingStream.objects.filter(place=place, year=year)
        .order_by("funder", "name")
        .values_list("pk", "funder", "name", "amount")
    )
    lines: dict[int, list[AllocationLine]] = defaultdict(list)
    allocated: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for pk, stream_id, name, slug, amount in (
        Allocation.objects.filter(stream__place=place, stream__year=year)
        .order_by("initiative__name")
        .values_list("pk", "stream_id", "initiative__name", "initiative__slug", "amount")
    ):
        money = _money(amount)
        lines[stream_id].append(AllocationLine(pk, name, slug, money))
        allocated[stream_id] += money
    returns = {
        r["allocation__stream"]: r
        for r in QuarterlyReturn.objects.filter(
            allocation__stream__place=place, allocation__stream__year=year
        )
        .values("allocation__stream")
        .annotate(**_return_counts(day))
        .order_by()
    }
    rows = []
    for pk, funder, name, amount in streams:
        r = returns.get(pk, {})
        rows.append(
            StreamRow(
                pk=pk, funder=funder, name=name, amount=_money(amount), allocated=allocated[pk],
                spent=_money(r.get("spent")), returns_due=r.get("due", 0),
                returns_overdue=r.get("overdue", 0), returns_submitted=r.get("submitted", 0),
                allocations=lines[pk],
            )
        )  # fmt: skip
    return FundingSummary(place=place, year=year, today=day, rows=rows, totals=_totals(rows))


def allocated_from(stream: FundingStream) -> Decimal:
    """What is allocated from ``stream`` (one query)."""
    return _money(stream.allocations.aggregate(s=Sum("amount"))["s"])


def years_held(place: Place) -> list[int]:
    """The financial years a place has funding streams for, latest first."""
    return list(
        FundingStream.objects.filter(place=place)
        .order_by("-year")
        .values_list("year", flat=True)
        .distinct()
    )


# ---------------------------------------------------------------- monitoring


OVERDUE = "overdue"
DUE_SOON = "due soon"
DUE_LATER = "due later"
SUBMITTED = "submitted"


@dataclass(frozen=True)
class ReturnLine:
    """One quarterly return on the monitoring page."""

    pk: int
    quarter: int
    due_on: datetime.date
    submitted_on: datetime.date | None
    spend: Decimal | None
    rag: str
    initiative: str
    initiative_slug: str
    stream_pk: int
    stream: str
    allocation_pk: int
    allocation: Decimal
    status: str
    days_overdue: int

    @property
    def rag_label(self) -> str:
        return Rag(self.rag).label if self.rag else ""

    @property
    def quarter_label(self) -> str:
        return QUARTER_NAMES[self.quarter]


@dataclass(frozen=True)
class Monitoring:
    """Returns by status for a place's year (or one group's part of it), as at ``today``.
    Each list shows at most ``limit`` returns; the counts are of all of them."""

    place: Place
    year: int
    today: datetime.date
    group: Group | None
    overdue: list[ReturnLine]
    due_soon: list[ReturnLine]
    submitted: list[ReturnLine]
    counts: dict[str, int]
    rag_counts: dict[str, int]
    limit: int
    source: str = SOURCE

    @property
    def year_label(self) -> str:
        return financial_year_label(self.year)


def _status(due_on: datetime.date, submitted: datetime.date | None, today: datetime.date) -> str:
    if submitted is not None:
        return SUBMITTED
    if due_on < today:
        return OVERDUE
    if due_on <= today + datetime.timedelta(days=DUE_SOON_DAYS):
        return DUE_SOON
    return DUE_LATER


def _scoped_returns(place: Place, year: int, group: Group | None) -> QuerySet[QuarterlyReturn]:
    qs = QuarterlyReturn.objects.filter(
        allocation__stream__place=place, allocation__stream__year=year
    )
    if group is not None:
        qs = qs.filter(
            Q(allocation__stream__accountable_to=group)
            | Q(allocation__initiative__lead_group=group)
        )
    return qs


def _lines(qs: QuerySet[QuarterlyReturn], today: datetime.date) -> list[ReturnLine]:
    out = []
    for row in qs.values(
        "pk", "quarter", "due_on", "submitted_on", "spend", "rag", "allocation__amount",
        "allocation__initiative__name", "allocation__initiative__slug",
        "allocation__stream_id", "allocation__stream__funder", "allocation__stream__name",
        "allocation_id",
    ):  # fmt: skip
        funder, name = row["allocation__stream__funder"], row["allocation__stream__name"]
        due, submitted = row["due_on"], row["submitted_on"]
        out.append(
            ReturnLine(
                pk=row["pk"], quarter=row["quarter"], due_on=due, submitted_on=submitted,
                spend=None if row["spend"] is None else _money(row["spend"]), rag=row["rag"],
                initiative=row["allocation__initiative__name"],
                initiative_slug=row["allocation__initiative__slug"],
                stream_pk=row["allocation__stream_id"],
                stream=f"{funder} ({name})" if name else funder,
                allocation_pk=row["allocation_id"],
                allocation=_money(row["allocation__amount"]),
                status=_status(due, submitted, today),
                days_overdue=max(0, (today - due).days) if submitted is None else 0,
            )
        )  # fmt: skip
    return out


def monitoring(
    place: Place,
    year: int,
    today: datetime.date | None = None,
    *,
    group: Group | None = None,
    limit: int = 100,
) -> Monitoring:
    """Quarterly returns by status (overdue, due within ``DUE_SOON_DAYS``, submitted) with
    their RAG, for ``place``'s streams in ``year`` (only those ``group`` monitors or leads
    when given). Four queries whatever the number of returns."""
    day = today or datetime.date.today()
    qs = _scoped_returns(place, year, group)
    soon = day + datetime.timedelta(days=DUE_SOON_DAYS)
    outstanding = qs.filter(submitted_on__isnull=True)
    done = qs.filter(submitted_on__isnull=False)
    agg = qs.aggregate(
        overdue=Count("pk", filter=Q(submitted_on__isnull=True, due_on__lt=day)),
        due_soon=Count("pk", filter=Q(submitted_on__isnull=True, due_on__gte=day,
                                      due_on__lte=soon)),
        due_later=Count("pk", filter=Q(submitted_on__isnull=True, due_on__gt=soon)),
        submitted=Count("pk", filter=Q(submitted_on__isnull=False)),
        red=Count("pk", filter=Q(submitted_on__isnull=False, rag=Rag.RED)),
        amber=Count("pk", filter=Q(submitted_on__isnull=False, rag=Rag.AMBER)),
        green=Count("pk", filter=Q(submitted_on__isnull=False, rag=Rag.GREEN)),
    )  # fmt: skip
    return Monitoring(
        place=place, year=year, today=day, group=group,
        overdue=_lines(outstanding.filter(due_on__lt=day).order_by("due_on", "pk")[:limit], day),
        due_soon=_lines(
            outstanding.filter(due_on__gte=day, due_on__lte=soon).order_by("due_on", "pk")[:limit],
            day,
        ),
        submitted=_lines(done.order_by("-submitted_on", "-pk")[:limit], day),
        counts={k: agg[k] for k in ("overdue", "due_soon", "due_later", "submitted")},
        rag_counts={k: agg[k] for k in ("red", "amber", "green")},
        limit=limit,
    )  # fmt: skip


def year_returns(place: Place, year: int, today: datetime.date | None = None) -> list[ReturnLine]:
    """Every quarterly return of ``place``'s streams in ``year`` (one query), by stream,
    initiative and quarter."""
    day = today or datetime.date.today()
    qs = _scoped_returns(place, year, None).order_by(
        "allocation__stream__funder", "allocation__stream__name",
        "allocation__initiative__name", "quarter",
    )  # fmt: skip
    return _lines(qs, day)


# ---------------------------------------------------------------- one initiative


@dataclass(frozen=True)
class InitiativeAllocation:
    """An initiative's allocation from one stream and its four returns."""

    allocation: Allocation
    returns: list[ReturnLine]
    spent: Decimal

    @property
    def overdue(self) -> int:
        return sum(1 for r in self.returns if r.status == OVERDUE)


def initiative_funding(
    initiative: Initiative, today: datetime.date | None = None
) -> list[InitiativeAllocation]:
    """Every allocation to ``initiative`` with its returns (two queries)."""
    return _allocations(Q(initiative=initiative), today)


def stream_allocations(
    stream: FundingStream, today: datetime.date | None = None
) -> list[InitiativeAllocation]:
    """Every allocation from ``stream`` with its returns (two queries)."""
    return _allocations(Q(stream=stream), today)


def _allocations(where: Q, today: datetime.date | None) -> list[InitiativeAllocation]:
    day = today or datetime.date.today()
    allocations = list(
        Allocation.objects.filter(where)
        .select_related("stream", "initiative")
        .order_by("-stream__year", "stream__funder", "stream__name", "initiative__name")
    )
    by_allocation: dict[int, list[ReturnLine]] = defaultdict(list)
    qs = QuarterlyReturn.objects.filter(allocation__in=[a.pk for a in allocations]).order_by(
        "allocation_id", "quarter"
    )
    for line in _lines(qs, day):
        by_allocation[line.allocation_pk].append(line)
    return [
        InitiativeAllocation(
            allocation=a,
            returns=by_allocation[a.pk],
            spent=sum(
                (r.spend for r in by_allocation[a.pk] if r.spend is not None and r.submitted_on),
                ZERO,
            ),
        )
        for a in allocations
    ]
