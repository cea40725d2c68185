"""Reading the documents back: every word of a deck (with tables and alt text), a PDF's
pages, a workbook's cells; and the words the body of a paper must never use."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from pptx import Presentation
from pypdf import PdfReader

JARGON = re.compile(r"Poisson|p-value|binomial|sigma|c-chart|(?<![\w\u2212-])z(?![\w-])")
"""Statistics a board paper keeps for its technical annex (a lone "z" is the z score)."""


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def shape_text(shape: Any) -> list[str]:
    parts: list[str] = []
    if shape.has_text_frame:
        parts.append(shape.text_frame.text)
    if getattr(shape, "has_table", False) and shape.has_table:
        for row in shape.table.rows:
            parts.extend(cell.text for cell in row.cells)
    descr = shape._element.xpath("./*[1]/p:cNvPr/@descr")
    parts.extend(str(d) for d in descr)
    return parts


def slide_text(slide: Any) -> str:
    """Every word on a slide: text boxes, table cells and pictures' alt text."""
    return "\n".join(part for shape in slide.shapes for part in shape_text(shape))


def slide_title(slide: Any) -> str:
    title = slide.shapes.title
    return "" if title is None else str(title.text_frame.text)


def deck(path: Path) -> list[tuple[str, str]]:
    """(title, text) of every slide."""
    return [(slide_title(s), slide_text(s)) for s in Presentation(str(path)).slides]


def pdf_pages(path: Path) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(str(path)).pages]


def sheet_text(path: Path) -> dict[str, str]:
    """Sheet name → every cell's value, joined."""
    wb = load_workbook(str(path))
    return {
        ws.title: " ".join(str(v) for row in ws.iter_rows(values_only=True) for v in row if v)
        for ws in wb.worksheets
    }
