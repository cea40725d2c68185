"""The one incident store of this installation, in the data directory."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache

from saferplaces.insight.store import IncidentStore

_stores: dict[str, IncidentStore] = {}


def incident_store() -> IncidentStore:
    root = str(settings.INCIDENT_STORE_DIR)
    if root not in _stores:
        _stores[root] = IncidentStore(settings.INCIDENT_STORE_DIR)
    return _stores[root]


def store_changed() -> None:
    """An import landed: cached figures are stale."""
    cache.clear()
