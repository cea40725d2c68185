"""Mappings for incident exports, made in the browser: a sample's header and first 20
rows, the TOML that ``insight.sources.incidents_csv.load_mapping`` reads, a preview of
how the rows are read (through the same reader the import uses), and saving it.

The preview writes the mapping and the sample's first 21 lines to a temporary folder and
stages them with ``incidents_csv.stage_file`` on a throwaway DuckDB connection, so what
it shows is what an import would store, problems included.
"""

from __future__ import annotations

import csv
import io
import json
import re
import tempfile
import zlib
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from saferplaces.evidence.models import MappingDefinition
from saferplaces.insight.geography import district_name, lsoa_to_district
from saferplaces.insight.schema import CATEGORIES
from saferplaces.insight.sources import incidents_csv
from saferplaces.insight.sources.files import SourceFile
from saferplaces.partnership.services import record_event

SAMPLE_ROWS = 20
SAMPLE_KEEP_BYTES = 1 << 20
"""How much of an uploaded sample is kept: its header and first 20 rows must fit."""
DELIMITERS = (",", ";", "\t", "|")

DATE_FORMATS: tuple[tuple[str, str], ...] = (
    ("%Y-%m-%d", "2014-11-05 (year-month-day)"),
    ("%d/%m/%Y", "05/11/2014 (day/month/year)"),
    ("%d/%m/%Y %H:%M", "05/11/2014 21:45 (day/month/year, with the time)"),
    ("%d/%m/%Y %H:%M:%S", "05/11/2014 21:45:00 (day/month/year, with the time)"),
    ("%Y-%m-%d %H:%M:%S", "2014-11-05 21:45:00 (with the time)"),
    ("%Y-%m-%dT%H:%M:%S", "2014-11-05T21:45:00 (ISO 8601, with the time)"),
    ("%d-%m-%Y", "05-11-2014 (day-month-year)"),
    ("%d %b %Y", "05 Nov 2014"),
    ("%m/%d/%Y", "11/05/2014 (month/day/year, American)"),
    ("%Y%m%d", "20141105"),
)
TIME_FORMATS: tuple[tuple[str, str], ...] = (
    ("%H:%M", "21:45"),
    ("%H:%M:%S", "21:45:00"),
    ("%H%M", "2145"),
    ("%I:%M %p", "9:45 PM"),
)


class SampleError(ValueError):
    """The sample cannot be read; the message says what to fix."""


@dataclass(frozen=True)
class Sample:
    """The header and first rows of an export, as CSV text the reader can stage."""

    name: str
    text: str
    delimiter: str

    @property
    def records(self) -> list[list[str]]:
        return list(csv.reader(io.StringIO(self.text), delimiter=self.delimiter))

    @property
    def header(self) -> list[str]:
        return self.records[0]

    @property
    def rows(self) -> list[list[str]]:
        return self.records[1:]

    def values(self, column: str) -> list[str]:
        """The distinct values of ``column`` in the sample's rows, trimmed, in order."""
        if column not in self.header:
            return []
        i = self.header.index(column)
        return list(dict.fromkeys(r[i].strip() for r in self.rows if len(r) > i))

    def as_session(self) -> dict[str, str]:
        return {"name": self.name, "text": self.text, "delimiter": self.delimiter}

    @classmethod
    def from_session(cls, data: Any) -> Sample | None:
        if not isinstance(data, dict) or not {"name", "text", "delimiter"} <= set(data):
            return None
        return cls(str(data["name"]), str(data["text"]), str(data["delimiter"]))


