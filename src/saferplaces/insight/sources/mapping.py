"""Mapping files: the small TOML file that says how a dated incident CSV reads.

A mapping names the source and dataset and, under ``[columns]``, which columns hold
the date (``date`` + ``date_format``, or ``year``/``month``/``day`` with
``month_names = true`` for "December"), optional ``time``/``time_format``, ``id``,
``category``, ``lat``/``lon`` or ``easting``/``northing``, ``lsoa``, ``district`` and
``outcome``; ``[categories]`` maps source values to category slugs (``default`` for the
rest); ``[flags]`` sets a flag when a column holds one of the listed values. See
``mappings/*.toml``.

``source``, ``dataset`` and flag names are lower-case letters, digits, ``-`` and ``_``
(they become part of the store's paths and keys); ``police_uk`` is reserved for the
police.uk reader. A mapping that breaks any rule is refused whole with a
:class:`MappingError` that lists every problem and says what to fix.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from saferplaces.insight.schema import CATEGORIES
from saferplaces.insight.sources.police_uk import SOURCE as POLICE_UK_SOURCE


class MappingError(ValueError):
    """The mapping file is not valid; the message says what to fix."""


NAME_RE = re.compile(r"[a-z0-9][a-z0-9_-]{0,79}")
"""What a source, dataset or flag name may be: it becomes part of paths and keys."""
RESERVED_SOURCES = {
    POLICE_UK_SOURCE: "police.uk street files, which are imported with "
    "`saferplaces import police-uk` (a mapping would replace their months)",
}
MAX_MAPPING_BYTES = 1 << 20


@dataclass(frozen=True)
class FlagRule:
    """Set ``flag`` when ``column`` holds one of ``values``."""

    flag: str
    column: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Mapping:
    """A parsed mapping file."""

    source: str
    dataset: str
    columns: dict[str, str]
    date_format: str = "%Y-%m-%d"
    time_format: str = "%H:%M"
    month_names: bool = False
    categories: dict[str, str] = field(default_factory=dict)
    default_category: str | None = None
    flags: tuple[FlagRule, ...] = ()
    delimiter: str = ","

    @property
    def day_level(self) -> bool:
        """Whether rows carry a day (so ``occurred_at`` is filled)."""
        c = self.columns
        return "date" in c or "day" in c


COLUMN_KEYS = {"id", "date", "year", "month", "day", "time", "category", "lat", "lon",
               "easting", "northing", "lsoa", "district", "outcome"}  # fmt: skip
COLUMN_OPTIONS = {"date_format", "time_format", "month_names"}
TOP_KEYS = ("source", "dataset", "delimiter", "columns", "categories", "flags")


def load_mapping(path: Path | str) -> Mapping:
    """Parse and check a mapping TOML file.

    Raises :class:`MappingError` naming the file (and the line, for TOML syntax) and
    saying what to fix: every problem found, not only the first.
    """
    p = Path(path)
    data = _read_toml(p)
    errors: list[str] = []
    for key in sorted(set(data) - set(TOP_KEYS)):
        errors.append(
            f"unknown key {key!r}: a mapping has source, dataset, delimiter, [columns], "
            "[categories] and [flags]"
        )
    source = _name(data, "source", "lfb", errors)
    dataset = _name(data, "dataset", "dwelling-fires", errors)
    if source in RESERVED_SOURCES:
        errors.append(
            f'source = "{source}" is reserved for {RESERVED_SOURCES[source]}; name the '
            'publisher of this file instead, e.g. source = "lfb"'
        )
    delimiter = data.get("delimiter", ",")
    if not isinstance(delimiter, str) or len(delimiter) != 1 or delimiter in '"\r\n':
        errors.append(f'delimiter = {_toml(delimiter)} is not one character: e.g. delimiter = ";"')
        delimiter = ","
    columns, options = _columns(data.get("columns", {}), errors)
    categories, default = _categories(data.get("categories", {}), errors)
    if "category" not in columns and not default and isinstance(data.get("columns", {}), dict):
        errors.append('map a category column (columns.category = "...") or set categories.default')
    flags = _flags(data.get("flags", {}), errors)
    if errors:
        head = f"{p}: " if len(errors) == 1 else f"{p} has {len(errors)} problems:\n  - "
        raise MappingError(head + "\n  - ".join(errors))
    return Mapping(source, dataset, columns, str(options.get("date_format", "%Y-%m-%d")),
                   str(options.get("time_format", "%H:%M")),
                   bool(options.get("month_names", False)), categories, default, flags,
                   delimiter)  # fmt: skip


def _read_toml(p: Path) -> dict[str, Any]:
    """The TOML table of mapping file ``p``, or a :class:`MappingError` saying why not."""
    example = Path(__file__).parents[1] / "mappings" / "lfb_dwelling_fires.toml"
    if p.is_dir():
        raise MappingError(
            f"{p} is a folder: give the mapping file itself, a .toml file such as {example}"
        )
    try:
        size = p.stat().st_size
        if size > MAX_MAPPING_BYTES:
            raise MappingError(f"{p} is {size:,} bytes: a mapping file is a few lines of TOML")
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise MappingError(f"{p}: no such mapping file") from None
    except UnicodeDecodeError as exc:
        raise MappingError(
            f"{p}: not UTF-8 text (byte {exc.start + 1}); save the mapping as UTF-8"
        ) from None
    except OSError as exc:
        raise MappingError(f"{p}: cannot be read ({exc.strerror or exc})") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        at = re.search(r"\s*\(at line (\d+), column (\d+)\)$", message)
        if at is None:
            raise MappingError(f"{p}: not valid TOML: {message}") from None
        raise MappingError(
            f"{p}, line {at[1]}: not valid TOML: {message[: at.start()]} (column {at[2]}); "
            f"see {example} for the form"
        ) from None


def _toml(value: object) -> str:
    """``value`` as TOML would write it (strings in double quotes)."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a table"
    return json.dumps(value, default=str, ensure_ascii=False)


