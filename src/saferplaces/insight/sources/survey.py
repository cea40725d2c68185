"""Community views: consultation and survey results (such as a "Living in Lancashire"
survey) read from CSV into typed rows, shown beside the data with their margin of error.

The file has a header row naming (case, spaces and ``_`` ignored):

- ``question``: the question asked (required);
- ``area``: the area the result is for, e.g. "West Lancashire" (required);
- ``response``: the answer the share is of, e.g. "Very or fairly safe" (optional);
- ``share``: the response share as a **percentage from 0 to 100** (a trailing ``%`` is
  allowed); also read from a column named ``response share``, ``percentage`` or
  ``percent``. Fractions are not accepted: 0.4 means 0.4%, so a file of fractions must
  be converted (×100) first. An empty share is "no data" (``None``), never 0;
- ``base``: the base size, the number of respondents, a whole number ≥ 0; also read
  from ``base size``, ``respondents`` or ``n``.

Every bad row is named by file, line and reason (:class:`SurveyFile.problems`): a share
outside 0-100 or not a number, a base that is not a whole number ≥ 0, a share with a
base of 0, a question or area left empty, the same question, area and response twice.
Bad rows are not kept; :meth:`SurveyFile.raise_if_problems` refuses the file when there
are any.

:func:`with_margin` gives the 95% margin of error of a share from its base: 40% from 25
respondents is ±19 points.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from saferplaces.insight.problems import ImportProblem, ImportRejected, ProblemLog
from saferplaces.insight.sources.limits import DEFAULT_LIMITS, ImportLimits, describe_bytes
from saferplaces.insight.sources.records import read_records

Z_95 = 1.959963984540054
"""The two-sided 95% point of the standard normal distribution."""

COLUMNS: dict[str, tuple[str, ...]] = {
    "question": ("question",),
    "area": ("area", "area name"),
    "response": ("response", "answer", "response option"),
    "share": ("share", "response share", "percentage", "percent", "share percent"),
    "base": ("base", "base size", "respondents", "n", "base n"),
}
"""Each column's role and the header names it goes by (normalised)."""
REQUIRED = ("question", "area", "share", "base")


@dataclass(frozen=True)
class SurveyRow:
    """One result: the share (0-100, None for no data) of ``base`` respondents in
    ``area`` who gave ``response`` to ``question``; ``line`` is where it is in the file."""

    question: str
    area: str
    response: str
    share: float | None
    base: int
    line: int

    def margin(self) -> Margin | None:
        """The 95% margin of error of ``share`` (None when there is no share)."""
        return with_margin(self.share, self.base) if self.share is not None else None


@dataclass
class SurveyFile:
    """What :func:`read_survey` read: the good rows, and each bad row's problem."""

    file: str
    rows: list[SurveyRow] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)
    rows_rejected: int = 0

    def raise_if_problems(self) -> None:
        """Raise :class:`~saferplaces.insight.problems.ImportRejected` when any row
        (or the file) had a problem."""
        if self.problems:
            raise ImportRejected(self.problems)

    def questions(self) -> list[str]:
        """The questions asked, in the order the file first gives them."""
        return list(dict.fromkeys(r.question for r in self.rows))


@dataclass(frozen=True)
class Margin:
    """A share with its 95% margin of error, in percentage points.

    ``points`` is the usual normal-approximation margin (1.96 × √(p(1−p)/n)); ``low``
    and ``high`` the Wilson score interval, which stays within 0-100 and is not zero
    wide at a share of 0% or 100% (where ``points`` is 0 and says too little)."""

    share: float
    base: int
    points: float
    low: float
    high: float

    def text(self) -> str:
        """``"40% ± 19 points (25 respondents)"``."""
        people = "respondent" if self.base == 1 else "respondents"
        return f"{self.share:.0f}% ± {self.points:.0f} points ({self.base:,} {people})"


def with_margin(share: float, base: int) -> Margin:
    """The 95% margin of error of a ``share`` (a percentage, 0-100) of ``base``
    respondents: ``with_margin(40, 25).points`` is 19.2."""
    if isinstance(base, bool) or not isinstance(base, int) or base < 1:
        raise ValueError(f"a margin needs a base of at least 1 respondent, not {base!r}")
    if not math.isfinite(share) or not 0 <= share <= 100:
        raise ValueError(f"a share is a percentage from 0 to 100, not {share!r}")
    p = share / 100
    points = Z_95 * math.sqrt(p * (1 - p) / base) * 100
    z2 = Z_95 * Z_95
    centre = (p + z2 / (2 * base)) / (1 + z2 / base)
    half = Z_95 * math.sqrt(p * (1 - p) / base + z2 / (4 * base * base)) / (1 + z2 / base)
    low = min(share, max(0.0, centre - half) * 100)  # rounding must not leave the share out
    high = max(share, min(1.0, centre + half) * 100)
    return Margin(share, base, points, low, high)


