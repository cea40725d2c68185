"""/api/… (the REST API, its schema and docs) and /account/api-tokens/ (the tokens page).
saferplaces.urls includes the first list under api/ and the second at the root."""

from __future__ import annotations

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from saferplaces.api import account, casework, delivery, docs, imports, places, structure

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("places", places.PlaceViewSet, basename="place")
router.register("groups", structure.GroupViewSet, basename="group")
router.register("meetings", structure.MeetingViewSet, basename="meeting")
router.register("plans", structure.PlanViewSet, basename="plan")
router.register("initiatives", delivery.InitiativeViewSet, basename="initiative")
router.register("actions", delivery.ActionViewSet, basename="action")
router.register("funding-streams", delivery.FundingStreamViewSet, basename="funding-stream")
router.register("returns", delivery.ReturnViewSet, basename="return")
router.register("imports", imports.ImportViewSet, basename="import")
router.register("casework/panels", casework.PanelViewSet, basename="panel")
router.register("casework/cases", casework.CaseViewSet, basename="case")

urlpatterns = [
    path("schema/", docs.SchemaView.as_view(), name="api_schema"),
    path("docs/", docs.docs_view(url_name="api_schema"), name="api_docs"),
    path(
        "casework/panels/<slug:slug>/cases/",
        casework.PanelCaseList.as_view(),
        name="panel-cases",
    ),
    path("", include(router.urls)),
]

account_urlpatterns = [
    path("account/api-tokens/", account.api_tokens, name="api_tokens"),
    path("account/api-tokens/<int:pk>/revoke/", account.revoke, name="api_token_revoke"),
]
