"""Personal API tokens: a user's key to the REST API, acting as that user.

Only a hash of the secret is stored. A token reads ``sp_<public id>_<secret>``: the public
id finds the row, the SHA-256 of the whole token is compared with the stored hash in
constant time. The secret is 32 random bytes (``secrets.token_urlsafe(32)``), so a fast
hash is enough: there is nothing to guess. Every token expires; a revoked one stays as a
record of who had it and when.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=80, help_text="What the token is for")
    public_id = models.CharField(max_length=16, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    two_factor = models.BooleanField(
        default=False,
        help_text="Made in a session verified by two-factor sign-in: only such a token "
        "reads casework, as only such a session opens a casework page",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.name} ({self.public_id})"

    def is_usable(self, now: datetime.datetime | None = None) -> bool:
        """Neither revoked nor expired."""
        return self.revoked_at is None and (now or timezone.now()) < self.expires_at

    @property
    def state(self) -> str:
        if self.revoked_at is not None:
            return "revoked"
        return "active" if self.is_usable() else "expired"
