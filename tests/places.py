"""Shared fixtures: Lancashire's places (`demo`) and the sample police.uk months (`samples`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from saferplaces import insight
from saferplaces.partnership.demo.loader import demo_places
from saferplaces.partnership.models import Place

SAMPLES = Path(insight.__file__).parent / "samples" / "police_uk" / "west_lancashire"


@pytest.fixture
def demo(db: None) -> Place:
    """Lancashire's reference geography (force area, county, 14 districts with codes,
    LSOAs and populations) and the demo's three areas, without its people and groups.
    Returns the Lancashire police force area, the place of the county structure."""
    return demo_places()["lancashire"]


@pytest.fixture
def samples() -> Path:
    return SAMPLES
