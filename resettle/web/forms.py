"""Form building blocks that `includes/form.html` renders as GOV.UK components.

Every Resettle form inherits `GovukForm` (or `GovukModelForm`). Dates are asked for as three
boxes (day, month, year) with GOV.UK's error messages, through `GovukDateField`. A form says
once how its page looks, in a nested `Layout`:

    class PauseForm(GovukForm):
        class Layout:
            title = "Pause this case"
            button = "Pause case"
            warning = "The worker and mentor are told."

A page that ends or removes something gives its button `button_style = "warning"` (GOV.UK's red
button); a form with a second way to submit ("Save and log another") names it in
`secondary_button`.
"""

from dataclasses import dataclass, fields
from datetime import date
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError

PARTS = ("day", "month", "year")


class DateInput(forms.MultiWidget):
    """Three text boxes named `<name>_day`, `<name>_month` and `<name>_year`."""

    # In the app's own templates so Django's default form renderer finds it too.
    template_name = "web/widgets/date_input.html"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        # Text with a numeric keypad, not type=number, as the GOV.UK date input pattern advises.
        numeric = {"inputmode": "numeric"}
        super().__init__({part: forms.TextInput(attrs=numeric) for part in PARTS}, attrs)

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        base_id = context["widget"]["attrs"].get("id")
        has_error = "govuk-input--error" in (attrs or {}).get("class", "")
        for part, subwidget in zip(PARTS, context["widget"]["subwidgets"], strict=True):
            sub_attrs = subwidget["attrs"]
            # The day box carries the field's own id, so error summary links land on it.
            if base_id:
                sub_attrs["id"] = base_id if part == "day" else f"{base_id}-{part}"
            width = 4 if part == "year" else 2
            classes = f"govuk-input govuk-date-input__input govuk-input--width-{width}"
            sub_attrs["class"] = classes + (" govuk-input--error" if has_error else "")
            # The fieldset around the boxes is described by the hint and error, not each box.
            sub_attrs.pop("aria-describedby", None)
            sub_attrs.pop("required", None)
            subwidget["label"] = part.capitalize()
        return context

    def decompress(self, value: date | None) -> list[int | None]:
        if isinstance(value, date):
            return [value.day, value.month, value.year]
        return [None, None, None]


def _describe_missing(missing: list[str]) -> str:
    if len(missing) == 1:
        return f"a {missing[0]}"
    return "a " + " and ".join(missing)


class GovukDateField(forms.MultiValueField):
    """A date asked for as day, month and year, with the GOV.UK date input error messages.

    Messages use the field's label: "Enter a date of birth", "Date of birth must include a
    month", "Date of birth must be a real date". Pass `error_messages={"required": ...}` to
    word the empty case differently.
    """

    widget = DateInput

    def __init__(self, *, label: str, **kwargs: Any) -> None:
        part = forms.CharField(required=False)
        super().__init__(fields=(part, part, part), label=label, require_all_fields=False, **kwargs)
        noun = label[:1].lower() + label[1:]
        article = "an" if noun[:1] in "aeiou" else "a"
        self.error_messages = {
            "required": f"Enter {article} {noun}",
            "incomplete": f"{label} must include {{parts}}",
            "invalid": f"{label} must be a real date",
            "year": "Year must include 4 numbers",
        } | (kwargs.get("error_messages") or {})

    def clean(self, value: list[str] | None) -> date | None:
        result = self.compress(list(value or []))
        if result is not None:
            self.run_validators(result)
        return result

    def compress(self, data_list: list[str]) -> date | None:
        day, month, year = (str(part or "").strip() for part in [*data_list, "", "", ""][:3])
        given = {"day": day, "month": month, "year": year}
        if not any(given.values()):
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return None
        missing = [part for part in PARTS if not given[part]]
        if missing:
            raise ValidationError(
                self.error_messages["incomplete"].format(parts=_describe_missing(missing)),
                code="incomplete",
            )
        if not all(part.isdigit() for part in given.values()):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        if len(year) != 4:
            raise ValidationError(self.error_messages["year"], code="year")
        try:
            return date(int(year), int(month), int(day))
        except ValueError as exc:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from exc

    def has_changed(self, initial: date | None, data: list[str] | None) -> bool:
        if not any(data or []):
            return initial is not None
        try:
            return self.compress(list(data or [])) != initial
        except ValidationError:
            return True


class TelInput(forms.TextInput):
    """A phone number box: phones show their dial pad for it."""

    input_type = "tel"


@dataclass
class FormLayout:
    """What `includes/form.html` shows around a form's fields; the include's own arguments
    (heading, caption, button, warning) win over these."""

    title: str = ""  # the h1, which is also the legend of a one-question page
    caption: str = ""  # above the title, usually whose record this is
    button: str = "Save"
    warning: str = ""  # GOV.UK warning text above the fields
    # The GOV.UK button modifier: "" (primary), "warning" (destructive) or "secondary".
    button_style: str = ""
    # (name, text) of a secondary submit button that posts `name=1`, for "Save and add another"
    # or "Save as draft": the view tells the two apart by whether `name` was posted.
    secondary_button: tuple[str, str] | None = None


def choices_of(field: forms.Field) -> list[tuple[Any, Any]]:
    """A choice field's (value, label) pairs. Django keeps choices normalised to a list (a
    CallableChoiceIterator only for callable choices, which no caller passes); django-stubs types
    the getter as loosely as the setter."""
    return cast(list[tuple[Any, Any]], cast(forms.ChoiceField, field).choices)


class GovukFormMixin:
    """Swaps Django's date fields for GOV.UK three-box dates, keeping label, help and validators,
    and reads the form's nested `Layout` into `form.layout` (a copy, so a form may word its
    title or warning for the record in `__init__`)."""

    class Layout:
        pass

    layout: FormLayout
    # Declared by the form class this is mixed into.
    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        declared = self.Layout
        self.layout = FormLayout(
            **{
                f.name: getattr(declared, f.name)
                for f in fields(FormLayout)
                if hasattr(declared, f.name)
            }
        )
        for name, field in list(self.fields.items()):
            if isinstance(field, forms.DateField) and not isinstance(field, GovukDateField):
                label = str(field.label or name.replace("_", " ").capitalize())
                self.fields[name] = GovukDateField(
                    label=label,
                    required=field.required,
                    help_text=field.help_text or "For example, 27 3 2007",
                    initial=field.initial,
                    validators=[
                        validator
                        for validator in field.validators
                        if validator not in forms.DateField.default_validators
                    ],
                )


class GovukForm(GovukFormMixin, forms.Form):
    """Base for every Resettle form that is not a model form."""


class GovukModelForm(GovukFormMixin, forms.ModelForm):
    """Base for every Resettle model form."""
