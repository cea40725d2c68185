"""Harm weights: so that volume alone does not set a partnership's priorities.

Two published indexes weight each Home Office offence (by its offence code) by the
sentence it typically attracts. Neither is shipped with the product; an administrator
uploads the file as published and it is read here:

- **ONS Crime Severity Score** (:func:`load_ons_css`): ONS, "Crime Severity Score
  (Experimental Statistics)", a workbook whose offence weights sheet lists one Home Office
  offence code (or a combined code such as ``4.4/6/8``), the offence and its weight (e.g.
  homicide 7,979). https://www.ons.gov.uk/peoplepopulationandcommunity/crimeandjustice/datasets/crimeseverityscoreexperimentalstatistics
- **Cambridge Crime Harm Index** (:func:`load_cambridge_chi`): Sherman, Neyroud and
  Neyroud (2016), days of imprisonment per offence from the Sentencing Council starting
  point for a first offender (fines and community orders turned into days).
  https://www.crim.cam.ac.uk/research/thecambridgecrimeharmindex

Both readers take CSV or XLSX. The header row is found among the first
:data:`HEADER_SEARCH_ROWS` rows (title rows above it are skipped) by its column names
(:data:`CSS_COLUMNS`, :data:`CHI_COLUMNS`, case and spacing ignored); a row with neither
a code nor a weight (a section heading such as "VICTIM BASED CRIME") is skipped. Every
bad row is named by file, line and reason, and any bad row refuses the whole file
(:class:`HarmWeightsError`, an :class:`~saferplaces.insight.problems.ImportRejected`):
a harm table with holes would quietly weight those offences at nothing.

Offence codes are not our categories. An **offence mapping** (:func:`load_offence_mapping`,
CSV ``offence_code,category`` or TOML ``[offences] "8N" = "violence-and-sexual-offences"``)
says which category each code counts in. No mapping is shipped: no published table maps
Home Office offence codes to police.uk crime types, so the partnership's analyst supplies
it, and it is a required input to :meth:`HarmWeights.mapped`.

A category's weight is the **mean of the weights of its offences**, unweighted, because
police.uk publishes counts per category, not per offence: which offences make up a
category locally is unknown. Given offence counts (from the force's own data), the mean is
weighted by them instead. The method is recorded in ``HarmWeights.aggregation`` and
either way the result is a summary of the index, so a page must say so.

Honest numbers: a table that is not the published index must say so in its name and
have ``is_official=False`` (:func:`illustrative_weights` does both), and every
:class:`HarmRow` carries the name of the weights it was computed with.
"""

from __future__ import annotations

import math
import re
import tomllib
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils.exceptions import InvalidFileException

from saferplaces.insight.problems import ImportProblem, ImportRejected, ProblemLog
from saferplaces.insight.schema import CATEGORIES
from saferplaces.insight.sources.limits import DEFAULT_LIMITS, ImportLimits, describe_bytes
from saferplaces.insight.sources.records import read_records

ONS_CSS_URL = (
    "https://www.ons.gov.uk/peoplepopulationandcommunity/crimeandjustice/datasets/"
    "crimeseverityscoreexperimentalstatistics"
)
CHI_URL = "https://www.crim.cam.ac.uk/research/thecambridgecrimeharmindex"

HEADER_SEARCH_ROWS = 30
"""How many rows from the top of a sheet may hold title text above the header."""
MAX_HARM_FILE_BYTES = 50 * (1 << 20)
"""Largest harm weights or mapping file read (the published files are well under 1 MB)."""
MAX_DATA_ROWS = 20_000
"""Most rows read after the header (the Cambridge index has about 700 offences)."""
MAX_PROBLEMS = 200
"""Most problems kept per file (the rest are counted)."""


class HarmWeightsError(ImportRejected):
    """A harm weights or offence mapping file is refused; ``problems`` name file and line."""


@dataclass(frozen=True)
class Columns:
    """The names each column of a published layout goes by (normalised: lower case,
    single spaces, no punctuation other than letters and digits)."""

    code: tuple[str, ...]
    offence: tuple[str, ...]
    weight: tuple[str, ...]


