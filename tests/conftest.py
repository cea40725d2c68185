"""Shared fixtures: every test gets its own data directory (database file, incident store,
documents), so no test ever touches a developer's ./var."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytest_plugins = ["tests.personas", "tests.places", "tests.where"]

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("SAFERPLACES_SHARED_DATA", REPO.parent / "shared" / "data"))


@pytest.fixture(autouse=True)
def _data_dir(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> None:
    if "settings" not in request.fixturenames and not _uses_django(request):
        return
    settings = request.getfixturevalue("settings")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only
    root = tmp_path_factory.mktemp("data")
    settings.DATA_DIR = root
    settings.INCIDENT_STORE_DIR = root / "incidents"
    settings.DOCUMENTS_DIR = root / "documents"


def _uses_django(request: pytest.FixtureRequest) -> bool:
    return request.node.get_closest_marker("django_db") is not None or any(
        name in request.fixturenames for name in ("client", "admin_client", "live_server", "db")
    )
