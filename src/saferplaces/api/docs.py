"""The schema (/api/schema/) and the readable docs (/api/docs/, Swagger UI).

Swagger UI's files come from drf-spectacular-sidecar through our static files: nothing is
fetched from the internet. The split view serves its start-up script as a file of its own
(``?script``), so the page needs no inline script and the site's Content-Security-Policy
stays as it is; the page's few lines of inline style carry the request's nonce
(``api/swagger_ui.html``), which the policy allows.

One change to the policy, on this page only: Swagger UI's own stylesheet draws its icons
(the expand arrows, the lock of an operation) as ``data:`` images, which ``img-src 'self'``
refuses; ``docs_view`` adds ``data:`` to img-src for this view. Images cannot run code, and
no other page gets it."""

from __future__ import annotations

from typing import Any

from csp.decorators import csp_update
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.authentication import SessionAuthentication

from saferplaces.api.authentication import BearerTokenAuthentication


class SchemaView(SpectacularAPIView):
    """The OpenAPI 3 schema (YAML, or JSON with ?format=json)."""


class DocsView(SpectacularSwaggerSplitView):
    """Swagger UI for a signed-in user (the session) or a token."""

    template_name = "api/swagger_ui.html"
    authentication_classes = [BearerTokenAuthentication, SessionAuthentication]


def docs_view(**kwargs: Any) -> Any:
    """The docs view, its policy allowing ``data:`` images (see the module docstring)."""
    return csp_update({"img-src": ["data:"]})(DocsView.as_view(**kwargs))
