"""Two-factor sign-in (TOTP, django-otp) for everyone who may see casework.

After their password, a person who may see casework (`governance.access.
has_casework_access`) is taken to the two-factor step before anything else:

- with no authenticator set up yet, to `/sign-in/two-factor/set-up/`: a QR code (inline
  SVG) and the secret as text for their authenticator app, confirmed with a code from it;
- then, on every sign-in, to `/sign-in/two-factor/`: the code their app shows now.

Until they have done it in this session every casework page (`governance.pages.
casework_page`) sends them back here, and here sends them on to the page they asked for.
People who may see no casework are not asked. Wrong codes are throttled on the device
(after n wrong codes the next try must wait 2^(n-1) seconds, whatever the code), on top of
the password lockout (django-axes). A device, once confirmed, is replaced only by an
administrator deleting it (Admin > TOTP devices): a password alone never sets up another.
"""

from __future__ import annotations

import math
from base64 import b32encode
from typing import Any
from urllib.parse import urlencode

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render, resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import login as otp_login
from django_otp import verify_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from saferplaces.governance.access import has_casework_access
from saferplaces.govuk import GovukFormMixin
from saferplaces.partnership.services import record_event
from saferplaces.web.forms import SignInForm

SETUP_DEVICE_NAME = "authenticator app"


class SignInView(auth_views.LoginView):
    """The sign-in page; someone who may see casework goes on to the two-factor step."""

    authentication_form = SignInForm
    redirect_authenticated_user = True

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        if has_casework_access(form.get_user()):
            return _step("two_factor", self.get_success_url())
        return response


class CodeForm(GovukFormMixin, forms.Form):
    code = forms.CharField(
        label="Code",
        help_text="The 6-digit code your authenticator app shows now",
        max_length=20,
        widget=forms.TextInput(
            attrs={
                "class": "govuk-input--width-5 govuk-input--extra-letter-spacing",
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "spellcheck": "false",
            }
        ),
        error_messages={"required": "Enter the 6-digit code from your authenticator app"},
    )

    def clean_code(self) -> str:
        code = "".join(str(self.cleaned_data["code"]).split())
        if not (len(code) == 6 and code.isascii() and code.isdigit()):
            raise forms.ValidationError("Enter the code as 6 digits, like 123456")
        return code


@sensitive_post_parameters("code")
@never_cache
@login_required
def verify(request: HttpRequest) -> HttpResponse:
    """Enter the code from your authenticator app (every sign-in)."""
    next_url = _next_url(request)
    if _is_verified(request.user):
        return HttpResponseRedirect(next_url)
    device = _confirmed_device(request.user)
    if device is None:
        return _step("two_factor_setup", next_url)
    form = CodeForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and _check_code(request, form, device) is not None
    ):
        return HttpResponseRedirect(next_url)
    return render(request, "two_factor/verify.html", {"form": form, "next": next_url})


@sensitive_post_parameters("code")
@never_cache
@login_required
def setup(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: scan the QR code (or type the secret), enter a code."""
    next_url = _next_url(request)
    if _confirmed_device(request.user) is not None:
        return _step("two_factor", next_url)  # a password alone never replaces a device
    device = _unconfirmed_device(request.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            matched = _check_code(request, form, device, confirm=True)
        if matched is not None:
            messages.success(request, "Two-factor sign-in is set up")
            return HttpResponseRedirect(next_url)
    qr = segno.make(device.config_url, error="m")
    context = {
        "form": form,
        "next": next_url,
        "qr_svg": mark_safe(  # noqa: S308 - segno's own markup; the title is ours
            qr.svg_inline(
                scale=4, border=4, dark="#0b0c0c", light="#ffffff", title="QR code to scan"
            )
        ),
        "secret_groups": _groups(b32encode(device.bin_key).decode()),
        "issuer": settings.OTP_TOTP_ISSUER,
    }
    return render(request, "two_factor/setup.html", context)


# Helpers ------------------------------------------------------------------------------


def _check_code(
    request: HttpRequest, form: CodeForm, device: TOTPDevice, *, confirm: bool = False
) -> TOTPDevice | None:
    """Verify the form's code on the device (throttled: django-otp counts wrong codes on
    the device and refuses every code for 2^(n-1) seconds after n of them). On success the
    session is two-factor verified and given a new key; else the form says what to do."""
    user = request.user
    allowed, why = device.verify_is_allowed()
    if not allowed:
        form.add_error("code", _wait_message(why))
        return None
    matched = verify_token(user, device.persistent_id, form.cleaned_data["code"])
    if matched is None:
        form.add_error("code", "That code is not right. Enter the code your app shows now")
        return None
    if confirm:
        matched.confirmed = True
        matched.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=matched.user, confirmed=False).delete()
        record_event(user, "two_factor", matched, "Two-factor sign-in set up")
    otp_login(request, matched)
    request.session.cycle_key()
    return matched


def _wait_message(why: dict[str, Any] | None) -> str:
    until = (why or {}).get("locked_until")
    if until is None:
        return "You cannot use this authenticator now: ask your partnership administrator"
    seconds = max(1, math.ceil((until - timezone.now()).total_seconds()))
    if seconds < 120:
        wait = f"{seconds} seconds"
    else:
        wait = "until " + timezone.localtime(until).strftime("%H:%M on %d %B").replace(" 0", " ")
    return (
        f"Too many wrong codes. Wait {wait}, then enter the code your authenticator app shows then"
    )


User = AbstractBaseUser | AnonymousUser


def _is_verified(user: User) -> bool:
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified is not None and is_verified())


def _confirmed_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).order_by("pk").first()


def _unconfirmed_device(user: User) -> TOTPDevice:
    """The device being set up: the same one (and so the same QR code) until confirmed."""
    device = TOTPDevice.objects.filter(user_id=user.pk, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=SETUP_DEVICE_NAME, confirmed=False)
    return device


def _next_url(request: HttpRequest) -> str:
    """Where to go afterwards: `next` if it is on this site, else the home page."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _step(url_name: str, next_url: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(f"{reverse(url_name)}?{urlencode({'next': next_url})}")


def _groups(secret: str) -> list[str]:
    """The secret in groups of four, as authenticator apps show it, easier to type."""
    return [secret[i : i + 4] for i in range(0, len(secret), 4)]
