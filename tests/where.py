"""Shared set-up of the "where, when and compared with whom" tests (most similar
partnerships, hot spots, near repeats, nights of the year: their pages, browser tests and
commands): the London Fire Brigade files and police.uk months imported, an officer signed
in, and the independent counts the tests compare with, read from the raw files with csv,
gzip and datetime alone (never with the code under test)."""

from __future__ import annotations

import csv
import gzip
import html
import os
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client

from saferplaces.evidence.services import import_files
from saferplaces.insight.imports import shipped_mapping
from saferplaces.partnership.geography import load_geography
from saferplaces.partnership.models import Place
from saferplaces.strategy.harm_weights import upload_harm_weights
from tests.browser import axe
from tests.browser.signin import two_factor_if_asked
from tests.conftest import SHARED_DATA
from tests.places import SAMPLES

FIRE = SHARED_DATA / "fire"
EVENTS = FIRE / "lfb_fire_incidents_event_periods_2009_2024.csv.gz"
"""The London Fire Brigade's fires on festival days (a row a fire, its day in words)."""
DWELLINGS = FIRE / "lfb_dwelling_fires_2009_2024.csv.gz"
"""The London Fire Brigade's dwelling fires (a row a fire, its ISO date and its place)."""
TOWER_HAMLETS = "E09000030"
needs_fire = pytest.mark.skipif(not FIRE.is_dir(), reason=f"{FIRE} is absent")

LANCASHIRE = SHARED_DATA / "police_uk_street" / "lancashire"
"""Every Lancashire partnership's police.uk street files, month by month."""
needs_lancashire = pytest.mark.skipif(not LANCASHIRE.is_dir(), reason=f"{LANCASHIRE} is absent")
WEST_LANCS = "E07000127"
FY_2014 = {f"2014-{m:02d}" for m in range(4, 13)} | {f"2015-{m:02d}" for m in (1, 2, 3)}
"""The months of the financial year 2014/15."""

CSS = (
    "Crime Severity Score (Experimental Statistics): offence weights\n"
    "\n"
    "Offence code,Offence,Weight\n"
    "28,Burglary in a dwelling,439\n"
    "45,Theft from a vehicle,47\n"
    "46,Shoplifting,25\n"
)
MAPPING = "offence_code,category\n28,burglary\n45,vehicle-crime\n46,shoplifting\n"
WEIGHTS = {"Burglary": 439.0, "Vehicle crime": 47.0, "Shoplifting": 25.0}
"""The weights of CSS by police.uk crime type (as the raw files spell it)."""

OFFICER = "where-officer"
PASSWORD = "x-password-where-1"


# ---------------------------------------------------------------- imports


def import_london_fires() -> Place:
    """The Metropolitan Police area's geography and both LFB files imported (each with
    its shipped mapping); returns Tower Hamlets."""
    load_geography(force_areas=["E23000001"])
    import_files("incidents", [EVENTS], mapping=shipped_mapping("lfb_fire_event_periods"))
    import_files("incidents", [DWELLINGS], mapping=shipped_mapping("lfb_dwelling_fires"))
    return Place.objects.get(lad_code=TOWER_HAMLETS)


def import_west_lancashire_autumn_2013() -> list[Path]:
    """Lancashire's geography and West Lancashire's police.uk months October and November
    2013 (month-level data) imported; returns the files."""
    load_geography(force_areas=["E23000003"])
    files = sorted(SAMPLES.glob("2013-1[01]-*.csv.gz"))
    import_files("police-uk", files)
    return files


def upload_weights(tmp_path: Path) -> None:
    """CSS (ONS layout) uploaded as the harm weights, with MAPPING to police.uk categories."""
    w, m = tmp_path / "css.csv", tmp_path / "map.csv"
    w.write_text(CSS, encoding="utf-8")
    m.write_text(MAPPING, encoding="utf-8")
    upload_harm_weights(None, w, "ons-css", "2020", m)


@pytest.fixture
def london_fires(db: None) -> Place:
    """Both LFB files imported (see import_london_fires); Tower Hamlets."""
    return import_london_fires()


@pytest.fixture
def west_lancashire(db: None) -> str:
    """West Lancashire's October and November 2013 imported; its slug."""
    import_west_lancashire_autumn_2013()
    return "west-lancashire"


