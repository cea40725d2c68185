"""The hot spots page of a place, `/places/<slug>/hotspots/`: one LSOA map with a choice
of three layers (hot spots by Getis-Ord Gi*, the density of the mapped incidents, and
harm per 1,000 residents where harm weights are loaded), each with its legend, text
alternative, table, method, limitations and sources.

The figures come from the evidence layer and are cached there (Gi* is never recomputed
per request); the density bands are cached here. Every colour and tooltip is chosen in
Python and handed to ``where_map.js`` in a ``json_script``.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from saferplaces.evidence.figures import indicator_set
from saferplaces.evidence.harm_map import HarmMap, LsoaHarm, place_harm_map
from saferplaces.evidence.hotspots import HotspotReport, density_for, find_indicator, place_hotspots
from saferplaces.evidence.performance import figures_key
from saferplaces.evidence.scope import PlaceScope
from saferplaces.insight.density import DensityError
from saferplaces.insight.harm import HarmWeights
from saferplaces.insight.indicators import Indicator, category_indicators
from saferplaces.insight.periods import Period
from saferplaces.partnership.models import Place
from saferplaces.spreadsheet import safe_row
from saferplaces.strategy.harm_weights import active_harm_weights
from saferplaces.web.dashboard.forms import PeriodForm, Selection, bind_period_form
from saferplaces.web.dashboard.maps import ATTRIBUTION
from saferplaces.web.where.common import base_context, place_for, scope_of

TEMPLATE = "web/where/hotspots.html"
HOTSPOTS, DENSITY, HARM = "hotspots", "density", "harm"
LAYERS = (
    (HOTSPOTS, "Hot spots (Getis-Ord Gi*)"),
    (DENSITY, "Density of incidents"),
    (HARM, "Harm per 1,000 residents"),
)
YEARS = (
    ("1", "1 year: the period chosen"),
    ("3", "3 years: persistent and emerging hot spots"),
    ("5", "5 years: persistent and emerging hot spots"),
)
EXCLUDED_FILL = "hatch"
"""Drawn hatched by the script: left out, neither cold nor 0."""
HARM_COLOURS = ("#fee5d9", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15")
DENSITY_COLOURS = ("#fcc5c0", "#fa9fb5", "#f768a1", "#dd3497", "#ae017e", "#7a0177")
"""Palest for the widest band, darkest for the peak (ColorBrewer RdPu)."""
CSV_FIELDS = ("code", "name", "district", "count", "population", "rate_per_1000", "z", "q",
              "spot", "legend", "pattern_label", "excluded_reason")  # fmt: skip


class HotspotForm(PeriodForm):
    """The dashboard's period, and the indicator, the years and the layer of the map."""

    indicator = forms.ChoiceField(
        label="Indicator or category", required=False, widget=forms.Select(),
        error_messages={"invalid_choice": "Choose an indicator or category from the list"},
    )  # fmt: skip
    years = forms.ChoiceField(
        label="Years", choices=YEARS, required=False, widget=forms.Select(),
        error_messages={"invalid_choice": "Choose 1, 3 or 5 years"},
    )  # fmt: skip
    layer = forms.ChoiceField(
        label="Map layer", choices=LAYERS, required=False, widget=forms.Select(),
        error_messages={"invalid_choice": "Choose hot spots, density or harm as the map layer"},
    )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["indicator"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = indicator_choices()

    def clean_indicator(self) -> str:
        return str(self.cleaned_data.get("indicator") or indicator_set()[0].slug)

    def clean_years(self) -> int:
        return int(self.cleaned_data.get("years") or 1)

    def clean_layer(self) -> str:
        return str(self.cleaned_data.get("layer") or HOTSPOTS)


def indicator_choices() -> list[tuple[str, Any]]:
    """The indicator set, then the police.uk categories (as ``find_indicator`` reads them)."""
    indicators = indicator_set()
    own = [(i.slug, i.name) for i in indicators]
    taken = {i.slug for i in indicators}
    cats: list[tuple[str, str]] = []
    for headline in indicators[:2]:
        for c in category_indicators(headline):
            if c.slug not in taken:
                taken.add(c.slug)
                cats.append((c.slug, c.name))
    return [("Indicators", own), ("Police.uk categories", sorted(cats, key=lambda c: c[1]))]


@dataclass(frozen=True)
class LegendItem:
    fill: str
    label: str
    meaning: str = ""


@dataclass
class Layer:
    """What the page shows for the chosen layer: the map's values, legend and text."""

    kind: str
    title: str
    text: str
    legend: list[LegendItem]
    lsoas: dict[str, dict[str, Any]]
    bands: dict[str, Any] | None = None
    refusal: str | None = None

    def map_values(self) -> dict[str, Any]:
        return {
            "layer": self.kind,
            "lsoas": self.lsoas,
            "legend": [item.__dict__ for item in self.legend],
            "legend_title": self.title,
            "bands": self.bands,
        }


def _fmt(value: float | None, places: int = 1) -> str:
    return "no figure" if value is None else f"{value:,.{places}f}"


def hotspot_layer(report: HotspotReport) -> Layer:
    """LSOAs by Gi* class; excluded ones hatched with their reason."""
    layer = report.map_layer()
    lsoas: dict[str, dict[str, Any]] = {}
    names = {r["code"]: r["name"] for r in report.rows()}
    for code, v in layer["lsoas"].items():
        if v["spot"] == "excluded":
            tip = f"{names[code]}: left out ({v['excluded_reason']})"
            fill = EXCLUDED_FILL
        else:
            tip = f"{names[code]}: {v['legend']}; {_fmt(v['rate_per_1000'])} per 1,000"
            if v["pattern_label"]:
                tip += f"; {v['pattern_label']}"
            fill = v["colour"]
        lsoas[code] = {"fill": fill, "tip": tip}
    legend = [
        LegendItem(EXCLUDED_FILL if e["spot"] == "excluded" else e["colour"], e["label"],
                   e["meaning"])
        for e in layer["legend"]
    ]  # fmt: skip
    title = f"{report.indicator.name}: hot and cold spots"
    return Layer(HOTSPOTS, title, layer["text"], legend, lsoas, refusal=report.latest.refusal)


def quintile_cuts(values: list[float], n: int = len(HARM_COLOURS)) -> list[float]:
    """The n - 1 cuts that put about a fifth of the values in each class."""
    ordered = sorted(values)
    if not ordered:
        return []
    return [ordered[min(len(ordered) - 1, (i * len(ordered)) // n)] for i in range(1, n)]


def _class_of(value: float, cuts: list[float]) -> int:
    i = 0
    while i < len(cuts) and value >= cuts[i]:
        i += 1
    return i


def harm_layer(hm: HarmMap) -> Layer:
    """LSOAs shaded by harm per 1,000 residents (quintiles); excluded ones hatched."""
    rated = [r.harm_per_1000 for r in hm.lsoas if r.harm_per_1000 is not None]
    cuts = quintile_cuts(rated)
    lsoas: dict[str, dict[str, Any]] = {}
    for r in hm.lsoas:
        if r.harm_per_1000 is None:
            lsoas[r.code] = {"fill": EXCLUDED_FILL,
                             "tip": f"{r.name}: no population estimate, so no rate"}  # fmt: skip
            continue
        tip = (f"{r.name}: harm {_fmt(r.harm_per_1000)} per 1,000 residents; "
               f"{r.count:,} {hm.indicator.unit} ({_fmt(r.rate_per_1000)} per 1,000)")  # fmt: skip
        lsoas[r.code] = {"fill": HARM_COLOURS[_class_of(r.harm_per_1000, cuts)], "tip": tip}
    for code, why in hm.excluded.items():
        lsoas[code] = {"fill": EXCLUDED_FILL, "tip": f"{code}: left out ({why})"}
    legend: list[LegendItem] = []
    if rated:
        edges = [min(rated), *cuts, max(rated)]
        legend = [
            LegendItem(c, f"{_fmt(edges[i])} to {_fmt(edges[i + 1])}")
            for i, c in enumerate(HARM_COLOURS)
        ]
    legend.append(LegendItem(EXCLUDED_FILL, "Left out: no data or no population"))
    return Layer(HARM, "Harm per 1,000 residents", harm_text(hm), legend, lsoas,
                 refusal=hm.refusal)  # fmt: skip


def harm_text(hm: HarmMap) -> str:
    """The harm map in words: the five highest LSOAs, what was left out."""
    if hm.refusal:
        return f"{hm.refusal}."
    rated = sorted((r for r in hm.lsoas if r.harm_per_1000 is not None),
                   key=lambda r: (-(r.harm_per_1000 or 0.0), r.code))  # fmt: skip
    top = ", ".join(f"{r.name} ({_fmt(r.harm_per_1000)})" for r in rated[:5])
    text = (f"Harm per 1,000 residents ({hm.indicator.name}, weighted by "
            f"{hm.weights_description}), {hm.period.label}, {hm.place}. "
            f"Highest: {top}.")  # fmt: skip
    if hm.excluded:
        text += f" {len(hm.excluded)} LSOAs left out (no data)."
    if hm.unweighted:
        text += (
            f" {len(hm.unweighted)} categories of {hm.indicator.name.lower()} have no weight "
            "and are left out of the harm (named above the map), not weighted 0."
        )
    return text


@dataclass(frozen=True)
class DensityResult:
    bands: dict[str, Any] | None
    note: str
    limitation: str
    refusal: str | None


def density_result(
    place: Place, scope: PlaceScope, period: Period, ind: Indicator
) -> DensityResult:
    """The density bands of the place (cached like the other figures); a DensityError
    becomes a refusal in words."""
    key = figures_key(f"density-bands:{ind.slug}", place, period)
    found: DensityResult | None = cache.get(key)
    if found is None:
        try:
            view = density_for(scope, period, ind)
            found = DensityResult(view.bands(), view.note, view.limitation, None)
        except DensityError as exc:
            found = DensityResult(None, "", "", str(exc))
        cache.set(key, found, timeout=3600)
    return found


def density_layer(d: DensityResult, scope: PlaceScope) -> Layer:
    """The bands as filled polygons over the LSOA outlines (left unfilled)."""
    features = (d.bands or {}).get("features", [])
    last = max(1, len(features) - 1)
    for i, f in enumerate(features):  # nested from the widest: spread over the ramp
        f["properties"]["fill"] = DENSITY_COLOURS[round(i * (len(DENSITY_COLOURS) - 1) / last)]
    legend = [LegendItem(f["properties"]["fill"], f["properties"]["label"]) for f in features]
    text = d.refusal or (
        f"Density of mapped incidents in {scope.name}: {d.note} "
        + ("Bands: " + "; ".join(i.label for i in legend) + "." if legend else "No band.")
    )
    title = "Density of mapped incidents"
    return Layer(DENSITY, title, text, legend, {}, bands=d.bands, refusal=d.refusal)


def _sorted_rows(report: HotspotReport) -> list[dict[str, Any]]:
    """Significant LSOAs first (hot before cold, most confident and strongest first), then
    the rest, then those left out."""

    def key(r: dict[str, Any]) -> tuple[Any, ...]:
        spot = r["spot"]
        group = 2 if spot == "excluded" else 1 if spot == "not-significant" else 0
        z = r["z"] or 0.0
        return (group, not spot.startswith("hot"), -(r["confidence"] or 0),
                -z if spot.startswith("hot") else z, r["code"])  # fmt: skip

    return sorted(report.rows(), key=key)


def _csv(filename: str, header: tuple[str, ...], rows: list[tuple[Any, ...]]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(safe_row(header))
    for row in rows:
        writer.writerow(safe_row("" if v is None else v for v in row))
    return response


def _harm_rows(hm: HarmMap) -> list[LsoaHarm]:
    return sorted(hm.lsoas, key=lambda r: (r.harm_per_1000 is None, -(r.harm_per_1000 or 0.0),
                                           r.code))  # fmt: skip


@login_required
@require_GET
def page(request: HttpRequest, slug: str) -> HttpResponse:
    """`/places/<slug>/hotspots/?period=2014/15&indicator=all-crime&years=3&layer=harm`;
    `&download=csv` gives the layer's table as CSV."""
    place = place_for(slug)
    scope, scope_error = scope_of(place)
    form = bind_period_form(HotspotForm, request, scope)
    context: dict[str, Any] = {**base_context(place, "where_hotspots"), "form": form}
    if form.errors:
        return render(request, TEMPLATE, context, status=400)
    if scope is None:
        return render(request, TEMPLATE, {**context, "scope_error": scope_error})
    selection: Selection | None = form.selection
    if selection is None:
        return render(request, TEMPLATE, {**context, "nothing_held": True})
    ind = find_indicator(form.cleaned_data["indicator"])
    years: int = form.cleaned_data["years"]
    kind: str = form.cleaned_data["layer"]
    period = selection.period
    params = {**selection.params, "indicator": ind.slug, "years": str(years), "layer": kind}
    report = place_hotspots(place, period, ind, years=years)
    context.update(
        selection=selection, indicator=ind, years=years, kind=kind, report=report,
        summary=report.summary(), query=urlencode(params),
        map_url=reverse("dashboard_map", args=[place.slug]), attribution=ATTRIBUTION,
        harm_weights_url=reverse("strategy:harm_weights"),
    )  # fmt: skip
    stem = f"{place.slug}-{ind.slug}-{slugify(period.label.replace('/', '-'))}"
    if kind == HOTSPOTS:
        rows = _sorted_rows(report)
        if request.GET.get("download") == "csv":
            return _csv(f"{stem}-hotspots.csv", CSV_FIELDS,
                        [tuple(r[k] for k in CSV_FIELDS) for r in rows])  # fmt: skip
        significant = [r for r in rows if r["spot"] not in ("not-significant", "excluded")]
        groups = [
            {"rows": significant, "caption": "Significant hot and cold spots",
             "testid": "significant", "folded": False},
            {"rows": rows[len(significant):], "testid": "other", "folded": True,
             "caption": "LSOAs neither hot nor cold, and LSOAs left out"},
        ]  # fmt: skip
        context.update(layer=hotspot_layer(report), significant=significant, row_groups=groups)
    elif kind == DENSITY:
        found = density_result(place, scope, period, ind)
        context.update(layer=density_layer(found, scope), density=found)
    else:
        weights = active_harm_weights()
        context["weights"] = weights
        if weights is not None:
            hm = place_harm_map(place, period, ind, weights)
            harm_rows = _harm_rows(hm)
            if request.GET.get("download") == "csv":
                return _csv(f"{stem}-harm.csv", HARM_CSV, [_harm_csv(r) for r in harm_rows])
            context.update(layer=harm_layer(hm), harm=hm, harm_rows=harm_rows,
                           weights_note=weights_note(weights))  # fmt: skip
    if "layer" in context:
        context["map_values"] = context["layer"].map_values()
    return render(request, TEMPLATE, context)


HARM_CSV = ("code", "name", "district", "count", "rate_per_1000", "weighted_count", "harm",
            "population", "harm_per_1000", "left_out")  # fmt: skip


def _harm_csv(r: LsoaHarm) -> tuple[Any, ...]:
    left = "; ".join(f"{c}: {n}" for c, n in r.left_out.items())
    return (r.code, r.name, r.district, r.count, r.rate_per_1000, r.weighted_count, r.harm,
            r.population, r.harm_per_1000, left)  # fmt: skip


def weights_note(weights: HarmWeights) -> str:
    """The weights named, and whether they are the published index."""
    text = f"Weighted by {weights.describe()}"
    if weights.unit:
        text += f"; a weight is {weights.unit}"
    if not weights.is_official:
        text += ". These are not official weights: the figures are illustrative only"
    return text + "."
