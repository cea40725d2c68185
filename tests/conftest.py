"""Shared fixtures. The data directory of every test run is a fresh temporary folder."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

# Before Django settings load: keep tests away from the developer's ./var.
_TEST_DATA_DIR = Path(tempfile.mkdtemp(prefix="saferplaces-test-"))
os.environ.setdefault("SAFERPLACES_DATA_DIR", str(_TEST_DATA_DIR))

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
