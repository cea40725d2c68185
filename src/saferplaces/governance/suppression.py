"""Small-number suppression for counts exported or published from casework.

A count from 1 up to one below the threshold (``SUPPRESSION_THRESHOLD``, default 5) could
identify a person, so it is shown as "fewer than 5" and never as the number. Zero is shown
(it identifies nobody). A total that would let a reader work a suppressed cell back out
(the only suppressed cell in its row) is suppressed too: `suppress_row` does that.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class Count:
    value: int
    suppressed: bool
    threshold: int

    def __str__(self) -> str:
        return f"fewer than {self.threshold}" if self.suppressed else f"{self.value:,}"

    @property
    def export(self) -> int | str:
        """The value for a CSV or workbook cell: the number, or the suppression marker."""
        return f"<{self.threshold}" if self.suppressed else self.value


def threshold() -> int:
    return int(settings.SUPPRESSION_THRESHOLD)


def suppress(value: int, limit: int | None = None) -> Count:
    """The count as it may be published."""
    cut = threshold() if limit is None else limit
    return Count(value, 0 < value < cut, cut)


def suppress_row(values: Mapping[str, int], limit: int | None = None) -> dict[str, Count]:
    """Suppress each small count in a row; when exactly one cell is suppressed, suppress the
    next smallest too, so the total cannot give the hidden one away."""
    cells = {key: suppress(value, limit) for key, value in values.items()}
    hidden = [key for key, cell in cells.items() if cell.suppressed]
    if len(hidden) == 1 and len(cells) > 1:
        shown = sorted((c.value, k) for k, c in cells.items() if not c.suppressed and c.value)
        if shown:
            _, key = shown[0]
            cell = cells[key]
            cells[key] = Count(cell.value, True, cell.threshold)
    return cells
