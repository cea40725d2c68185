from django.urls import path

from saferplaces.casework import views

app_name = "casework"
urlpatterns = [
    path("casework/", views.index, name="index"),
    path("casework/panels/<slug:slug>/", views.panel_cases, name="panel"),
    path("casework/panels/<slug:slug>/figures.csv", views.panel_figures_csv, name="figures_csv"),
    path("casework/panels/<slug:slug>/new/", views.new_case, name="new_case"),
    path("casework/cases/<str:reference>/", views.case_detail, name="case"),
    path("casework/cases/<str:reference>/status/", views.case_status, name="status"),
    path("casework/cases/<str:reference>/referrals/", views.case_referral, name="referral"),
    path("casework/cases/<str:reference>/actions/", views.case_action, name="action"),
    path(
        "casework/cases/<str:reference>/actions/<int:action_id>/done/",
        views.action_done,
        name="action_done",
    ),
    path("casework/cases/<str:reference>/notes/", views.case_note, name="note"),
    path("casework/cases/<str:reference>/plan/", views.case_plan, name="plan"),
    path(
        "casework/cases/<str:reference>/risk/<slug:instrument>/", views.risk_assessment, name="risk"
    ),
]
