"""Safety found on the way: GOV.UK error pages with DEBUG off, sign-in that resists
guessing, changing your own password, and a Content-Security-Policy on every page."""

from __future__ import annotations

import base64
import datetime
import hashlib
import io
import re
from pathlib import Path
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.contrib.auth.models import User
from django.core.management import call_command
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.test import Client
from django.urls import include, path

import saferplaces.insight
from saferplaces.partnership.models import ActivityEvent, Person
from saferplaces.spreadsheet import safe_cell, safe_row

PASSWORD = "correct-horse-battery"
SAMPLES = Path(saferplaces.insight.__file__).parent / "samples" / "police_uk" / "west_lancashire"
BASE_HTML = Path(django_settings.BASE_DIR) / "web" / "templates" / "web" / "base.html"


def broken_view(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("something inside the service failed")


# This module doubles as a URLconf: the site's own pages plus one that raises.
urlpatterns = [
    path("raise/", broken_view),
    path("", include("saferplaces.urls")),
]


@pytest.fixture
def alice(db: None) -> User:
    return User.objects.create_user("alice", password=PASSWORD, first_name="Alice")


def _sign_in(client: Client, password: str, username: str = "alice") -> HttpResponse:
    response: HttpResponse = client.post("/sign-in/", {"username": username, "password": password})
    return response


# Error pages -------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_missing_page_is_the_gov_uk_404_with_debug_off(client: Client, settings: Any) -> None:
    """Given DEBUG is off, When a page does not exist, Then the GOV.UK "Page not found"
    page answers 404, with no Django debug page."""
    settings.DEBUG = False
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html and "govuk-frontend.min.css" in html
    assert "check it is correct" in html
    assert "Using the URLconf" not in html and "DEBUG = True" not in html


@pytest.mark.django_db
def test_a_view_that_raises_shows_the_gov_uk_500(settings: Any) -> None:
    """Given DEBUG is off, When a view raises, Then the GOV.UK 500 page answers, with no
    traceback, settings or data directory in it."""
    settings.DEBUG = False
    settings.ROOT_URLCONF = __name__
    response = Client(raise_request_exception=False).get("/raise/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Sorry, there is a problem with the service" in html
    assert "govuk-frontend.min.css" in html
    assert "something inside the service failed" not in html
    assert "Traceback" not in html and str(settings.DATA_DIR) not in html


def test_the_500_page_needs_no_request_database_or_url_configuration() -> None:
    """Django renders 500.html with an empty context: it must not need a request, the
    database or a URL lookup (any of which may be what failed)."""
    source = Path(loader.get_template("500.html").origin.name).read_text()
    assert "{% url" not in source and "{% static" not in source and "{% extends" not in source
    html = loader.get_template("500.html").render()
    assert "Sorry, there is a problem with the service" in html


@pytest.mark.django_db
def test_a_bad_dashboard_period_never_shows_a_debug_page(settings: Any) -> None:
    """Given the demo and its sample data, When the dashboard is asked for period 0000/01,
    Then the answer is a GOV.UK page (400, or the 500 page at worst), never Django's
    debug page with the data directory in it."""
    settings.DEBUG = False
    call_command("load_demo", stdout=io.StringIO())
    call_command("import", "police-uk", str(SAMPLES), "--no-progress", stdout=io.StringIO())
    client = Client(raise_request_exception=False)
    client.force_login(Person.objects.get(user__username="officer").user)
    response = client.get("/places/west-lancashire/dashboard/?period=0000/01")
    assert response.status_code in (400, 500)
    html = response.content.decode()
    assert "govuk-frontend.min.css" in html
    assert "Traceback" not in html and str(settings.DATA_DIR) not in html


@pytest.mark.django_db
def test_static_files_are_served_with_debug_off(client: Client, settings: Any) -> None:
    """Whitenoise serves /static/ whatever DEBUG says (the demo runs with DEBUG off)."""
    settings.DEBUG = False
    response = client.get("/static/vendor/govuk-frontend/govuk-frontend.min.css")
    assert response.status_code == 200
    assert b"govuk" in b"".join(response.streaming_content)  # type: ignore[attr-defined]


# Sign-in that resists guessing ----------------------------------------------------------


def test_five_wrong_passwords_lock_the_sign_in_even_with_the_right_one(
    client: Client, alice: User
) -> None:
    """Given Alice's account, When someone tries 5 wrong passwords from one address,
    Then the right password is refused too, with a GOV.UK page saying when to try again;
    the session is not signed in."""
    assert django_settings.AXES_FAILURE_LIMIT == 5
    for _ in range(4):
        response = _sign_in(client, "wrong-guess")
        assert response.status_code == 200
        assert "Enter a correct username and password" in response.content.decode()
    response = _sign_in(client, "wrong-guess")  # the fifth: locked from now on
    assert response.status_code == 429
    response = _sign_in(client, PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    html = response.content.decode()
    assert "You cannot sign in for 15 minutes" in html
    assert "You can try again after" in html
    assert 'class="govuk-inset-text"' in html and "govuk-frontend.min.css" in html
    assert re.search(r"after <strong>\d{1,2}:\d{2} [ap]\.m\.</strong>", html), html


def test_the_lock_is_for_that_account_from_that_address(client: Client, alice: User) -> None:
    """Locking Alice from one address does not stop her signing in from another, nor
    another person from the first address."""
    User.objects.create_user("bob", password=PASSWORD)
    for _ in range(5):
        _sign_in(client, "wrong-guess")
    assert _sign_in(client, PASSWORD).status_code == 429
    elsewhere = Client(REMOTE_ADDR="192.0.2.10")
    assert _sign_in(elsewhere, PASSWORD).status_code == 302
    assert _sign_in(Client(), PASSWORD, username="bob").status_code == 302


def test_a_forged_forwarded_address_does_not_reset_the_count(client: Client, alice: User) -> None:
    """Only the connection's own address counts: X-Forwarded-For cannot be forged afresh
    for every guess."""
    for i in range(5):
        client.post(
            "/sign-in/",
            {"username": "alice", "password": "wrong-guess"},
            HTTP_X_FORWARDED_FOR=f"198.51.100.{i}",
        )
    response = client.post(
        "/sign-in/",
        {"username": "alice", "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="198.51.100.99",
    )
    assert response.status_code == 429


def test_after_the_wait_the_right_password_signs_in(client: Client, alice: User) -> None:
    for _ in range(5):
        _sign_in(client, "wrong-guess")
    assert _sign_in(client, PASSWORD).status_code == 429
    waited = django_settings.AXES_COOLOFF_TIME + datetime.timedelta(minutes=1)
    for attempt in AccessAttempt.objects.all():
        attempt.attempt_time -= waited
        attempt.save(update_fields=["attempt_time"])
    response = _sign_in(client, PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/"


# Changing your password ----------------------------------------------------------------


def test_change_your_password(client: Client, alice: User) -> None:
    """Given Alice is signed in, When she opens "Change password" from the header and
    gives her current password and a new one twice, Then the new one works, the old one
    does not, she stays signed in and the change is in the activity log."""
    client.force_login(alice)
    home = client.get("/").content.decode()
    assert 'href="/password/"' in home
    page = client.get("/password/")
    assert page.status_code == 200
    assert "Change your password" in page.content.decode()
    wrong = client.post(
        "/password/",
        {"old_password": "not-it", "new_password1": "a-new-long-pass-9", "new_password2": "x"},
    )
    html = wrong.content.decode()
    assert "There is a problem" in html and "Your current password is not right" in html
    response = client.post(
        "/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "a-new-long-pass-9",
            "new_password2": "a-new-long-pass-9",
        },
        follow=True,
    )
    assert response.redirect_chain == [("/password/changed/", 302)]
    assert "Your password has been changed" in response.content.decode()
    assert client.get("/").status_code == 200  # still signed in
    alice.refresh_from_db()
    assert alice.check_password("a-new-long-pass-9") and not alice.check_password(PASSWORD)
    event = ActivityEvent.objects.get(verb="password")
    assert event.actor == alice and event.object_id == str(alice.pk)


def test_the_password_page_needs_sign_in(client: Client, db: None) -> None:
    response = client.get("/password/")
    assert response.status_code == 302 and response["Location"].startswith("/sign-in/")


# Content-Security-Policy ---------------------------------------------------------------


def _policy(response: HttpResponse) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {
        part.split()[0]: part.split()[1:] for part in (p.strip() for p in header.split(";")) if part
    }


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/sign-in/", "/", "/no-such-page/", "/password/"])
def test_every_page_has_a_content_security_policy(client: Client, alice: User, url: str) -> None:
    """The header is on pages, signed in or not, and on the error pages: everything from
    this site, and no 'unsafe-inline' or 'unsafe-eval' for scripts."""
    client.force_login(alice)
    policy = _policy(client.get(url))
    assert policy["default-src"] == ["'self'"]
    assert "'self'" in policy["script-src"]
    for weak in ("'unsafe-inline'", "'unsafe-eval'", "*", "data:", "https:"):
        assert weak not in policy["script-src"]
    assert "'unsafe-inline'" not in policy["style-src"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]


def test_the_only_inline_script_is_the_one_the_policy_allows_by_hash() -> None:
    """base.html's GOV.UK `js-enabled` snippet runs because its hash is in script-src:
    if the snippet changes, this says so before a browser refuses it."""
    inline = re.findall(r"<script>(.*?)</script>", BASE_HTML.read_text(), re.S)
    assert len(inline) == 1
    digest = base64.b64encode(hashlib.sha256(inline[0].encode()).digest()).decode()
    assert django_settings.GOVUK_JS_ENABLED_HASH == f"'sha256-{digest}'"
    scripts = django_settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["script-src"]
    assert django_settings.GOVUK_JS_ENABLED_HASH in scripts


def test_no_template_has_an_inline_style_attribute_or_script() -> None:
    """Inline style attributes and scripts would be refused by the policy."""
    roots = [Path(django_settings.BASE_DIR)]
    offenders = []
    for template in (p for root in roots for p in root.glob("**/templates/**/*.html")):
        text = template.read_text()
        if re.search(r"\sstyle=\"", text) or re.search(r"\son[a-z]+=\"", text):
            offenders.append(str(template))
        for script in re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", text):
            if "json_script" not in script and template != BASE_HTML:
                offenders.append(f"{template}: <script{script}>")
    assert offenders == []


# Text that could run --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1", "'+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("West Lancashire", "West Lancashire"),
        (-7, -7),
        (None, None),
    ],
)
def test_a_spreadsheet_cell_never_starts_a_formula(value: object, written: object) -> None:
    """Given text a spreadsheet would run, Then it is written with a leading apostrophe;
    names and numbers (negative ones too) are written as they are."""
    assert safe_cell(value) == written
    assert safe_row([value, 1]) == [written, 1]


@pytest.mark.django_db
def test_a_bad_papers_period_is_a_gov_uk_page_that_echoes_nothing_raw(
    client: Client, alice: User
) -> None:
    """Given a board-papers request whose period is markup, Then the answer is a GOV.UK
    error page (400) in which the period appears only escaped."""
    call_command("load_demo", stdout=io.StringIO())
    client.force_login(alice)
    response = client.post(
        "/places/west-lancashire/papers/new/", {"period": "<script>alert(1)</script>"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "govuk-error-summary" in html and "Choose a period to report on" in html
    assert "<script>alert(1)</script>" not in html
    bad_format = client.post(
        "/places/west-lancashire/papers/new/", {"period": "2014/15", "format": "<b>docx</b>"}
    )
    assert bad_format.status_code == 400
    assert "<b>docx</b>" not in bad_format.content.decode()
