"""Harm weights: the published layouts read, bad rows named, harm ranking vs volume."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from saferplaces.insight.harm import (
    HarmWeights,
    HarmWeightsError,
    OffenceMapping,
    category_weights,
    expand_codes,
    harm_view,
    illustrative_weights,
    load_cambridge_chi,
    load_offence_mapping,
    load_ons_css,
)

CSS_CSV = """\
Crime Severity Score (Experimental Statistics): offence weights
Source: Office for National Statistics

Offence code,Offence,Weight
,VICTIM BASED CRIME - VIOLENCE,
"1, 4.1/10/2",Homicide,"7,979"
8N,Assault with injury,184
105A,Assault without injury,38.7
,ACQUISITIVE CRIME,
28E,Burglary - residential,438
46,Shoplifting,13
58J,Criminal damage to a vehicle,19
"""


def _write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def _mapping() -> OffenceMapping:
    return OffenceMapping(
        "test",
        {
            "1": "violence-and-sexual-offences",
            "8N": "violence-and-sexual-offences",
            "105A": "violence-and-sexual-offences",
            "28E": "burglary",
            "46": "shoplifting",
            "58J": "criminal-damage-and-arson",
        },
    )


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("8N", ["8N"]),
        (" 8n ", ["8N"]),
        ("4.4/6/8", ["4.4", "4.6", "4.8"]),
        ("1, 4.1/10/2", ["1", "4.1", "4.10", "4.2"]),
        ("28E/28F", ["28E", "28F"]),
        ("", []),
    ],
)
def test_expand_codes(text: str, codes: list[str]) -> None:
    """Given a code cell as published, when expanded, then each code is listed once."""
    assert expand_codes(text) == codes


@pytest.mark.parametrize("text", ["Homicide", "8N 8P", "12345"])
def test_expand_codes_refuses_text(text: str) -> None:
    """Given text that is not a code, then it is refused."""
    with pytest.raises(ValueError, match="not a Home Office offence code"):
        expand_codes(text)


def test_load_ons_css_csv(tmp_path: Path) -> None:
    """Given the ONS weights sheet as CSV (title rows, section headings, 7,979),
    when loaded, then every code has its weight and the table names its source."""
    w = load_ons_css(_write(tmp_path, "css.csv", CSS_CSV), year="2016")
    assert w.offences["1"] == 7979.0
    assert w.offences["4.10"] == 7979.0
    assert w.offences["8N"] == 184.0
    assert w.offences["105A"] == 38.7
    assert w.offence_names["46"] == "Shoplifting"
    assert w.is_official and "Crime Severity Score" in w.name
    assert w.source == "Office for National Statistics" and w.year == "2016"


def test_load_ons_css_xlsx_finds_the_weights_sheet(tmp_path: Path) -> None:
    """Given a workbook whose weights are on its second sheet, when loaded, then that
    sheet is found and numeric cells (code 46 stored as 46.0) read."""
    book = openpyxl.Workbook()
    notes = book.active
    assert notes is not None
    notes.title = "Notes"
    notes.append(["About this data"])
    ws = book.create_sheet("Offence weights")
    ws.append(["Table 1: offence weights"])
    ws.append([])
    ws.append(["Offence code", "Offence", "Weight"])
    ws.append(["8N", "Assault with injury", 184.09])
    ws.append([46.0, "Shoplifting", 13])
    path = tmp_path / "css.xlsx"
    book.save(path)
    w = load_ons_css(path, year="2016")
    assert w.offences == {"8N": 184.09, "46": 13.0}


def test_load_cambridge_chi(tmp_path: Path) -> None:
    """Given a CHI sheet (HO code, offence, days), when loaded, then weights are days."""
    text = "HO Code,Offence,CHI (days)\n8N,Assault with injury,20\n46,Shoplifting,2\n"
    w = load_cambridge_chi(_write(tmp_path, "chi.csv", text), year="2023")
    assert w.offences == {"8N": 20.0, "46": 2.0}
    assert w.unit == "days of imprisonment" and "Cambridge" in w.name


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("8N,Assault,lots", "weight 'lots' is not a number ≥ 0"),
        ("8N,Assault,-3", "weight '-3' is not a number ≥ 0"),
        ("8N,Assault,", "offence 8N has no weight"),
        (",Assault,12", "weight given but no offence code"),
        ("Homicide,Homicide,12", "'Homicide' is not a Home Office offence code"),
        ("46,Shoplifting again,14", "offence 46 is already weighted 13 at line 2"),
    ],
)
def test_bad_rows_named_by_file_and_line(tmp_path: Path, row: str, reason: str) -> None:
    """Given one bad row (line 3), when loaded, then the file is refused and the problem
    names the file, line 3 and the reason."""
    path = _write(tmp_path, "bad.csv", f"Offence code,Offence,Weight\n46,Shoplifting,13\n{row}\n")
    with pytest.raises(HarmWeightsError) as exc:
        load_ons_css(path, year="2016")
    [problem] = exc.value.problems
    assert (problem.file, problem.line) == ("bad.csv", 3)
    assert reason in problem.reason


def test_bad_xlsx_row_names_sheet_and_row(tmp_path: Path) -> None:
    """Given a bad cell in a workbook, then the problem names the sheet and its row."""
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "Weights"
    ws.append(["Offence code", "Offence", "Weight"])
    ws.append(["8N", "Assault with injury", "n/a"])
    path = tmp_path / "css.xlsx"
    book.save(path)
    with pytest.raises(HarmWeightsError) as exc:
        load_ons_css(path, year="2016")
    [problem] = exc.value.problems
    assert problem.file == "css.xlsx (sheet Weights)" and problem.line == 2


@pytest.mark.parametrize(
    ("name", "text", "reason"),
    [
        ("none.csv", "Code,Name\n8N,x\n", "a header row"),
        ("empty.csv", "Offence code,Offence,Weight\n", "no offence weights below the header"),
    ],
)
def test_file_problems(tmp_path: Path, name: str, text: str, reason: str) -> None:
    """Given a file without the published header or without rows, then it is refused."""
    with pytest.raises(HarmWeightsError, match=reason):
        load_ons_css(_write(tmp_path, name, text), year="2016")


def test_not_an_xlsx(tmp_path: Path) -> None:
    """Given bytes that are not a workbook named .xlsx, then it is refused, not a crash."""
    path = tmp_path / "x.xlsx"
    path.write_bytes(b"not a zip")
    with pytest.raises(HarmWeightsError, match="not a readable XLSX"):
        load_ons_css(path, year="2016")


def test_mapping_csv_and_toml(tmp_path: Path) -> None:
    """Given the same mapping as CSV and TOML, then both read alike (combined codes
    expanded)."""
    csv_path = _write(tmp_path, "m.csv", "offence_code,category,note\n4.4/6/8,"
                      "violence-and-sexual-offences,driving\n46,shoplifting,\n")  # fmt: skip
    toml_path = _write(tmp_path, "m.toml", '[offences]\n"4.4/6/8" = '
                       '"violence-and-sexual-offences"\n"46" = "shoplifting"\n')  # fmt: skip
    a, b = load_offence_mapping(csv_path), load_offence_mapping(toml_path)
    assert a.categories == b.categories
    assert a.categories["4.6"] == "violence-and-sexual-offences"


@pytest.mark.parametrize(
    ("rows", "line", "reason"),
    [
        ("46,shops", 2, "unknown category 'shops'"),
        (",burglary", 2, "offence code is empty"),
        ("46,shoplifting\n46,burglary", 3, "offence code 46 is already mapped to shoplifting"),
    ],
)
def test_mapping_problems(tmp_path: Path, rows: str, line: int, reason: str) -> None:
    """Given a bad mapping row, then the mapping is refused naming its line."""
    path = _write(tmp_path, "m.csv", f"offence_code,category\n{rows}\n")
    with pytest.raises(HarmWeightsError) as exc:
        load_offence_mapping(path)
    [problem] = exc.value.problems
    assert problem.line == line and reason in problem.reason


def test_category_weights_mean_and_count_weighted() -> None:
    """Given three violence offences, then the category weight is their plain mean, or
    the count-weighted mean given counts; an offence without a weight is left out."""
    offences = {"1": 7979.0, "8N": 184.0, "105A": 38.0}
    mapping = OffenceMapping("m", {"1": "violence-and-sexual-offences",
                                   "8N": "violence-and-sexual-offences",
                                   "105A": "violence-and-sexual-offences",
                                   "99": "violence-and-sexual-offences"})  # fmt: skip
    plain = category_weights(offences, mapping)
    assert plain["violence-and-sexual-offences"] == pytest.approx((7979 + 184 + 38) / 3)
    counted = category_weights(offences, mapping, {"1": 0, "8N": 10, "105A": 30})
    assert counted["violence-and-sexual-offences"] == pytest.approx((1840 + 1140) / 40)
    zero = category_weights(offences, mapping, {"1": 0})
    assert zero == plain


def test_mapped_records_method_and_gaps(tmp_path: Path) -> None:
    """Given loaded weights mapped, then the method and the codes left out are recorded."""
    w = load_ons_css(_write(tmp_path, "css.csv", CSS_CSV), year="2016")
    mapped = w.mapped(_mapping())
    assert mapped.weight_for("shoplifting") == 13.0
    assert "unweighted mean" in mapped.aggregation
    assert "4.1" in mapped.unmapped_offences
    assert mapped.name == w.name and mapped.is_official


def test_harm_ranking_differs_from_volume(tmp_path: Path) -> None:
    """Given many shoplifting offences and fewer violent ones, when viewed by harm, then
    violence comes first though shoplifting has the most offences; each row carries the
    weights' name; a category with no weight comes last with no harm (not 0)."""
    weights = load_ons_css(_write(tmp_path, "css.csv", CSS_CSV), year="2016").mapped(_mapping())
    counts = {"shoplifting": 900, "violence-and-sexual-offences": 300, "burglary": 100,
              "anti-social-behaviour": 2000}  # fmt: skip
    rows = harm_view(counts, weights)
    order = ["violence-and-sexual-offences", "burglary", "shoplifting", "anti-social-behaviour"]
    assert [r.category for r in rows] == order
    assert rows[0].volume_rank == 3 and rows[0].harm_rank == 1
    shop = rows[2]
    assert shop.volume_rank == 2 and shop.harm == 900 * 13.0
    asb = rows[-1]
    assert asb.weight is None and asb.harm is None and asb.share is None and asb.harm_rank is None
    assert sum(r.share or 0 for r in rows) == pytest.approx(1.0)
    assert all(r.weights_name == "ONS Crime Severity Score offence weights" for r in rows)


