"""The demo partnership: real Lancashire geography, West Lancashire CSP, idempotent."""

from __future__ import annotations

import csv
import datetime
import io
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.utils import timezone

from saferplaces.partnership.demo.loader import DEMO_PASSWORD, PEOPLE
from saferplaces.partnership.models import (
    Action,
    Escalation,
    Group,
    Person,
    Place,
)
from saferplaces.partnership.models.places import PlaceKind
from tests.conftest import SHARED_DATA

pytestmark = pytest.mark.usefixtures("fast_passwords")


def _counts() -> dict[str, int]:
    return {
        m._meta.label: m._default_manager.count()
        for m in apps.get_app_config("partnership").get_models()
    }


@pytest.fixture
def demo(db: None, fast_passwords: None) -> str:
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def west_lancashire_2014_population() -> int:
    """Derived here, independently of the build script, from the shared CSVs if present."""
    lookup = SHARED_DATA / "lookups" / "lsoa11_to_lad21.csv"
    population = SHARED_DATA / "population" / "lancashire_lsoa11_population_2014_2020.csv"
    if lookup.exists() and population.exists():
        with lookup.open(encoding="utf-8-sig") as f:
            wl = {r["lsoa11_code"] for r in csv.DictReader(f) if r["ltla21_code"] == "E07000127"}
        with population.open(encoding="utf-8-sig") as f:
            return sum(
                int(r["Population"])
                for r in csv.DictReader(f)
                if r["Year"] == "2014" and r["LSOA Code"] in wl
            )
    return 111_845  # the shared data is absent: the figure it gave when this was written


def test_loading_twice_changes_nothing(demo: str) -> None:
    """Given the demo is loaded, when it is loaded again, then every table has the same rows
    (the activity log included: nothing changed, so nothing is recorded)."""
    first = _counts()
    call_command("load_demo", stdout=io.StringIO())
    assert _counts() == first
    assert first["partnership.Group"] >= 16


def test_lancashire_has_three_areas_and_fourteen_districts(demo: str) -> None:
    """Given the demo, Lancashire's police force area holds the pan-Lancashire structure:
    three areas covering its 14 districts; the county council's county holds 12 (the
    unitaries Blackburn with Darwen and Blackpool are not in it)."""
    county = Place.objects.get(kind=PlaceKind.COUNTY)
    assert (county.name, county.county_code, county.members.count()) == (
        "Lancashire", "E10000017", 12)  # fmt: skip
    force = Place.objects.get(kind=PlaceKind.FORCE)
    assert (force.pfa_code, force.members.count()) == ("E23000003", 14)
    areas = Place.objects.filter(kind=PlaceKind.AREA, parent=force)
    assert areas.count() == 3
    assert sum(a.members.count() for a in areas) == 14
    districts = Place.objects.filter(kind=PlaceKind.DISTRICT)
    assert districts.count() == 14
    assert set(districts.values_list("parent__name", flat=True)) == set(
        areas.values_list("name", flat=True)
    )
    south = Place.objects.get(slug="south-lancashire")
    assert set(south.children.values_list("name", flat=True)) == {
        "Chorley",
        "Preston",
        "South Ribble",
        "West Lancashire",
    }
    assert all(d.csp_code.startswith("E22") for d in districts)


def test_west_lancashire_codes_and_population(demo: str) -> None:
    wl = Place.objects.by_name_or_code("E07000127")
    assert (wl.name, wl.lad_code, wl.csp_code, wl.pfa_code, wl.fra_code) == (
        "West Lancashire",
        "E07000127",
        "E22000162",
        "E23000003",
        "E31000023",
    )
    expected = west_lancashire_2014_population()
    assert expected == 111_845
    assert wl.populations.get(year=2014).population == expected
    assert wl.children.filter(kind=PlaceKind.LSOA).count() == 73
    assert Place.objects.by_name_or_code("west lancashire") == wl


def test_west_lancashire_csp_structure(demo: str) -> None:
    lpg = Group.objects.get(name="Local Priorities Group")
    assert [g.name for g in lpg.escalation_line()] == [
        "West Lancashire CSP Executive Group",
        "South Area Community Safety Steering Group",
        "Lancashire Community Safety Strategy Group",
    ]
    assert lpg.cadence == "Monthly"
    wl_groups = set(
        Group.objects.filter(place__slug="west-lancashire").values_list("name", flat=True)
    )
    for name in [
        "Divert Group",
        "Bright Sparx",
        "Freshers' Week",
        "Community Action and Engagement",
        "Revolution Management Group",
        "Revolution Operational Group",
        "MALT",
        "Nemesis Group",
        "Integrated Working Panel",
        "ASBRAC",
    ]:
        assert name in wl_groups
    for child in Group.objects.filter(kind="task_time"):
        assert child.parent == lpg
    executive = Group.objects.get(slug="west-lancashire-csp-executive-group")
    assert executive.statutory
    responsible = {
        m.organisation.name
        for m in executive.memberships.all()
        if m.organisation.is_responsible_authority
    }
    assert responsible == {
        "West Lancashire Borough Council",
        "Lancashire County Council",
        "Lancashire Constabulary",
        "Lancashire Fire and Rescue Service",
        "NHS West Lancashire CCG",
        "Lancashire Probation / CRC",
    }