def read_sample(name: str, head: bytes, size: int) -> Sample:
    """The header and first 20 rows of an uploaded export (CSV or .csv.gz), from its first
    bytes (``size`` is the whole file's)."""
    if not head:
        raise SampleError("The selected file is empty")
    complete = len(head) >= size
    if head.startswith(b"\x1f\x8b"):
        try:
            raw = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, SAMPLE_KEEP_BYTES)
        except zlib.error:
            raise SampleError("The selected file is named .gz but cannot be read") from None
        complete = complete and len(raw) < SAMPLE_KEEP_BYTES
    elif head.startswith(b"PK\x03\x04") or b"\x00" in head[:8192]:
        raise SampleError("The selected file must be a CSV file: save a spreadsheet as CSV first")
    else:
        raw = head
    if not complete:  # keep whole lines only
        raw = raw[: raw.rfind(b"\n") + 1]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SampleError(
            "The selected file must be UTF-8 text: save it as “CSV UTF-8” and try again"
        ) from None
    first = text.split("\n", 1)[0]
    delimiter = max(DELIMITERS, key=first.count)
    try:
        records = list(_first_records(text, delimiter, SAMPLE_ROWS + 1))
    except csv.Error as exc:
        raise SampleError(f"The selected file cannot be read as CSV: {exc}") from None
    if not records or not any(c.strip() for c in records[0]):
        raise SampleError("The selected file must start with a header row naming its columns")
    header = records[0]
    if len(set(header)) != len(header) or any(not c.strip() for c in header):
        raise SampleError("Each column in the header row must have its own, non-empty name")
    if len(records) < 2:
        raise SampleError("The selected file must have at least one row under its header")
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\n").writerows(records)
    return Sample(Path(name.replace("\\", "/")).name or "sample.csv", out.getvalue(), delimiter)


def _first_records(text: str, delimiter: str, n: int) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    out = []
    for record in reader:
        if record:
            out.append(record)
        if len(out) == n:
            break
    return out


