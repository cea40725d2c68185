"""Most similar partnerships: a partnership beside its 15 most similar, for one indicator
and period: each peer's measures and distance, count, rate per 1,000 and band against
the funnel limits; the family's pooled rate; the rank with its interval; a funnel plot of
every partnership this installation holds data for; harm per 1,000 when harm weights are
loaded; the method and the sources.

The figures come from :func:`saferplaces.evidence.families.place_family` (cached there
until the store changes). Honest numbers: the reference ("national") rate is pooled only over
the partnerships the store holds data for, and the page says how many of how many; with
fewer than ``MINIMUM_FOR_FUNNEL`` of them the evidence layer gives no reference rate and
no bands, and the page draws no funnel and says why. A peer without data is "No data"
with the reason, never 0, and is not ranked.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from saferplaces.evidence.families import (
    MINIMUM_FOR_FUNNEL,
    NO_DATA,
    SOURCE,
    Family,
    FamilyError,
    Member,
    indicator_named,
    place_family,
)
from saferplaces.evidence.family_harm import FamilyHarm, MemberHarm, family_harm
from saferplaces.evidence.figures import indicator_set
from saferplaces.evidence.scope import PlaceScope
from saferplaces.insight import families as fam
from saferplaces.insight.indicators import Indicator
from saferplaces.insight.periods import Period
from saferplaces.reports.charts import BLUE, CONFIG, DARK_BLUE, GREY, INK, RED, Chart
from saferplaces.strategy.harm_weights import active_harm_weights
from saferplaces.web.dashboard.build import Column, Table
from saferplaces.web.dashboard.forms import PeriodForm, bind_period_form
from saferplaces.web.where.common import base_context, place_for, scope_of

TEMPLATE = "web/where/family.html"
SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
LIMIT_STEPS = 80
"""Populations at which the funnel's control limits are drawn (geometric steps)."""
THIS = "This partnership"
PEER = "Most similar partnerships"
OTHER = "Other partnerships"
MEASURE_LABELS = {
    "population": "Population (mid-2020)",
    "imd_mean_rank": "Mean IMD 2019 rank of its LSOAs",
    "imd_decile1_share": "LSOAs in the most deprived tenth",
}


# ---------------------------------------------------------------- the form