def test_operational_data_has_an_overdue_action_and_an_open_escalation(demo: str) -> None:
    today = timezone.localdate()
    assert Action.objects.overdue(today).count() == 1
    assert Escalation.objects.filter(status="open").count() == 1
    lpg = Group.objects.get(slug="west-lancashire-lpg")
    assert lpg.meetings.count() >= 3
    assert lpg.meetings.upcoming(today).exists()
    assert lpg.meetings.filter(decisions__isnull=False).exists()


def test_demo_accounts_and_output(demo: str) -> None:
    roles = Counter(Person.objects.values_list("role", flat=True))
    for role in ["cso", "analyst", "panel", "board", "county"]:
        assert roles[role] >= 1
    officer = Person.objects.get(user__username="officer")
    assert officer.user.check_password(DEMO_PASSWORD)
    assert officer.memberships.filter(group__slug="west-lancashire-lpg").exists()
    admin = Person.objects.get(user__username="admin").user
    assert admin.is_staff and admin.is_superuser
    assert "http://127.0.0.1:8000/sign-in/" in demo and DEMO_PASSWORD in demo
    for person in PEOPLE:
        assert f"`{person.username}`" in demo


def test_relative_dates_survive_a_later_reload(demo: str) -> None:
    """Loading again on a later day adds no new meetings or actions."""
    from saferplaces.partnership.demo.loader import load_demo

    before = _counts()
    load_demo(today=timezone.localdate() + datetime.timedelta(days=40))
    assert _counts() == before


def test_groups_that_handle_people_are_restricted(demo: str) -> None:
    """The panels that handle people are restricted in the demo; MALT, the LPG, the task
    and time groups and the executive are open to every signed-in partner."""
    restricted = set(Group.objects.filter(restricted=True).values_list("slug", flat=True))
    assert restricted == {
        "west-lancashire-revolution-management",
        "west-lancashire-revolution-operational",
        "west-lancashire-divert",
        "west-lancashire-integrated-working-panel",
        "west-lancashire-nemesis",
        "west-lancashire-asbrac",
        # added by the casework demo: the MARAC and the two review panels
        "west-lancashire-marac",
        "west-lancashire-asb-case-review-panel",
        "west-lancashire-dhr-panel",
    }


def test_nemesis_escalation_is_for_its_members_and_the_lpg(demo: str) -> None:
    """Given Nemesis (organised crime, restricted) escalated to the LPG, Then Jamie (county,
    on neither group) cannot open Nemesis and does not see its escalation on the LPG's page;
    Riley (fire, on the LPG: the addressee) sees it; Nemesis's page is 404 to Riley."""
    from django.test import Client

    nemesis = Escalation.objects.get(from_group__slug="west-lancashire-nemesis")
    county, fire = Client(), Client()
    county.force_login(Person.objects.get(user__username="county").user)
    fire.force_login(Person.objects.get(user__username="fire").user)
    assert county.get("/groups/west-lancashire-nemesis/").status_code == 404
    assert nemesis.title not in county.get("/groups/west-lancashire-lpg/").content.decode()
    assert nemesis.title in fire.get("/groups/west-lancashire-lpg/").content.decode()
    assert fire.get("/groups/west-lancashire-nemesis/").status_code == 404
    assert nemesis.responses.get().text.startswith("LPG agreed a joint tasking meeting")


def test_the_minutes_quote_the_figure_the_product_computes(demo: str) -> None:
    """Given the demo and its sample police.uk months, When West Lancashire's 2014/15 is
    computed, Then the LPG minutes quote its fall in All crime and ASB, and say where the
    briefing's different 7.5% came from."""
    from saferplaces.evidence.figures import summary
    from saferplaces.evidence.scope import resolve_place
    from saferplaces.evidence.services import import_files
    from saferplaces.insight.periods import parse_period
    from tests.places import SAMPLES

    import_files("police-uk", sorted(SAMPLES.glob("*.csv.gz")))
    results = {r.indicator: r for r in summary(resolve_place("West Lancashire"),
                                               parse_period("2014/15"))}  # fmt: skip
    crime, asb = results["all-crime"], results["anti-social-behaviour"]
    assert crime.pct_change is not None and asb.pct_change is not None and crime.change
    minutes = " ".join(
        Group.objects.get(slug="west-lancashire-lpg")
        .meetings.values_list("agenda_items__minutes", flat=True)
        .exclude(agenda_items__minutes=None)
    )
    assert f"All crime is down {abs(crime.pct_change):.1f}%" in minutes
    assert f"({abs(crime.change):,} fewer crimes)" in minutes
    assert f"ASB down {abs(asb.pct_change):.1f}%" in minutes
    assert "force's recorded-crime figures" in minutes


def test_load_demo_on_an_unmigrated_data_directory_migrates_it(tmp_path: Path) -> None:
    """Given a new, empty data directory (no database tables yet), When `saferplaces
    load_demo` runs there, Then it says it migrates first and loads the demo (it used to
    end in a traceback about missing tables)."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SECRET_KEY"}}
    result = subprocess.run(
        [str(Path(sys.executable).with_name("saferplaces")), "load_demo"],
        env=env | {"SAFERPLACES_DATA_DIR": str(tmp_path)},
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "not migrated yet: migrating it first" in result.stdout
    assert "Traceback" not in result.stderr
    assert (tmp_path / "saferplaces.sqlite3").is_file()
