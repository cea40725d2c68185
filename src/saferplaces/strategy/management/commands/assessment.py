"""saferplaces assessment build --place "West Lancashire" --year 2014/15 --output SA.docx
    [--harm-weights CSS.xlsx --harm-index ons-css --harm-year 2020 --offence-mapping M.csv]

Builds the strategic assessment of a place and year from the evidence held (creating the
assessment and scoring its candidate priorities when it has none) and writes it as an
editable Word document (.docx) or a PDF (.pdf), kept as the next version.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from saferplaces.evidence.scope import ScopeError, resolve_place
from saferplaces.insight.harm import (
    HarmWeights,
    load_cambridge_chi,
    load_offence_mapping,
    load_ons_css,
)
from saferplaces.insight.problems import ImportRejected
from saferplaces.partnership.models import Place
from saferplaces.strategy.assessments import (
    AssessmentError,
    build_version,
    create_assessment,
    score_candidates,
)
from saferplaces.strategy.gather import GatherError, assessment_period
from saferplaces.strategy.harm_weights import active_harm_weights
from saferplaces.strategy.models import StrategicAssessment


def harm_weights(options: dict[str, Any]) -> HarmWeights | None:
    """The harm weights the options name, mapped to categories, or None (the active
    uploaded table is then used; with none, the assessment says none is loaded)."""
    if not options.get("harm_weights"):
        return None
    if not options.get("offence_mapping") or not options.get("harm_year"):
        raise CommandError("--harm-weights needs --harm-year and --offence-mapping")
    load = load_ons_css if options["harm_index"] == "ons-css" else load_cambridge_chi
    try:
        table = load(options["harm_weights"], year=options["harm_year"])
        return table.mapped(load_offence_mapping(options["offence_mapping"]))
    except ImportRejected as exc:
        raise CommandError("\n".join(str(p) for p in exc.problems)) from None


class Command(BaseCommand):
    help = "Build a place's strategic assessment for a year as Word or PDF."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        build = sub.add_parser("build", help="write the assessment to a .docx or .pdf file")
        build.add_argument("--place", required=True, help="a place name or ONS code")
        build.add_argument("--year", required=True, help="a financial year such as 2014/15")
        build.add_argument("--output", required=True, help="FILE.docx or FILE.pdf")
        build.add_argument(
            "--harm-weights", metavar="FILE",
            help="harm weights as published (CSV or XLSX): the ONS Crime Severity Score "
            "offence weights or the Cambridge Crime Harm Index",
        )  # fmt: skip
        build.add_argument("--harm-index", choices=["ons-css", "chi"], default="ons-css")
        build.add_argument("--harm-year", help="the edition of the weights, e.g. 2016")
        build.add_argument(
            "--offence-mapping", metavar="FILE",
            help="CSV offence_code,category (or TOML): which category each offence counts in",
        )  # fmt: skip

    def handle(self, *args: Any, **options: Any) -> None:
        out = Path(options["output"])
        fmt = out.suffix.lower().lstrip(".")
        if fmt not in ("docx", "pdf"):
            raise CommandError(f"{out.name}: the output must end .docx or .pdf")
        try:
            place = resolve_place(options["place"]).place
            period = assessment_period(options["year"])
        except (Place.DoesNotExist, Place.MultipleObjectsReturned, ScopeError,
                GatherError) as exc:  # fmt: skip
            raise CommandError(str(exc)) from None
        given = harm_weights(options)
        weights = given if given is not None else active_harm_weights()
        try:
            a = StrategicAssessment.objects.filter(place=place, year=period.label).first()
            if a is None:
                a = create_assessment(None, place, period.label)
            if not a.signed_off and (given is not None or not a.candidates.exists()):
                score_candidates(None, a, weights)
            version = build_version(None, a, fmt, weights)
        except AssessmentError as exc:
            raise CommandError(str(exc)) from None
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(Path(settings.DOCUMENTS_DIR) / version.file, out)
        self.stdout.write(f"Wrote {out} ({a}, version {version.number}, {a.get_status_display()})")
