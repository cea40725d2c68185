"""The public edges of the site: the health check and the sign-in page."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client


@pytest.mark.django_db
def test_healthz_answers_200_when_the_database_is_reachable(client: Client) -> None:
    """Given a running site, When /healthz is asked, Then it answers 200 and says ok."""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_sign_in_page_is_gov_uk_styled_and_branded(client: Client) -> None:
    response = client.get("/sign-in/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "govuk-frontend.min.css" in html
    assert "Sign in to saferplaces" in html
    assert "crown" not in html.lower()


@pytest.mark.django_db
def test_wrong_password_shows_an_error_summary_that_says_what_to_fix(client: Client) -> None:
    User.objects.create_user("alice", password="correct-horse-battery")
    response = client.post("/sign-in/", {"username": "alice", "password": "wrong"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert "Enter a correct username and password" in html


@pytest.mark.django_db
def test_correct_password_signs_in_and_goes_home(client: Client) -> None:
    User.objects.create_user("alice", password="correct-horse-battery")
    response = client.post("/sign-in/", {"username": "alice", "password": "correct-horse-battery"})
    assert response.status_code == 302
    assert response["Location"] == "/"


@pytest.mark.django_db
def test_sign_out_needs_post_and_ends_the_session(client: Client) -> None:
    user = User.objects.create_user("alice", password="correct-horse-battery")
    client.force_login(user)
    assert client.get("/sign-out/").status_code == 405
    response = client.post("/sign-out/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
