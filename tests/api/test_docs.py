"""The schema and the docs page: served to signed-in users, with Swagger UI's files from
our own static files and no inline script."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in() -> Client:
    user = get_user_model().objects.create_user("docs-reader", password="x-password-1")
    client = Client()
    client.force_login(user)
    return client


def test_schema_needs_sign_in() -> None:
    assert Client().get("/api/schema/").status_code in (401, 403)


def test_schema_is_openapi_3(signed_in: Client) -> None:
    response = signed_in.get("/api/schema/?format=json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert schema["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_docs_page_has_no_inline_script_and_local_assets(signed_in: Client) -> None:
    response = signed_in.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>" not in html  # every script is a file (strict CSP)
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(s.startswith("/") for s in sources), sources
    assert any("swagger-ui-bundle.js" in s for s in sources)
    csp = response["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "img-src 'self' data:" in csp  # Swagger UI's icons, on this page only
    assert "data:" not in signed_in.get("/account/api-tokens/")["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", csp)
    assert nonce and f'<style nonce="{nonce.group(1)}">' in html
    script = signed_in.get(re.findall(r'src="([^"]+script[^"]*)"', html)[-1])
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
