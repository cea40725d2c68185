"""Your API tokens (/account/api-tokens/): the list, a form to create one (its text is
shown once, on the page that answers the form, and never again) and revoking one after a
confirmation. Anyone who may see casework must have completed two-factor sign-in in this
session first (as for a casework page), since a token reads what its user may read."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_http_methods

from saferplaces.api import tokens
from saferplaces.api.models import ApiToken
from saferplaces.governance.pages import needs_two_factor
from saferplaces.govuk import GovukFormMixin, date_field

DEFAULT_DAYS = 90


class TokenForm(GovukFormMixin, forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=80,
        help_text="What the token is for, for example Power BI or the council's R scripts",
        error_messages={"required": "Enter a name that says what the token is for"},
    )
    expires_on = date_field(
        "Expires on",
        help_text=f"The last day it works: at most {tokens.max_days()} days from today",
        what="the date the token expires",
    )


def _no_store(response: HttpResponse) -> HttpResponse:
    add_never_cache_headers(response)
    response["Cache-Control"] = "no-store, " + response["Cache-Control"]
    return response


def _two_factor_first(request: HttpRequest) -> HttpResponse | None:
    if needs_two_factor(request):
        return redirect_to_login(request.get_full_path(), reverse("two_factor"))
    return None


def _verified(request: HttpRequest) -> bool:
    """Whether this session has completed two-factor sign-in (django-otp)."""
    is_verified = getattr(request.user, "is_verified", None)
    return bool(is_verified is not None and is_verified())


def _page(request: HttpRequest, form: TokenForm, created: tokens.NewToken | None = None,
          status: int = 200) -> HttpResponse:  # fmt: skip
    context: dict[str, Any] = {
        "form": form,
        "tokens": ApiToken.objects.filter(user_id=request.user.pk or 0),
        "created": created,
        "max_days": tokens.max_days(),
    }
    return _no_store(render(request, "api/tokens.html", context, status=status))


@login_required
@require_http_methods(["GET", "POST"])
def api_tokens(request: HttpRequest) -> HttpResponse:
    """The user's tokens and the form to create one."""
    if (step := _two_factor_first(request)) is not None:
        return step
    today = timezone.localdate()
    if request.method != "POST":
        initial = {"expires_on": today + datetime.timedelta(days=DEFAULT_DAYS)}
        return _page(request, TokenForm(initial=initial))
    form = TokenForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    try:
        created = tokens.create_token(
            request.user,  # type: ignore[arg-type]
            name=form.cleaned_data["name"],
            expires_on=form.cleaned_data["expires_on"],
            two_factor=_verified(request),
            today=today,
        )
    except ValidationError as error:
        form.add_error(None, error)  # field by field: name, expires_on
        return _page(request, form, status=400)
    return _page(request, TokenForm(), created)


@login_required
@require_http_methods(["GET", "POST"])
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm, then revoke one of the user's own tokens (anyone else's is 404)."""
    if (step := _two_factor_first(request)) is not None:
        return step
    token = get_object_or_404(ApiToken, pk=pk, user_id=request.user.pk)
    if request.method == "POST":
        if tokens.revoke_token(request.user, token):  # type: ignore[arg-type]
            messages.success(request, f"API token {token.name} revoked: it no longer works")
        return redirect("api_tokens")
    return _no_store(render(request, "api/token_revoke.html", {"token": token}))
