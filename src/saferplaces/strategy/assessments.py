"""Writes to strategic assessments: every change is atomic and leaves an activity event.

Create an assessment for a place and year; import a consultation survey (all rows or
none, problems named by file and line); add a partner's section; score the candidate
issues from the gathered evidence; override a score with a written reason (the derived
score kept); rank; sign off; and keep every generated document as a numbered version.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from saferplaces.evidence.scope import ScopeError, scope_for
from saferplaces.insight.compare import IndicatorResult
from saferplaces.insight.harm import HarmWeights
from saferplaces.insight.prioritise import (
    DEFAULT_CRITERIA,
    SCORE_MAX,
    SCORE_MIN,
    Candidate,
    Criterion,
    Override,
    RankedIssue,
    Score,
    confidence_score,
    score_from_quantiles,
    trend_score,
    validate_weights,
)
from saferplaces.insight.prioritise import rank as rank_issues
from saferplaces.insight.sources.survey import read_survey, with_margin
from saferplaces.insight.stats import INCREASE, NORMAL, REDUCTION
from saferplaces.partnership.models import Organisation, Place
from saferplaces.partnership.services import Actor, record_event
from saferplaces.strategy.gather import Gathered, GatherError, assessment_period, gather
from saferplaces.strategy.models import (
    AssessmentSection,
    AssessmentStatus,
    AssessmentVersion,
    DocumentFormat,
    PriorityCandidate,
    ScoreOverride,
    StrategicAssessment,
    SurveyResult,
)

CRITERIA: tuple[Criterion, ...] = DEFAULT_CRITERIA
"""The criteria (``insight.prioritise``'s defaults), each scored 1 (low) to 5 (high)."""


class AssessmentError(ValueError):
    """A change that cannot be made, said in words a person can act on."""


def _user(actor: Actor) -> Any:
    """The signed-in user behind ``actor``, or None."""
    return actor if actor is not None and actor.is_authenticated else None


def criterion_slugs() -> list[str]:
    return [c.slug for c in CRITERIA]


def criterion_label(key: str) -> str:
    return {c.slug: c.label for c in CRITERIA}.get(key, key)


def weights() -> dict[str, float]:
    """The criteria weights: the STRATEGY_PRIORITY_WEIGHTS setting (criterion slug →
    weight ≥ 0), each criterion not named weighing 1."""
    return validate_weights(getattr(settings, "STRATEGY_PRIORITY_WEIGHTS", None), CRITERIA)


# ---------------------------------------------------------------- create, sign off


@transaction.atomic
def create_assessment(actor: Actor, place: Place, year: str) -> StrategicAssessment:
    try:
        period = assessment_period(year)
        scope_for(place)
    except (GatherError, ScopeError) as exc:
        raise AssessmentError(str(exc)) from None
    if StrategicAssessment.objects.filter(place=place, year=period.label).exists():
        raise AssessmentError(f"{place.name} already has a strategic assessment for {period.label}")
    user = _user(actor)
    a = StrategicAssessment.objects.create(
        place=place, year=period.label, start=period.start, end=period.end,
        created_by=user,
    )  # fmt: skip
    record_event(actor, "created", a, f"Strategic assessment {a.year} for {place.name} started")
    return a


def _draft(a: StrategicAssessment) -> None:
    if a.signed_off:
        raise AssessmentError("This assessment is signed off: it can no longer be changed")


@transaction.atomic
def sign_off(actor: Actor, a: StrategicAssessment) -> StrategicAssessment:
    _draft(a)
    if not a.candidates.exists():
        raise AssessmentError("Score the priorities before signing the assessment off")
    a.status = AssessmentStatus.SIGNED_OFF
    a.signed_off_by = _user(actor)
    a.signed_off_on = timezone.now()
    a.save(update_fields=["status", "signed_off_by", "signed_off_on"])
    record_event(actor, "signed_off", a, f"{a} signed off")
    return a


# ---------------------------------------------------------------- partner sections


@transaction.atomic
def add_section(
    actor: Actor, a: StrategicAssessment, organisation: Organisation, title: str, text: str
) -> AssessmentSection:
    _draft(a)
    if not title.strip() or not text.strip():
        raise AssessmentError("A partner section needs a title and some text")
    user = _user(actor)
    s = AssessmentSection.objects.create(
        assessment=a, organisation=organisation, title=title.strip(), text=text.strip(),
        written_by=user,
    )  # fmt: skip
    record_event(actor, "section", a, f"{organisation.name} added '{s.title}' to {a}")
    return s


# ---------------------------------------------------------------- survey


class SurveyError(AssessmentError):
    """A survey file with problems: each names the file and line."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = list(problems)


def margin_of_error(share: float | None, base: int) -> float | None:
    """The 95% margin of error of a percentage from ``base`` respondents, in points."""
    if share is None or base < 1:
        return None
    return round(with_margin(share, base).points, 1)


@transaction.atomic
def import_survey(
    actor: Actor, a: StrategicAssessment, path: Path, survey: str = "", filename: str = ""
) -> list[SurveyResult]:
    """Store every row of the consultation CSV at ``path``, or none: SurveyError names
    each problem by file and line (``filename``: the name the person uploaded)."""
    _draft(a)
    found = read_survey(path)
    name = filename or path.name
    if found.problems:
        raise SurveyError([str(p).replace(found.file, name, 1) for p in found.problems])
    if not found.rows:
        raise SurveyError([f"{name}: no results below the header"])
    made = SurveyResult.objects.bulk_create(
        SurveyResult(
            assessment=a, survey=survey or Path(name).stem, question=r.question, area=r.area,
            response=r.response, share=r.share, base=r.base, source_file=name, line=r.line,
            imported_by=_user(actor),
        )
        for r in found.rows
    )  # fmt: skip
    record_event(actor, "survey", a, f"{len(made)} survey results from {name} added to {a}")
    return made


# ---------------------------------------------------------------- scoring

NEUTRAL = 3
"""The score a criterion the evidence cannot judge takes until a person scores it: the
middle of the scale, said so in its reason (never passed off as a finding)."""


def _neutral(why: str) -> Score:
    return Score(NEUTRAL, f"{why}: scored {NEUTRAL}, the middle, until someone scores it")


def _concern(r: IndicatorResult, survey: Iterable[SurveyResult]) -> Score:
    words = [w for w in r.name.lower().replace("-", " ").split() if len(w) > 3 and w != "crime"]
    hits = [s for s in survey if s.share is not None and any(
        w in s.question.lower() or w in s.response.lower() for w in words)]  # fmt: skip
    if not hits:
        return _neutral("No survey result asks about this issue")
    top = max(hits, key=lambda s: s.share or 0.0)
    share = top.share or 0.0
    value = min(SCORE_MAX, SCORE_MIN + int(share // 20))
    return Score(value, f"{share:g}% (±{margin_of_error(share, top.base):g} points) of "
                        f"{top.base:,} respondents in {top.area}: {top.question} "
                        f"{top.response}".strip())  # fmt: skip


def _harm(r: IndicatorResult, g: Gathered) -> Score:
    if not g.harm.weighted:
        return _neutral("No official harm weights are loaded")
    harm = g.harm.by_indicator.get(r.indicator)
    known = [v for v in g.harm.by_indicator.values() if v is not None]
    if harm is None or not known:
        return _neutral(f"{g.harm.weights_name} gives this issue no weight")
    s = score_from_quantiles(harm, known)
    return Score(s.value, f"harm {harm:,.0f} ({g.harm.weights_name}); {s.reason}")


def derive_scores(
    r: IndicatorResult, results: Sequence[IndicatorResult], g: Gathered,
    survey: Sequence[SurveyResult],
) -> dict[str, Score]:  # fmt: skip
    """Each criterion's score for one indicator, from the gathered figures, with why."""
    out: dict[str, Score] = {"harm": _harm(r, g)}
    rates = [x.rate_per_1000 for x in results if x.rate_per_1000 is not None]
    counts = [float(x.count) for x in results if x.count is not None]
    if r.count is None:
        out["volume"] = _neutral(f"No data held for {g.year}")
    elif r.rate_per_1000 is not None and rates:
        s = score_from_quantiles(r.rate_per_1000, rates)
        out["volume"] = Score(s.value, f"{r.count:,} {r.unit}, {r.rate_per_1000:.1f} per 1,000 "
                                       f"residents; {s.reason}")  # fmt: skip
    else:
        s = score_from_quantiles(float(r.count), counts)
        out["volume"] = Score(s.value, f"{r.count:,} {r.unit}; {s.reason}")
    if r.verdict in (INCREASE, REDUCTION, NORMAL) and r.pct_change is not None:
        s = trend_score(r.pct_change, r.significant)
        out["trend"] = Score(s.value, f"{s.reason} on {r.previous_period} ({r.verdict})")
    elif r.like_for_like is not None and r.like_for_like.pct_change is not None:
        lf = r.like_for_like
        s = trend_score(lf.pct_change or 0.0, lf.significant)
        out["trend"] = Score(s.value, f"like for like over {len(lf.months)} months: {s.reason}")
    else:
        out["trend"] = _neutral(f"No verdict on the trend ({r.reason or r.verdict})")
    out["public-concern"] = _concern(r, survey)
    out["vulnerability"] = _neutral("Not in the incident data")
    out["capacity"] = _neutral("Not in the incident data")
    if r.count is None:
        out["confidence"] = Score(SCORE_MIN, f"No data held for {g.year}")
    else:
        share = r.months_with_data / r.months_expected if r.months_expected else 0.0
        counted = len(r.districts) + len(r.districts_without_data)
        if counted:
            share *= len(r.districts) / counted
        s = confidence_score(min(1.0, share))
        out["confidence"] = Score(s.value, s.reason + (f"; {r.reason}" if r.reason else ""))
    return out


def latest_overrides(c: PriorityCandidate) -> dict[str, ScoreOverride]:
    """The override in force for each criterion (the latest; earlier ones are kept)."""
    out: dict[str, ScoreOverride] = {}
    for o in sorted(c.overrides.all(), key=lambda o: (o.on, o.id)):
        out[o.criterion] = o
    return out


def effective_scores(c: PriorityCandidate) -> dict[str, int]:
    """The derived scores with the latest override of each criterion applied."""
    scores = {k: int(c.scores.get(k, NEUTRAL)) for k in criterion_slugs()}
    for key, o in latest_overrides(c).items():
        scores[key] = o.score
    return scores


def ranked(a: StrategicAssessment) -> list[RankedIssue]:
    """The candidates ranked by ``insight.prioritise`` with the weights setting and the
    overrides in force (each with its reason and who made it)."""
    cands, overrides = [], []
    for c in a.candidates.prefetch_related("overrides__by"):
        cands.append(Candidate(c.name, {k: Score(int(c.scores.get(k, NEUTRAL)),
                                                 str(c.reasons.get(k, "")))
                                        for k in criterion_slugs()}))  # fmt: skip
        for key, o in latest_overrides(c).items():
            who = o.by.get_username() if o.by else "unknown"
            overrides.append(Override(c.name, key, o.score, o.reason, who))
    return rank_issues(cands, weights(), overrides=overrides)


@transaction.atomic
def rank(a: StrategicAssessment) -> list[PriorityCandidate]:
    """Store each candidate's total and position (1 = highest priority)."""
    order = {r.issue: r for r in ranked(a)}
    cands = list(a.candidates.all())
    for c in cands:
        r = order[c.name]
        c.total, c.rank, c.tied = r.total, r.position, r.tied
    PriorityCandidate.objects.bulk_update(cands, ["total", "rank", "tied"])
    return sorted(cands, key=lambda c: c.rank or 0)


@transaction.atomic
def score_candidates(
    actor: Actor, a: StrategicAssessment, harm_weights: HarmWeights | None = None
) -> list[PriorityCandidate]:
    """(Re)score one candidate per indicator from the gathered evidence (harm by
    ``harm_weights`` when given); overrides kept."""
    _draft(a)
    g = gather(a.place, a.year, harm_weights)
    survey = list(a.survey_results.all())
    for r in g.results:
        derived = derive_scores(r, g.results, g, survey)
        PriorityCandidate.objects.update_or_create(
            assessment=a, slug=r.indicator,
            defaults={"name": r.name,
                      "scores": {k: s.value for k, s in derived.items()},
                      "reasons": {k: s.reason for k, s in derived.items()}},
        )  # fmt: skip
    done = rank(a)
    record_event(actor, "scored", a, f"{len(done)} candidate priorities scored for {a}")
    return done


@transaction.atomic
def override_score(
    actor: Actor, c: PriorityCandidate, criterion: str, score: int, reason: str
) -> ScoreOverride:
    """Set one criterion's score with a written reason; the derived score is kept."""
    _draft(c.assessment)
    if not reason or not reason.strip():
        raise AssessmentError("Give the reason for changing the score")
    if criterion not in criterion_slugs():
        raise AssessmentError(f"{criterion!r} is not a criterion")
    if isinstance(score, bool) or not isinstance(score, int) or not (
        SCORE_MIN <= score <= SCORE_MAX
    ):  # fmt: skip
        raise AssessmentError(f"A score is a whole number from {SCORE_MIN} to {SCORE_MAX}")
    before = effective_scores(c).get(criterion)
    o = ScoreOverride.objects.create(
        candidate=c, criterion=criterion, original=c.scores.get(criterion), score=score,
        reason=reason.strip(), by=_user(actor),
    )  # fmt: skip
    rank(c.assessment)
    record_event(
        actor, "override", c.assessment,
        f"{c.name} {criterion_label(criterion)}: {before} → {score} ({o.reason})",
    )  # fmt: skip
    return o


# ---------------------------------------------------------------- documents


def _next_number(a: StrategicAssessment, fmt: str) -> int:
    top = a.versions.filter(format=fmt).aggregate(n=Max("number"))["n"]
    return int(top or 0) + 1


@transaction.atomic
def build_version(
    actor: Actor, a: StrategicAssessment, fmt: str, harm_weights: HarmWeights | None = None
) -> AssessmentVersion:
    """Write the assessment as a Word or PDF document under DOCUMENTS_DIR and keep it
    as the next version of that format."""
    from saferplaces.strategy.assessment_documents import write_document

    if fmt not in DocumentFormat.values:
        raise AssessmentError(f"{fmt!r} is not a document format (docx or pdf)")
    number = _next_number(a, fmt)
    name = f"{a.place.slug}-{a.year.replace('/', '-')}-v{number}.{fmt}"
    relative = Path("assessments") / str(a.pk) / name
    path = Path(settings.DOCUMENTS_DIR) / relative
    write_document(a, path, gather(a.place, a.year, harm_weights))
    user = _user(actor)
    v = AssessmentVersion.objects.create(
        assessment=a, format=fmt, number=number, file=str(relative), created_by=user
    )
    record_event(actor, "document", a, f"{a} version {number} ({fmt}) written")
    return v
