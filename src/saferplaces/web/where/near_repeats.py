"""Near repeats: the Knox test of a place's dated, located incidents of one category,
as a table of distance bands by time bands, with the plain readings, the method, the
notes and the source.

The test is :func:`saferplaces.evidence.near_repeat.near_repeats` (cached there until the
store changes); this module reads the form, lays the cells out as an accessible table
and says in words what the evidence layer refused and why (police.uk months).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from saferplaces.evidence.near_repeat import NearRepeatAnswer, near_repeats
from saferplaces.evidence.seasons import categories_from
from saferplaces.evidence.store import incident_store
from saferplaces.govuk import GovukFormMixin, date_field
from saferplaces.insight.near_repeat import ALPHA, Cell, NearRepeatRefused
from saferplaces.insight.schema import CATEGORIES
from saferplaces.insight.windows import Dataset, WindowError, datasets
from saferplaces.partnership.models import Place
from saferplaces.web.where.common import base_context, place_for, scope_of
from saferplaces.web.where.seasons import plural

TEMPLATE = "web/where/near_repeats.html"
PREFERRED = (
    "dwelling-fire",
    "accidental-dwelling-fire",
    "burglary",
    "vehicle-crime",
    "vehicle-fire",
)
"""The categories near repeats are known for, offered first (those the place holds)."""


def category_choices(held: list[Dataset], current: str | None) -> list[tuple[str, str]]:
    """The categories the place's data holds, the usual near-repeat ones first."""
    slugs = {c for d in held for c in d.categories if c in CATEGORIES}
    first = [s for s in PREFERRED if s in slugs]
    rest = sorted(slugs - set(first), key=lambda s: CATEGORIES.get(s).label)
    choices = [(s, CATEGORIES.get(s).label) for s in [*first, *rest]]
    if current and current not in slugs:
        choices.insert(0, (current, current))
    return choices


class NearRepeatForm(GovukFormMixin, forms.Form):
    category = forms.CharField(label="Category", required=False, widget=forms.Select())
    first = date_field(
        "From",
        required=False,
        what="the first day",
        help_text="The first day tested; the first day held when empty",
    )
    last = date_field(
        "To",
        required=False,
        what="the last day",
        help_text="The last day tested; the last day held when empty",
    )

    def __init__(self, *args: Any, held: list[Dataset], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        current = self.data.get("category") if self.is_bound else None
        choices = category_choices(held, current or None)
        self.fields["category"].widget.choices = choices
        self.default = choices[0][0] if choices else None
        self.category_text: str | None = None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        text = (data.get("category") or "").strip() or self.default
        if text is not None:
            try:
                found = categories_from(text)
            except WindowError:
                found = None
            if not found:
                self.add_error("category", f"Choose a category from the list: {text!r} is not one")
            else:
                self.category_text = text
        first, last = data.get("first"), data.get("last")
        if first and last and last < first:
            self.add_error("last", "The last day must be the same as or after the first day")
        return data


@dataclass(frozen=True)
class ShownCell:
    """A cell of the Knox table as the page shows it."""

    cell: Cell

    @property
    def ratio(self) -> str:
        return "–" if self.cell.ratio is None else f"{self.cell.ratio:.2f}×"

    @property
    def expected(self) -> str:
        return f"{self.cell.expected:,.1f}"

    @property
    def p_value(self) -> str:
        return f"{self.cell.p_value:.3f}"


@dataclass(frozen=True)
class Row:
    index: int
    label: str
    rule: str
    cells: list[ShownCell]


def grid(answer: NearRepeatAnswer) -> tuple[list[tuple[int, str, str]], list[Row]]:
    """(columns as (index, label, rule), rows of cells) of the Knox table."""
    result = answer.result
    cells = result.cells()
    columns = [(c.column, c.time, c.time_rule) for c in cells if c.row == 0]
    rows = [
        Row(
            r,
            label,
            next(c.space_rule for c in cells if c.row == r),
            [ShownCell(c) for c in cells if c.row == r],
        )
        for r, label in enumerate(result.space_labels)
    ]
    return columns, rows


def answer_context(answer: NearRepeatAnswer) -> dict[str, Any]:
    columns, rows = grid(answer)
    return {
        "answer": answer,
        "result": answer.result,
        "columns": columns,
        "rows": rows,
        "what": plural(answer.result.what),
        "elevated": sum(c.elevated for c in answer.result.cells()),
        "alpha": ALPHA,
        "notes": [*answer.notes, *answer.result.notes],
    }


def _answer(scope: Any, form: NearRepeatForm) -> dict[str, Any]:
    assert form.category_text is not None
    first: date | None = form.cleaned_data.get("first")
    last: date | None = form.cleaned_data.get("last")
    try:
        answer = near_repeats(scope, form.category_text, first=first, last=last)
    except (NearRepeatRefused, WindowError) as e:
        message = str(e)
        return {"refusal": message[:1].upper() + message[1:]}
    return answer_context(answer)


@login_required
@require_GET
def page(request: HttpRequest, slug: str) -> HttpResponse:
    """`/places/<slug>/near-repeats/?category=dwelling-fire&first=2019-01-01&last=2019-12-31`."""
    place: Place = place_for(slug)
    scope, scope_error = scope_of(place)
    held = datasets(incident_store(), scope.districts) if scope else []
    data = {k: request.GET.get(k, "") for k in NearRepeatForm.base_fields}
    form = NearRepeatForm(data, held=held)
    context: dict[str, Any] = {**base_context(place, "where_near_repeats"), "form": form}
    if not form.is_valid():
        return render(request, TEMPLATE, context, status=400)
    if scope is None:
        return render(request, TEMPLATE, {**context, "scope_error": scope_error})
    if not held or form.category_text is None:
        return render(request, TEMPLATE, {**context, "nothing_held": True})
    context.update(_answer(scope, form))
    return render(request, TEMPLATE, context)
