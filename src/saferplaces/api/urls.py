"""/api/… (the REST API, its schema and docs) and /account/api-tokens/ (the tokens page).
saferplaces.urls includes the first list under api/ and the second at the root."""

from __future__ import annotations

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from saferplaces.api import account, docs

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False

urlpatterns = [
    path("schema/", docs.SchemaView.as_view(), name="api_schema"),
    path("docs/", docs.DocsView.as_view(url_name="api_schema"), name="api_docs"),
    path("", include(router.urls)),
]

account_urlpatterns = [
    path("account/api-tokens/", account.api_tokens, name="api_tokens"),
    path("account/api-tokens/<int:pk>/revoke/", account.revoke, name="api_token_revoke"),
]
