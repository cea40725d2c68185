"""The strategy models: assessments (assessment.py) and plans (plans.py)."""