class FamilyForm(PeriodForm):
    """The dashboard's period chooser with the indicator to compare."""

    indicator = forms.CharField(label="Indicator", required=False, widget=forms.Select())

    def __init__(self, *args: Any, indicators: list[Indicator], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["indicator"].widget.choices = [(i.slug, i.name) for i in indicators]
        self.chosen: Indicator | None = None

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        slug = (data.get("indicator") or "").strip() or indicator_set()[0].slug
        try:
            self.chosen = indicator_named(slug)
        except FamilyError:
            self.add_error("indicator", f"Choose an indicator from the list: {slug!r} is not one")
        return data


# ---------------------------------------------------------------- the figures


@dataclass(frozen=True)
class Point:
    """One partnership with data on the funnel plot."""

    code: str
    name: str
    count: int
    population: int
    rate_per_1000: float
    role: str
    months: int
    """The months of the period counted (those all its districts hold)."""
    months_expected: int


@dataclass(frozen=True)
class Answer:
    family: Family
    points: list[Point]


def held_points(family: Family, period: Period) -> list[Point]:
    """Every partnership with data for the whole period, as the evidence layer counts it
    (``Family.points``), marked as the place, a peer or another partnership."""
    roles = {m.code: PEER for m in family.members[1:]} | {family.csp_code: THIS}
    return [
        Point(
            p.code,
            p.name,
            p.count,
            p.population,
            p.rate_per_1000,
            roles.get(p.code, OTHER),
            period.length,
            period.length,
        )
        for p in family.points
    ]


def answer_for(scope: PlaceScope, period: Period, indicator: Indicator) -> Answer:
    """The family (cached by the evidence layer) and the funnel's points."""
    family = place_family(scope, period, indicator)
    return Answer(family, held_points(family, period))


def z_scores() -> dict[str, dict[str, float]]:
    """Each partnership's standardised measures, as the method computes them."""
    return fam.standardise({c: m.values for c, m in fam.measures_by_csp().items()})


# ---------------------------------------------------------------- words


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def rate_text(x: float | None) -> str:
    return "No data" if x is None else f"{x:,.2f}"


def rank_text(family: Family) -> str:
    """The rank within the family with its interval, or why there is none."""
    r, name = family.rank, family.csp_name
    if r is None:
        own = family.members[0]
        if own.count is None:
            return f"No rank: {name} has no data for this period ({own.reason})."
        return f"No rank: none of {name}’s most similar partnerships has data for this period."
    where = f"{ordinal(r.rank)} highest rate of the {r.of} partnerships of its family with data"
    if r.low == r.high:
        spread = f"allowing for chance variation, its rank would still be {ordinal(r.low)}"
    else:
        spread = (
            f"allowing for chance variation, its rank could plausibly be anywhere from "
            f"{ordinal(r.low)} to {ordinal(r.high)}"
        )
    return (
        f"{name} has the {where} (1 is the highest); {spread} (a 95% interval from 1,000 "
        "simulated years in which each partnership’s count varies by chance alone). "
        "Partnerships without data are not ranked."
    )


def measure_text(m: Member, z: dict[str, float], key: str) -> str:
    value = m.measures.get(key)
    if value is None:
        return "Not held"
    shown = f"{value:.1%}" if key == "imd_decile1_share" else f"{value:,.0f}"
    score = z.get(key)
    return shown if score is None else f"{shown} (z {score:+.2f})"


@dataclass(frozen=True)
class Row:
    """One member of the family as the page shows it."""

    member: Member
    is_place: bool
    measures: list[str]
    distance: str
    count: str
    rate: str
    band: str
    harm: str | None
    no_data: bool
    months: str = "–"


def months_text(p: Point | None) -> str:
    return "–" if p is None else f"{p.months} of {p.months_expected}"


def rows_for(family: Family, harm: FamilyHarm | None, points: list[Point]) -> list[Row]:
    by_code = {p.code: p for p in points}
    zs = z_scores()
    out = []
    for i, m in enumerate(family.members):
        z = zs.get(m.code, {})
        measures = [measure_text(m, z, k) for k in fam.MEASURES]
        distance = "–" if m.distance is None else f"{m.distance:.3f}"
        if m.count is None:
            reason = m.reason or NO_DATA
            out.append(Row(m, i == 0, measures, distance, f"No data: {reason}", "No data",
                           "Not banded or ranked (no data)",
                           None if harm is None else "No data", True))  # fmt: skip
            continue
        band = m.band or "Not banded (too few partnerships with data for a funnel)"
        out.append(Row(m, i == 0, measures, distance, f"{m.count:,}", rate_text(m.rate_per_1000),
                       band[:1].upper() + band[1:], _harm_cell(harm, m.code), False,
                       months_text(by_code.get(m.code))))  # fmt: skip
    return out


def _harm_cell(harm: FamilyHarm | None, code: str) -> str | None:
    if harm is None:
        return None
    found: MemberHarm | None = harm.of(code)
    if found is None or found.harm_per_1000 is None:
        return "No data" if found is None else f"No figure: {found.reason}"
    return f"{found.harm_per_1000:,.1f}"


def method_lines(family: Family) -> list[str]:
    """The method in plain words, from the constants the evidence layer uses."""
    total = len(fam.measures_by_csp())
    used = (
        "its population (ONS mid-2020), the mean IMD 2019 rank of its LSOAs (lower is "
        "more deprived) and the share of its LSOAs in the most deprived tenth of England"
    )
    return [
        f"Each of the {total} community safety partnerships of England and Wales is described "
        f"by three measures: {used}. Population is taken as its logarithm, so that a "
        "partnership of 100,000 is as far from one of 200,000 as one of 500,000 is from one "
        "of 1,000,000.",
        f"Each measure is standardised over all {total} partnerships as a z-score (its "
        "difference from the mean in standard deviations); the table shows each z-score in "
        "brackets.",
        "The distance between two partnerships is the root mean square difference of their "
        "z-scores (0 is identical; 1 is, on average, one standard deviation apart). A peer "
        "must hold every measure the partnership holds.",
        f"The family is the {fam.DEFAULT_PEERS} nearest partnerships, ties broken by code.",
        f"Not used, because the product ships no source for them: "
        f"{', '.join(family.missing_measures)}. Welsh partnerships are compared on population "
        "only (the Welsh index of deprivation is not shipped).",
        "Funnel limits: for a partnership of population n and the reference rate p, the "
        "expected count is n × p; the 95% and 99.8% limits are the exact Poisson quantiles "
        "(2.5% and 97.5%; 0.1% and 99.9%) of that expected count, as rates per 1,000.",
    ]


# ---------------------------------------------------------------- the funnel plot


def limit_rows(points: list[Point], national_per_person: float) -> list[dict[str, Any]]:
    """The control limits at geometric steps across the populations held (long form)."""
    lo = min(p.population for p in points) * 0.9
    hi = max(p.population for p in points) * 1.1
    step = (hi / lo) ** (1 / (LIMIT_STEPS - 1))
    pops = sorted({round(lo * step**i) for i in range(LIMIT_STEPS)})
    rows = []
    for n in pops:
        f = fam.funnel_limits(n, national_per_person)
        for level, side, value in (("95%", "upper", f.upper_95), ("95%", "lower", f.lower_95),
                                   ("99.8%", "upper", f.upper_998),
                                   ("99.8%", "lower", f.lower_998)):  # fmt: skip
            rows.append({"population": n, "rate": value, "level": f"{level} limits",
                         "line": f"{level} {side}"})  # fmt: skip
    return rows


def point_band(p: Point, national_per_person: float) -> str:
    return fam.band(p.count, fam.funnel_limits(p.population, national_per_person))


def funnel_chart(family: Family, points: list[Point], what: str) -> Chart:
    national = (family.national_rate_per_1000 or 0.0) / 1000
    ref = family.national_rate_per_1000 or 0.0
    dots = [
        {"name": p.name, "population": p.population, "count": p.count,
         "rate": round(p.rate_per_1000, 4), "role": p.role,
         "band": point_band(p, national)}
        for p in sorted(points, key=lambda p: (p.role == THIS, p.role == PEER, p.code))
    ]  # fmt: skip
    x = {"field": "population", "type": "quantitative", "title": "Residents (mid-year)",
         "scale": {"zero": False}, "axis": {"format": "~s"}}  # fmt: skip
    y = {"field": "rate", "type": "quantitative", "title": f"{what} per 1,000 residents"}
    roles = [THIS, PEER, OTHER]
    layers: list[dict[str, Any]] = [
        {
            "data": {"values": limit_rows(points, national)},
            "mark": {"type": "line", "interpolate": "step-after", "strokeWidth": 1.5},
            "encoding": {
                "x": x, "y": y, "detail": {"field": "line"},
                "color": {"field": "level", "title": "Control limits",
                          "scale": {"domain": ["95% limits", "99.8% limits"],
                                    "range": [GREY, RED]}},
                "strokeDash": {"field": "level", "title": "Control limits",
                               "scale": {"domain": ["95% limits", "99.8% limits"],
                                         "range": [[6, 3], [2, 2]]}},
            },
        },
        {
            "data": {"values": [{"rate": ref, "label": "Reference rate"}]},
            "mark": {"type": "rule", "color": INK, "strokeWidth": 1},
            "encoding": {"y": {"field": "rate", "type": "quantitative"},
                         "tooltip": [{"field": "rate", "title": "Reference rate per 1,000",
                                      "format": ",.2f"}]},
        },
        {
            "data": {"values": dots},
            "mark": {"type": "point", "filled": True, "opacity": 0.9},
            "encoding": {
                "x": x, "y": y,
                "shape": {
                    "field": "role",
                    "title": "Partnerships",
                    "scale": {"domain": roles, "range": ["diamond", "square", "circle"]},
                },
                "fill": {
                    "field": "role",
                    "title": "Partnerships",
                    "scale": {"domain": roles, "range": [DARK_BLUE, BLUE, "#b1b4b6"]},
                },
                "stroke": {"value": INK},
                "size": {
                    "condition": {"test": f"datum.role === '{THIS}'", "value": 220},
                    "value": 70,
                },
                "tooltip": [
                    {"field": "name", "title": "Partnership"},
                    {"field": "population", "title": "Residents", "format": ","},
                    {"field": "count", "title": "Count", "format": ","},
                    {"field": "rate", "title": "Per 1,000", "format": ",.2f"},
                    {"field": "band", "title": "Band"},
                ],
            },
        },
    ]  # fmt: skip
    alt = funnel_alt(family, points, what, national)
    spec = {
        "$schema": SCHEMA,
        "title": {
            "text": f"{what} per 1,000 residents against population, {family.period}",
            "subtitle": f"{len(points)} partnerships with data; reference rate "
            f"{ref:,.2f} per 1,000 (solid line)",
        },
        "description": alt,
        "width": 620,
        "height": 320,
        "layer": layers,
        "config": copy.deepcopy(CONFIG),
    }
    return Chart(spec=spec, alt_text=alt)


def funnel_alt(family: Family, points: list[Point], what: str, national: float) -> str:
    own = next((p for p in points if p.role == THIS), None)
    parts = [
        f"Funnel plot: {what.lower()} per 1,000 residents against population for the "
        f"{len(points)} partnerships with data in {family.period}, with the reference rate of "
        f"{family.national_rate_per_1000 or 0:,.2f} per 1,000 pooled over them and lines at "
        "the 95% and 99.8% control limits, which narrow as population grows."
    ]
    if own is not None:
        parts.append(f"{own.name}: {own.rate_per_1000:,.2f} per 1,000, "
                     f"{point_band(own, national)}.")  # fmt: skip
    outside = [p for p in points if "99.8%" in point_band(p, national)]
    parts.append(
        f"{len(outside)} of the {len(points)} partnerships lie beyond the 99.8% limits."
        if outside else "No partnership lies beyond the 99.8% limits."
    )  # fmt: skip
    parts.append("Every point is in the table below.")
    return " ".join(parts)


def funnel_table(family: Family, points: list[Point]) -> Table:
    national = (family.national_rate_per_1000 or 0.0) / 1000
    table = Table(
        "funnel",
        f"Every partnership with data, {family.period}",
        [Column("Partnership"), Column("In the family"), Column("Residents", True),
         Column("Months counted", True), Column("Count", True), Column("Per 1,000", True),
         Column("Band")],
    )  # fmt: skip
    for p in sorted(points, key=lambda p: (-p.rate_per_1000, p.code)):
        b = point_band(p, national)
        role = {THIS: "This partnership", PEER: "Yes"}.get(p.role, "No")
        table.add([p.name, role, p.population, p.months, p.count, p.rate_per_1000, b],
                  [p.name, role, f"{p.population:,}", months_text(p), f"{p.count:,}",
                   f"{p.rate_per_1000:,.2f}", b[:1].upper() + b[1:]])  # fmt: skip
    return table.seal()


# ---------------------------------------------------------------- the page


def harm_context(family: Family, period: Period, indicator: Indicator) -> dict[str, Any]:
    weights = active_harm_weights()
    if weights is None:
        return {"harm": None, "harm_weights_url": reverse("strategy:harm_weights")}
    harm = family_harm(family, period, indicator, weights)
    own = harm.of(family.csp_code)
    return {"harm": harm, "own_harm": own, "harm_weights_url": reverse("strategy:harm_weights")}


def answer_context(answer: Answer, period: Period, indicator: Indicator) -> dict[str, Any]:
    family = answer.family
    context = harm_context(family, period, indicator)
    funnel = family.national_rate_per_1000 is not None and bool(answer.points)
    peers = family.members[1:]
    fam_with_data = [m for m in family.members if m.count is not None]
    context.update(
        family=family,
        indicator=indicator,
        rows=rows_for(family, context["harm"], answer.points),
        measure_labels=[MEASURE_LABELS[m] for m in fam.MEASURES],
        peers_without_data=sum(1 for m in peers if m.count is None),
        family_with_data=len(fam_with_data),
        rank_text=rank_text(family),
        partnerships=len(fam.measures_by_csp()),
        minimum=MINIMUM_FOR_FUNNEL,
        funnel=funnel,
        method_lines=method_lines(family),
        source=SOURCE,
    )
    if funnel:
        context.update(
            chart=funnel_chart(family, answer.points, indicator.name),
            table=funnel_table(family, answer.points),
        )
    return context


@login_required
@require_GET
def page(request: HttpRequest, slug: str) -> HttpResponse:
    """`/places/<slug>/family/?period=2014/15&indicator=all-crime`."""
    place = place_for(slug)
    scope, scope_error = scope_of(place)
    indicators = indicator_set()
    form = bind_period_form(FamilyForm, request, scope, {"indicator": indicators[0].slug},
                            indicators=indicators)  # fmt: skip
    context: dict[str, Any] = {
        **base_context(place, "where_family"),
        "form": form,
        "peers": fam.DEFAULT_PEERS,
    }
    if form.errors:
        return render(request, TEMPLATE, context, status=400)
    if scope is None:
        return render(request, TEMPLATE, {**context, "scope_error": scope_error})
    selection, indicator = form.selection, form.chosen
    if selection is None or indicator is None:
        return render(request, TEMPLATE, {**context, "nothing_held": True})
    try:
        answer = answer_for(scope, selection.period, indicator)
    except FamilyError as e:
        return render(request, TEMPLATE, {**context, "refusal": str(e)})
    context.update(answer_context(answer, selection.period, indicator), selection=selection)
    return render(request, TEMPLATE, context)
