"""How long loading the reference geography of England and Wales takes (goal: ≤ 30 s).

Run::

    .venv/bin/python benchmarks/bench_geography.py [--database-url URL]

In a fresh temporary data directory (SQLite by default): migrate, then `load_geography`
twice (the first load writes every place; the second finds nothing to change). Prints
the times and the counts, then one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--database-url", help="e.g. postgresql://postgres@127.0.0.1:5432/bench")
    args = ap.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="bench-geography-"))
    os.environ["SAFERPLACES_DATA_DIR"] = str(data_dir)
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saferplaces.settings")
    sys.path.insert(0, str(HERE.parent / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    from saferplaces.partnership.geography import load_geography

    try:
        call_command("migrate", interactive=False, verbosity=0)
        t0 = time.perf_counter()
        first = load_geography()
        first_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        again = load_geography()
        again_s = time.perf_counter() - t0
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    figures = {
        "places": first.places,
        "created": first.created,
        "populations": first.populations,
        "first_load_s": round(first_s, 2),
        "second_load_s": round(again_s, 2),
        "second_changed": again.created + again.updated + again.populations,
    }
    print(f"{'places created':<36} {first.created:>10,}")
    print(f"{'population figures':<36} {first.populations:>10,}")
    print(f"{'first load (s)':<36} {figures['first_load_s']:>10}")
    print(f"{'second load, nothing to change (s)':<36} {figures['second_load_s']:>10}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
