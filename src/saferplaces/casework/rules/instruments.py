"""Risk assessment instruments (e.g. the SafeLives DASH risk checklist): scoring only.

The wording of the DASH questions is licensed by SafeLives, so none is shipped here; an
administrator who holds a licence may supply it through ``instrument_from_mapping``.
Levels are ordered "standard" < "medium" < "high". A level comes from the number of
"yes" answers; professional judgement may raise it (with a reason) but never lower it.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

__all__ = [
    "DASH",
    "DASH_POLICE_27",
    "LEVELS",
    "Band",
    "Instrument",
    "InstrumentError",
    "Score",
    "final_level",
    "instrument_from_mapping",
    "level_for",
    "level_rank",
    "score",
]

LEVELS: tuple[str, ...] = ("standard", "medium", "high")


class InstrumentError(ValueError):
    """An instrument, its answers or a judged level breaks the rules."""


def level_rank(level: str) -> int:
    """The order of ``level``: standard 0, medium 1, high 2."""
    try:
        return LEVELS.index(level)
    except ValueError:
        known = ", ".join(LEVELS)
        raise InstrumentError(f"unknown risk level {level!r} (known: {known})") from None


@dataclass(frozen=True)
class Band:
    """A risk level reached from ``min_yes`` "yes" answers upwards."""

    level: str
    label: str
    min_yes: int


@dataclass(frozen=True)
class Instrument:
    """A yes/no checklist scored into risk bands; ``questions`` only if licensed wording is held."""

    key: str
    name: str
    question_count: int
    bands: tuple[Band, ...]
    questions: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        _check_instrument(self)

    @property
    def levels(self) -> tuple[str, ...]:
        """The levels this instrument can give, lowest first."""
        return tuple(band.level for band in self.bands)


@dataclass(frozen=True)
class Score:
    """The result of scoring one set of answers."""

    yes_count: int
    answered: int
    unanswered: int
    level: str


def _check_instrument(instrument: Instrument) -> None:
    """Raise InstrumentError unless the instrument's settings are coherent."""
    what = f"instrument {instrument.key!r}"
    if not instrument.key.strip():
        raise InstrumentError("an instrument needs a key")
    if not instrument.name.strip():
        raise InstrumentError(f"{what} needs a name")
    if instrument.question_count < 1:
        raise InstrumentError(
            f"{what}: question_count must be at least 1, not {instrument.question_count}"
        )
    _check_bands(what, instrument.bands, instrument.question_count)
    if instrument.questions is not None and len(instrument.questions) != instrument.question_count:
        raise InstrumentError(
            f"{what}: {len(instrument.questions)} questions given "
            f"but question_count is {instrument.question_count}"
        )


def _check_bands(what: str, bands: Sequence[Band], question_count: int) -> None:
    """Bands must start at 0 "yes", rise strictly in both threshold and level."""
    if not bands:
        raise InstrumentError(f"{what} needs at least one band")
    if bands[0].min_yes != 0:
        raise InstrumentError(
            f"{what}: the first band must start at 0 yes answers, not {bands[0].min_yes}"
        )
    for band in bands:
        level_rank(band.level)
        if band.min_yes > question_count:
            raise InstrumentError(
                f"{what}: band {band.level!r} starts at {band.min_yes} yes answers, "
                f"more than the {question_count} questions"
            )
    for lower, upper in itertools.pairwise(bands):
        if upper.min_yes <= lower.min_yes:
            raise InstrumentError(
                f"{what}: bands must rise; {upper.level!r} starts at {upper.min_yes}, "
                f"not above {lower.level!r} at {lower.min_yes}"
            )
        if level_rank(upper.level) <= level_rank(lower.level):
            raise InstrumentError(
                f"{what}: band levels must go standard, medium, high; "
                f"{upper.level!r} comes after {lower.level!r}"
            )


_STANDARD_BANDS = (
    Band("standard", "Standard risk", 0),
    Band("medium", "Medium risk", 10),
    Band("high", "High risk", 14),
)

DASH = Instrument(
    "dash-24", "SafeLives DASH risk checklist (partner agencies)", 24, _STANDARD_BANDS
)

# The police version has 27 questions. No published numeric thresholds were found for
# it (police forces grade risk by professional judgement, and first responders now use
# the College of Policing's DARA tool), so the partner-agency bands are used as a
# default: this is a setting an administrator configures for their area.
DASH_POLICE_27 = Instrument(
    "dash-police-27", "DASH risk checklist (police, 27 questions)", 27, _STANDARD_BANDS
)


def level_for(instrument: Instrument, yes_count: int) -> str:
    """The level of the highest band whose threshold ``yes_count`` reaches."""
    level = instrument.bands[0].level
    for band in instrument.bands:
        if yes_count >= band.min_yes:
            level = band.level
    return level


