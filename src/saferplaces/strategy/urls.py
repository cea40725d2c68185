from django.urls import URLPattern, path

from saferplaces.strategy import assessment_views, harm_views, plan_views

app_name = "strategy"
urlpatterns: list[URLPattern] = []

# Plans and the county Community Safety Agreement (plan_views.py)
P = "places/<slug:place>/plans/"
urlpatterns += [
    path(P, plan_views.plan_list, name="plans"),
    path(f"{P}new/", plan_views.plan_new, name="plan_new"),
    path(f"{P}objectives/", plan_views.objectives, name="plan_objectives"),
    path(f"{P}<int:pk>/", plan_views.plan_detail, name="plan"),
    path(f"{P}<int:pk>/edit/", plan_views.plan_edit, name="plan_edit"),
    path(f"{P}<int:pk>/add/<slug:what>/", plan_views.plan_add, name="plan_add"),
    path(
        f"{P}<int:pk>/priorities/<int:priority>/",
        plan_views.priority_edit,
        name="plan_priority_edit",
    ),
    path(f"{P}<int:pk>/approve/", plan_views.plan_approve, name="plan_approve"),
    path(f"{P}<int:pk>/reopen/", plan_views.plan_reopen, name="plan_reopen"),
    path(f"{P}<int:pk>/matrix/", plan_views.plan_matrix, name="plan_matrix"),
    path(f"{P}<int:pk>/plan.docx", plan_views.plan_docx, name="plan_docx"),
    path(f"{P}<int:pk>/plan.pdf", plan_views.plan_pdf, name="plan_pdf"),
]

# Strategic assessments (assessment_views.py)
A = "places/<slug:place>/assessments/"
urlpatterns += [
    path(A, assessment_views.assessment_list, name="assessments"),
    path(f"{A}new/", assessment_views.assessment_new, name="assessment_new"),
    path(f"{A}<int:pk>/", assessment_views.assessment_detail, name="assessment"),
    path(f"{A}<int:pk>/sections/new/", assessment_views.section_new, name="assessment_section"),
    path(f"{A}<int:pk>/survey/", assessment_views.survey_upload, name="assessment_survey"),
    path(f"{A}<int:pk>/score/", assessment_views.score, name="assessment_score"),
    path(
        f"{A}<int:pk>/candidates/<int:candidate>/override/",
        assessment_views.override,
        name="assessment_override",
    ),
    path(f"{A}<int:pk>/sign-off/", assessment_views.sign_off, name="assessment_sign_off"),
    path(f"{A}<int:pk>/build/<str:fmt>/", assessment_views.build, name="assessment_build"),
    path(
        f"{A}<int:pk>/documents/<int:version>/",
        assessment_views.download,
        name="assessment_download",
    ),
]

# Harm weights an administrator uploads (harm_views.py)
urlpatterns += [
    path("strategy/harm-weights/", harm_views.harm_weights, name="harm_weights"),
]
