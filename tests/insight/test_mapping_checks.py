"""Mapping files and mapped CSVs (issue 10): a message saying what to fix, never a
traceback, never a write outside the store or over another source's months."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from saferplaces.insight.imports import import_incidents, import_police_uk, shipped_mapping
from saferplaces.insight.problems import ImportRejected
from saferplaces.insight.sources.incidents_csv import MappingError, load_mapping
from saferplaces.insight.store import IncidentStore
from tests.insight.conftest import sample_files

GOOD = """source = "lfb"
dataset = "test-fires"

[columns]
date = "d"
category = "c"

[categories]
"Bin" = "deliberate-secondary-fire"
default = "other-fire"

[flags]
hmo = { column = "h", values = ["HMO"] }
"""
DATA = "d,c,h\n2020-11-05,Bin,HMO\n2020-11-06,Car,\n"


def mapping_file(tmp_path: Path, text: str, name: str = "m.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def data_file(tmp_path: Path, text: str = DATA, name: str = "fires.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def refused_mapping(tmp_path: Path, text: str, *fragments: str) -> str:
    """The mapping is refused by load_mapping and by import_incidents, which leaves the
    store unchanged and writes nothing anywhere."""
    path = mapping_file(tmp_path, text)
    with pytest.raises(MappingError) as info:
        load_mapping(path)
    message = str(info.value)
    assert str(path) in message
    for fragment in fragments:
        assert fragment in message, message
    store = IncidentStore(tmp_path / "store")
    data = data_file(tmp_path)
    before = store.listing()
    outside = sorted(p for p in tmp_path.rglob("*") if "store" not in p.parts)
    with pytest.raises(MappingError):
        import_incidents(store, path, data)
    assert store.listing() == before
    assert sorted(p for p in tmp_path.rglob("*") if "store" not in p.parts) == outside
    return message


def test_the_example_mapping_and_the_shipped_ones_load(tmp_path: Path) -> None:
    m = load_mapping(mapping_file(tmp_path, GOOD))
    assert (m.source, m.dataset, m.flags[0].values) == ("lfb", "test-fires", ("HMO",))
    for name in ("lfb_dwelling_fires", "lfb_fire_event_periods"):
        assert load_mapping(shipped_mapping(name)).source == "lfb"


@pytest.mark.parametrize(
    ("old", "new", "fragments"),
    [
        (
            'hmo = { column = "h", values = ["HMO"] }',
            'hmo = { values = ["HMO"] }',
            ['flags.hmo has no column: add column = "..."'],
        ),
        (
            'values = ["HMO"]',
            'values = "HMO"',
            ['flags.hmo.values = "HMO" is one string: write a list, values = ["HMO"]'],
        ),
        ('values = ["HMO"]', "values = [1]", ["flags.hmo.values = [1]", 'values = ["1"]']),
        (
            '[columns]\ndate = "d"\ncategory = "c"\n',
            "columns = 3\n",
            ["columns = 3 is not a table: write a [columns] section"],
        ),
        (
            'dataset = "test-fires"',
            'dataset = "test-fires"\nsorce = "lfb"',
            ["unknown key 'sorce'"],
        ),
        ('date = "d"', 'dat = "d"', ["unknown key columns.dat", "map the date"]),
        ('values = ["HMO"]', 'values = ["HMO"], value = "x"', ["unknown key flags.hmo.value"]),
        (
            '"Bin" = "deliberate-secondary-fire"',
            '"Bin" = "bin-fire"',
            ['categories."Bin" = "bin-fire" is not a category slug', "deliberate-secondary-fire"],
        ),
        ('category = "c"', 'category = ""', ['columns.category = "": give the name of a column']),
        (
            'dataset = "test-fires"',
            'dataset = "test-fires"\ndelimiter = ";;"',
            ['delimiter = ";;" is not one character'],
        ),
    ],
)
def test_malformed_mapping_says_what_to_fix(
    tmp_path: Path, old: str, new: str, fragments: list[str]
) -> None:
    assert old in GOOD
    refused_mapping(tmp_path, GOOD.replace(old, new, 1), *fragments)


def test_every_problem_is_listed_at_once(tmp_path: Path) -> None:
    text = GOOD.replace('values = ["HMO"]', 'values = "HMO"').replace('"lfb"', '"LFB"')
    message = refused_mapping(tmp_path, text, "has 2 problems:")
    assert 'source = "LFB" is not allowed' in message and "is one string" in message


def test_toml_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    text = GOOD.replace('category = "c"', "category = c")
    message = refused_mapping(tmp_path, text, ", line 6: not valid TOML", "(column 12)")
    assert "Traceback" not in message


def test_folder_missing_file_and_non_utf8_as_mapping(tmp_path: Path) -> None:
    with pytest.raises(MappingError, match="is a folder: give the mapping file itself"):
        import_incidents(IncidentStore(tmp_path / "store"), tmp_path, data_file(tmp_path))
    with pytest.raises(MappingError, match="no such mapping file"):
        load_mapping(tmp_path / "nope.toml")
    latin = tmp_path / "latin.toml"
    latin.write_bytes(GOOD.replace("lfb", "lfb").encode() + "# café\n".encode("latin-1"))
    with pytest.raises(MappingError, match="not UTF-8 text"):
        load_mapping(latin)


@pytest.mark.parametrize(
    ("key", "value", "fragment"),
    [
        ("source", "../../x", 'source = "../../x" is not allowed'),
        ("source", "a/b", 'source = "a/b" is not allowed'),
        ("dataset", "fires/2020", 'dataset = "fires/2020" is not allowed'),
        ("dataset", "..", 'dataset = ".." is not allowed'),
        ("dataset", "Fires", 'dataset = "Fires" is not allowed'),
        ("source", "police_uk", 'source = "police_uk" is reserved for police.uk street files'),
    ],
)
def test_source_and_dataset_names_are_refused(
    tmp_path: Path, key: str, value: str, fragment: str
) -> None:
    """Given source "../../x" (which wrote outside the store) or a dataset with "/"
    (which left every dashboard unreadable), the mapping is refused."""
    default = "lfb" if key == "source" else "test-fires"
    text = GOOD.replace(f'{key} = "{default}"', f'{key} = "{value}"')
    refused_mapping(tmp_path, text, fragment)


def test_a_mapping_cannot_replace_police_uk_months(tmp_path: Path) -> None:
    """Given a police.uk month imported, a mapping that says source = "police_uk" is
    refused, and the month keeps its crimes."""
    store = IncidentStore(tmp_path / "store")
    import_police_uk(store, sample_files(["2014-01"]))
    before = (store.fingerprint, store.listing())
    text = GOOD.replace('source = "lfb"', 'source = "police_uk"').replace(
        'dataset = "test-fires"', 'dataset = "lancashire"'
    )
    with pytest.raises(MappingError, match="reserved"):
        import_incidents(store, mapping_file(tmp_path, text),
                         data_file(tmp_path, "d,c,h\n2014-01-05,Bin,\n"))  # fmt: skip
    assert (store.fingerprint, store.listing()) == before


def test_a_column_the_mapping_names_is_missing_from_the_header(tmp_path: Path) -> None:
    store = IncidentStore(tmp_path / "store")
    data = data_file(tmp_path, "d,category,h\n2020-11-05,Bin,HMO\n")
    with pytest.raises(ImportRejected) as info:
        import_incidents(store, mapping_file(tmp_path, GOOD), data)
    (p,) = info.value.problems
    assert p.file == str(data) and p.line == 1
    assert "no column 'c' (columns.category)" in p.reason and "'category'" in p.reason
    assert store.listing() == []


def test_mapped_csv_line_numbers_after_a_quoted_newline(tmp_path: Path) -> None:
    """Given a quoted newline in row 2 and a bad date after it, the problem names the
    date's physical line; with skip_bad_rows the multi-line row lands."""
    text = 'd,c,h\n2020-11-05,Bin,"HMO\nupstairs"\n2020-11-06,Bin,\n31/02/2020,Bin,\n'
    store = IncidentStore(tmp_path / "store")
    mapping = mapping_file(tmp_path, GOOD)
    with pytest.raises(ImportRejected) as info:
        import_incidents(store, mapping, data_file(tmp_path, text))
    assert [(p.line, p.reason.split(" ")[0]) for p in info.value.problems] == [(5, "date")]
    assert store.listing() == []
    report = import_incidents(store, mapping, data_file(tmp_path, text), skip_bad_rows=True)
    assert (report.rows_accepted, report.rows_rejected) == (2, 1)