# ---- the mapping file ---------------------------------------------------------------
def _toml_str(text: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's; DEL must be escaped too)."""
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


@dataclass
class MappingSpec:
    """What the editor's form says, to be written as TOML."""

    source: str
    dataset: str
    columns: dict[str, str]
    date_format: str
    time_format: str = "%H:%M"
    categories: dict[str, str] = field(default_factory=dict)
    default_category: str = ""
    delimiter: str = ","
    title: str = ""

    def toml(self) -> str:
        lines = [f"# {self.title}" if self.title else "# Made in the mapping editor"]
        lines += [f"source = {_toml_str(self.source)}", f"dataset = {_toml_str(self.dataset)}"]
        if self.delimiter != ",":
            lines.append(f"delimiter = {_toml_str(self.delimiter)}")
        lines += ["", "[columns]"]
        for key, column in self.columns.items():
            lines.append(f"{key} = {_toml_str(column)}")
            if key == "date":
                lines.append(f"date_format = {_toml_str(self.date_format)}")
            if key == "time":
                lines.append(f"time_format = {_toml_str(self.time_format)}")
        lines += ["", "[categories]"]
        for value, slug in self.categories.items():
            lines.append(f"{_toml_str(value)} = {_toml_str(slug)}")
        if self.default_category:
            lines.append(f"default = {_toml_str(self.default_category)}")
        return "\n".join(lines) + "\n"


def category_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Category slugs to choose from, grouped by family (retired names left out)."""
    families = {"crime": "Crime", "asb": "Anti-social behaviour", "fire": "Fire"}
    groups: dict[str, list[tuple[str, str]]] = {}
    for category in CATEGORIES:
        if category.legacy:
            continue
        label = families.get(category.family, category.family.title())
        groups.setdefault(label, []).append((category.slug, category.label))
    return list(groups.items())


# ---- the preview --------------------------------------------------------------------
@dataclass(frozen=True)
class PreviewRow:
    line: int
    reference: str = ""
    when: str = ""
    category: str = ""
    location: str = ""
    lsoa: str = ""
    district: str = ""
    problem: str = ""


@dataclass
class Preview:
    rows: list[PreviewRow] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    """Problems with the whole file (a column the mapping names is missing...)."""
    error: str = ""
    """The mapping itself cannot be read."""

    @property
    def read(self) -> int:
        return sum(1 for r in self.rows if not r.problem)

    @property
    def without_district(self) -> int:
        return sum(1 for r in self.rows if not r.problem and not r.district)


@cache
def _lsoa_lookup() -> pa.Table:
    lookup = lsoa_to_district()
    return pa.table({"lsoa": list(lookup), "district": list(lookup.values())})


def preview(toml_text: str, sample: Sample) -> Preview:
    """How the import would read the sample's rows with this mapping."""
    out = Preview()
    with tempfile.TemporaryDirectory(prefix="saferplaces-mapping-") as tmp:
        folder = Path(tmp)
        (folder / "mapping.toml").write_text(toml_text, encoding="utf-8")
        csv_path = folder / "sample.csv"
        csv_path.write_text(sample.text, encoding="utf-8")
        (folder / "stage").mkdir()
        try:
            mapping = incidents_csv.load_mapping(folder / "mapping.toml")
        except (incidents_csv.MappingError, ValueError) as exc:
            out.error = _tidy(str(exc), folder)
            return out
        con = duckdb.connect(config={"threads": 1})
        try:
            con.register("lsoa_lookup", _lsoa_lookup())
            staged = incidents_csv.stage_file(
                con, SourceFile(csv_path), folder / "stage", mapping, skip_bad_rows=True
            )
            good: list[dict[str, Any]] = []
            if staged.data_file is not None:
                good = (
                    con.execute("SELECT * FROM read_parquet(?)", [str(staged.data_file)])
                    .to_arrow_table()
                    .to_pylist()
                )
        finally:
            con.close()
    by_line = {p.line: _tidy(p.reason, folder) for p in staged.rejects if p.line}
    out.problems = [_tidy(p.reason, folder) for p in staged.rejects if not p.line]
    if out.problems:
        return out
    rows = iter(good)
    for line in range(2, len(sample.rows) + 2):
        if line in by_line:
            out.rows.append(PreviewRow(line, problem=by_line[line]))
            continue
        row = next(rows, None)
        if row is not None:
            out.rows.append(_preview_row(line, row, mapping))
    return out


def _preview_row(line: int, row: dict[str, Any], mapping: incidents_csv.Mapping) -> PreviewRow:
    when = row.get("occurred_at")
    if isinstance(when, datetime):
        shown = f"{when:%Y-%m-%d %H:%M}" if "time" in mapping.columns else f"{when:%Y-%m-%d}"
    elif isinstance(row.get("month"), date):
        shown = f"{row['month']:%Y-%m}"
    else:
        shown = ""
    lat, lon = row.get("lat"), row.get("lon")
    location = f"{lat:.5f}, {lon:.5f}" if lat is not None and lon is not None else ""
    slug = str(row.get("category") or "")
    district = str(row.get("district") or "")
    reference = str(row.get("id") or "")
    return PreviewRow(
        line,
        reference="" if reference.startswith("x:") else reference,
        when=shown,
        category=CATEGORIES.get(slug).label if slug in CATEGORIES else slug,
        location=location,
        lsoa=str(row.get("lsoa") or ""),
        district=(district_name(district) or district) if district else "",
    )


def _tidy(text: str, folder: Path) -> str:
    """A reader's message without the temporary folder's path or the mapping's file name."""
    text = re.sub(re.escape(str(folder)) + r"/?", "", text)
    return re.sub(r"^[\w.-]+\.toml: ", "", text)


# ---- saving -------------------------------------------------------------------------
@transaction.atomic
def save_mapping(user: User | None, name: str, spec: MappingSpec) -> MappingDefinition:
    """Save the mapping under ``name`` (unique, as its slug is); the TOML must load."""
    slug = slugify(name)[:80]
    if not slug:
        raise ValidationError({"name": "Enter a name with at least one letter or digit"})
    if MappingDefinition.objects.filter(slug=slug).exists():
        raise ValidationError({"name": f"A mapping called “{name}” already exists: choose "
                                       "another name"})  # fmt: skip
    spec.title = name
    text = spec.toml()
    with tempfile.TemporaryDirectory(prefix="saferplaces-mapping-") as tmp:
        path = Path(tmp) / f"{slug}.toml"
        path.write_text(text, encoding="utf-8")
        try:
            incidents_csv.load_mapping(path)
        except (incidents_csv.MappingError, ValueError) as exc:
            raise ValidationError(_tidy(str(exc), Path(tmp))) from None
    mapping = MappingDefinition.objects.create(
        name=name, slug=slug, source=spec.source, dataset=spec.dataset, toml=text,
        created_by=user,
    )  # fmt: skip
    record_event(user, "created", mapping, f"Mapping “{name}” ({spec.source} / {spec.dataset})")
    return mapping
