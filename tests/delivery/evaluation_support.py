"""Shared builders for the outputs, headlines and evaluation tests: an initiative in a
place, and the shipped West Lancashire police.uk sample imported once."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from saferplaces.delivery.models import Initiative, InitiativeKind, Strand
from saferplaces.insight.imports import import_police_uk
from saferplaces.insight.store import IncidentStore
from saferplaces.partnership.models import Place
from tests.places import SAMPLES


def make_initiative(
    place: Place,
    name: str = "Bright Sparx 2014",
    starts_on: datetime.date = datetime.date(2014, 10, 20),
    ends_on: datetime.date = datetime.date(2014, 11, 9),
    strands: tuple[str, ...] = ("Community Action and Engagement Days", "The Go4IT event"),
) -> Initiative:
    """An operation of ``place`` with its strands (defaults: Bright Sparx 2014)."""
    slug = f"{place.slug}-{name}".lower().replace(" ", "-").replace("'", "")
    initiative = Initiative.objects.create(place=place, name=name, slug=slug,
                                           kind=InitiativeKind.OPERATION, starts_on=starts_on,
                                           ends_on=ends_on)  # fmt: skip
    for i, s in enumerate(strands):
        Strand.objects.create(initiative=initiative, name=s, order=i)
    return initiative


@pytest.fixture(scope="session")
def delivery_sample_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """West Lancashire's sample months (2013-04 to 2015-03) imported once, read-only."""
    root = tmp_path_factory.mktemp("delivery-sample-store")
    import_police_uk(IncidentStore(root), sorted(SAMPLES.glob("*.csv.gz")))
    return root
