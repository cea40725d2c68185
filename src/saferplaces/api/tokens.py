"""Every write to API tokens: create, revoke and note a use. Creating and revoking record
an activity event (`partnership.services.record_event`, as a password change or a
two-factor set-up does) in the same transaction."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from saferplaces.api.models import ApiToken
from saferplaces.partnership.services import record_event

PREFIX = "sp"
LAST_USED_EVERY = datetime.timedelta(minutes=1)
"""A token's last use is written at most this often (not one write per request)."""


@dataclass(frozen=True)
class NewToken:
    """A token just made: the row, and the token text, which is shown once only."""

    token: ApiToken
    text: str


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def max_days() -> int:
    return int(settings.API_TOKEN_MAX_DAYS)


@transaction.atomic
def create_token(
    user: User, *, name: str, expires_on: datetime.date, two_factor: bool = False,
    today: datetime.date | None = None,
) -> NewToken:  # fmt: skip
    """A new token for ``user``, valid until the end of ``expires_on`` (at most
    API_TOKEN_MAX_DAYS days ahead). ``two_factor``: the session making it has completed
    two-factor sign-in (the token may then read casework)."""
    today = today or timezone.localdate()
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Enter a name that says what the token is for"})
    if expires_on <= today:
        raise ValidationError({"expires_on": "The expiry date must be in the future"})
    if expires_on > today + datetime.timedelta(days=max_days()):
        raise ValidationError({"expires_on": f"A token lasts at most {max_days()} days"})
    public_id = secrets.token_hex(6)
    text = f"{PREFIX}_{public_id}_{secrets.token_urlsafe(32)}"
    end = datetime.datetime.combine(
        expires_on + datetime.timedelta(days=1), datetime.time(), timezone.get_current_timezone()
    )
    token = ApiToken.objects.create(
        user=user,
        name=name[:80],
        public_id=public_id,
        secret_hash=digest(text),
        expires_at=end,
        two_factor=two_factor,
    )
    record_event(user, "created", token, f"API token {token.name} created, expires {expires_on}")
    return NewToken(token, text)


@transaction.atomic
def revoke_token(user: User, token: ApiToken) -> bool:
    """Revoke a token, as its owner or as an administrator who may change tokens in the
    admin; False when it was already revoked. The event names who revoked it."""
    if token.user_id != user.pk and not (user.is_staff and user.has_perm("api.change_apitoken")):
        raise PermissionError("A token is revoked only by its owner or an administrator")
    done = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if done:
        whose = "" if token.user_id == user.pk else f" of {token.user.get_username()}"
        record_event(user, "revoked", token, f"API token {token.name}{whose} revoked")
    return bool(done)


def token_for(text: str) -> ApiToken | None:
    """The usable token ``text`` stands for (its user active), or None."""
    parts = text.split("_", 2)
    if len(parts) != 3 or parts[0] != PREFIX:
        return None
    token = ApiToken.objects.select_related("user").filter(public_id=parts[1]).first()
    if token is None or not hmac.compare_digest(token.secret_hash, digest(text)):
        return None
    if not token.is_usable() or not token.user.is_active:
        return None
    return token


def note_use(token: ApiToken) -> None:
    """Record that the token was used now (at most once a minute per token)."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
