"""Outputs: typed measures an initiative records (tons removed, events held, participants,
attendees, engagement days), and the year's headlines summed from them.

Each write is atomic, validated and records an activity event. `headlines(place, year)`
sums the outputs of the place's initiatives (and those of the places below it) dated in
the financial year (April–March), per kind and per initiative, in one query. A kind with
no outputs is absent, never 0; a sum that includes an estimate says "approximately".
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, Sum

from saferplaces.delivery.models import Initiative, Output, OutputKind, Strand
from saferplaces.insight.periods import financial_year
from saferplaces.insight.value import format_quantity
from saferplaces.partnership.models import Place
from saferplaces.partnership.services import Actor, record_event

DAYS_BEFORE = 31
"""An output may be dated up to a month before the initiative starts (preparation)."""
DAYS_AFTER = 92
"""... and up to three months after it ends (figures counted afterwards)."""


def _check_date(initiative: Initiative, on: datetime.date) -> None:
    first = initiative.starts_on - datetime.timedelta(days=DAYS_BEFORE)
    last = initiative.ends_on + datetime.timedelta(days=DAYS_AFTER)
    if not first <= on <= last:
        raise ValidationError(
            {
                "on": f"The date must be between {first:%-d %B %Y} and {last:%-d %B %Y}: "
                f"{initiative.name} runs from {initiative.starts_on:%-d %B %Y} to "
                f"{initiative.ends_on:%-d %B %Y}"
            }
        )


@transaction.atomic
def record_output(
    actor: Actor,
    *,
    initiative: Initiative,
    kind: str,
    quantity: Decimal,
    on: datetime.date,
    strand: Strand | None = None,
    approximate: bool = False,
    note: str = "",
) -> Output:
    """Record a quantity of one output kind for the initiative (and one of its strands)."""
    if strand is not None and strand.initiative_id != initiative.pk:
        raise ValidationError({"strand": f"{strand.name} is not a strand of {initiative.name}"})
    if quantity < 0:
        raise ValidationError({"quantity": "The quantity must be 0 or more"})
    _check_date(initiative, on)
    user = actor if actor is not None and actor.is_authenticated else None
    output = Output(initiative=initiative, strand=strand, kind=kind, quantity=quantity, on=on,
                    approximate=approximate, note=note, recorded_by=user)  # type: ignore[misc]  # fmt: skip
    output.full_clean()
    output.save()
    record_event(actor, "recorded", output, f"{initiative.name}: {describe(output)}")
    return output


@transaction.atomic
def remove_output(actor: Actor, output: Output) -> None:
    """Remove a recorded output (the activity log keeps what it was)."""
    summary = f"{output.initiative.name}: removed {describe(output)}"
    record_event(actor, "removed", output, summary)
    output.delete()


def describe(output: Output) -> str:
    """ "approximately 500 attendees on 30 October 2014"."""
    return (
        f"{quantity_text(output.quantity, output.approximate)} {output.get_kind_display()} "
        f"on {output.on:%-d %B %Y}"
    )


def quantity_text(quantity: Decimal, approximate: bool) -> str:
    """ "375" or "approximately 500"."""
    text = format_quantity(quantity)
    return f"approximately {text}" if approximate else text


@dataclass(frozen=True)
class KindTotal:
    """The sum of one output kind; ``approximate`` when any part is an estimate."""

    kind: str
    label: str
    quantity: Decimal
    approximate: bool
    outputs: int

    @property
    def sentence(self) -> str:
        """ "375 tons removed", "approximately 500 attendees"."""
        return f"{quantity_text(self.quantity, self.approximate)} {self.label}"


@dataclass(frozen=True)
class InitiativeTotals:
    initiative: Initiative
    totals: list[KindTotal]


@dataclass(frozen=True)
class Headlines:
    """A place's outputs in one financial year: the sums, and each initiative's."""

    place: Place
    label: str
    starts_on: datetime.date
    ends_on: datetime.date
    totals: list[KindTotal]
    initiatives: list[InitiativeTotals]

    @property
    def has_outputs(self) -> bool:
        return bool(self.totals)

    @property
    def sentences(self) -> list[str]:
        return [t.sentence for t in self.totals]


KIND_ORDER = {k: i for i, k in enumerate(OutputKind.values)}
LABELS = dict(OutputKind.choices)


def _totals(rows: dict[str, tuple[Decimal, int, int]]) -> list[KindTotal]:
    return [
        KindTotal(kind, str(LABELS.get(kind, kind)), total, approx > 0, n)
        for kind, (total, approx, n) in sorted(rows.items(), key=lambda r: KIND_ORDER.get(r[0], 99))
    ]


def year_bounds(start_year: int) -> tuple[datetime.date, datetime.date, str]:
    """First and last day of the financial year starting in April of ``start_year``."""
    period = financial_year(start_year)
    return datetime.date(start_year, 4, 1), datetime.date(start_year + 1, 3, 31), period.label


def headlines(place: Place, start_year: int) -> Headlines:
    """The outputs of ``place``'s initiatives dated in the financial year starting in
    April of ``start_year``, summed per kind and per initiative (one query)."""
    first, last, label = year_bounds(start_year)
    rows = (
        Output.objects.filter(
            initiative__place_id__in=place.descendant_ids(), on__range=(first, last)
        )
        .values("initiative_id", "kind")
        .annotate(
            total=Sum("quantity"), approx=Count("id", filter=Q(approximate=True)), n=Count("id")
        )
        .order_by()
    )
    overall: dict[str, tuple[Decimal, int, int]] = {}
    per: dict[int, dict[str, tuple[Decimal, int, int]]] = {}
    for row in rows:
        total = Decimal(row["total"])
        kind = row["kind"]
        t, a, n = overall.get(kind, (Decimal(0), 0, 0))
        overall[kind] = (t + total, a + row["approx"], n + row["n"])
        per.setdefault(row["initiative_id"], {})[kind] = (total, row["approx"], row["n"])
    initiatives = Initiative.objects.filter(pk__in=per).order_by("starts_on", "name")
    return Headlines(
        place=place,
        label=label,
        starts_on=first,
        ends_on=last,
        totals=_totals(overall),
        initiatives=[InitiativeTotals(i, _totals(per[i.pk])) for i in initiatives],
    )


def outputs_by_strand(
    initiative: Initiative,
) -> list[tuple[Strand | None, list[Output], list[KindTotal]]]:
    """The initiative's outputs grouped by strand (strand order; outputs with no strand
    last), each group with its totals per kind."""
    outputs = list(initiative.outputs.select_related("strand").order_by("on", "id"))
    strands: list[Strand | None] = [*initiative.strands.all(), None]
    out = []
    for strand in strands:
        key = strand.pk if strand is not None else None
        mine = [o for o in outputs if o.strand_id == key]
        if strand is None and not mine:
            continue
        sums: dict[str, tuple[Decimal, int, int]] = {}
        for o in mine:
            t, a, n = sums.get(o.kind, (Decimal(0), 0, 0))
            sums[o.kind] = (t + o.quantity, a + int(o.approximate), n + 1)
        out.append((strand, mine, _totals(sums)))
    return out


def initiative_totals(initiative: Initiative) -> list[KindTotal]:
    """The initiative's outputs summed per kind (all dates)."""
    rows = (
        initiative.outputs.values("kind")
        .annotate(
            total=Sum("quantity"), approx=Count("id", filter=Q(approximate=True)), n=Count("id")
        )
        .order_by()
    )
    return _totals({r["kind"]: (Decimal(r["total"]), r["approx"], r["n"]) for r in rows})


__all__ = [
    "Headlines",
    "InitiativeTotals",
    "KindTotal",
    "headlines",
    "initiative_totals",
    "outputs_by_strand",
    "record_output",
    "remove_output",
]
