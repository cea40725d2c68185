"""Routes: funding streams, allocations, quarterly returns, monitoring and the summary
(funding_views.py). The year's workbook is the reports app's (reports:funding_workbook)."""

from django.urls import URLPattern, path

from saferplaces.delivery import funding_views as views

urlpatterns: list[URLPattern] = [
    path("places/<slug:place>/funding/", views.funding_year, name="funding"),
    path("places/<slug:place>/funding/monitoring/", views.monitoring, name="funding_monitoring"),
    path("places/<slug:place>/funding/streams/new/", views.stream_new, name="stream_new"),
    path("groups/<slug:slug>/funding/", views.group_funding, name="group_funding"),
    path("funding/streams/<int:pk>/", views.stream_detail, name="stream"),
    path("funding/streams/<int:pk>/edit/", views.stream_edit, name="stream_edit"),
    path("funding/streams/<int:pk>/allocate/", views.allocation_new, name="allocation_new"),
    path("funding/allocations/<int:pk>/edit/", views.allocation_edit, name="allocation_edit"),
    path("funding/allocations/<int:pk>/remove/", views.allocation_remove, name="allocation_remove"),
    path("funding/returns/<int:pk>/", views.return_submit, name="return_submit"),
    path("initiatives/<slug:slug>/funding/", views.initiative_funding, name="initiative_funding"),
]