def _norm(text: str) -> str:
    text = text.replace("\ufeff", "").replace("_", " ").casefold()
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


def _share(text: str) -> tuple[float | None, str | None]:
    t = text.strip()
    if not t:
        return None, None
    t = t.removesuffix("%").strip()
    try:
        value = float(t)
    except ValueError:
        return None, f"share {text.strip()!r} is not a number"
    if not math.isfinite(value) or not 0 <= value <= 100:
        return None, f"share {text.strip()!r} is outside 0-100 (a percentage)"
    return value, None


def _base(text: str) -> tuple[int | None, str | None]:
    t = text.strip().replace(",", "")
    if not t:
        return None, "base size is empty"
    if not re.fullmatch(r"[0-9]+", t):
        return None, f"base size {text.strip()!r} is not a whole number ≥ 0"
    return int(t), None


def read_survey(path: Path | str, *, limits: ImportLimits = DEFAULT_LIMITS) -> SurveyFile:
    """Read a survey results CSV (see the module notes for its columns)."""
    p = Path(path)
    out = SurveyFile(p.name)
    try:
        size = p.stat().st_size
    except OSError as exc:
        out.problems.append(ImportProblem(p.name, 0, f"cannot be read ({exc.strerror})"))
        return out
    if size > limits.max_file_bytes:
        out.problems.append(ImportProblem(
            p.name, 0, f"file is {describe_bytes(size)}; the limit is "
            f"{describe_bytes(limits.max_file_bytes)}"))  # fmt: skip
        return out
    log = ProblemLog(limits.max_problems)
    seen: dict[tuple[str, str, str], int] = {}
    with p.open("rb") as fh:
        records = read_records(fh, limits)
        header = next(records, None)
        if header is None:
            out.problems.append(ImportProblem(p.name, 0, "file is empty"))
            return out
        if header.problem is not None:
            out.problems.append(ImportProblem(p.name, header.line, f"header: {header.problem}",
                                              header.text))  # fmt: skip
            return out
        at: dict[str, int] = {}
        names = [_norm(h) for h in header.fields]
        for role, aliases in COLUMNS.items():
            hits = [i for i, n in enumerate(names) if n in aliases]
            if len(hits) > 1:
                log.add(ImportProblem(p.name, header.line, f"header has more than one {role} "
                                      "column", header.text))  # fmt: skip
            if hits:
                at[role] = hits[0]
        missing = [r for r in REQUIRED if r not in at]
        if missing or log.total:
            if missing:
                log.add(ImportProblem(
                    p.name, header.line,
                    f"header is {','.join(header.fields)!r}; it needs the columns "
                    f"{', '.join(REQUIRED)} (and optionally response)", header.text))  # fmt: skip
            out.problems = log.merged([], 0)
            return out
        width = max(at.values()) + 1
        for record in records:
            if record.problem is not None:
                log.add(ImportProblem(p.name, record.line, record.problem, record.text))
                continue
            cells = record.fields
            if len(cells) < width:
                log.add(ImportProblem(p.name, record.line, f"{len(cells)} fields; the header "
                                      f"has {len(header.fields)}", record.text))  # fmt: skip
                continue
            reasons: list[str] = []
            question = cells[at["question"]].strip()
            area = cells[at["area"]].strip()
            response = cells[at["response"]].strip() if "response" in at else ""
            if not question:
                reasons.append("question is empty")
            if not area:
                reasons.append("area is empty")
            share, why = _share(cells[at["share"]])
            if why:
                reasons.append(why)
            base, why = _base(cells[at["base"]])
            if why:
                reasons.append(why)
            if share is not None and base == 0:
                reasons.append(f"a share of {share:g}% with a base size of 0")
            key = (question.casefold(), area.casefold(), response.casefold())
            if not reasons and key in seen:
                reasons.append(f"the same question, area and response as line {seen[key]}")
            if reasons:
                log.add(ImportProblem(p.name, record.line, "; ".join(reasons), record.text))
                continue
            assert base is not None  # a missing base is a reason above
            seen[key] = record.line
            out.rows.append(SurveyRow(question, area, response, share, base, record.line))
    out.problems = log.merged([], 0)
    out.rows_rejected = log.total
    return out
