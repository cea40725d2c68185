"""Text bound for a spreadsheet (a CSV download, an Excel workbook) is never a formula.

A cell whose text starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is
read by spreadsheet programs as a formula (CSV injection): a place, indicator or LSOA
name, or a rejected row's raw text, could then run as one. Such text is written with a
leading apostrophe in CSV, and as plain text (never a formula cell) in workbooks.
"""

from __future__ import annotations

from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """``value`` for a CSV cell: text that a spreadsheet would run is prefixed with ``'``;
    numbers and everything else are returned as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(values: Any) -> list[Any]:
    """:func:`safe_cell` of every value of a row."""
    return [safe_cell(v) for v in values]
