"""The strategy models: assessments (assessment.py) and plans (plans.py)."""

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
from saferplaces.strategy.models.plans import *  # noqa: F403
