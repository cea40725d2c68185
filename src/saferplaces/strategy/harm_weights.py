"""Harm weights an administrator uploads, and the table strategic assessments use.

``upload_harm_weights`` reads a published index (the ONS Crime Severity Score offence
weights or the Cambridge Crime Harm Index, CSV or XLSX as published) and the
partnership's offence mapping with ``saferplaces.insight.harm``; any problem refuses the
upload with each problem named by file and line, and nothing is stored. A good upload is
stored and made the active table (the one before it kept, inactive) in one transaction,
with an activity event. ``active_harm_weights`` gives the active table as
``insight.harm.HarmWeights`` (None when none is loaded: the assessment then says so and
shows volume only).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.db import transaction

from saferplaces.insight.harm import (
    HarmWeights,
    load_cambridge_chi,
    load_offence_mapping,
    load_ons_css,
)
from saferplaces.insight.problems import ImportRejected
from saferplaces.partnership.services import Actor, record_event
from saferplaces.strategy.models import HarmIndex, HarmWeightsTable


class HarmWeightsUploadError(ValueError):
    """Files that cannot be used: ``problems`` name each file and line."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def _user(actor: Actor) -> Any:
    return actor if actor is not None and actor.is_authenticated else None


def read_harm_weights(weights_file: Path, index: str, year: str, mapping_file: Path) -> HarmWeights:
    """The weights in ``weights_file`` mapped to categories through ``mapping_file``;
    HarmWeightsUploadError names every problem by file and line."""
    if index not in HarmIndex.values:
        raise HarmWeightsUploadError([f"{index!r} is not a harm index (ons-css or chi)"])
    if not year or not year.strip():
        raise HarmWeightsUploadError(["Give the edition (year) of the harm weights"])
    load = load_ons_css if index == HarmIndex.ONS_CSS else load_cambridge_chi
    try:
        table = load(weights_file, year=year.strip())
        mapping = load_offence_mapping(mapping_file)
    except ImportRejected as exc:
        raise HarmWeightsUploadError([str(p) for p in exc.problems]) from None
    mapped = table.mapped(mapping)
    if not mapped.categories:
        raise HarmWeightsUploadError([
            f"{mapping_file.name}: maps none of the offences {weights_file.name} weighs "
            "to a category"
        ])  # fmt: skip
    return mapped


@transaction.atomic
def upload_harm_weights(
    actor: Actor, weights_file: Path, index: str, year: str, mapping_file: Path
) -> HarmWeightsTable:
    """Read, store and make active the harm weights in ``weights_file`` (the published
    layout of ``index``: "ons-css" or "chi"; ``year`` its edition) mapped through
    ``mapping_file``. Nothing is stored when a file has a problem."""
    w = read_harm_weights(weights_file, index, year, mapping_file)
    before = HarmWeightsTable.objects.select_for_update().filter(active=True).first()
    HarmWeightsTable.objects.filter(active=True).update(active=False)
    t = HarmWeightsTable.objects.create(
        index=index, name=w.name, source=w.source, year=w.year, url=w.url, unit=w.unit,
        is_official=w.is_official, offences=dict(w.offences), categories=dict(w.categories),
        aggregation=w.aggregation, unmapped_offences=list(w.unmapped_offences),
        unweighted_offences=list(w.unweighted_offences), weights_file=weights_file.name,
        mapping_file=mapping_file.name, uploaded_by=_user(actor), active=True,
    )  # fmt: skip
    replaced = f" (replacing {before})" if before is not None else ""
    record_event(actor, "uploaded", t, f"Harm weights {t} uploaded from {t.weights_file} "
                 f"with mapping {t.mapping_file}, {len(t.categories)} categories weighted; "
                 f"now active{replaced}")  # fmt: skip
    return t


def as_harm_weights(t: HarmWeightsTable) -> HarmWeights:
    return HarmWeights(
        name=t.name, source=t.source, year=t.year, url=t.url,
        offences={str(k): float(v) for k, v in t.offences.items()},
        categories={str(k): float(v) for k, v in t.categories.items()},
        unit=t.unit, is_official=t.is_official, aggregation=t.aggregation,
        unmapped_offences=tuple(t.unmapped_offences),
        unweighted_offences=tuple(t.unweighted_offences),
    )  # fmt: skip


def active_harm_weights() -> HarmWeights | None:
    """The active uploaded table, or None when none is loaded."""
    t = HarmWeightsTable.objects.filter(active=True).first()
    return as_harm_weights(t) if t is not None else None
