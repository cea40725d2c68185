"""`Authorization: Bearer <token>`: a personal API token acts as its user."""

from __future__ import annotations

from typing import Any

from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

from saferplaces.api.tokens import note_use, token_for


class BearerTokenAuthentication(BaseAuthentication):
    """A missing header leaves the request to the next authentication (the session); a
    bearer token that is unknown, expired or revoked is refused with 401."""

    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("Give one token after Bearer")
        try:
            text = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("Invalid token") from None
        token = token_for(text)
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid, expired or revoked token")
        note_use(token)
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return self.keyword
