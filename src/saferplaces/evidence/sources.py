"""Where the figures come from: what every page and paper says about its sources.

For each source that holds data for a place: what it is and what it cannot say, the
datasets (forces) it came from, the last month held, and the rows of the period that
have no location (counted in no district, so in no place's figures).
"""

from __future__ import annotations

from dataclasses import dataclass

import ibis.expr.types as ir

from saferplaces.evidence.scope import PlaceScope
from saferplaces.evidence.store import incident_store
from saferplaces.insight.periods import Period, format_month, parse_month
from saferplaces.insight.query import run

POLICE_UK = "police_uk"

ABOUT = {
    POLICE_UK: (
        "police.uk street-level crime and anti-social behaviour",
        "Published monthly by each police force. Each crime is counted once, in the month "
        "it was first published, under the category it was recorded with then (not later "
        "reclassifications); locations are anonymised to a map point near where it "
        "happened, so nothing here is precise to a street.",
        "These counts are not the force's recorded-crime figures that many board papers "
        "quote: the two are compiled differently and rarely agree exactly.",
    ),
}
"""source → (name, what it is, how it differs from what readers may know)."""

LICENCE = "Contains public sector information licensed under the Open Government Licence v3.0."


@dataclass(frozen=True)
class SourceNote:
    source: str
    name: str
    about: str
    caveat: str | None
    datasets: list[str]
    first_month: str
    last_month: str
    unlocated: int
    """Rows of the period from these datasets with no location: in no district's figures."""

    @property
    def last_month_label(self) -> str:
        return f"{parse_month(self.last_month):%B %Y}"

    @property
    def sentence(self) -> str:
        """One line naming the source, its datasets, the months held and the rows
        without a location."""
        located = (
            f"{self.unlocated:,} rows of this period have no location and are in no "
            "district's figures"
            if self.unlocated
            else "every row of this period has a location"
        )
        return (
            f"{self.name} ({', '.join(self.datasets)}), held from "
            f"{parse_month(self.first_month):%B %Y} to {self.last_month_label}; {located}."
        )

    @property
    def explanation(self) -> str:
        """What the source is and cannot say, and how it differs from what readers know."""
        return f"{self.name}: {self.about} {self.caveat or ''}".strip()


def _dataset_name(source: str, dataset: str) -> str:
    name = dataset.replace("-", " ").title()
    return f"{name} force" if source == POLICE_UK else name


def sources_for(scope: PlaceScope, period: Period) -> list[SourceNote]:
    """The sources holding data for the place's districts, with the rows of the period
    that have no location."""
    backend = incident_store().connect()

    def build() -> ir.Table:
        r = backend.table("rollup_district")
        here = r.filter(r.district.isin(list(scope.districts)))
        return (
            here.group_by(["source", "dataset"])
            .aggregate(first=here.month.min(), last=here.month.max())
            .order_by(["source", "dataset"])
        )

    def build_unlocated() -> ir.Table:
        r = backend.table("rollup_district")
        gone = r.filter(r.district.isnull(), r.month.between(period.start, period.end))
        return gone.group_by(["source", "dataset"]).aggregate(n=gone.n.sum())

    held = run(backend, ("sources", scope.districts), build)
    key = ("unlocated", period.start, period.end)
    without = {(s, d): int(n or 0) for s, d, n in run(backend, key, build_unlocated)}
    by_source: dict[str, list[tuple[str, str, str, int]]] = {}
    for source, dataset, lo, hi in held:
        by_source.setdefault(source, []).append(
            (dataset, format_month(lo), format_month(hi), without.get((source, dataset), 0))
        )
    out = []
    for source, items in sorted(by_source.items()):
        name, about, caveat = ABOUT.get(source, (source, "Imported incident records.", None))
        out.append(
            SourceNote(
                source=source,
                name=name,
                about=about,
                caveat=caveat,
                datasets=[_dataset_name(source, d) for d, *_ in items],
                first_month=min(i[1] for i in items),
                last_month=max(i[2] for i in items),
                unlocated=sum(i[3] for i in items),
            )
        )
    return out
