"""How much room text takes: line wrapping and heights for a width and a point size.

PowerPoint does not shrink or move text to fit; a deck that is to fit its slides has to
be laid out with an estimate of each paragraph's lines. Widths are measured with DejaVu
Sans (Debian's default sans-serif, some 10-15% wider than Arial, so the estimate errs on
the side of room) and, where it is missing, with a conservative average width.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from PIL import ImageFont

LINE_SPACING = 1.2
"""Line height as a multiple of the point size (single spacing)."""
_MEASURE_AT = 100
_FALLBACK_EM = {False: 0.56, True: 0.62}
"""Average character width in ems when no font file can be read."""


@lru_cache(maxsize=2)
def _font(bold: bool) -> ImageFont.FreeTypeFont | None:
    try:
        return ImageFont.truetype("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf", _MEASURE_AT)
    except OSError:
        return None


@lru_cache(maxsize=4096)
def text_width(text: str, size: float, bold: bool = False) -> float:
    """Width of ``text`` in points at ``size`` points."""
    font = _font(bold)
    if font is None:
        return len(text) * size * _FALLBACK_EM[bold]
    return float(font.getlength(text)) * size / _MEASURE_AT


def wrap(text: str, width: float, size: float, bold: bool = False) -> list[str]:
    """``text`` broken into lines no wider than ``width`` points (a word longer than the
    line stays whole on its own line, as PowerPoint breaks it)."""
    lines: list[str] = []
    for part in text.split("\n"):
        line = ""
        for word in part.split(" "):
            candidate = f"{line} {word}" if line else word
            if not line or text_width(candidate, size, bold) <= width:
                line = candidate
            else:
                lines.append(line)
                line = word
        lines.append(line)
    return lines


def line_count(text: str, width: float, size: float, bold: bool = False) -> int:
    """How many lines ``text`` takes in ``width`` points, counting a long word that must
    be broken as the lines it needs."""
    total = 0
    for line in wrap(text, width, size, bold):
        total += max(1, int(-(-text_width(line, size, bold) // width))) if width > 0 else 1
    return total


@dataclass(frozen=True)
class Para:
    """One paragraph of a text box."""

    text: str
    size: float
    bold: bool = False
    space_before: float = 0.0
    space_after: float = 0.0


def paragraphs_height(paras: Sequence[Para], width: float) -> float:
    """Height in points of ``paras`` set in a column ``width`` points wide."""
    total = 0.0
    for i, p in enumerate(paras):
        lines = line_count(p.text, width, p.size, p.bold)
        total += lines * p.size * LINE_SPACING + p.space_after + (p.space_before if i else 0.0)
    return total
