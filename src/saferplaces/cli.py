"""The `saferplaces` console script.

`saferplaces demo`, `saferplaces serve`, `saferplaces import …`, `saferplaces indicators …`
and every Django management command (`saferplaces migrate`, `saferplaces createsuperuser`).
"""

from __future__ import annotations

import os
import sys

OUR_COMMANDS = {
    "demo": "set up the data directory, load the demo partnership and serve it",
    "serve": "run the web server (and the background worker) on 127.0.0.1:8000",
    "worker": "run the background task worker (recovers tasks a stopped worker left running)",
    "load_demo": "load (or refresh) the demo partnership without serving",
    "geography": "load the reference geography of England and Wales (every place, idempotent)",
    "partnership": 'set up any CSP: partnership create --csp "NAME" [--admin USERNAME]',
    "import": "import police.uk street files or mapped incident CSVs into the incident store",
    "indicators": "print indicators for a place and period (json, csv or table)",
    "hotspots": "hotspots --place P --year 2014/15 [--category C] [--years 3]: Gi* hot spots",
    "seasons": "seasons --place P --window bonfire-period: a window of the year, year by year",
    "near_repeat": "near_repeat --place P --category burglary: the Knox test of near repeats",
    "quality": "data quality per source and month: gaps, unlocated rows, rows out of area",
    "report": "write a board paper: report performance --format pptx|pdf|xlsx --output FILE",
    "assessment": "assessment build --place P --year 2014/15 --output FILE.docx|FILE.pdf",
    "evaluate": "evaluate --initiative NAME --format json|table: did an initiative work",
    "families": "families --place P [--period 2014/15] [--indicator all-crime]: most similar CSPs",
    "funding": "funding summary --place P --year 2014/15 --format json|csv|xlsx",
    "digest": "digest send: email each lead group its overdue actions and returns (weekly)",
    "audit": "audit verify: check the casework audit trail (non-zero and the first broken link)",
    "backup": "backup create --output FILE [--encrypt] | restore FILE [--force] | verify FILE",
    "retention": "retention purge [--dry-run]: delete casework past its retention period",
    "totp": "demo only: the two-factor code a demo user can enter now",
}


def _usage() -> str:
    width = max(len(name) for name in OUR_COMMANDS)
    lines = [
        "usage: saferplaces COMMAND [options]",
        "",
        "saferplaces runs a Community Safety Partnership: its structure, its evidence, its papers.",
        "",
        "commands:",
        *(f"  {name.ljust(width)}  {text}" for name, text in OUR_COMMANDS.items()),
        "",
        "Every Django management command works too (saferplaces migrate, saferplaces",
        "createsuperuser, saferplaces check --deploy); `saferplaces help` lists them all and",
        "`saferplaces COMMAND --help` explains one.",
        "",
        "State lives in SAFERPLACES_DATA_DIR (default ./var); the database is DATABASE_URL",
        "(default SQLite in the data directory).",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help"}:
        print(_usage())
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saferplaces.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["saferplaces", *args])


if __name__ == "__main__":
    main()
