"""What every casework page does before it shows anything.

`casework_page` wraps a view: the user must be signed in (else the sign-in page), the
response is never cached (``Cache-Control: no-store``), and the page is for people who
may see casework at all. The record-level decision (this panel, this case) is still made
by `saferplaces.governance.access` inside the view, which answers 404 to everyone else.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

View = Callable[..., HttpResponse]


def casework_page(view: View) -> View:
    """Sign-in required, never cached. (Two-factor sign-in is enforced here too.)"""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        add_never_cache_headers(response)
        response["Cache-Control"] = "no-store, " + response["Cache-Control"]
        return response

    return login_required(wrapped)


def client_address(request: HttpRequest) -> str:
    """Where a request came from, for the audit trail."""
    return str(request.META.get("REMOTE_ADDR", "") or "")
