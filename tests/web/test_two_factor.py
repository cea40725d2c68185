"""Two-factor sign-in (TOTP) for everyone who may see casework.

Casework pages are still being built, so these tests put a tiny view behind
`casework_page` in this module's own URLconf (the site's URLs included after it).
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.core.management.base import CommandError
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory
from django.urls import include, path
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP, totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from saferplaces.governance import audit
from saferplaces.governance import services as governance
from saferplaces.governance.access import has_casework_access
from saferplaces.governance.catalogue import Purpose
from saferplaces.governance.models import AgreementStatus
from saferplaces.governance.pages import casework_page
from saferplaces.governance.two_factor_demo import (
    DEMO_KEY,
    DEMO_SECRET,
    ensure_demo_device,
    usable_code,
)
from saferplaces.partnership.models import Person
from tests.otp import code_for, verified_login
from tests.personas import PASSWORD, World


@casework_page
def tiny_casework(request: HttpRequest) -> HttpResponse:
    return HttpResponse("the casework itself")


urlpatterns = [
    path("test-casework/", tiny_casework, name="test_casework"),
    path("", include("saferplaces.urls")),
]

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]
CASEWORK = "/test-casework/"


@pytest.fixture
def caseworker(world: World, bob: Person) -> Person:
    """Bob sits on the Divert panel for Testshire Police, which has signed the diversion
    agreement covering it: he may see casework."""
    today = timezone.localdate()
    started = today - datetime.timedelta(days=30)
    agreement = governance.agreement_from_template(
        audit.SYSTEM, world.district, Purpose.DIVERSION, panels=[world.divert], starts_on=started
    )
    governance.sign_agreement(audit.SYSTEM, agreement, world.police, None, started)
    governance.set_agreement_status(audit.SYSTEM, agreement, AgreementStatus.ACTIVE)
    assert has_casework_access(bob.user)
    return bob


def sign_in(client: Client, username: str, next_url: str = "") -> Any:
    data = {"username": username, "password": PASSWORD}
    url = "/sign-in/" + (f"?next={next_url}" if next_url else "")
    return client.post(url, data)


def verified(client: Client) -> bool:
    return DEVICE_ID_SESSION_KEY in client.session


def wrong_code(device: TOTPDevice) -> str:
    """A code the device would not accept now (none of the steps within its tolerance)."""
    accepted = set()
    for shift in range(-2, 3):
        clock = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        clock.time = time.time() + shift * device.step
        accepted.add(str(clock.token()).zfill(6))
    return next(code for code in ("000000", "111111", "222222", "333333") if code not in accepted)


@contextmanager
def clock_at(moment: datetime.datetime) -> Iterator[None]:
    """Django's clock (and so django-otp's throttling) at a given moment; the TOTP codes
    themselves still follow the real time."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


# The sign-in flow --------------------------------------------------------------------


def test_casework_user_with_password_only_is_sent_to_the_two_factor_step(
    client: Client, caseworker: Person
) -> None:
    """Given Bob may see casework and has signed in with his password only,
    When he opens a casework page,
    Then he is sent to the two-factor step, which will bring him back to the page."""
    response = sign_in(client, "bob")
    assert response.status_code == 302
    assert response["Location"] == "/sign-in/two-factor/?next=%2F"

    response = client.get(CASEWORK)
    assert response.status_code == 302
    assert response["Location"] == "/sign-in/two-factor/?next=/test-casework/"
    assert "no-store" in response["Cache-Control"]
    assert b"the casework itself" not in response.content


def test_sign_in_keeps_where_the_user_was_going_through_the_two_factor_step(
    client: Client, caseworker: Person
) -> None:
    response = sign_in(client, "bob", next_url=CASEWORK)
    assert response["Location"] == "/sign-in/two-factor/?next=%2Ftest-casework%2F"


def test_a_casework_user_without_a_device_is_taken_to_set_one_up(
    client: Client, caseworker: Person
) -> None:
    sign_in(client, "bob")
    response = client.get("/sign-in/two-factor/?next=/test-casework/")
    assert response.status_code == 302
    assert response["Location"] == "/sign-in/two-factor/set-up/?next=%2Ftest-casework%2F"