CSS_COLUMNS = Columns(
    code=("offence code", "home office offence code", "ho offence code", "ho code", "code"),
    offence=("offence", "offence description", "offence name", "description"),
    weight=("weight", "offence weight", "severity weight", "css weight", "weighting"),
)
"""Column names of the ONS Crime Severity Score offence weights sheet."""

CHI_COLUMNS = Columns(
    code=("ho code", "ho offence code", "home office offence code", "home office code",
          "offence code", "code"),
    offence=("offence", "offence description", "offence name", "offence title", "description"),
    weight=("chi", "cchi", "chi days", "cchi days", "harm", "harm score", "chi score",
            "cchi score", "crime harm index", "cambridge crime harm index", "days",
            "harm days", "days imprisonment", "harm value days", "starting point days",
            "crime harm index score"),
)  # fmt: skip
"""Column names of the Cambridge Crime Harm Index spreadsheet."""


@dataclass(frozen=True)
class HarmWeights:
    """A table of harm weights: per Home Office offence code, and per category of ours
    once :meth:`mapped` through an offence mapping.

    ``name`` is what every page shows beside the figures; ``source`` who publishes it;
    ``year`` the edition (e.g. "2016" or "year ending March 2020"); ``unit`` what a
    weight is (e.g. "days of imprisonment").
    """

    name: str
    source: str
    year: str
    url: str
    offences: Mapping[str, float] = field(default_factory=dict)
    categories: Mapping[str, float] = field(default_factory=dict)
    offence_names: Mapping[str, str] = field(default_factory=dict)
    unit: str = "weight"
    is_official: bool = True
    aggregation: str = ""
    """How ``categories`` were made from ``offences`` (empty: given directly)."""
    unmapped_offences: tuple[str, ...] = ()
    """Codes with a weight that the mapping puts in no category (not counted anywhere)."""
    unweighted_offences: tuple[str, ...] = ()
    """Codes the mapping names that this table gives no weight (left out of the mean)."""

    def __post_init__(self) -> None:
        for label, text in (("name", self.name), ("source", self.source), ("year", self.year)):
            if not text.strip():
                raise ValueError(f"harm weights need a {label}")
        if not self.is_official and "illustrative" not in self.name.casefold():
            raise ValueError(
                "harm weights that are not the published index must say 'illustrative' in "
                f"their name (got {self.name!r})"
            )
        for kind, table in (("offence", self.offences), ("category", self.categories)):
            for key, value in table.items():
                if not _weight_ok(value):
                    raise ValueError(f"{kind} {key!r} has weight {value!r}: must be ≥ 0")
        unknown = sorted(c for c in self.categories if c not in CATEGORIES)
        if unknown:
            raise ValueError(f"unknown categories: {', '.join(unknown)}")

    def weight_for(self, category: str) -> float | None:
        """The weight of ``category``, or None when this table gives it none."""
        return self.categories.get(category)

    def mapped(
        self, mapping: OffenceMapping, counts: Mapping[str, int] | None = None
    ) -> HarmWeights:
        """These weights with ``categories`` made from ``offences`` through ``mapping``:
        each category's weight is the mean of its offences' weights (weighted by
        ``counts`` of offences, per code, when given; a category whose offences all have
        count 0 falls back to the unweighted mean). See :func:`category_weights`."""
        weights = category_weights(self.offences, mapping, counts)
        method = "count-weighted mean" if counts is not None else "unweighted mean"
        n_codes = {c: sum(1 for k, v in mapping.categories.items() if v == c and k in
                          self.offences) for c in weights}  # fmt: skip
        detail = ", ".join(f"{c}: {n_codes[c]}" for c in sorted(weights))
        return replace(
            self,
            categories=weights,
            aggregation=f"{method} of the offence weights in each category "
            f"(offences per category: {detail}; mapping: {mapping.name})",
            unmapped_offences=tuple(sorted(set(self.offences) - set(mapping.categories))),
            unweighted_offences=tuple(sorted(set(mapping.categories) - set(self.offences))),
        )

    def describe(self) -> str:
        """One line for a page: what these weights are and where they come from."""
        text = f"{self.name} ({self.source}, {self.year})"
        if not self.is_official:
            text += ": illustrative weights, not a published index"
        return text


