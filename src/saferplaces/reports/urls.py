from django.urls import path

from saferplaces.reports import funding_views, views

urlpatterns = [
    path("places/<slug:slug>/papers/", views.papers, name="papers"),
    path("places/<slug:slug>/papers/new/", views.papers_new, name="papers_new"),
    path("papers/<int:pk>/download/", views.paper_download, name="paper_download"),
    path(
        "places/<slug:slug>/funding/<str:year>.xlsx",
        funding_views.funding_workbook,
        name="funding_workbook",
    ),
]
