from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import views as auth_views
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse_lazy
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from saferplaces.govuk import GovukFormMixin
from saferplaces.partnership.services import record_event


@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """200 when the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any database failure means unhealthy
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


# Sign-in lockout (django-axes, configured in settings) -----------------------------------


def client_address(request: HttpRequest) -> str | None:
    """The address a failed sign-in is counted against: the connection's own address.
    X-Forwarded-For is never trusted here, so a guesser cannot forge a fresh address for
    every try."""
    address: str | None = request.META.get("REMOTE_ADDR")
    return address


def locked_out(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """The GOV.UK page for a sign-in locked after too many wrong passwords: it says when
    to try again (every further try while locked restarts the wait)."""
    wait = settings.AXES_COOLOFF_TIME
    minutes = int(wait.total_seconds() // 60)
    return render(
        request,
        "registration/locked_out.html",
        {
            "minutes": minutes,
            "try_again_at": timezone.localtime() + wait,
            "failure_limit": settings.AXES_FAILURE_LIMIT,
        },
        status=429,
    )


# Changing your password --------------------------------------------------------------


class PasswordChangeForm(GovukFormMixin, auth_forms.PasswordChangeForm):
    error_messages = {
        **auth_forms.PasswordChangeForm.error_messages,
        "password_incorrect": "Your current password is not right: enter it again",
    }


class PasswordChangeView(auth_views.PasswordChangeView):
    """Change your own password (GOV.UK form). The change is written to the activity log
    in the same transaction; the session stays signed in."""

    form_class = PasswordChangeForm
    success_url = reverse_lazy("password_change_done")
    # Not Django's default name: the admin's template of that name would win.
    template_name = "registration/change_password.html"

    def form_valid(self, form: Any) -> HttpResponse:
        with transaction.atomic():
            response = super().form_valid(form)
            record_event(self.request.user, "password", form.user, "Password changed")
        return response
