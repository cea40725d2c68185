"""What every delivery page does alike: run a service write and put its ValidationError on
the form, and show a form on the one form page (`delivery/form.html`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def write_or_error(form: Form, write: Callable[[], Any]) -> bool:
    """Run ``write`` atomically; put a ValidationError on the form instead (on the field it
    names, when the form has that field). True when written."""
    try:
        with transaction.atomic():
            write()
    except ValidationError as e:
        if hasattr(e, "error_dict"):
            for name, errors in e.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            for message in e.messages:
                form.add_error(None, message)
        return False
    return True


def form_page(
    request: HttpRequest, form: Form, *, title: str, caption: str, back: str, button: str,
    lead: str = "",
) -> HttpResponse:  # fmt: skip
    """The form on its page: 400 while it holds errors, so a failed post is not a success."""
    context = {"form": form, "title": title, "caption": caption, "back": back,
               "button": button, "lead": lead}  # fmt: skip
    return render(request, "delivery/form.html", context, status=400 if form.errors else 200)
