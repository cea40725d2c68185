"""A partnership beside its most similar partnerships: each member's rate for one
indicator and period from the incident store, the family's pooled rate, funnel limits
(exact Poisson) around the national rate, and the partnership's rank with its interval.

The method is ``saferplaces.insight.families.METHOD``. A partnership with no data (or
data for only some of its districts) is "no data": it has no figure, never 0, and does
not enter a mean, a funnel or a ranking.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache

from django.core.cache import cache as django_cache

from saferplaces.evidence.figures import indicator_set
from saferplaces.evidence.performance import figures_key
from saferplaces.evidence.scope import PlaceScope, population_of
from saferplaces.evidence.store import incident_store
from saferplaces.insight import families as fam
from saferplaces.insight.compare import IndicatorResult, summarise
from saferplaces.insight.indicators import Indicator
from saferplaces.insight.periods import Period
from saferplaces.insight.reference_geography import reference_districts

NO_DATA = "no data"
NOT_BANDED = "not banded"
NOT_HELD = "not held for every district of the partnership"
SOURCE = (
    "Source: police.uk street-level crime held in the incident store; ONS mid-year "
    "population estimates; English Indices of Deprivation 2019 (MHCLG). OGL v3.0."
)


MINIMUM_FOR_FUNNEL = 10
"""Fewer partnerships with data than this and the pooled "national" rate would rest on
a handful of places: no funnel, no bands."""


class FamilyError(ValueError):
    """The place is not (and does not lie in) one community safety partnership."""


@dataclass(frozen=True)
class Member:
    """One partnership of the family with its rate (None: no data)."""

    code: str
    name: str
    distance: float | None
    measures: dict[str, float | None]
    count: int | None
    population: int | None
    rate_per_1000: float | None
    band: str | None
    reason: str | None


@dataclass(frozen=True)
class Point:
    """A partnership with data for the whole period."""

    code: str
    name: str
    count: int
    population: int

    @property
    def rate_per_1000(self) -> float:
        return self.count * 1000 / self.population


@dataclass(frozen=True)
class Family:
    """A partnership, its peers, and what can be said about its rate among them."""

    csp_code: str
    csp_name: str
    indicator: str
    period: str
    members: list[Member]
    family_rate_per_1000: float | None
    national_rate_per_1000: float | None
    rank: fam.RankInterval | None
    with_data: int
    funnel: list[fam.FunnelPoint] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    points: list[Point] = field(default_factory=list)
    """Every partnership with data for the whole period (the funnel plot's points)."""
    method: str = fam.METHOD
    missing_measures: tuple[str, ...] = fam.MISSING_MEASURES

    def as_dict(self) -> dict[str, object]:
        """JSON-ready: rates and counts of partnerships without data are "no data"."""
        return {
            "csp_code": self.csp_code,
            "csp_name": self.csp_name,
            "indicator": self.indicator,
            "period": self.period,
            "family_rate_per_1000": _r(self.family_rate_per_1000),
            "national_rate_per_1000": _r(self.national_rate_per_1000),
            "partnerships_with_data": self.with_data,
            "rank": None if self.rank is None else {
                "rank": self.rank.rank, "interval_95": [self.rank.low, self.rank.high],
                "of": self.rank.of, "method": "seeded Poisson simulation, 1,000 draws"},
            "members": [member_row(m) for m in self.members],
            "notes": list(self.notes),
            "points": [
                {"code": p.code, "name": p.name, "count": p.count, "population": p.population,
                 "rate_per_1000": round(p.rate_per_1000, 2)}
                for p in self.points
            ],
            "method": self.method,
            "measures_used": list(fam.MEASURES),
            "measures_missing": list(self.missing_measures),
            "source": SOURCE,
        }  # fmt: skip


def _r(x: float | None) -> float | str:
    return NO_DATA if x is None else round(x, 2)


def member_row(m: Member) -> dict[str, object]:
    """One member as a flat record ("no data" where there is no figure)."""
    return {
        "code": m.code,
        "name": m.name,
        "distance": None if m.distance is None else round(m.distance, 3),
        **{f"measure_{k}": (None if v is None else round(v, 3)) for k, v in m.measures.items()},
        "count": NO_DATA if m.count is None else m.count,
        "population": NO_DATA if m.population is None else m.population,
        "rate_per_1000": _r(m.rate_per_1000),
        "band": band_text(m),
    }


def band_text(m: Member) -> str:
    """The member's band, "not banded" when it has a rate but no funnel could be drawn,
    or "no data"."""
    if m.band:
        return m.band
    return NO_DATA if m.rate_per_1000 is None else NOT_BANDED


@cache
def csp_store_codes() -> dict[str, tuple[str, ...]]:
    """CSP code → the district codes the incident store knows it by."""
    out: dict[str, set[str]] = defaultdict(set)
    for d in reference_districts():
        out[d.csp_code].update(d.store_codes)
    return {k: tuple(sorted(v)) for k, v in out.items()}


def csp_of(scope: PlaceScope) -> str:
    """The CSP code of a place: its own, or the one partnership its district lies in."""
    place = scope.place
    if place.csp_code:
        return str(place.csp_code)
    by_lad = {d.code: d.csp_code for d in reference_districts()}
    if place.lad_code and place.lad_code in by_lad:
        return by_lad[place.lad_code]
    raise FamilyError(f"{place.name} is not a community safety partnership or a district")


def indicator_named(slug: str) -> Indicator:
    for i in indicator_set():
        if i.slug == slug:
            return i
    known = ", ".join(i.slug for i in indicator_set())
    raise FamilyError(f"Unknown indicator {slug!r}: one of {known}")


def csp_result(code: str, period: Period, indicator: Indicator) -> IndicatorResult:
    """One partnership's figure for the indicator and period."""
    return summarise(incident_store(), districts=csp_store_codes().get(code, ()),
                     place=code, period=period, indicators=[indicator],
                     population=lambda codes, year: population_of(codes, year)[0])[0]  # fmt: skip


def _held(r: IndicatorResult) -> bool:
    return (
        r.count is not None
        and bool(r.population)
        and not r.partial
        and len(r.months) == r.months_expected
    )


def _reason(r: IndicatorResult, name: str, period: Period) -> str:
    """Why a partnership has no figure, naming it (not its code)."""
    if r.count is not None and len(r.months) < r.months_expected:
        return (
            f"{name} holds {len(r.months)} of the {r.months_expected} months of {period.label}: "
            "a part of the period is not compared with whole periods"
        )
    if r.count is None or not r.population:
        return f"no data for {name} in {period.label}"
    return NOT_HELD


def family_for(
    scope: PlaceScope, period: Period, indicator: Indicator, peers: int = fam.DEFAULT_PEERS
) -> Family:
    """The partnership of ``scope`` beside its ``peers`` most similar partnerships."""
    code = csp_of(scope)
    measures = fam.measures_by_csp()
    if code not in measures:
        raise FamilyError(f"No measures for the partnership {code}")
    family = fam.all_families(peers)[code]
    results = {c: csp_result(c, period, indicator) for c in measures}
    held = {c: r for c, r in results.items() if _held(r)}
    counts = {c: r.count for c, r in held.items()}
    pops = {c: int(r.population or 0) for c, r in held.items()}
    national = fam.pooled_rate(counts, pops) if len(held) >= MINIMUM_FOR_FUNNEL else None
    member_codes = [code, *(p.code for p in family)]
    fam_counts = {c: counts.get(c) for c in member_codes}
    peers_held = [c for c in member_codes[1:] if c in held]
    family_rate = fam.pooled_rate(fam_counts, pops) if peers_held else None
    notes = _notes(len(held), len(measures), len(peers_held), len(member_codes) - 1)
    distances: dict[str, float | None] = {p.code: p.distance for p in family}
    distances[code] = None
    members = []
    for c in member_codes:
        r = results[c]
        ok = c in held
        point = fam.funnel_limits(pops[c], national) if ok and national else None
        members.append(Member(
            c, measures[c].name, distances[c], dict(measures[c].values),
            r.count if ok else None, pops[c] if ok else None,
            r.count * 1000 / pops[c] if ok and r.count is not None else None,
            fam.band(r.count, point) if point and r.count is not None else None,
            None if ok else _reason(r, measures[c].name, period)))  # fmt: skip
    funnel = (
        [fam.funnel_limits(n, national) for n in sorted(set(pops.values()))] if national else []
    )
    if national:
        notes += _overdispersion(held, pops, national)
    return Family(code, measures[code].name, indicator.slug, period.label, members,
                  None if family_rate is None else family_rate * 1000,
                  None if national is None else national * 1000,
                  fam.rank_interval(code, fam_counts, pops) if peers_held else None,
                  len(held), funnel, notes, _points(held, measures, pops))  # fmt: skip


def _points(
    held: dict[str, IndicatorResult], measures: dict[str, fam.CspMeasures], pops: dict[str, int]
) -> list[Point]:
    return [Point(c, measures[c].name, held[c].count or 0, pops[c]) for c in sorted(held)]


OVERDISPERSED_SHARE = 0.1
"""Chance alone puts about 0.2% of partnerships beyond the 99.8% limits; when more than
this share lie there, the limits are too narrow to read as "unusual"."""


def _overdispersion(
    held: dict[str, IndicatorResult], pops: dict[str, int], national: float
) -> list[str]:
    """A note when far more partnerships lie beyond the 99.8% limits than chance would put
    there: places differ by more than chance (overdispersion, usual with large counts)."""
    beyond = sum(
        1 for c, r in held.items()
        if r.count is not None
        and fam.band(r.count, fam.funnel_limits(pops[c], national)).endswith("99.8% limit")
    )  # fmt: skip
    if beyond <= OVERDISPERSED_SHARE * len(held):
        return []
    return [
        f"{beyond} of the {len(held)} partnerships lie beyond the 99.8% limits, where chance "
        "alone would put about 1 in 500: partnerships differ by far more than chance "
        "(overdispersion, usual when counts run to thousands). Read a band as 'differs from "
        "the reference rate', not as 'unusual among partnerships'; compare with the family."
    ]


def place_family(
    scope: PlaceScope, period: Period, indicator: Indicator, peers: int = fam.DEFAULT_PEERS
) -> Family:
    """:func:`family_for`, cached until the incident store or the indicators change."""
    key = figures_key(f"family-for:{indicator.slug}:{peers}", scope.place, period)
    found: Family | None = django_cache.get(key)
    if found is None:
        found = family_for(scope, period, indicator, peers)
        django_cache.set(key, found, timeout=3600)
    return found


def _notes(with_data: int, partnerships: int, peers_held: int, peers: int) -> list[str]:
    """What cannot be said, and why: too few partnerships for a funnel, no peer to
    compare with."""
    notes = []
    if with_data < MINIMUM_FOR_FUNNEL:
        notes.append(
            f"Only {with_data} of {partnerships} partnerships have data for the whole period: a "
            f"funnel plot needs at least {MINIMUM_FOR_FUNNEL}, so no reference rate, "
            "limits or bands are given."
        )
    if not peers_held:
        notes.append(
            f"None of the {peers} most similar partnerships has data for this period, so "
            "there is no family rate and no rank."
        )
    elif peers_held < peers:
        notes.append(
            f"{peers - peers_held} of the {peers} most similar partnerships have no data "
            "for this period: the family rate and rank are over the others."
        )
    return notes
