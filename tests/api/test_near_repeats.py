"""Near repeats through the API are the CLI's: the Knox test of London Fire Brigade
dwelling fires in Tower Hamlets, cell for cell."""

from __future__ import annotations

import datetime
import io
import json

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.utils import timezone

from saferplaces.api.tokens import create_token
from saferplaces.evidence.services import import_files
from saferplaces.insight.imports import shipped_mapping
from saferplaces.partnership.geography import load_geography
from tests.api.conftest import bearer
from tests.conftest import SHARED_DATA

pytestmark = pytest.mark.django_db
DWELLINGS = SHARED_DATA / "fire" / "lfb_dwelling_fires_2009_2024.csv.gz"


@pytest.mark.skipif(not DWELLINGS.is_file(), reason=f"{DWELLINGS} is absent")
def test_knox_cells_equal_the_cli() -> None:
    """Given the dwelling fires imported, When Tower Hamlets' near repeats in 2019 are asked
    through the API and the CLI, Then the answers are the same, cells, readings and notes."""
    load_geography(force_areas=["E23000001"])
    import_files("incidents", [DWELLINGS], mapping=shipped_mapping("lfb_dwelling_fires"))
    user = User.objects.create_user("knox-reader", password="x-password-knox")
    token = create_token(user, name="knox", expires_on=timezone.localdate() + datetime.timedelta(9))
    query = "category=dwelling-fire&first=2019-01-01&last=2019-12-31"
    response = bearer(token.text).get(f"/api/places/tower-hamlets/near-repeats/?{query}")
    assert response.status_code == 200, response.content
    out = io.StringIO()
    call_command("near_repeat", "--place", "Tower Hamlets", "--category", "dwelling-fire",
                 "--from", "2019-01-01", "--to", "2019-12-31", "--format", "json",
                 stdout=out)  # fmt: skip
    assert response.json()["result"] == json.loads(out.getvalue())
    assert response.json()["result"]["cells"]
