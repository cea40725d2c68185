"""What every casework page does before it shows anything.

`casework_page` wraps a view: the user must be signed in (else the sign-in page), the
response is never cached (``Cache-Control: no-store``), and the page is for people who
may see casework at all. Anyone who may see casework must also have completed two-factor
sign-in (a code from their authenticator app, django-otp) in this session: until they
have, they are sent to the two-factor step (`saferplaces.web.two_factor`), which brings
them back to the page. The record-level decision (this panel, this case) is still made
by `saferplaces.governance.access` inside the view, which answers 404 to everyone else.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.cache import add_never_cache_headers

from saferplaces.governance.access import has_casework_access

View = Callable[..., HttpResponse]


def casework_page(view: View) -> View:
    """Sign-in required, two-factor sign-in for anyone who may see casework, never cached."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response: HttpResponse
        if needs_two_factor(request):
            response = redirect_to_login(request.get_full_path(), reverse("two_factor"))
        else:
            response = view(request, *args, **kwargs)
        add_never_cache_headers(response)
        response["Cache-Control"] = "no-store, " + response["Cache-Control"]
        return response

    return login_required(wrapped)


def needs_two_factor(request: HttpRequest) -> bool:
    """Whether this signed-in user must still enter a two-factor code before casework: they
    may see casework and have not verified a code in this session (OTPMiddleware decides
    `is_verified()` from the session). Someone who may see no casework is not asked: the
    view answers them as it answers anyone without access (404 for a record)."""
    user = request.user
    is_verified = getattr(user, "is_verified", None)
    if is_verified is not None and is_verified():
        return False
    return has_casework_access(user)


def client_address(request: HttpRequest) -> str:
    """Where a request came from, for the audit trail."""
    return str(request.META.get("REMOTE_ADDR", "") or "")
