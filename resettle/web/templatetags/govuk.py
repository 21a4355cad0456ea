"""Template helpers that turn Django form fields into GOV.UK Frontend components."""

from django import forms, template
from django.forms.boundfield import BoundField
from django.utils.safestring import SafeString

from resettle.web.forms import DateInput

register = template.Library()

# A choice between this many options or fewer is shown as radios; more become a select.
RADIOS_MAX_CHOICES = 7

# The CSS class GOV.UK gives each kind of control, and the class it adds when in error.
CONTROL_CLASSES = {
    "input": ("govuk-input", "govuk-input--error"),
    "textarea": ("govuk-textarea", "govuk-textarea--error"),
    "select": ("govuk-select", "govuk-select--error"),
    "date": ("", "govuk-input--error"),
}


@register.filter
def govuk_kind(field: BoundField) -> str:
    """Which GOV.UK component shows this field: input, textarea, select, radios, checkboxes,
    checkbox (a single yes/no), date or hidden."""
    widget = field.field.widget
    if widget.is_hidden:
        return "hidden"
    if isinstance(widget, DateInput):
        return "date"
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.RadioSelect):
        return "radios"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    if isinstance(widget, forms.Select) and not isinstance(widget, forms.SelectMultiple):
        # The choices the select shows (a choice field keeps its widget's the same as its own).
        options = [value for value, _ in widget.choices if value != ""]
        return "radios" if len(options) <= RADIOS_MAX_CHOICES else "select"
    return "input"


@register.filter
def govuk_describedby(field: BoundField) -> str:
    """The ids of the hint and error message that describe the field, for aria-describedby."""
    ids = []
    if field.help_text:
        ids.append(f"{field.auto_id}-hint")
    if field.errors:
        ids.append(f"{field.auto_id}-error")
    return " ".join(ids)


@register.simple_tag
def govuk_control(field: BoundField) -> SafeString:
    """The field's own control (input, textarea, select or date boxes) with GOV.UK classes."""
    kind = govuk_kind(field)
    base, error = CONTROL_CLASSES.get(kind, CONTROL_CLASSES["input"])
    classes = [base, field.field.widget.attrs.get("class", "")]
    if field.errors:
        classes.append(error)
    attrs: dict[str, str | bool] = {"class": " ".join(c for c in classes if c)}
    describedby = govuk_describedby(field)
    if describedby and kind != "date":
        attrs["aria-describedby"] = describedby
    return field.as_widget(attrs=attrs)


@register.filter
def govuk_options(field: BoundField) -> list[dict]:
    """The options of a radios or checkboxes field, each with a unique id (the first is the
    field's id so that the error summary's link reaches it) and whether it is chosen."""
    options = []
    for index, option in enumerate(
        subwidget for subwidget in field.subwidgets if subwidget.data["value"] != ""
    ):
        options.append(
            {
                "id": field.auto_id if index == 0 else f"{field.auto_id}-{index + 1}",
                "value": option.data["value"],
                "label": option.data["label"],
                "checked": option.data["selected"],
            }
        )
    return options


@register.filter
def govuk_checked(field: BoundField) -> bool:
    """Whether a single yes/no checkbox is ticked."""
    return field.field.widget.check_test(field.value())


@register.filter
def elided_pages(paginator, number: int) -> list:
    """Page numbers for the GOV.UK pagination component, with gaps as Paginator.ELLIPSIS."""
    return list(paginator.get_elided_page_range(number, on_each_side=1, on_ends=1))


class WarningNode(template.Node):
    def __init__(self, nodelist: template.NodeList) -> None:
        self.nodelist = nodelist

    def render(self, context: template.Context) -> str:
        text = SafeString(self.nodelist.render(context).strip())
        with context.push(text=text):
            assert context.template is not None  # set while a template renders
            return context.template.engine.get_template("includes/warning.html").render(context)


@register.tag
def warning(parser: template.base.Parser, token: template.base.Token) -> WarningNode:
    """GOV.UK warning text around markup: {% warning %}Text with <a>links</a>{% endwarning %}.
    Plain text can use {% include "includes/warning.html" with text=... %}."""
    nodelist = parser.parse(("endwarning",))
    parser.delete_first_token()
    return WarningNode(nodelist)
