"""The rate limit per API token (settings.API_RATE, SAFERPLACES_API_RATE).

The count is kept in the default cache. With the default LocMemCache it is per process:
each gunicorn worker counts on its own, so N workers allow up to N times the rate. Point
CACHES at a shared cache (Redis, Memcached, the database cache) to count across them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from saferplaces.api.models import ApiToken

if TYPE_CHECKING:  # rest_framework.views imports this module through its settings
    from rest_framework.views import APIView


class TokenRateThrottle(SimpleRateThrottle):
    """Requests with a token are counted per token id; session requests per user."""

    scope = "token"

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        if isinstance(request.auth, ApiToken):
            ident = f"token-{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = f"address-{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
