"""saferplaces evaluate --initiative "Bright Sparx 2014" --format json|table

Did it work: the initiative's evaluation measures year by year (no data is never 0), the
initiative's year against the year before and the earlier mean with the verdict, and its
value cases with the arithmetic. NAME matches an initiative's name (any case) or slug;
more than one match lists them and fails.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q

from saferplaces.delivery.evaluation import Evaluation, evaluate, evaluation_dict
from saferplaces.delivery.models import Initiative


def find_initiative(text: str) -> Initiative:
    """The one initiative named ``text`` (name in any case, or slug); CommandError naming
    the matches when there are several, or the text when there are none."""
    text = text.strip()
    found = list(
        Initiative.objects.filter(Q(name__iexact=text) | Q(slug=text.lower()))
        .select_related("place")
        .order_by("place__name", "name")
    )
    if not found:
        raise CommandError(f'No initiative is named "{text}" (give its name or its slug).')
    if len(found) > 1:
        names = "; ".join(f"{i.name} ({i.place.name}, slug {i.slug})" for i in found)
        raise CommandError(f'"{text}" names {len(found)} initiatives: {names}. Give the slug.')
    return found[0]


class Command(BaseCommand):
    help = "Evaluate an initiative: its measures year by year, the verdict and value cases."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--initiative", required=True, metavar="NAME", help="name or slug")
        parser.add_argument("--format", choices=["json", "table"], default="table")

    def handle(self, *args: Any, **options: Any) -> None:
        result = evaluate(find_initiative(options["initiative"]))
        if options["format"] == "json":
            self.stdout.write(json.dumps(evaluation_dict(result), indent=2, ensure_ascii=False))
        else:
            self._table(result)

    def _table(self, e: Evaluation) -> None:
        i = e.initiative
        w = self.stdout.write
        w(f"{i.name}, {e.place}: {i.starts_on:%-d %B %Y} to {i.ends_on:%-d %B %Y}")
        if e.note:
            w(e.note)
        for m in e.measures:
            w("")
            w(f"{m.indicator_name}, {m.window_label}")
            w(f"  {'Year':<6} {'Count':>8}  Note")
            for y in m.years:
                count = f"{y.count:,}" if y.count is not None else "no data"
                mark = "  <- initiative year" if y.initiative_year else ""
                w(f"  {y.year:<6} {count:>8}  {y.reason or ''}{mark}")
            w(f"  Verdict: {m.comparison.verdict}")
            w(f"  {m.comparison.reason}")
            for note in m.notes:
                w(f"  Note: {note}")
        if e.measures:
            w("")
            w(f"Test: {e.test}")
        for v in e.value_cases:
            w("")
            w(f"Value case: {v.name}")
            for step in v.result.steps:
                w(f"  {step}")
            w(f"  {v.result.headline}")
            w(f"  Unit cost source: {v.unit_cost_source}")
            if v.basis:
                w(f"  Baseline: {v.basis}")
        if e.sources:
            w("")
            for s in e.sources:
                w(f"Source: {s.sentence}")