def illustrative_weights(
    categories: Mapping[str, float], *, source: str, year: str, url: str = "",
    index: str = "the ONS Crime Severity Score",
) -> HarmWeights:  # fmt: skip
    """Per-category weights that are NOT a published index (e.g. for a demonstration),
    named so that no page can pass them off as one."""
    return HarmWeights(
        name=f"Harm weights (illustrative, not {index})",
        source=source,
        year=year,
        url=url,
        categories=dict(categories),
        is_official=False,
        aggregation="given per category",
    )


@dataclass(frozen=True)
class OffenceMapping:
    """Which of our categories each Home Office offence code counts in."""

    name: str
    categories: Mapping[str, str]
    """offence code → category slug"""


@dataclass(frozen=True)
class HarmRow:
    """One category of a harm view. ``weight``, ``harm`` and ``share`` are None when the
    weights give the category no weight (its harm is unknown, never 0)."""

    category: str
    label: str
    count: int
    weight: float | None
    harm: float | None
    share: float | None
    """This category's part of the total harm of the weighted categories (0..1)."""
    volume_rank: int
    harm_rank: int | None
    weights_name: str
    is_official: bool


def harm_view(counts: Mapping[str, int], weights: HarmWeights) -> list[HarmRow]:
    """Each category of ``counts`` with its weight, harm (count × weight) and share of the
    total harm, highest harm first; categories without a weight last (by count).

    Ties are broken by count (higher first), then by category slug, so the order is the
    same every time. ``volume_rank`` is the rank by count alone, for the "volume vs harm"
    comparison.
    """
    for category, n in counts.items():
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise ValueError(f"count of {category!r} must be a whole number ≥ 0, not {n!r}")
    by_volume = sorted(counts, key=lambda c: (-counts[c], c))
    volume_rank = {c: i + 1 for i, c in enumerate(by_volume)}
    harms: dict[str, float] = {}
    for category, n in counts.items():
        w = weights.weight_for(category)
        if w is not None:
            harms[category] = n * w
    total = math.fsum(harms.values())
    weighted = sorted(harms, key=lambda c: (-harms[c], -counts[c], c))
    unweighted = sorted((c for c in counts if c not in harms), key=lambda c: (-counts[c], c))
    rows: list[HarmRow] = []
    for i, category in enumerate(weighted):
        rows.append(_row(category, counts[category], weights, harms[category],
                         harms[category] / total if total > 0 else None,
                         volume_rank[category], i + 1))  # fmt: skip
    for category in unweighted:
        rows.append(_row(category, counts[category], weights, None, None,
                         volume_rank[category], None))  # fmt: skip
    return rows


def _row(
    category: str, count: int, weights: HarmWeights, harm: float | None, share: float | None,
    volume_rank: int, harm_rank: int | None,
) -> HarmRow:  # fmt: skip
    label = CATEGORIES.get(category).label if category in CATEGORIES else category
    return HarmRow(category, label, count, weights.weight_for(category), harm, share,
                   volume_rank, harm_rank, weights.name, weights.is_official)  # fmt: skip


def category_weights(
    offences: Mapping[str, float],
    mapping: OffenceMapping,
    counts: Mapping[str, int] | None = None,
) -> dict[str, float]:
    """Per-category weights: the mean weight of the offences ``mapping`` puts in each
    category and ``offences`` weights (codes without a weight are left out, not counted
    as 0). With ``counts`` (per offence code), the mean is weighted by them; a category
    whose offences all have count 0 (or none given) takes the unweighted mean."""
    members: dict[str, list[str]] = {}
    for code, category in mapping.categories.items():
        if code in offences:
            members.setdefault(category, []).append(code)
    result: dict[str, float] = {}
    for category, codes in members.items():
        plain = math.fsum(offences[c] for c in codes) / len(codes)
        if counts is None:
            result[category] = plain
            continue
        n = sum(max(0, counts.get(c, 0)) for c in codes)
        result[category] = (
            math.fsum(offences[c] * max(0, counts.get(c, 0)) for c in codes) / n if n else plain
        )
    return result


