"""How the schema describes what drf-spectacular cannot see for itself (loaded by
ApiConfig.ready)."""

from __future__ import annotations

from typing import Any, Literal

from drf_spectacular import openapi
from drf_spectacular.extensions import OpenApiAuthenticationExtension


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """The personal API token, as an HTTP bearer scheme."""

    target_class = "saferplaces.api.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "http", "scheme": "bearer", "description": "A personal API token"}


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's schema, with the answers every operation may give documented on
    every operation: 400 (what to fix), 401 (no valid token), 404 (none, or not the
    caller's to see) and 429 (over the token's rate)."""

    def _get_response_bodies(
        self, direction: Literal["request", "response"] = "response"
    ) -> dict[str, Any]:
        bodies: dict[str, Any] = super()._get_response_bodies(direction)
        from saferplaces.api.common import ErrorSerializer

        for code, description in ERROR_ANSWERS.items():
            if code in bodies:
                continue
            if code == "400":  # field by field: {"field": ["message", …]} or {"detail": …}
                content = {"application/json": {"schema": {"type": "object"}}}
                bodies[code] = {"description": description, "content": content}
            else:
                bodies[code] = self._get_response_for_code(ErrorSerializer, code)
                bodies[code]["description"] = description
        return bodies


ERROR_ANSWERS = {
    "400": "The request is not right: the body says what to fix",
    "401": "No valid token (unknown, expired or revoked)",
    "404": "None, or not the caller's to see",
    "429": "Over the token's rate (SAFERPLACES_API_RATE): wait Retry-After seconds",
}