def test_mapped_csv_damage_is_a_problem(tmp_path: Path) -> None:
    """Given a mapped .csv.gz that is truncated, a ragged row, and a bomb of one line,
    each is a named problem and nothing lands."""
    store = IncidentStore(tmp_path / "store")
    mapping = mapping_file(tmp_path, GOOD)
    truncated = tmp_path / "t.csv.gz"
    packed = gzip.compress((DATA * 2000).encode())
    truncated.write_bytes(packed[: len(packed) // 2])
    ragged = data_file(tmp_path, "d,c,h\n2020-11-05,Bin\n2020-11-06,Bin,,extra\n", "r.csv")
    with pytest.raises(ImportRejected) as info:
        import_incidents(store, mapping, [truncated, ragged])
    got = sorted((Path(p.file).name, p.line, p.reason[:30]) for p in info.value.problems)
    assert got == [
        ("r.csv", 2, "expected 3 fields, found 2 (tr"),
        ("r.csv", 3, "expected 3 fields, found 4 (tr"),
        ("t.csv.gz", 0, "compressed data ends early: th"),
    ]
    assert store.listing() == []


def test_mapped_problems_are_capped(tmp_path: Path) -> None:
    store = IncidentStore(tmp_path / "store")
    data = data_file(tmp_path, "d,c,h\n" + "not a date,Bin,\n" * 2500 + "2020-11-05,Bin,\n")
    report = import_incidents(store, mapping_file(tmp_path, GOOD), data, skip_bad_rows=True)
    (f,) = report.files
    assert (f.rows_accepted, f.rows_rejected, len(f.rejects)) == (1, 2500, 2001)
    assert f.rejects[0].line == 2 and f.rejects[-1].line == 0


def test_columns_named_like_the_lookup_and_a_category_with_only_a_default(
    tmp_path: Path,
) -> None:
    """Given an export whose columns are called LSOA, District and line (the names of the
    lookup's and the reader's own columns), and a mapping whose category column has only
    a default, When it is imported, Then it lands (it was a DuckDB error): every row takes
    the default category, and the district comes from the row or, when blank, its LSOA."""
    mapping = mapping_file(tmp_path, """source = "council"
dataset = "reports"

[columns]
date = "line"
category = "Kind"
lsoa = "LSOA"
district = "District"

[categories]
default = "anti-social-behaviour"
""")  # fmt: skip
    data = data_file(tmp_path, "line,Kind,LSOA,District\n"
                     "2020-11-05,Noise,E01025496,\n2020-11-06,Litter,,E07000127\n")  # fmt: skip
    store = IncidentStore(tmp_path / "store")
    report = import_incidents(store, mapping, data)
    assert report.rows_accepted == 2
    t = store.table()
    rows = t.select("category", "lsoa", "district").to_pyarrow().to_pylist()
    assert sorted(r["lsoa"] or "" for r in rows) == ["", "E01025496"]
    assert {r["category"] for r in rows} == {"anti-social-behaviour"}
    assert [r["district"] for r in rows] == ["E07000127", "E07000127"]