# --- reading the published files -------------------------------------------------------


def load_ons_css(
    path: Path | str, *, year: str, url: str = ONS_CSS_URL, sheet: str | None = None
) -> HarmWeights:
    """The ONS Crime Severity Score offence weights from the published workbook (or a
    CSV of its weights sheet). ``sheet``: the worksheet to read (default: the first whose
    header has the columns of :data:`CSS_COLUMNS`)."""
    offences, names = _read_offence_table(Path(path), CSS_COLUMNS, sheet)
    return HarmWeights(
        name="ONS Crime Severity Score offence weights",
        source="Office for National Statistics",
        year=year,
        url=url,
        offences=offences,
        offence_names=names,
        unit="severity weight (sentencing-based)",
    )


def load_cambridge_chi(
    path: Path | str, *, year: str, url: str = CHI_URL, sheet: str | None = None
) -> HarmWeights:
    """The Cambridge Crime Harm Index (days of imprisonment per offence) from its
    published spreadsheet or a CSV of it; see :func:`load_ons_css` for ``sheet``."""
    offences, names = _read_offence_table(Path(path), CHI_COLUMNS, sheet)
    return HarmWeights(
        name="Cambridge Crime Harm Index",
        source="University of Cambridge Institute of Criminology",
        year=year,
        url=url,
        offences=offences,
        offence_names=names,
        unit="days of imprisonment",
    )