def test_set_up_shows_a_qr_code_and_the_secret_and_confirms_only_with_a_valid_code(
    client: Client, caseworker: Person
) -> None:
    """Given Bob has signed in with his password and has no authenticator yet,
    When he opens the set-up page, Then he sees the QR code as inline SVG and the secret;
    When he enters a wrong code, Then the device stays unconfirmed and he is not through;
    When he enters the code his app shows, Then the device is confirmed and he goes on to
    the casework page he asked for, which he can now see."""
    sign_in(client, "bob")
    page = client.get("/sign-in/two-factor/set-up/?next=/test-casework/")
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    html = page.content.decode()
    assert "<svg" in html and "QR code to scan" in html
    device = TOTPDevice.objects.get(user=caseworker.user)
    assert not device.confirmed
    secret = "".join(page.context["secret_groups"])
    assert secret in html.replace(" ", "")
    assert "otpauth://" not in html  # the secret is in the QR code and as text, no link
    again = client.get("/sign-in/two-factor/set-up/")
    assert "".join(again.context["secret_groups"]) == secret  # same device until confirmed

    wrong = client.post(
        "/sign-in/two-factor/set-up/", {"code": wrong_code(device), "next": CASEWORK}
    )
    assert wrong.status_code == 200
    assert "That code is not right" in wrong.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert not verified(client)
    device.throttling_failure_timestamp = None  # no waiting between tries in the test
    device.save()

    code = str(totp(device.bin_key)).zfill(6)
    response = client.post("/sign-in/two-factor/set-up/", {"code": code, "next": CASEWORK})
    assert response.status_code == 302
    assert response["Location"] == CASEWORK
    device.refresh_from_db()
    assert device.confirmed
    assert verified(client)
    assert client.get(CASEWORK).content == b"the casework itself"


def test_set_up_rejects_a_code_that_is_not_six_digits(client: Client, caseworker: Person) -> None:
    sign_in(client, "bob")
    response = client.post("/sign-in/two-factor/set-up/", {"code": "12ab"})
    assert response.status_code == 200
    assert "Enter the code as 6 digits" in response.content.decode()
    assert "There is a problem" in response.content.decode()
    assert not TOTPDevice.objects.get(user=caseworker.user).confirmed


def test_a_confirmed_device_is_never_replaced_by_setting_up_again(
    client: Client, caseworker: Person
) -> None:
    """Given Bob has a confirmed authenticator, When someone with his password opens the
    set-up page, Then they are sent to enter a code instead: no new secret is shown."""
    code_for(caseworker.user)  # makes his device
    sign_in(client, "bob")
    response = client.get("/sign-in/two-factor/set-up/?next=/test-casework/")
    assert response.status_code == 302
    assert response["Location"] == "/sign-in/two-factor/?next=%2Ftest-casework%2F"
    assert TOTPDevice.objects.filter(user=caseworker.user).count() == 1


def test_on_each_sign_in_a_casework_user_enters_a_code_and_gets_through(
    client: Client, caseworker: Person
) -> None:
    """Given Bob has an authenticator set up and signs in with his password,
    When he enters the code it shows, Then he reaches the casework page he asked for."""
    code = code_for(caseworker.user)
    response = sign_in(client, "bob", next_url=CASEWORK)
    assert client.get(CASEWORK).status_code == 302
    step = client.get(response["Location"])
    assert step.status_code == 200
    assert "Enter the code from your authenticator app" in step.content.decode()
    assert 'autocomplete="one-time-code"' in step.content.decode()

    session_key = client.session.session_key
    response = client.post("/sign-in/two-factor/", {"code": code, "next": CASEWORK})
    assert response.status_code == 302
    assert response["Location"] == CASEWORK
    assert client.session.session_key != session_key  # a new session key once verified
    page = client.get(CASEWORK)
    assert page.status_code == 200
    assert page.content == b"the casework itself"
    assert "no-store" in page["Cache-Control"]

    # Done for this session: the step sends him straight on.
    assert client.get("/sign-in/two-factor/?next=/test-casework/")["Location"] == CASEWORK


