"""Coverage, decided in one place: which districts each source covers in each month."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

from saferplaces.insight.compare import summarise
from saferplaces.insight.coverage import district_coverage, held, months_missing
from saferplaces.insight.imports import import_police_uk
from saferplaces.insight.indicators import indicator_by_slug
from saferplaces.insight.periods import parse_period
from saferplaces.insight.store import IncidentStore
from tests.insight.conftest import HEADER, WEST_LANCS, row, write_csv

WIGAN, BURNLEY = "E08000010", "E07000117"
WIGAN_LSOA, BURNLEY_LSOA = "E01006212", "E01024855"


def btp_row(month: str, lsoa: str) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="").writerow(
        ["", month, "British Transport Police", "British Transport Police", "-2.88", "53.56",
         "On or near Station", lsoa, "Somewhere 001A", "Public order", "", ""]
    )  # fmt: skip
    return buf.getvalue()


def test_a_force_covers_its_own_districts_only(tmp_path: Path) -> None:
    """Given a Lancashire Constabulary file for March 2021 with crimes in West Lancashire,
    Burnley and a handful over the border in Wigan, when coverage is read, then West
    Lancashire and Burnley are covered in March 2021 and Wigan (Greater Manchester's) is
    not, so its stray rows never make a Wigan figure."""
    store = IncidentStore(tmp_path / "store")
    rows = [row(f"a{i:063x}", "2021-03") for i in range(5)]
    rows += [row(f"b{i:063x}", "2021-03", lsoa=BURNLEY_LSOA) for i in range(3)]
    rows += [row(f"c{i:063x}", "2021-03", lsoa=WIGAN_LSOA) for i in range(2)]
    import_police_uk(store, [write_csv(tmp_path / "2021-03-lancashire-street.csv", rows)])
    cov = district_coverage(store)
    march = date(2021, 3, 1)
    assert cov.months(["police_uk"], WEST_LANCS) == {march}
    assert cov.months(["police_uk"], BURNLEY) == {march}
    assert cov.months(["police_uk"], WIGAN) == set()
    all_crime = [indicator_by_slug("all-crime")]
    (wigan,) = summarise(store, districts=[WIGAN], place="Wigan",
                         period=parse_period("2021-03"), indicators=all_crime)  # fmt: skip
    assert wigan.count is None


def test_an_extract_covers_the_districts_it_holds(tmp_path: Path) -> None:
    """Given a West Lancashire extract of a force file, Burnley (same force, no rows) is
    not covered: an extract of one district is never its force or county."""
    store = IncidentStore(tmp_path / "store")
    import_police_uk(store, [write_csv(tmp_path / "2021-03-lancashire-street.csv",
                                       [row(f"a{i:063x}") for i in range(4)])])  # fmt: skip
    cov = district_coverage(store)
    assert cov.months(["police_uk"], WEST_LANCS) and not cov.months(["police_uk"], BURNLEY)
    gaps = months_missing(cov, ["police_uk"], [WEST_LANCS, BURNLEY],
                          [date(2021, 3, 1), date(2021, 4, 1)])  # fmt: skip
    assert gaps == {date(2021, 3, 1): [BURNLEY], date(2021, 4, 1): [WEST_LANCS, BURNLEY]}


def test_british_transport_police_alone_covers_no_district(tmp_path: Path) -> None:
    """Given only British Transport Police rows, no district is covered (BTP is no
    territorial force), so their rows make no district's figure on their own."""
    store = IncidentStore(tmp_path / "store")
    path = tmp_path / "2021-03-btp-street.csv"
    path.write_text(HEADER + "\n" + btp_row("2021-03", "E01025474") + "\n", encoding="utf-8")
    import_police_uk(store, [path])
    assert district_coverage(store).months(["police_uk"], WEST_LANCS) == set()


def test_held_lists_months_missing_between_first_and_last() -> None:
    parts = [("police_uk", "lancashire", m, 10) for m in ("2021-01", "2021-02", "2021-05")]
    (h,) = held(parts)
    assert (h.first, h.last, h.rows, h.missing) == ("2021-01", "2021-05", 30,
                                                    ["2021-03", "2021-04"])  # fmt: skip
