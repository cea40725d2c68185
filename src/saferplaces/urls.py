from django.contrib import admin
from django.urls import include, path

from saferplaces.api.urls import account_urlpatterns

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("saferplaces.api.urls")),
    *account_urlpatterns,
    path("", include("saferplaces.web.urls")),
    path("", include("saferplaces.web.dashboard.urls")),
    path("", include("saferplaces.web.where.urls")),
    path("", include("saferplaces.partnership.urls")),
    path("", include("saferplaces.evidence.urls")),
    path("", include("saferplaces.reports.urls")),
    path("", include("saferplaces.governance.urls")),
    path("", include("saferplaces.casework.urls")),
    path("", include("saferplaces.asb_case_reviews.urls")),
    path("", include("saferplaces.death_reviews.urls")),
    path("", include("saferplaces.strategy.urls")),
    path("", include("saferplaces.delivery.urls")),
]
