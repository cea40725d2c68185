"""Build src/saferplaces/insight/reference/lsoa11_lad13.csv.gz: every 2011 LSOA and the
2013 local authority district whose boundary file holds it.

    .venv/bin/python tools/geography/build_lsoa_lad13.py [BOUNDARIES_DIR]

BOUNDARIES_DIR defaults to ../shared/data/boundaries/lsoa11_topojson (one TopoJSON file
per 2013 LAD, named by its code). The output is deterministic (sorted, no gzip time).
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
OUT = REPO / "src" / "saferplaces" / "insight" / "reference" / "lsoa11_lad13.csv.gz"


def main(folder: Path) -> None:
    rows = []
    for path in sorted(folder.glob("*.json")):
        topology = json.loads(path.read_text(encoding="utf-8"))
        for obj in topology["objects"].values():
            rows += [(g["properties"]["LSOA11CD"], path.stem) for g in obj["geometries"]]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["lsoa11_code", "lad13_code"])
    writer.writerows(sorted(rows))
    OUT.write_bytes(gzip.compress(buf.getvalue().encode("utf-8"), mtime=0))
    print(f"{len(rows):,} LSOAs from {len(list(folder.glob('*.json')))} files -> {OUT}")


if __name__ == "__main__":
    default = REPO.parent / "shared" / "data" / "boundaries" / "lsoa11_topojson"
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else default)