def test_a_code_is_accepted_only_once(client: Client, caseworker: Person) -> None:
    code = code_for(caseworker.user)
    sign_in(client, "bob")
    assert client.post("/sign-in/two-factor/", {"code": code}).status_code == 302
    other = Client()
    sign_in(other, "bob")
    response = other.post("/sign-in/two-factor/", {"code": code})
    assert response.status_code == 200
    assert not verified(other)


def test_the_two_factor_step_never_sends_anyone_off_the_site(
    client: Client, caseworker: Person
) -> None:
    code = code_for(caseworker.user)
    sign_in(client, "bob")
    response = client.post(
        "/sign-in/two-factor/", {"code": code, "next": "https://elsewhere.example/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_the_two_factor_step_needs_a_signed_in_user(client: Client) -> None:
    response = client.get("/sign-in/two-factor/")
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/?next=")


# Wrong codes are limited -------------------------------------------------------------


def test_after_several_wrong_codes_even_the_right_code_is_refused_for_a_while(
    client: Client, caseworker: Person
) -> None:
    """Given Bob has entered 5 wrong codes (each after the previous wait was over),
    When he enters the right code a second after the last wrong one,
    Then it is refused, he is told to wait and is not through;
    When he enters it again after the wait, Then he is through."""
    device = TOTPDevice.objects.create(user=caseworker.user, name="phone", confirmed=True)
    right = usable_code(device)
    assert right is not None
    wrong = wrong_code(device)
    sign_in(client, "bob")
    start = timezone.now()
    for n in range(5):
        with clock_at(start + datetime.timedelta(minutes=n)):
            response = client.post("/sign-in/two-factor/", {"code": wrong})
        assert "That code is not right" in response.content.decode()
    device.refresh_from_db()
    assert device.throttling_failure_count == 5

    last_failure = start + datetime.timedelta(minutes=4)
    with clock_at(last_failure + datetime.timedelta(seconds=1)):
        response = client.post("/sign-in/two-factor/", {"code": right})
    assert response.status_code == 200
    assert "Too many wrong codes. Wait 15 seconds" in response.content.decode()
    assert not verified(client)

    with clock_at(last_failure + datetime.timedelta(seconds=17)):
        response = client.post("/sign-in/two-factor/", {"code": right, "next": CASEWORK})
    assert response.status_code == 302
    assert verified(client)
    device.refresh_from_db()
    assert device.throttling_failure_count == 0


def test_wrong_codes_while_throttled_are_refused_without_being_checked(
    client: Client, caseworker: Person
) -> None:
    device = TOTPDevice.objects.create(user=caseworker.user, name="phone", confirmed=True)
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_count=20, throttling_failure_timestamp=timezone.now()
    )
    sign_in(client, "bob")
    response = client.post("/sign-in/two-factor/", {"code": usable_code(device)})
    assert "Too many wrong codes. Wait until" in response.content.decode()
    assert not verified(client)


# People who may see no casework ------------------------------------------------------


def test_a_user_without_casework_access_is_not_asked_for_two_factor(
    client: Client, alice: Person
) -> None:
    """Given Alice sits on the LPG (no panel), When she signs in with her password,
    Then she goes straight home and can use the ordinary pages."""
    assert not has_casework_access(alice.user)
    response = sign_in(client, "alice")
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200
    assert client.get("/password/").status_code == 200
    # A casework page is not a two-factor step for her: the view answers her itself
    # (a real casework view then answers 404 without panel access).
    assert client.get(CASEWORK).status_code == 200


def test_a_panel_member_whose_agreement_is_not_in_force_is_not_asked(
    client: Client, bob: Person
) -> None:
    assert not has_casework_access(bob.user)
    assert sign_in(client, "bob")["Location"] == "/"


# casework_page ------------------------------------------------------------------------


def test_casework_responses_are_never_stored(rf: RequestFactory, caseworker: Person) -> None:
    """Given any page wrapped in casework_page, When it answers, Then Cache-Control says
    no-store (and the page is never served from a cache)."""

    @casework_page
    def view(request: HttpRequest) -> HttpResponse:
        return HttpResponse("case")

    request = rf.get("/anything/")
    request.user = caseworker.user
    caseworker.user.is_verified = lambda: True  # type: ignore[attr-defined]
    response = view(request)
    assert response.status_code == 200
    cache_control = response["Cache-Control"]
    assert "no-store" in cache_control
    assert "no-cache" in cache_control and "max-age=0" in cache_control


def test_casework_page_without_otp_middleware_asks_for_two_factor(
    rf: RequestFactory, caseworker: Person
) -> None:
    """Fails closed: a request whose user carries no OTP verification is not verified."""

    @casework_page
    def view(request: HttpRequest) -> HttpResponse:
        return HttpResponse("case")

    request = rf.get("/anything/?x=1")
    request.user = caseworker.user
    response = view(request)
    assert response.status_code == 302
    assert response["Location"] == "/sign-in/two-factor/?next=/anything/%3Fx%3D1"
    assert "no-store" in response["Cache-Control"]


def test_casework_page_sends_anonymous_users_to_sign_in(rf: RequestFactory) -> None:
    request = rf.get("/anything/")
    request.user = AnonymousUser()
    response = tiny_casework(request)
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/")


# Helpers for other tests --------------------------------------------------------------


def test_verified_login_signs_in_with_two_factor_done(client: Client, caseworker: Person) -> None:
    verified_login(client, caseworker.user)
    assert client.get(CASEWORK).content == b"the casework itself"


# The demo's devices and `saferplaces totp` -------------------------------------------


def test_ensure_demo_device_gives_one_confirmed_demo_device_with_the_published_secret(
    caseworker: Person,
) -> None:
    TOTPDevice.objects.create(user=caseworker.user, name="phone", confirmed=True)
    device = ensure_demo_device(caseworker.user)
    assert device.name == "demo" and device.confirmed
    assert device.key == DEMO_KEY
    assert DEMO_SECRET == "SAFERPLACESDEMOTWOFACTORSIGNIN23"
    again = ensure_demo_device(caseworker.user)
    assert again.pk == device.pk
    assert list(TOTPDevice.objects.filter(user=caseworker.user)) == [device]


def test_a_demo_user_signs_in_with_the_code_from_the_published_secret(
    client: Client, caseworker: Person
) -> None:
    """Given a demo device, When the code an authenticator app computes from DEMO_SECRET is
    entered, Then the user is through (what a browser test or a person trying the demo does)."""
    from base64 import b32decode

    ensure_demo_device(caseworker.user)
    code = str(totp(b32decode(DEMO_SECRET))).zfill(6)
    sign_in(client, "bob")
    response = client.post("/sign-in/two-factor/", {"code": code, "next": CASEWORK})
    assert response["Location"] == CASEWORK


def test_totp_command_prints_the_code_of_a_demo_device(
    client: Client, caseworker: Person, capsys: pytest.CaptureFixture[str]
) -> None:
    ensure_demo_device(caseworker.user)
    call_command("totp", "bob")
    code = capsys.readouterr().out.strip()
    assert len(code) == 6 and code.isdigit()
    sign_in(client, "bob")
    assert client.post("/sign-in/two-factor/", {"code": code})["Location"] == "/"


def test_totp_command_refuses_a_device_that_is_not_a_demo_device(caseworker: Person) -> None:
    """Given Bob's real authenticator (not the demo's), When `saferplaces totp bob` runs,
    Then it refuses and prints no code, even if the device were renamed "demo"."""
    device = TOTPDevice.objects.create(user=caseworker.user, name="phone", confirmed=True)
    with pytest.raises(CommandError, match="not a demo device"):
        call_command("totp", "bob")
    device.name = "demo"
    device.save()
    with pytest.raises(CommandError, match="not a demo device"):
        call_command("totp", "bob")


def test_totp_command_says_when_there_is_nothing_to_print(caseworker: Person) -> None:
    with pytest.raises(CommandError, match="no two-factor device"):
        call_command("totp", "bob")
    with pytest.raises(CommandError, match="No user 'nobody'"):
        call_command("totp", "nobody")
