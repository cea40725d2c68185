"""The strategy models: assessments (assessment.py), plans (plans.py) and harm weights
(harm.py)."""

from saferplaces.strategy.models.assessment import (  # noqa: F401
    AssessmentSection,
    AssessmentStatus,
    AssessmentVersion,
    DocumentFormat,
    PriorityCandidate,
    ScoreOverride,
    StrategicAssessment,
    SurveyResult,
)
from saferplaces.strategy.models.harm import HarmIndex, HarmWeightsTable  # noqa: F401
from saferplaces.strategy.models.plans import *  # noqa: F403