def test_harm_view_ties_are_stable() -> None:
    """Given equal harms, then the higher count comes first, then the slug."""
    w = illustrative_weights({"burglary": 2.0, "robbery": 4.0, "drugs": 4.0},
                             source="test", year="2024")  # fmt: skip
    rows = harm_view({"burglary": 10, "robbery": 5, "drugs": 5}, w)
    assert [r.category for r in rows] == ["burglary", "drugs", "robbery"]


def test_harm_view_refuses_negative_counts() -> None:
    """Given a negative count, then it is refused."""
    w = illustrative_weights({"burglary": 2.0}, source="test", year="2024")
    with pytest.raises(ValueError, match="whole number ≥ 0"):
        harm_view({"burglary": -1}, w)


def test_illustrative_weights_say_so() -> None:
    """Given illustrative weights, then their name says they are not the index, they are
    not official, and weights that are not official cannot be named as if they were."""
    w = illustrative_weights({"burglary": 2.0}, source="demo", year="2024")
    assert w.name == "Harm weights (illustrative, not the ONS Crime Severity Score)"
    assert not w.is_official and "not a published index" in w.describe()
    assert harm_view({"burglary": 1}, w)[0].is_official is False
    with pytest.raises(ValueError, match="illustrative"):
        HarmWeights("ONS Crime Severity Score", "me", "2024", "", is_official=False)
    with pytest.raises(ValueError, match="unknown categories"):
        HarmWeights("x", "me", "2024", "", categories={"nope": 1.0})
    with pytest.raises(ValueError, match="≥ 0"):
        HarmWeights("x", "me", "2024", "", offences={"8N": -1.0})
