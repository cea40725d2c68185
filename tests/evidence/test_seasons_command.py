"""`saferplaces seasons`: windows of the year for any place, checked against counts made
here from the raw files with the standard library (csv, gzip, datetime)."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from saferplaces.evidence.scope import resolve_place
from saferplaces.evidence.seasons import seasons as season_answer
from saferplaces.evidence.services import import_files
from saferplaces.partnership.geography import load_geography
from saferplaces.partnership.models import Place
from tests.where import (
    TOWER_HAMLETS,
    dwelling_days,
    event_rows,
    import_west_lancashire_autumn_2013,
    needs_fire,
    row_count,
)

pytestmark = pytest.mark.django_db

HACKNEY = "E09000012"


def seasons(*args: str) -> tuple[Any, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("seasons", *args, stdout=out, stderr=err)
    text = out.getvalue()
    return (json.loads(text) if "--format" in args and "json" in args else text), err.getvalue()


@pytest.mark.shared_data
@needs_fire
def test_bonfire_period_per_year_and_night_from_the_raw_file(london_fires: Place) -> None:
    """Given the LFB festival-days and dwelling-fires files imported, When the bonfire
    period is asked for Tower Hamlets, Then every year (ten or more) is counted from the
    festival-days file alone (not added to the dwelling fires), each year's count and
    each night's equal the rows of the raw file dated 29 Oct-12 Nov, every year is
    complete with 15 days, and the notes say the motive is not recorded."""
    rows, err = seasons("--place", "Tower Hamlets", "--window", "bonfire-period",
                        "--format", "json")  # fmt: skip
    by_day = Counter(d for d, r in event_rows() if r["Borough code"] == TOWER_HAMLETS)
    assert len(rows) >= 10
    for row in rows:
        y = row["year"]
        days = [date(y, 10, 29) + timedelta(days=i) for i in range(15)]
        assert row["count"] == sum(by_day[d] for d in days)
        assert [n["count"] for n in row["nights"]] == [by_day[d] for d in days]
        assert row["days"] == 15 and row["complete"] is True
        assert row["dataset"] == "lfb/fire-event-periods" and row["motive"] == "not recorded"
        assert row["average_night"] == round(row["count"] / 15, 2)
    assert "not added in" in err and "does not record motive" in err
    assert rows[-1]["comparison"]["baseline_years"] == [r["year"] for r in rows[:-1]]
    assert all(r["comparison"] is None for r in rows[:-1])
    out = io.StringIO()
    call_command("seasons", "--place", "Tower Hamlets", "--window", "bonfire-period",
                 "--format", "csv", "--nights", stdout=out)  # fmt: skip
    nights = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert len(nights) == 15 * len(rows)
    assert all(int(n["count"]) == by_day[date.fromisoformat(n["date"])] for n in nights)
    table, _ = seasons("--place", "Tower Hamlets", "--window", "bonfire-period", "--nights")
    (line,) = [x for x in table.splitlines() if x.startswith("2024-11-05")]
    assert line.split() == ["2024-11-05", str(by_day[date(2024, 11, 5)])]


@pytest.mark.shared_data
@needs_fire
def test_diwali_table_matches_the_files_own_flag(london_fires: Place) -> None:
    """Given the festival-days file, When Diwali is counted for Hackney, Then each year
    equals the raw rows the file itself flags Diwali (so the shipped date table and the
    file agree), and an outdoor-fire category counts only outdoor rows."""
    rows, _ = seasons("--place", "Hackney", "--window", "diwali", "--format", "json")
    raw = event_rows()
    flagged = Counter(d.year for d, r in raw
                      if r["Borough code"] == HACKNEY and r["Diwali"] == "1")  # fmt: skip
    # 2009-2024: the years the table and the file both hold (a year with none is 0)
    assert {r["year"]: r["count"] for r in rows} == {y: flagged[y] for y in range(2009, 2025)}
    outdoor, _ = seasons("--place", "Hackney", "--window", "diwali", "--category",
                         "outdoor-fire", "--format", "json")  # fmt: skip
    want = Counter(d.year for d, r in raw if r["Borough code"] == HACKNEY and r["Diwali"] == "1"
                   and r["Property Category"] in ("Outdoor", "Outdoor Structure"))  # fmt: skip
    assert {r["year"]: r["count"] for r in outdoor} == {y: want[y] for y in range(2009, 2025)}


@pytest.mark.shared_data
@needs_fire
def test_a_users_window_outside_festival_days_and_an_incomplete_year(
    london_fires: Place,
) -> None:
    """Given the dwelling-fires file ends on 31 August 2024, When a user window
    08-25..09-05 is asked, Then it is counted from the dwelling fires (the festival-days
    file holds none of those days), each year equals the raw rows, 2024 is incomplete
    (7 of 12 days) and comparing 2024 is refused, while 2023 gets a verdict."""
    rows, _ = seasons("--place", "Tower Hamlets", "--window", "08-25..09-05",
                      "--year", "2024", "--format", "json")  # fmt: skip
    raw = dwelling_days(TOWER_HAMLETS)
    for row in rows:
        days = [date(row["year"], 8, 25) + timedelta(days=i) for i in range(12)]
        held = [d for d in days if d <= date(2024, 8, 31)]
        assert row["count"] == sum(raw[d] for d in held)
        assert row["dataset"] == "lfb/dwelling-fires"
    last = rows[-1]
    assert last["year"] == 2024 and last["days"] == 7 and last["complete"] is False
    assert last["comparison"]["verdict"] is None
    assert "incomplete" in last["comparison"]["reason"]
    compared, _ = seasons("--place", "Tower Hamlets", "--window", "08-25..09-05",
                          "--year", "2023", "--format", "json")  # fmt: skip
    verdict = next(r for r in compared if r["year"] == 2023)["comparison"]["verdict"]
    assert verdict is not None


@pytest.mark.shared_data
@needs_fire
def test_a_force_area_answers_and_the_table_names_its_source(london_fires: Place) -> None:
    """Given London's fires, When Christmas is asked for the Metropolitan Police force
    area (32 boroughs) as a table and as CSV, Then its 2015 count is the raw rows of
    24-26 December 2015 in those boroughs (not the City of London, its own force) and
    the table ends with the source."""
    text, _ = seasons("--place", "E23000001", "--window", "christmas")
    assert "Source: London Fire Brigade incident records" in text
    out = io.StringIO()
    call_command("seasons", "--place", "E23000001", "--window", "christmas", "--format", "csv",
                 stdout=out, stderr=io.StringIO())  # fmt: skip
    by_year = {int(r["year"]): r for r in csv.DictReader(io.StringIO(out.getvalue()))}
    met = {f"E090000{n:02d}" for n in range(2, 34)}
    want = sum(
        1
        for d, r in event_rows()
        if date(2015, 12, 24) <= d <= date(2015, 12, 26) and r["Borough code"] in met
    )
    assert int(by_year[2015]["count"]) == want and by_year[2015]["complete"] == "True"


@pytest.mark.shared_data
@needs_fire
def test_deliberate_fires_from_london_say_motive_not_recorded(london_fires: Place) -> None:
    """Given only LFB files (no motive field), When deliberate fires are asked, Then the
    command refuses and says the motive is not recorded."""
    with pytest.raises(CommandError, match="does not record motive"):
        seasons("--place", "Tower Hamlets", "--window", "bonfire-night", "--category",
                "deliberate")  # fmt: skip


def test_deliberate_fires_counted_where_the_export_records_motive(tmp_path: Path) -> None:
    """Given a fire service export with a motive column (deliberate or accidental), When
    deliberate fires on Bonfire Night are asked, Then only the deliberate rows are counted,
    per year, as counted here from the file."""
    load_geography(force_areas=["E23000001"])
    mapping = tmp_path / "motive.toml"
    mapping.write_text(
        'source = "fra"\ndataset = "incidents"\n[columns]\ndate = "date"\n'
        'category = "motive"\ndistrict = "district"\n[categories]\n'
        '"Deliberate" = "deliberate-secondary-fire"\n"Accidental" = "accidental-dwelling-fire"\n',
        "utf-8",
    )
    lines = ["date,motive,district"]
    for year in range(2012, 2024):
        for day in range(1, 11):
            motive = "Deliberate" if (year + day) % 3 else "Accidental"
            lines.append(f"{year}-11-{day:02d},{motive},{TOWER_HAMLETS}")
    data = tmp_path / "fires.csv"
    data.write_text("\n".join(lines) + "\n", "utf-8")
    import_files("incidents", [data], mapping=mapping)
    rows, err = seasons("--place", "Tower Hamlets", "--window", "bonfire-night",
                        "--category", "deliberate", "--format", "json")  # fmt: skip
    with data.open(newline="", encoding="utf-8") as fh:
        want = Counter(r["date"][:4] for r in csv.DictReader(fh)
                       if r["motive"] == "Deliberate" and r["date"][5:] == "11-05")  # fmt: skip
    assert {str(r["year"]): r["count"] for r in rows} == {
        str(y): want[str(y)] for y in range(2012, 2024)
    }
    assert 0 < sum(want.values()) < 12
    assert all(r["motive"] is None for r in rows) and "motive" not in err


def test_month_level_data_answers_month_windows_only() -> None:
    """Given police.uk months for West Lancashire (month-level), When the bonfire period
    is asked, Then the command refuses and says police.uk records only the month; When
    October-November is asked, Then 2013 counts the raw rows of both months."""
    files = import_west_lancashire_autumn_2013()
    with pytest.raises(CommandError, match="records only the month"):
        seasons("--place", "West Lancashire", "--window", "bonfire-period")
    rows, err = seasons("--place", "West Lancashire", "--window", "october-november",
                        "--format", "json")  # fmt: skip
    want = row_count(files)
    (row,) = [r for r in rows if r["year"] == 2013]
    assert row["count"] == want and row["resolution"] == "month" and row["nights"] == []
    assert "records only the month" in err


def test_freshers_week_is_a_setting_per_place(settings: Any, tmp_path: Path) -> None:
    """Given no Freshers' week set, When it is asked, Then the command says which setting
    to make; Given one set for Tower Hamlets, Then its days are counted."""
    load_geography(force_areas=["E23000001"])
    mapping = tmp_path / "m.toml"
    mapping.write_text('source = "force"\ndataset = "log"\n[columns]\ndate = "d"\n'
                       'district = "x"\n[categories]\ndefault = "anti-social-behaviour"\n',
                       "utf-8")  # fmt: skip
    start = date(2020, 9, 1)
    lines = ["d,x"] + [f"{start + timedelta(days=i)},{TOWER_HAMLETS}" for i in range(60)]
    data = tmp_path / "log.csv"
    data.write_text("\n".join(lines) + "\n", "utf-8")
    import_files("incidents", [data], mapping=mapping)
    with pytest.raises(CommandError, match="SAFERPLACES_FRESHERS_WEEKS=tower-hamlets"):
        seasons("--place", "Tower Hamlets", "--window", "freshers-week")
    settings.SEASONS_FRESHERS_WEEKS = ["tower-hamlets=09-20:7"]
    rows, _ = seasons("--place", "Tower Hamlets", "--window", "freshers-week", "--format",
                      "json")  # fmt: skip
    assert [(r["year"], r["count"], r["days"], r["complete"]) for r in rows] == [(2020, 7, 7, True)]
    assert rows[0]["comparison"]["reason"].startswith("fewer than 2 complete years")


def test_own_windows_and_settings_that_cannot_be_read(settings: Any, tmp_path: Path) -> None:
    """Given a partnership's own window in SAFERPLACES_SEASON_WINDOWS, When it is asked
    by name, Then its days are counted; Given a Diwali date that is not YEAR=MM-DD, Then
    the command refuses and names the variable."""
    load_geography(force_areas=["E23000001"])
    mapping = tmp_path / "m.toml"
    mapping.write_text(
        'source = "force"\ndataset = "log"\n[columns]\ndate = "d"\ndistrict = "x"\n'
        '[categories]\ndefault = "anti-social-behaviour"\n',
        "utf-8",
    )
    lines = ["d,x"]
    for year in (2019, 2020, 2021):
        lines += [f"{date(year, 10, 20) + timedelta(days=i)},{TOWER_HAMLETS}" for i in range(12)]
    lines += [f"{date(2021, 10, 24)},{TOWER_HAMLETS}"] * 20  # a busy night in 2021
    data = tmp_path / "log.csv"
    data.write_text("\n".join(lines) + "\n", "utf-8")
    import_files("incidents", [data], mapping=mapping)
    settings.SEASONS_WINDOWS = ["half-term=10-24..10-28"]
    rows, _ = seasons("--place", "Tower Hamlets", "--window", "half-term", "--format", "json")
    assert [(r["year"], r["count"], r["complete"]) for r in rows] == [
        (2019, 5, True),
        (2020, 5, True),
        (2021, 25, True),
    ]
    assert rows[-1]["comparison"]["verdict"] == "significant increase"
    chart = season_answer(resolve_place("Tower Hamlets"), "half-term").chart()
    assert [(y["year"], y["count"], y["complete"]) for y in chart["years"]] == [
        (r["year"], r["count"], r["complete"]) for r in rows
    ]
    assert [n["count"] for n in chart["nights"]] == [21, 1, 1, 1, 1]
    assert chart["source"].startswith("Source: ") and chart["comparison"]["significant"]
    settings.SEASONS_DIWALI_DATES = ["2025=October"]
    with pytest.raises(CommandError, match="SAFERPLACES_DIWALI_DATES"):
        seasons("--place", "Tower Hamlets", "--window", "diwali")
