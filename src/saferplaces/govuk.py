"""GOV.UK Design System conventions for Django forms, shared by every app's forms."""

from __future__ import annotations

from typing import Any

from django import forms

_WIDGET_CLASSES: dict[type[forms.Widget], str] = {
    forms.Textarea: "govuk-textarea",
    forms.Select: "govuk-select",
    forms.SelectMultiple: "govuk-select",
    forms.CheckboxInput: "govuk-checkboxes__input",
    forms.FileInput: "govuk-file-upload",
}


class GovukFormMixin:
    """Give each widget its GOV.UK class and point it at its hint and error messages."""

    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            widget = field.widget
            css = next(
                (c for t, c in _WIDGET_CLASSES.items() if isinstance(widget, t)), "govuk-input"
            )
            widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()
            described = []
            if field.help_text:
                described.append(f"id_{name}-hint")
            if described:
                widget.attrs["aria-describedby"] = " ".join(described)

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        errors: dict[str, Any] = getattr(self, "_errors", None) or {}
        for name in errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = widget.attrs.get("class", "") + " govuk-input--error"
                described = widget.attrs.get("aria-describedby", "")
                widget.attrs["aria-describedby"] = (described + f" id_{name}-error").strip()