# ---------------------------------------------------------------- signed in


@pytest.fixture
def fresh_cache() -> Iterator[None]:
    """Cached pages and figures start and end empty (a module's
    `pytest.mark.usefixtures("fresh_cache")`)."""
    cache.clear()
    yield
    cache.clear()


def make_officer(username: str = OFFICER) -> Any:
    """A user with no role and the password PASSWORD (the pages ask only for a sign-in)."""
    return get_user_model().objects.create_user(username, password=PASSWORD)


@pytest.fixture
def officer(db: None) -> Client:
    """A test client signed in as a new user with no role."""
    client = Client()
    client.force_login(make_officer())
    return client


def sign_in(page: Any, url: str, username: str = OFFICER, password: str = PASSWORD) -> None:
    """In the browser: open `url` signed out, be sent to sign in, and sign in (with the
    second factor when asked)."""
    page.goto(url)
    assert "/sign-in/" in page.url
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.get_by_role("button", name="Sign in").click()
    two_factor_if_asked(page, username)


def screenshot(page: Any, name: str) -> None:
    """With SAFERPLACES_SCREENSHOTS set (a file path), save the page beside that file."""
    if os.environ.get("SAFERPLACES_SCREENSHOTS"):
        where = Path(os.environ["SAFERPLACES_SCREENSHOTS"])
        page.screenshot(path=str(where.with_name(f"{where.stem}-{name}.png")), full_page=True)


def no_violations(page: Any, what: str) -> None:
    """axe finds no serious or critical WCAG violation on the page as it stands."""
    found = axe.violations(page)
    assert not found, axe.describe(what, found)


def text_of(page: str) -> str:
    """A page's words: tags dropped, entities unescaped, white space folded."""
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


# ---------------------------------------------------------------- independent counts


def event_rows() -> list[tuple[date, dict[str, str]]]:
    """The festival-days file as (day, row), read with csv and datetime only."""
    with gzip.open(EVENTS, "rt", encoding="utf-8", newline="") as fh:
        return [
            (datetime.strptime(f"{r['Year']} {r['Month']} {r['Day']}", "%Y %B %d").date(), r)
            for r in csv.DictReader(fh)
        ]


def festival_days(borough: str) -> Counter[date]:
    """The festival-days file's rows of a borough by day."""
    return Counter(d for d, r in event_rows() if r["Borough code"] == borough)


def dwelling_days(borough: str) -> Counter[date]:
    """The dwelling-fires file's rows of a borough by day, read with csv only."""
    with gzip.open(DWELLINGS, "rt", encoding="utf-8", newline="") as fh:
        return Counter(date.fromisoformat(r["date"]) for r in csv.DictReader(fh)
                       if r["borough"] == borough)  # fmt: skip


def row_count(files: Iterable[Path]) -> int:
    """The data rows (header left out) of gzipped CSV files."""
    count = 0
    for f in files:
        with gzip.open(f, "rt", encoding="utf-8", newline="") as fh:
            count += sum(1 for _ in csv.DictReader(fh))
    return count


def police_crimes(files: Iterable[Path], months: set[str]) -> list[dict[str, str]]:
    """The rows of police.uk street files in `months` that the import keeps as crimes,
    read with csv and gzip alone: anti-social behaviour left out, each Crime ID once (its
    first row, wherever it is), and a Crime ID repeated in a month as a different crime
    (another crime type or force) left out altogether, as the import refuses those rows."""
    rows: list[dict[str, str]] = []
    kinds: dict[tuple[str, str], set[tuple[str, str]]] = {}
    for f in files:
        with gzip.open(f, "rt", encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                if row["Month"] not in months:
                    continue
                key = (row["Month"], row["Crime ID"])
                kinds.setdefault(key, set()).add((row["Crime type"], row["Reported by"]))
                rows.append(row)
    seen: set[str] = set()
    out: list[dict[str, str]] = []
    for row in rows:
        if row["Crime type"] == "Anti-social behaviour":
            continue
        if row["Crime ID"] and (
            row["Crime ID"] in seen or len(kinds[(row["Month"], row["Crime ID"])]) > 1
        ):
            continue
        seen.add(row["Crime ID"])
        out.append(row)
    return out
