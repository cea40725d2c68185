"""Harm per 1,000 residents of a partnership and of each of its most similar partnerships.

Harm of a partnership = Σ over the police.uk categories the indicator counts of
(incidents of the category × the category's harm weight), over exactly the months and
districts the partnership's own figure counted (``evidence.families.csp_result``, the
figure the family table shows). Harm per 1,000 residents = harm / residents × 1,000, with
the residents the family table uses.

Honest numbers: a category the weights give no weight is *left out* of the harm and named,
never weighted 0; a member without data has no harm (never 0), with the reason. A retired
police.uk category takes the weight of the category it became (as ``evidence.harm_map``
counts it), and only police.uk rows are weighed. The weights are taken as an argument:
which table is active is the strategy layer's business.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from saferplaces.evidence.families import Family, Member, csp_result
from saferplaces.evidence.harm_map import POLICE_UK, current_category, indicator_categories
from saferplaces.evidence.store import incident_store
from saferplaces.insight.compare import IndicatorResult
from saferplaces.insight.harm import HarmWeights
from saferplaces.insight.indicators import Indicator
from saferplaces.insight.periods import Period, parse_month
from saferplaces.insight.query import StoreLike, backend_of
from saferplaces.insight.schema import CATEGORIES

NO_DATA_REASON = "no data for this period"


@dataclass(frozen=True)
class MemberHarm:
    """One partnership's harm: None (with ``reason``) when it has no data."""

    code: str
    name: str
    harm: float | None
    harm_per_1000: float | None
    population: int | None
    counts: dict[str, int] = field(default_factory=dict)
    """Today's category → police.uk incidents of the indicator counted."""
    weighted_count: int = 0
    """The incidents of the categories the weights cover."""
    reason: str | None = None


@dataclass(frozen=True)
class FamilyHarm:
    """The harm of every member of a family, and the categories left out."""

    weights_name: str
    weights_description: str
    is_official: bool
    unit: str
    aggregation: str
    weighted: dict[str, float]
    """The indicator's categories (today's names) counted in the harm, with their weight."""
    unweighted: list[str]
    """The indicator's categories the weights give no weight: in no harm figure."""
    members: list[MemberHarm]
    refusal: str | None = None

    def of(self, code: str) -> MemberHarm | None:
        return next((m for m in self.members if m.code == code), None)

    def unweighted_labels(self) -> list[str]:
        return [category_label(c) for c in self.unweighted]


def category_label(category: str) -> str:
    return CATEGORIES.get(category).label if category in CATEGORIES else category


def category_counts(
    store_or_con: StoreLike, result: IndicatorResult, indicator: Indicator
) -> dict[str, int]:
    """Today's category → police.uk incidents of the indicator over the months and
    districts ``result`` counted (all of them, with or without an LSOA)."""
    if result.count is None or not result.districts or not result.months:
        return {}
    backend = backend_of(store_or_con)
    r = backend.table("rollup")
    months = [parse_month(m) for m in result.months]
    t = r.filter(
        r.district.isin(list(result.districts)), r.month.isin(months), r.source == POLICE_UK
    )
    t = t.filter(indicator.predicate(t))
    expr = t.group_by("category").aggregate(n=t.n.sum())
    out: dict[str, int] = {}
    for category, n in backend.con.execute(str(backend.compile(expr))).fetchall():
        if category is None:
            continue
        key = current_category(str(category))
        out[key] = out.get(key, 0) + int(n or 0)
    return out


def member_harm(member: Member, counts: dict[str, int], weighted: dict[str, float]) -> MemberHarm:
    """Harm and harm per 1,000 of one member from its category counts."""
    harm = math.fsum(n * weighted[c] for c, n in counts.items() if c in weighted)
    covered = sum(n for c, n in counts.items() if c in weighted)
    per = 1000.0 * harm / member.population if member.population else None
    return MemberHarm(member.code, member.name, harm, per, member.population, dict(counts),
                      covered)  # fmt: skip


def family_harm(
    family: Family,
    period: Period,
    indicator: Indicator,
    weights: HarmWeights,
    store_or_con: StoreLike | None = None,
) -> FamilyHarm:
    """The harm per 1,000 residents of each member of ``family`` with data (see the
    module), the categories weighted and those left out."""
    store = store_or_con if store_or_con is not None else incident_store()
    wanted = indicator_categories(indicator)
    weighted = {c: w for c in sorted(wanted) if (w := weights.weight_for(c)) is not None}
    unweighted = [c for c in sorted(wanted) if c not in weighted]
    refusal = None
    if not wanted:
        refusal = f"{indicator.name} counts no police.uk category, and harm weights are of those"
    elif not weighted:
        refusal = f"{weights.name} gives none of the categories of {indicator.name} a weight"
    members: list[MemberHarm] = []
    for m in family.members:
        if refusal is not None or m.count is None or not m.population:
            reason = refusal or m.reason or NO_DATA_REASON
            members.append(MemberHarm(m.code, m.name, None, None, m.population, reason=reason))
            continue
        result = csp_result(m.code, period, indicator)
        members.append(member_harm(m, category_counts(store, result, indicator), weighted))
    return FamilyHarm(
        weights.name, weights.describe(), weights.is_official, weights.unit,
        weights.aggregation, weighted, unweighted, members, refusal,
    )  # fmt: skip
