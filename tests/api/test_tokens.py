"""Personal API tokens: stored as a hash, shown once, expiring, revocable (then 401), made
and revoked with an activity event, and two-factor first for anyone who sees casework."""

from __future__ import annotations

import datetime
import hashlib
import re

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from saferplaces.api.models import ApiToken
from saferplaces.api.tokens import create_token, revoke_token
from saferplaces.partnership.models import ActivityEvent
from tests.api.conftest import bearer

pytestmark = pytest.mark.django_db
TOKEN_RE = re.compile(r"sp_[0-9a-f]{12}_[A-Za-z0-9_-]{43}")


@pytest.fixture
def user() -> User:
    return User.objects.create_user("token-user", password="x-password-1")


@pytest.fixture
def page(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _create(page: Client, name: str = "Power BI", days: int = 30) -> str:
    expires = timezone.localdate() + datetime.timedelta(days=days)
    response = page.post("/account/api-tokens/", {"name": name, "expires_on": expires})
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("no-store")
    found = TOKEN_RE.findall(response.content.decode())
    assert len(found) == 1
    return found[0]


def test_token_is_shown_once_and_only_its_hash_is_kept(page: Client, user: User) -> None:
    text = _create(page)
    token = ApiToken.objects.get(user=user)
    assert token.secret_hash == hashlib.sha256(text.encode()).hexdigest()
    stored = [str(v) for v in ApiToken.objects.filter(pk=token.pk).values().get().values()]
    assert not any(text in value or text.split("_")[2] in value for value in stored)
    assert text not in page.get("/account/api-tokens/").content.decode()  # never again
    event = ActivityEvent.objects.get(verb="created", object_type="api.apitoken")
    assert event.actor == user and event.object_id == str(token.pk)


def test_a_token_acts_as_its_user(page: Client, user: User) -> None:
    text = _create(page)
    response = bearer(text).get("/api/places/")
    assert response.status_code == 200
    assert ApiToken.objects.get(user=user).last_used_at is not None


@pytest.mark.parametrize(
    "header",
    [
        "Bearer nonsense",
        "Bearer sp_000000000000_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        "Bearer",
    ],
)
def test_unknown_or_malformed_tokens_are_401(header: str) -> None:
    response = Client(headers={"Authorization": header}).get("/api/places/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"


def test_wrong_secret_for_a_real_id_is_401(page: Client) -> None:
    text = _create(page)
    forged = text[:-4] + ("AAAA" if not text.endswith("AAAA") else "BBBB")
    assert bearer(forged).get("/api/places/").status_code == 401
    assert bearer(text).get("/api/places/").status_code == 200


def test_expired_token_is_401(user: User) -> None:
    made = create_token(user, name="old", expires_on=timezone.localdate() + datetime.timedelta(1))
    assert bearer(made.text).get("/api/places/").status_code == 200
    ApiToken.objects.filter(pk=made.token.pk).update(expires_at=timezone.now())
    assert bearer(made.text).get("/api/places/").status_code == 401


def test_revoked_through_the_page_is_401(page: Client, user: User) -> None:
    text = _create(page)
    token = ApiToken.objects.get(user=user)
    confirm = page.get(f"/account/api-tokens/{token.pk}/revoke/")
    assert confirm.status_code == 200 and b"Revoke token" in confirm.content
    assert bearer(text).get("/api/places/").status_code == 200  # not until confirmed
    assert page.post(f"/account/api-tokens/{token.pk}/revoke/").status_code == 302
    assert bearer(text).get("/api/places/").status_code == 401
    assert ActivityEvent.objects.filter(verb="revoked", object_id=str(token.pk)).count() == 1
    assert revoke_token(user, ApiToken.objects.get(pk=token.pk)) is False  # once only


def test_someone_elses_token_is_404_to_revoke(page: Client) -> None:
    other = User.objects.create_user("other-user", password="x-password-1")
    made = create_token(
        other, name="theirs", expires_on=timezone.localdate() + datetime.timedelta(5)
    )
    assert page.post(f"/account/api-tokens/{made.token.pk}/revoke/").status_code == 404
    assert bearer(made.text).get("/api/places/").status_code == 200


def test_a_token_of_an_inactive_user_is_401(user: User) -> None:
    made = create_token(user, name="x", expires_on=timezone.localdate() + datetime.timedelta(5))
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert bearer(made.text).get("/api/places/").status_code == 401


@pytest.mark.parametrize("days", [0, -1, 366])
def test_expiry_is_required_in_the_future_and_bounded(page: Client, user: User, days: int) -> None:
    expires = timezone.localdate() + datetime.timedelta(days=days)
    response = page.post("/account/api-tokens/", {"name": "x", "expires_on": expires})
    assert response.status_code == 400
    assert b'id="id_expires_on-error"' in response.content
    assert not ApiToken.objects.exists()
    with pytest.raises(ValidationError):
        create_token(user, name="x", expires_on=expires)


def test_expiry_cannot_be_left_out(page: Client) -> None:
    response = page.post("/account/api-tokens/", {"name": "x"})
    assert response.status_code == 400
    assert b"Enter the date the token expires" in response.content
    assert not ApiToken.objects.exists()


def test_casework_users_complete_two_factor_before_the_page(demo_world: None) -> None:
    client = Client()
    client.force_login(User.objects.get(username="coordinator"))
    response = client.get("/account/api-tokens/")
    assert response.status_code == 302 and "/sign-in/two-factor/" in response["Location"]


def test_a_token_remembers_whether_its_session_had_two_factor(page: Client, user: User) -> None:
    _create(page)  # a session without two-factor: the token may never read casework
    assert ApiToken.objects.get(user=user).two_factor is False


def test_the_header_links_to_the_page(page: Client) -> None:
    assert b'href="/account/api-tokens/"' in page.get("/account/api-tokens/").content


def test_an_administrator_revokes_anyone_s_token_in_the_admin(
    admin_client: Client, admin_user: User, page: Client, user: User
) -> None:
    """Given a user's token, when an administrator revokes it with the admin's action,
    then it gets 401, the event names the administrator and the holder, and the admin
    never shows the hash nor lets a token be added or deleted."""
    text = _create(page)
    token = ApiToken.objects.get(user=user)
    listing = admin_client.get("/admin/api/apitoken/")
    assert listing.status_code == 200
    body = listing.content.decode()
    assert token.public_id in body and "token-user" in body
    detail = admin_client.get(f"/admin/api/apitoken/{token.pk}/change/").content.decode()
    assert token.secret_hash not in body + detail and text not in body + detail
    assert admin_client.get("/admin/api/apitoken/add/").status_code == 403
    assert admin_client.get(f"/admin/api/apitoken/{token.pk}/delete/").status_code == 403
    assert bearer(text).get("/api/places/").status_code == 200
    response = admin_client.post(
        "/admin/api/apitoken/", {"action": "revoke", "_selected_action": [token.pk]}
    )
    assert response.status_code == 302
    assert bearer(text).get("/api/places/").status_code == 401
    event = ActivityEvent.objects.get(verb="revoked", object_type="api.apitoken")
    assert event.actor == admin_user and "token-user" in event.summary


def test_only_its_owner_or_an_administrator_revokes_a_token(page: Client, user: User) -> None:
    _create(page)
    token = ApiToken.objects.get(user=user)
    other = User.objects.create_user("someone-else", password="x-password-1", is_staff=True)
    with pytest.raises(PermissionError):
        revoke_token(other, token)  # staff, but without the permission to change tokens
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None