def score(instrument: Instrument, answers: Sequence[bool | None]) -> Score:
    """Score one completed checklist; None is a question not answered (counts as not yes)."""
    if len(answers) != instrument.question_count:
        raise InstrumentError(
            f"{instrument.name} ({instrument.key}) has {instrument.question_count} questions "
            f"but {len(answers)} answers were given"
        )
    yes_count = sum(1 for answer in answers if answer is True)
    answered = sum(1 for answer in answers if answer is not None)
    return Score(
        yes_count=yes_count,
        answered=answered,
        unanswered=len(answers) - answered,
        level=level_for(instrument, yes_count),
    )


def final_level(
    instrument: Instrument, scored_level: str, judged_level: str | None, reason: str
) -> str:
    """The level to act on: the scored level, or a higher one by professional judgement.

    Raising needs a non-blank ``reason``; lowering is refused.
    """
    for level in (scored_level, judged_level):
        if level is not None and level not in instrument.levels:
            raise InstrumentError(
                f"{instrument.key} has no level {level!r} (its levels: "
                f"{', '.join(instrument.levels)})"
            )
    if judged_level is None or judged_level == scored_level:
        return scored_level
    if level_rank(judged_level) < level_rank(scored_level):
        raise InstrumentError(
            f"professional judgement can raise a level, never lower it: scored {scored_level}"
        )
    if not reason.strip():
        raise InstrumentError("a reason is needed to raise the level")
    return judged_level


_INSTRUMENT_KEYS = frozenset({"key", "name", "question_count", "bands", "questions"})
_BAND_KEYS = frozenset({"level", "label", "min_yes"})


def _text(d: Mapping[str, object], field: str, where: str) -> str:
    """A required non-blank string setting."""
    value = d.get(field)
    if not isinstance(value, str) or not value.strip():
        raise InstrumentError(f"{where}: {field!r} must be some text, not {value!r}")
    return value.strip()


def _whole(d: Mapping[str, object], field: str, where: str, minimum: int) -> int:
    """A required whole-number setting of at least ``minimum``."""
    value = d.get(field)
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise InstrumentError(
            f"{where}: {field!r} must be a whole number of at least {minimum}, not {value!r}"
        )
    return value


def _unknown(d: Mapping[str, object], allowed: frozenset[str], where: str) -> None:
    """Refuse settings this code does not understand (likely typing mistakes)."""
    extra = sorted(set(d) - allowed)
    if extra:
        raise InstrumentError(f"{where}: unknown setting(s) {', '.join(map(repr, extra))}")


def _band_from_mapping(d: object, where: str) -> Band:
    """One band from ``{"level": ..., "label": ..., "min_yes": ...}``; label is optional."""
    if not isinstance(d, Mapping):
        raise InstrumentError(f"{where}: each band must be a mapping, not {d!r}")
    _unknown(d, _BAND_KEYS, where)
    level = _text(d, "level", where)
    level_rank(level)
    label = _text(d, "label", where) if "label" in d else f"{level.capitalize()} risk"
    return Band(level, label, _whole(d, "min_yes", where, 0))


def _questions_from(value: object, where: str) -> tuple[str, ...] | None:
    """Optional question wording: a list of non-blank strings."""
    if value is None:
        return None
    if isinstance(value, str | bytes) or not isinstance(value, Sequence):
        raise InstrumentError(f"{where}: 'questions' must be a list of texts")
    if not all(isinstance(q, str) and q.strip() for q in value):
        raise InstrumentError(f"{where}: every question must be some text")
    return tuple(str(q).strip() for q in value)


def instrument_from_mapping(d: Mapping[str, object]) -> Instrument:
    """Build and validate an instrument from an administrator's settings.

    Expected: ``key``, ``name``, ``question_count`` (> 0), ``bands`` (a list of
    ``{level, label?, min_yes}`` starting at 0 and rising) and optionally ``questions``.
    """
    key = d.get("key")
    where = f"instrument {key!r}" if isinstance(key, str) and key.strip() else "instrument"
    _unknown(d, _INSTRUMENT_KEYS, where)
    key_text = _text(d, "key", where)
    name = _text(d, "name", where)
    question_count = _whole(d, "question_count", where, 1)
    raw_bands = d.get("bands")
    if isinstance(raw_bands, str | bytes) or not isinstance(raw_bands, Sequence) or not raw_bands:
        raise InstrumentError(f"{where}: 'bands' must be a non-empty list")
    bands = tuple(_band_from_mapping(b, f"{where}, band {i + 1}") for i, b in enumerate(raw_bands))
    questions = _questions_from(d.get("questions"), where)
    return Instrument(key_text, name, question_count, bands, questions)
