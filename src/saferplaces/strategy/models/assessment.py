"""The strategic assessment: one per place and year, with partner sections, community
survey results, the prioritisation matrix (criterion scores, overrides with reasons) and
the documents generated from it."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from saferplaces.partnership.models import Organisation, Place


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SIGNED_OFF = "signed_off", "Signed off"


class StrategicAssessment(models.Model):
    place = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="assessments")
    year = models.CharField(max_length=20, help_text="A financial year such as 2014/15")
    start = models.DateField()
    end = models.DateField()
    status = models.CharField(
        max_length=12, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT
    )
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    signed_off_on = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("place__name", "-start")
        constraints = [
            models.UniqueConstraint(fields=("place", "year"), name="one_assessment_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.place.name} strategic assessment {self.year}"

    @property
    def signed_off(self) -> bool:
        return self.status == AssessmentStatus.SIGNED_OFF


class AssessmentSection(models.Model):
    """A partner's input: free text written for one partner organisation."""

    assessment = models.ForeignKey(
        StrategicAssessment, on_delete=models.CASCADE, related_name="sections"
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=200)
    text = models.TextField()
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    written_on = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("organisation__name", "written_on", "id")

    def __str__(self) -> str:
        return f"{self.organisation.name}: {self.title}"


class SurveyResult(models.Model):
    """One row of a consultation survey: the share of respondents in an area giving a
    response to a question, with the number who answered (for the margin of error)."""

    assessment = models.ForeignKey(
        StrategicAssessment, on_delete=models.CASCADE, related_name="survey_results"
    )
    survey = models.CharField(max_length=200)
    question = models.CharField(max_length=500)
    area = models.CharField(max_length=200)
    response = models.CharField(max_length=300, blank=True)
    share = models.FloatField(
        null=True, blank=True, help_text="Percentage of respondents, 0 to 100 (empty: no data)"
    )
    base = models.PositiveIntegerField(help_text="Number of respondents who answered")
    source_file = models.CharField(max_length=255, blank=True)
    line = models.PositiveIntegerField(null=True, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    imported_on = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("survey", "question", "area", "id")

    def __str__(self) -> str:
        return f"{self.question} ({self.area}): {self.share}%"


class PriorityCandidate(models.Model):
    """A candidate issue in the prioritisation matrix, with its criterion scores as
    derived from the evidence (``scores``) and the reasons for each (``reasons``)."""

    assessment = models.ForeignKey(
        StrategicAssessment, on_delete=models.CASCADE, related_name="candidates"
    )
    slug = models.SlugField(max_length=120)
    name = models.CharField(max_length=200)
    scores = models.JSONField(default=dict, help_text="criterion → score as derived")
    reasons = models.JSONField(default=dict, help_text="criterion → why that score")
    total = models.FloatField(null=True, blank=True)
    tied = models.BooleanField(default=False)
    rank = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ("rank", "name")
        constraints = [
            models.UniqueConstraint(fields=("assessment", "slug"), name="one_candidate_per_slug")
        ]

    def __str__(self) -> str:
        return self.name


class ScoreOverride(models.Model):
    """An analyst's score for one criterion of a candidate, with the written reason; the
    derived score is kept beside it."""

    candidate = models.ForeignKey(
        PriorityCandidate, on_delete=models.CASCADE, related_name="overrides"
    )
    criterion = models.CharField(max_length=60)
    original = models.PositiveSmallIntegerField(null=True, blank=True)
    score = models.PositiveSmallIntegerField()
    reason = models.TextField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    on = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("on", "id")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(reason=""), name="score_override_needs_reason"
            )
        ]

    def __str__(self) -> str:
        return f"{self.candidate.name} {self.criterion}: {self.original} → {self.score}"


class DocumentFormat(models.TextChoices):
    DOCX = "docx", "Word"
    PDF = "pdf", "PDF"


class AssessmentVersion(models.Model):
    """A document generated from the assessment: kept, numbered per format."""

    assessment = models.ForeignKey(
        StrategicAssessment, on_delete=models.CASCADE, related_name="versions"
    )
    format = models.CharField(max_length=4, choices=DocumentFormat.choices)
    number = models.PositiveIntegerField()
    file = models.CharField(max_length=255, help_text="Path under DOCUMENTS_DIR")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-created", "-number")
        constraints = [
            models.UniqueConstraint(
                fields=("assessment", "format", "number"), name="one_version_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.assessment} v{self.number} ({self.format})"
