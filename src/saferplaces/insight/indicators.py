"""Indicators: named, declarative filters over canonical incident columns.

A filter spec is plain JSON so partnerships can store their own::

    {"sources": ["police_uk"], "categories": ["burglary"],
     "exclude_categories": ["anti-social-behaviour"], "flags_any": ["domestic-abuse"],
     "datasets": ["lancashire"]}

Every key is optional; keys combine with AND; an empty spec matches everything.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import ibis
import ibis.expr.types as ir

from saferplaces.insight.schema import ASB, CATEGORIES, LEGACY_INTO, SeriesBreak, comparable_from

SPEC_KEYS = frozenset({"sources", "datasets", "categories", "exclude_categories", "flags_any"})


class IndicatorError(ValueError):
    """An indicator definition is not valid."""


@dataclass(frozen=True)
class Indicator:
    """A countable indicator: slug, display name, unit and a declarative filter spec."""

    slug: str
    name: str
    unit: str = "incidents"
    spec: Mapping[str, Sequence[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        validate_spec(self.spec)

    def predicate(self, table: ir.Table) -> ir.BooleanValue:
        """The spec compiled to an Ibis boolean expression over ``table``."""
        return compile_spec(self.spec, table)

    def police_categories(self) -> set[str] | None:
        """The police.uk categories (current and retired) this indicator counts, or None
        when it counts no police.uk rows."""
        sources = self.spec.get("sources")
        if sources and "police_uk" not in sources:
            return None
        wanted = self.spec.get("categories") or [
            c.slug for c in CATEGORIES if c.family in ("crime", "asb")
        ]
        return set(wanted) - set(self.spec.get("exclude_categories", ()))

    def series_break(self) -> SeriesBreak | None:
        """The latest change to police.uk's category list this indicator cuts through
        (its months before then are not comparable), or None."""
        categories = self.police_categories()
        return comparable_from(categories) if categories else None

    def as_dict(self) -> dict[str, Any]:
        """JSON-serialisable form (round-trips through :meth:`from_dict`)."""
        return {"slug": self.slug, "name": self.name, "unit": self.unit,
                "spec": {k: list(v) for k, v in self.spec.items()}}  # fmt: skip

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Indicator:
        """Build an indicator from :meth:`as_dict` output (e.g. a database JSON field)."""
        spec = {k: tuple(v) for k, v in dict(data.get("spec") or {}).items()}
        return cls(str(data["slug"]), str(data["name"]), str(data.get("unit", "incidents")),
                   spec)  # fmt: skip


def validate_spec(spec: Mapping[str, Sequence[str]]) -> None:
    """Raise :class:`IndicatorError` for unknown keys, non-list values or unknown categories."""
    unknown = set(spec) - SPEC_KEYS
    if unknown:
        raise IndicatorError(f"unknown filter key(s): {', '.join(sorted(unknown))}")
    for key, values in spec.items():
        if isinstance(values, str) or not all(isinstance(v, str) for v in values):
            raise IndicatorError(f"{key} must be a list of strings")
    for key in ("categories", "exclude_categories"):
        bad = [c for c in spec.get(key, ()) if c not in CATEGORIES]
        if bad:
            raise IndicatorError(f"{key}: unknown category slug(s) {', '.join(bad)}")


def compile_spec(spec: Mapping[str, Sequence[str]], table: ir.Table) -> ir.BooleanValue:
    """Compile a filter spec to an Ibis predicate over canonical columns."""
    preds: list[ir.BooleanValue] = []
    if spec.get("sources"):
        preds.append(table.source.isin(list(spec["sources"])))
    if spec.get("datasets"):
        preds.append(table.dataset.isin(list(spec["datasets"])))
    if spec.get("categories"):
        preds.append(table.category.isin(list(spec["categories"])))
    if spec.get("exclude_categories"):
        preds.append(~table.category.isin(list(spec["exclude_categories"])))
    if spec.get("flags_any"):
        wanted = list(spec["flags_any"])
        flag_preds = [table.flags.contains(f) for f in wanted]
        preds.append(ibis.or_(*flag_preds).fill_null(False))
    if not preds:
        return ibis.literal(True)
    return ibis.and_(*preds)


def matches(spec: Mapping[str, Sequence[str]], row: Mapping[str, Any]) -> bool:
    """Evaluate a spec on one plain row dict (for tests and small in-memory uses)."""
    if spec.get("sources") and row["source"] not in spec["sources"]:
        return False
    if spec.get("datasets") and row["dataset"] not in spec["datasets"]:
        return False
    if spec.get("categories") and row["category"] not in spec["categories"]:
        return False
    if spec.get("exclude_categories") and row["category"] in spec["exclude_categories"]:
        return False
    flags = row.get("flags") or []
    return not (spec.get("flags_any") and not set(flags) & set(spec["flags_any"]))


POLICE = ("police_uk",)
DEFAULT_INDICATORS: tuple[Indicator, ...] = (
    Indicator("all-crime", "All crime", "crimes",
              {"sources": POLICE, "exclude_categories": (ASB,)}),
    Indicator("anti-social-behaviour", "Anti-social behaviour", "incidents",
              {"sources": POLICE, "categories": (ASB,)}),
    Indicator("violence-and-sexual-offences", "Violence and sexual offences", "crimes",
              {"sources": POLICE,
               "categories": ("violence-and-sexual-offences", "violent-crime")}),
    Indicator("vehicle-crime", "Vehicle crime", "crimes",
              {"sources": POLICE, "categories": ("vehicle-crime",)}),
    Indicator("burglary", "Burglary", "crimes",
              {"sources": POLICE, "categories": ("burglary",)}),
    Indicator("criminal-damage-and-arson", "Criminal damage and arson", "crimes",
              {"sources": POLICE, "categories": ("criminal-damage-and-arson",)}),
    Indicator("deliberate-fires", "Deliberate fires (ASB fires)", "fires",
              {"categories": ("deliberate-primary-fire", "deliberate-secondary-fire")}),
    Indicator("domestic-abuse", "Domestic abuse", "incidents", {"flags_any": ("domestic-abuse",)}),
)  # fmt: skip
"""The indicators every partnership starts with."""


def category_indicators(headline: Indicator) -> list[Indicator]:
    """One indicator per category of today's list that ``headline`` counts (a retired
    name counted with the category it became), so that a breakdown by category is made
    by the same rules as the cards and every row agrees with them."""
    counted = headline.police_categories()
    if counted is None:
        return []
    out = []
    for category in CATEGORIES:
        if category.legacy or category.family not in ("crime", "asb"):
            continue
        slugs = [category.slug, *(old for old, new in LEGACY_INTO.items() if new == category.slug)]
        slugs = [s for s in slugs if s in counted]
        if category.slug not in slugs:
            continue
        spec = {
            k: v for k, v in headline.spec.items() if k not in ("categories", "exclude_categories")
        }
        out.append(Indicator(category.slug, category.label, headline.unit,
                             {**spec, "categories": tuple(slugs)}))  # fmt: skip
    return out


def indicator_by_slug(slug: str, indicators: Sequence[Indicator] = DEFAULT_INDICATORS) -> Indicator:
    """Find an indicator by slug (``KeyError`` when absent)."""
    for ind in indicators:
        if ind.slug == slug:
            return ind
    raise KeyError(slug)