def load_offence_mapping(path: Path | str, *, name: str | None = None) -> OffenceMapping:
    """An offence mapping from CSV (``offence_code,category``; other columns ignored) or
    TOML (``[offences]`` of code = category slug). A combined code (``4.4/6/8``) maps
    each of its codes. A code mapped to two categories, an unknown category or an empty
    code refuses the file with every problem named."""
    p = Path(path)
    label = p.name
    _check_size(p, label)
    log = ProblemLog(MAX_PROBLEMS)
    pairs: list[tuple[int, str, str]] = []
    if p.suffix.lower() == ".toml":
        try:
            data = tomllib.loads(p.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise HarmWeightsError([ImportProblem(label, 0, f"not valid TOML: {exc}")]) from exc
        table = data.get("offences")
        if not isinstance(table, dict):
            raise HarmWeightsError([ImportProblem(label, 0, "no [offences] table")])
        for code, category in table.items():
            if not isinstance(category, str):
                log.add(ImportProblem(label, 0, f"offence {code!r}: category must be text"))
                continue
            pairs.append((0, code, category))
    else:
        rows = _csv_rows(p, label, log)
        header = next(rows, None)
        if header is None:
            raise HarmWeightsError([ImportProblem(label, 0, "file is empty")])
        names = [_norm(h) for h in header[1]]
        if "offence code" not in names or "category" not in names:
            raise HarmWeightsError([ImportProblem(
                label, header[0], "header must have the columns offence_code and category "
                f"(has {', '.join(header[1])})")])  # fmt: skip
        ci, ki = names.index("offence code"), names.index("category")
        for line, cells in rows:
            if not any(c.strip() for c in cells):
                continue
            if len(cells) <= max(ci, ki):
                log.add(ImportProblem(label, line, "too few fields", ",".join(cells)))
                continue
            pairs.append((line, cells[ci], cells[ki]))
    result: dict[str, tuple[str, int]] = {}
    for line, raw_code, category in pairs:
        category = category.strip()
        codes = expand_codes(raw_code)
        if not codes:
            log.add(ImportProblem(label, line, "offence code is empty"))
            continue
        if category not in CATEGORIES:
            log.add(ImportProblem(label, line, f"unknown category {category!r} (use a slug "
                                  "such as violence-and-sexual-offences)"))  # fmt: skip
            continue
        for code in codes:
            seen = result.get(code)
            if seen is not None and seen[0] != category:
                where = f" (line {seen[1]})" if seen[1] else ""
                log.add(ImportProblem(label, line, f"offence code {code} is already mapped "
                                      f"to {seen[0]}{where}"))  # fmt: skip
                continue
            result[code] = (category, line)
    _raise_if(log)
    return OffenceMapping(name or p.stem, {code: cat for code, (cat, _) in result.items()})


_CODE_RE = re.compile(r"^[0-9]{1,3}(?:\.[0-9]{1,2})?[A-Z]{0,2}$")


def expand_codes(text: str) -> list[str]:
    """Home Office offence codes in a published cell: ``"8N"`` → ``["8N"]``;
    ``"4.4/6/8"`` → ``["4.4", "4.6", "4.8"]`` (a part after ``/`` replaces what follows
    the first code's point); ``"1, 4.1/10/2"`` → ``["1", "4.1", "4.10", "4.2"]``.
    Codes are upper-cased with spaces removed; an empty cell gives ``[]``. Raises
    ``ValueError`` for text that is not a code."""
    codes: list[str] = []
    for part in re.split(r"[,;&]| and ", text):
        part = re.sub(r"\s+", "", part).upper()
        if not part:
            continue
        pieces = part.split("/")
        first = pieces[0]
        stem = first.rsplit(".", 1)[0] + "." if "." in first else ""
        for i, piece in enumerate(pieces):
            code = piece if i == 0 or "." in piece or not stem else stem + piece
            if not _CODE_RE.match(code):
                raise ValueError(f"{text.strip()!r} is not a Home Office offence code")
            if code not in codes:
                codes.append(code)
    return codes


def _norm(text: object) -> str:
    s = "" if text is None else str(text)
    s = s.replace("\ufeff", "").replace("_", " ").casefold()
    return re.sub(r"[^a-z0-9]+", " ", s).strip()


def _weight_ok(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and (
        math.isfinite(value) and value >= 0)  # fmt: skip


def _check_size(path: Path, label: str) -> None:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise HarmWeightsError(
            [ImportProblem(label, 0, f"cannot be read ({exc.strerror})")]
        ) from exc
    if size > MAX_HARM_FILE_BYTES:
        raise HarmWeightsError([ImportProblem(
            label, 0, f"file is {describe_bytes(size)}; the limit is "
            f"{describe_bytes(MAX_HARM_FILE_BYTES)}")])  # fmt: skip


def _raise_if(log: ProblemLog) -> None:
    if log.total:
        raise HarmWeightsError(log.merged([], 0))


def _csv_rows(
    path: Path, label: str, log: ProblemLog, limits: ImportLimits = DEFAULT_LIMITS
) -> Iterator[tuple[int, list[str]]]:
    """(line, cells) of each CSV record; unreadable records go to ``log``."""
    with path.open("rb") as fh:
        for record in read_records(fh, limits):
            if record.problem is not None:
                log.add(ImportProblem(label, record.line, record.problem, record.text))
                continue
            cells = list(record.fields)
            if cells:
                cells[0] = cells[0].removeprefix("\ufeff")
            yield record.line, cells


def _open_book(path: Path, label: str) -> Any:
    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise HarmWeightsError(
            [ImportProblem(label, 0, f"not a readable XLSX workbook ({exc})")]
        ) from exc


def _sheet_rows(path: Path, sheet: str, label: str) -> Iterator[tuple[int, list[object]]]:
    book = _open_book(path, label)
    try:
        if sheet not in book.sheetnames:
            sheets = ", ".join(book.sheetnames)
            problem = ImportProblem(label, 0, f"no sheet {sheet!r} (sheets: {sheets})")
            raise HarmWeightsError([problem])
        yield from _ws_rows(book[sheet])
    finally:
        book.close()


def _ws_rows(ws: Any) -> Iterator[tuple[int, list[object]]]:
    for i, values in enumerate(ws.iter_rows(values_only=True), start=1):
        yield i, list(values)


def _find_header(
    rows: Iterable[tuple[int, Sequence[object]]], columns: Columns
) -> tuple[int, dict[str, int]] | None:
    for i, (line, cells) in enumerate(rows):
        names = [_norm(c) for c in cells]
        found: dict[str, int] = {}
        for role, aliases in (("code", columns.code), ("offence", columns.offence),
                              ("weight", columns.weight)):  # fmt: skip
            for j, name in enumerate(names):
                if name in aliases and j not in found.values():
                    found[role] = j
                    break
        if {"code", "weight"} <= set(found):
            return line, found
        if i + 1 >= HEADER_SEARCH_ROWS:
            return None
    return None


def _read_offence_table(
    path: Path, columns: Columns, sheet: str | None
) -> tuple[dict[str, float], dict[str, str]]:
    is_xlsx = path.suffix.lower() in (".xlsx", ".xlsm")
    label = f"{path.name} (sheet {sheet})" if is_xlsx and sheet else path.name
    _check_size(path, label)
    log = ProblemLog(MAX_PROBLEMS)
    if is_xlsx and sheet is None:
        sheet = _sheet_with_header(path, columns, label)
        label = f"{path.name} (sheet {sheet})"
    rows: Iterator[tuple[int, Sequence[object]]] = (
        _sheet_rows(path, sheet, label) if is_xlsx and sheet else _csv_rows(path, label, log)
    )
    header = _find_header(rows, columns)
    if header is None:
        _raise_if(log)
        raise HarmWeightsError([ImportProblem(label, 0, _no_header(columns))])
    _, at = header
    offences: dict[str, float] = {}
    lines: dict[str, int] = {}
    names: dict[str, str] = {}
    n = 0
    for line, cells in rows:
        n += 1
        if n > MAX_DATA_ROWS:
            log.add(ImportProblem(label, line, f"more than {MAX_DATA_ROWS:,} rows"))
            break
        get = lambda role: cells[at[role]] if role in at and at[role] < len(cells) else None  # noqa: E731, B023
        code_cell, weight_cell, offence_cell = get("code"), get("weight"), get("offence")
        raw = ",".join("" if c is None else str(c) for c in cells)
        blank_code = code_cell is None or not str(code_cell).strip()
        blank_weight = weight_cell is None or not str(weight_cell).strip()
        if blank_code and blank_weight:
            continue  # a blank row or a section heading
        if blank_code:
            log.add(ImportProblem(label, line, "weight given but no offence code", raw))
            continue
        try:
            codes = expand_codes(_code_text(code_cell))
        except ValueError as exc:
            log.add(ImportProblem(label, line, str(exc), raw))
            continue
        if blank_weight:
            log.add(ImportProblem(label, line, f"offence {codes[0]} has no weight", raw))
            continue
        weight = _number(weight_cell)
        if weight is None or not _weight_ok(weight):
            log.add(ImportProblem(label, line, f"weight {str(weight_cell).strip()!r} is not a "
                                  "number ≥ 0", raw))  # fmt: skip
            continue
        for code in codes:
            if code in offences and offences[code] != weight:
                log.add(ImportProblem(
                    label, line,
                    f"offence {code} is already weighted {offences[code]:g} at line {lines[code]}",
                    raw))  # fmt: skip
                continue
            offences[code] = weight
            lines.setdefault(code, line)
            if offence_cell is not None and str(offence_cell).strip():
                names.setdefault(code, str(offence_cell).strip())
    _raise_if(log)
    if not offences:
        raise HarmWeightsError([ImportProblem(label, 0, "no offence weights below the header")])
    return offences, names


def _sheet_with_header(path: Path, columns: Columns, label: str) -> str:
    book = _open_book(path, label)
    try:
        for name in book.sheetnames:
            if _find_header(_ws_rows(book[name]), columns) is not None:
                return str(name)
    finally:
        book.close()
    raise HarmWeightsError([ImportProblem(label, 0, "no sheet has " + _no_header(columns))])


def _no_header(columns: Columns) -> str:
    return (f"a header row (within the first {HEADER_SEARCH_ROWS} rows) with an offence code "
            f"column ({' / '.join(columns.code)}) and a weight column "
            f"({' / '.join(columns.weight)})")  # fmt: skip


def _code_text(cell: object) -> str:
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))  # a spreadsheet stores code 49 as 49.0
    return str(cell)


def _number(cell: object) -> float | None:
    if isinstance(cell, bool):
        return None
    if isinstance(cell, int | float):
        return float(cell)
    text = str(cell).strip().replace(",", "")
    try:
        return float(text)
    except ValueError:
        return None
