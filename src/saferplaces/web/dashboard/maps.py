"""A place's map: its LSOAs and its outlines (the place and each of its districts,
dissolved from the LSOAs) as GeoJSON, written once per place into the data directory."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
from pathlib import Path

from django.conf import settings

from saferplaces.evidence.scope import PlaceScope, district_codes, district_places
from saferplaces.insight.boundaries import ATTRIBUTION, UnknownDistrictError, place_map
from saferplaces.partnership.models import Place
from saferplaces.partnership.models.places import PlaceKind

__all__ = ["ATTRIBUTION", "UnknownDistrictError", "gzipped", "map_file"]

MAP_VERSION = "1"


def outlines_for(place: Place, scope: PlaceScope) -> dict[str, tuple[str, tuple[str, ...]]]:
    """code → (name, district codes) of every outline to draw: each district, and the
    place itself when it is made of several."""
    out = {d.lad_code: (d.name, district_codes(d)) for d in district_places(place) if d.lad_code}
    if place.kind != PlaceKind.DISTRICT:
        out[place.code or place.slug] = (place.name, scope.districts)
    return out


def map_file(place: Place, scope: PlaceScope) -> Path:
    """The GeoJSON file of the place's map (built on first use, then reused), with a
    gzipped copy beside it (``.json.gz``) for browsers that take one."""
    outlines = outlines_for(place, scope)
    key = json.dumps([MAP_VERSION, scope.districts, sorted(outlines.items())])
    digest = hashlib.sha256(key.encode()).hexdigest()[:24]
    path = Path(settings.DATA_DIR) / "maps" / f"{place.slug}-{digest}.json"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        data = place_map(scope.districts, outlines=outlines)
        body = json.dumps(data, separators=(",", ":")).encode("utf-8")
        for target, content in ((gzipped(path), gzip.compress(body, mtime=0)), (path, body)):
            partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
            partial.write_bytes(content)
            partial.replace(target)
    return path


def gzipped(path: Path) -> Path:
    return path.with_name(path.name + ".gz")
