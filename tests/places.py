"""Shared fixtures: Lancashire's places (`demo`) and the sample police.uk months (`samples`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from saferplaces import insight
from saferplaces.partnership import demo as demo_package
from saferplaces.partnership import services
from saferplaces.partnership.models import Place
from saferplaces.partnership.models.places import PlaceKind

SAMPLES = Path(insight.__file__).parent / "samples" / "police_uk" / "west_lancashire"
LANCASHIRE = Path(demo_package.__file__).parent / "lancashire.json"


@pytest.fixture
def demo(db: None) -> Place:
    """Lancashire's county, areas and 14 districts with codes and populations (the demo's
    places, without its people and groups). Returns the county."""
    data = json.loads(LANCASHIRE.read_text())
    county = services.upsert_place(
        None, slug="lancashire", name="Lancashire", kind=PlaceKind.COUNTY,
        county_code=data["county"].get("county_code", "E10000017"),
    )  # fmt: skip
    areas: dict[str, Place] = {}
    for d in data["districts"]:
        if d["area"] not in areas:
            areas[d["area"]] = services.upsert_place(
                None, slug=f"{d['area'].lower()}-lancashire", name=f"{d['area']} Lancashire",
                kind=PlaceKind.AREA, parent=county,
            )  # fmt: skip
        place = services.upsert_place(
            None, slug=d["name"].lower().replace(" ", "-"), name=d["name"],
            kind=PlaceKind.DISTRICT, parent=areas[d["area"]], lad_code=d["lad_code"],
            csp_code=d["csp_code"], pfa_code=d["pfa_code"], fra_code=d["fra_code"],
        )  # fmt: skip
        services.record_populations(None, place, {int(y): n for y, n in d["population"].items()})
    return county


@pytest.fixture
def samples() -> Path:
    return SAMPLES
