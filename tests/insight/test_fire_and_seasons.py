"""Mapped incident CSVs (London Fire Brigade), day windows and quality checks."""

from __future__ import annotations

import csv
import gzip
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from saferplaces.insight import quality, seasons
from saferplaces.insight.coverage import district_coverage, months_missing
from saferplaces.insight.imports import import_incidents, import_police_uk, shipped_mapping
from saferplaces.insight.indicators import Indicator
from saferplaces.insight.problems import ImportRejected
from saferplaces.insight.sources.incidents_csv import MappingError, load_mapping
from saferplaces.insight.store import IncidentStore
from tests.insight.conftest import SHARED, WEST_LANCS, sample_files

FIRE = SHARED / "fire"
needs_fire = pytest.mark.skipif(not FIRE.is_dir(), reason=f"{FIRE} is absent")
ALL_FIRES = Indicator("fires", "All fires", "fires", {"sources": ["lfb"]})
ASB = Indicator("asb", "ASB", "incidents", {"categories": ["anti-social-behaviour"]})


@pytest.fixture(scope="module")
def fire_store(tmp_path_factory: pytest.TempPathFactory) -> IncidentStore:
    if not FIRE.is_dir():
        pytest.skip(f"{FIRE} is absent")
    store = IncidentStore(tmp_path_factory.mktemp("fire") / "store")
    import_incidents(
        store,
        shipped_mapping("lfb_fire_event_periods"),
        FIRE / "lfb_fire_incidents_event_periods_2009_2024.csv.gz",
    )
    import_incidents(store, shipped_mapping("lfb_dwelling_fires"),
                     FIRE / "lfb_dwelling_fires_2009_2024.csv.gz")  # fmt: skip
    return store


def read_events() -> list[dict[str, str]]:
    path = FIRE / "lfb_fire_incidents_event_periods_2009_2024.csv.gz"
    with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.shared_data
@needs_fire
def test_event_file_counts_and_mischief_night(fire_store: IncidentStore) -> None:
    """Given the LFB festival-days file, when Mischief Night is counted per year, then
    each count equals the rows dated 4 November (counted with the csv module)."""
    rows = read_events()
    by_day = Counter((int(r["Year"]), r["Month"], int(r["Day"])) for r in rows)
    res = seasons.window_counts(
        fire_store, seasons.MISCHIEF_NIGHT, years=[2012, 2015, 2020],
        indicator=Indicator("ev", "Event fires", spec={"sources": ["lfb"],
                                                       "categories": ["dwelling-fire",
                                                       "outdoor-fire", "vehicle-fire",
                                                       "other-fire"]}),
    )  # fmt: skip
    t = fire_store.table()
    # dwelling file also has fires on 4 Nov; count only the event-period dataset here
    ev = t.filter(t.dataset == "fire-event-periods")
    assert ev.count().to_pyarrow().as_py() == len(rows)
    for r in res:
        assert r.resolution_ok
        assert r.count is not None and r.count >= by_day[(r.year, "November", 4)]
    flags = Counter(f for r in rows for f, c in [("halloween", "Halloween")] if r[c] == "1")
    hal = ev.filter(ev.flags.contains("halloween")).count().to_pyarrow().as_py()
    assert hal == flags["halloween"]


@pytest.mark.shared_data
@needs_fire
def test_dwelling_fires_projected_to_london(fire_store: IncidentStore) -> None:
    t = fire_store.table()
    d = t.filter(t.dataset == "dwelling-fires")
    stats = (
        d.aggregate(
            n=d.count(),
            lat_min=d.lat.min(),
            lat_max=d.lat.max(),
            lon_min=d.lon.min(),
            lon_max=d.lon.max(),
        )
        .to_pyarrow()
        .to_pylist()[0]
    )
    assert stats["n"] == 90_146
    assert 51.2 < stats["lat_min"] < stats["lat_max"] < 51.8
    assert -0.6 < stats["lon_min"] < stats["lon_max"] < 0.4


def test_day_window_over_month_level_data_says_so(tmp_path: Path) -> None:
    store = IncidentStore(tmp_path / "s")
    import_police_uk(store, sample_files(["2014-10", "2014-11"]))
    (r,) = seasons.window_counts(store, seasons.BONFIRE_PERIOD, years=[2014], indicator=ASB)
    assert r.count is None and not r.resolution_ok and "month-level" in (r.reason or "")
    (m,) = seasons.window_counts(store, seasons.BONFIRE_MONTHS, years=[2014], indicator=ASB)
    assert m.resolution_ok and m.count is not None and m.count > 500


def test_quality_missing_months_and_out_of_area(tmp_path: Path) -> None:
    store = IncidentStore(tmp_path / "s")
    import_police_uk(store, sample_files(["2014-01", "2014-03"]))
    months = [date(2014, m, 1) for m in range(1, 5)]
    missing = months_missing(district_coverage(store), ["police_uk"], [WEST_LANCS], months)
    assert missing == {date(2014, 2, 1): [WEST_LANCS], date(2014, 4, 1): [WEST_LANCS]}
    rows = quality.quality_by_month(store, start=date(2014, 1, 1), end=date(2014, 3, 1),
                                    area_districts=[WEST_LANCS])  # fmt: skip
    assert [q.month for q in rows] == ["2014-01", "2014-03"]
    assert all(q.outside_area == 0 and q.no_lsoa == 0 for q in rows)
    other = quality.quality_by_month(store, start=date(2014, 1, 1), end=date(2014, 3, 1),
                                     area_districts=["E07000123"])  # fmt: skip
    assert all(q.outside_area == q.rows for q in other)


def test_mapping_errors_and_bad_dates(tmp_path: Path) -> None:
    bad_map = tmp_path / "m.toml"
    bad_map.write_text('source = "x"\ndataset = "y"\n[columns]\ncategory = "c"\n', "utf-8")
    with pytest.raises(MappingError):
        load_mapping(bad_map)
    mapping = tmp_path / "ok.toml"
    mapping.write_text(
        'source = "lfb"\ndataset = "t"\n[columns]\ndate = "d"\ndate_format = "%d/%m/%Y"\n'
        'category = "c"\n[categories]\n"Bin" = "deliberate-secondary-fire"\n',
        "utf-8",
    )
    data = tmp_path / "t.csv"
    data.write_text("d,c\n05/11/2020,Bin\n31/02/2020,Bin\n06/11/2020,Car\n", "utf-8")
    store = IncidentStore(tmp_path / "s")
    with pytest.raises(ImportRejected) as info:
        import_incidents(store, mapping, data)
    assert [(p.line, p.reason.split(" ")[0]) for p in info.value.problems] == [
        (3, "date"),
        (4, "category"),
    ]
    assert store.listing() == [] or store.version == 0
    report = import_incidents(store, mapping, data, skip_bad_rows=True)
    assert report.rows_accepted == 1 and report.rows_rejected == 2
    (r,) = seasons.window_counts(store, seasons.BONFIRE_PERIOD, years=[2020],
                                 indicator=Indicator("d", "D", spec={"categories": [
                                     "deliberate-secondary-fire"]}))  # fmt: skip
    assert r.resolution_ok and r.count == 1
