from django.urls import URLPattern, path

from saferplaces.asb_case_reviews import views

app_name = "asb_case_reviews"
P = "casework/asb-case-reviews/"
R = P + "<str:reference>/"
urlpatterns: list[URLPattern] = [
    path(P, views.review_list, name="list"),
    path(P + "new/", views.review_new, name="new"),
    path(P + "reports/new/", views.report_new, name="report_new"),
    path(P + "reports/<int:pk>/", views.report_detail, name="report"),
    path(P + "figures/", views.figures, name="figures"),
    path(P + "figures.csv", views.figures_csv, name="figures_csv"),
    path(R, views.review_detail, name="review"),
    path(R + "incidents/new/", views.incident_new, name="incident_new"),
    path(R + "acknowledge/", views.acknowledge, name="acknowledge"),
    path(R + "contacts/", views.contacts, name="contacts"),
    path(R + "threshold/", views.threshold, name="threshold"),
    path(R + "outcome/", views.outcome, name="outcome"),
    path(R + "recommendations/new/", views.recommendation_new, name="recommendation_new"),
    path(
        R + "recommendations/<int:pk>/done/",
        views.recommendation_done,
        name="recommendation_done",
    ),
    path(R + "appeal/", views.appeal, name="appeal"),
    path(R + "policing-body-review/", views.policing_body_review, name="policing_body_review"),
]
