"""GOV.UK Design System conventions for Django forms, shared by every app's forms: the
form mixin, date fields and the radios and checkboxes widgets. Every app may import this
module, so it imports no app; its widget templates live in `web/templates/web/widgets/`
and each bound field is drawn by `web/_field.html`."""

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


def date_widget() -> forms.DateInput:
    """A GOV.UK date input: the browser's date picker, the value as ISO 8601."""
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def date_field(
    label: str,
    *,
    required: bool = True,
    help_text: str = "",
    what: str | None = None,
    initial: Any = None,
) -> forms.DateField:
    """A date field with the Design System's messages: "Enter <what>" when it is empty and
    "<What> must be a real date" when it is not a date. `what` defaults to the label
    after "the" ("Date of referral": "the date of referral"); a field that is not
    required says "(optional)" after its label."""
    if what is None:
        what = f"the {label[0].lower()}{label[1:]}"
    return forms.DateField(
        label=label if required else f"{label} (optional)",
        required=required,
        initial=initial,
        help_text=help_text,
        widget=date_widget(),
        error_messages={
            "required": f"Enter {what}",
            "invalid": f"{what[0].upper()}{what[1:]} must be a real date",
        },
    )


class _FirstOptionIsTheField(forms.RadioSelect):
    """Radios or checkboxes whose first option's id is the field's (``id_kind``, then
    ``id_kind_1`` ...), so that the error summary's link reaches it."""

    def id_for_label(self, id_: str, index: str | None = None) -> str:
        if index is None or str(index) == "0":
            return id_
        return super().id_for_label(id_, index)


class GovukRadios(_FirstOptionIsTheField):
    """GOV.UK radios; `web/_field.html` draws the fieldset, legend, hint and error."""

    template_name = "web/widgets/radios.html"
    option_template_name = "web/widgets/radio_option.html"


class GovukCheckboxes(forms.CheckboxSelectMultiple, _FirstOptionIsTheField):
    """GOV.UK checkboxes, drawn as `GovukRadios` are."""

    template_name = "web/widgets/checkboxes.html"
    option_template_name = "web/widgets/checkbox_option.html"


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