def _name(data: dict[str, Any], key: str, example: str, errors: list[str]) -> str:
    value = data.get(key)
    if value is None:
        errors.append(f'{key!r} is missing: add {key} = "{example}" (lower-case letters, '
                      "digits, '-' and '_')")  # fmt: skip
        return ""
    if not isinstance(value, str) or not NAME_RE.fullmatch(value):
        errors.append(
            f"{key} = {_toml(value)} is not allowed: use lower-case letters, digits, '-' "
            "and '_', starting with a letter or digit, at most 80 characters (no '/', "
            f"'..' or spaces), e.g. {key} = \"{example}\""
        )
        return ""
    return value


def _columns(raw: object, errors: list[str]) -> tuple[dict[str, str], dict[str, object]]:
    """The ``[columns]`` table: (role → CSV column, date and time options)."""
    if not isinstance(raw, dict):
        errors.append(
            f"columns = {_toml(raw)} is not a table: write a [columns] section with lines "
            'such as date = "Date of call"'
        )
        return {}, {}
    columns: dict[str, str] = {}
    options: dict[str, object] = {}
    for key, value in raw.items():
        if key in ("date_format", "time_format"):
            if isinstance(value, str) and value:
                options[key] = value
            else:
                errors.append(f'columns.{key} must be a format in quotes, e.g. {key} = "%d/%m/%Y"')
        elif key == "month_names":
            if isinstance(value, bool):
                options[key] = value
            else:
                errors.append("columns.month_names must be true or false (no quotes)")
        elif key not in COLUMN_KEYS:
            errors.append(
                f"unknown key columns.{key}: the keys are "
                f"{', '.join(sorted(COLUMN_KEYS | COLUMN_OPTIONS))}"
            )
        elif not isinstance(value, str) or not value.strip():
            errors.append(
                f"columns.{key} = {_toml(value)}: give the name of a column of the CSV in "
                f'quotes, e.g. {key} = "{key.title()}"'
            )
        else:
            columns[key] = value
    if "date" in columns and {"year", "month", "day"} & set(columns):
        errors.append("map either columns.date or columns.year/month/day, not both")
    elif "date" not in columns and not {"year", "month"} <= set(columns):
        errors.append(
            'map the date: columns.date = "..." (with date_format), or columns.year and '
            "columns.month (and columns.day)"
        )
    if ("easting" in columns) != ("northing" in columns) or ("lat" in columns) != (
        "lon" in columns
    ):
        errors.append("give both lat and lon, or both easting and northing")
    elif "lat" in columns and "easting" in columns:
        errors.append("give lat and lon, or easting and northing, not both")
    return columns, options


def _categories(raw: object, errors: list[str]) -> tuple[dict[str, str], str | None]:
    """The ``[categories]`` table: (source value → slug, default slug)."""
    if not isinstance(raw, dict):
        errors.append(
            f"categories = {_toml(raw)} is not a table: write a [categories] section with "
            'lines such as "Bin fire" = "deliberate-secondary-fire"'
        )
        return {}, None
    slugs = ", ".join(c.slug for c in CATEGORIES)
    out: dict[str, str] = {}
    default: str | None = None
    for key, value in raw.items():
        if not isinstance(value, str) or value not in CATEGORIES:
            errors.append(
                f"categories.{_toml(key)} = {_toml(value)} is not a category slug; "
                f"the slugs are {slugs}"
            )
        elif key == "default":
            default = value
        else:
            out[key] = value
    return out, default


def _flags(raw: object, errors: list[str]) -> tuple[FlagRule, ...]:
    """The ``[flags]`` table: one rule per flag."""
    example = '{ column = "hmo_yn", values = ["HMO"] }'
    if not isinstance(raw, dict):
        errors.append(
            f"flags = {_toml(raw)} is not a table: write a [flags] section with lines such "
            f"as hmo = {example}"
        )
        return ()
    rules: list[FlagRule] = []
    for name, rule in raw.items():
        where = f"flags.{name}"
        if not NAME_RE.fullmatch(name):
            errors.append(f"flag name {_toml(name)}: use lower-case letters, digits, '-' and '_'")
        if not isinstance(rule, dict):
            errors.append(f"{where} = {_toml(rule)} is not a rule: write {name} = {example}")
            continue
        for key in sorted(set(rule) - {"column", "values"}):
            errors.append(f"unknown key {where}.{key}: a flag rule has column and values")
        column, values = rule.get("column"), rule.get("values")
        ok = True
        if column is None:
            errors.append(f'{where} has no column: add column = "..." (the CSV column to look in)')
            ok = False
        elif not isinstance(column, str) or not column.strip():
            errors.append(f"{where}.column = {_toml(column)}: give a CSV column name in quotes")
            ok = False
        if values is None:
            errors.append(f'{where} has no values: add values = ["..."] (the values that set it)')
            ok = False
        elif isinstance(values, str):
            errors.append(
                f"{where}.values = {_toml(values)} is one string: write a list, values = "
                f"[{_toml(values)}] (a string would be read letter by letter)"
            )
            ok = False
        elif (
            not isinstance(values, list)
            or not values
            or not all(isinstance(v, str) for v in values)
        ):
            errors.append(
                f"{where}.values = {_toml(values)}: give a list of strings in quotes, "
                'e.g. values = ["1"]'
            )
            ok = False
        if ok and isinstance(values, list):
            rules.append(FlagRule(name, str(column), tuple(str(v) for v in values)))
    return tuple(rules)
