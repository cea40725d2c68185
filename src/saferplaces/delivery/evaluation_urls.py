"""Routes: outputs and headlines, evaluation and value cases (evaluation_views.py)."""

from django.urls import URLPattern, path

from saferplaces.delivery import evaluation_views as views

urlpatterns: list[URLPattern] = [
    path("places/<slug:place>/headlines/", views.headlines, name="headlines"),
    path("initiatives/<slug:slug>/outputs/", views.initiative_outputs, name="initiative_outputs"),
    path("initiatives/<slug:slug>/outputs/new/", views.initiative_output_new,
         name="initiative_output_new"),
    path("initiatives/<slug:slug>/outputs/<int:pk>/remove/", views.initiative_output_remove,
         name="initiative_output_remove"),
    path("initiatives/<slug:slug>/evaluation/", views.initiative_evaluation,
         name="initiative_evaluation"),
    path("initiatives/<slug:slug>/evaluation/measures/new/", views.initiative_measure_new,
         name="initiative_measure_new"),
    path("initiatives/<slug:slug>/evaluation/measures/<int:pk>/remove/",
         views.initiative_measure_remove, name="initiative_measure_remove"),
    path("initiatives/<slug:slug>/evaluation/value-cases/new/", views.initiative_value_case_new,
         name="initiative_value_case_new"),
    path("initiatives/<slug:slug>/evaluation/value-cases/<int:pk>/remove/",
         views.initiative_value_case_remove, name="initiative_value_case_remove"),
]  # fmt: skip
