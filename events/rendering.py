"""A form renderer that writes the common widgets in Python: the same HTML as Django's templates, faster.

Django renders every widget, and every <option> of a select, through its own small templates. On the
submit and review pages that was most of the page's CPU time (a select of 20 options is 41 template
renders). `FastRenderer` produces byte-identical markup for the input, textarea and select templates
(tests/events/test_rendering.py compares the two) and hands every other template to Django unchanged.
"""

from __future__ import annotations

from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.formats import localize
from django.utils.functional import Promise
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

WIDGETS = "django/forms/widgets/"
INPUT_TEMPLATES = frozenset(
    WIDGETS + f"{name}.html"
    for name in (
        "input",
        "text",
        "date",
        "time",
        "datetime",
        "number",
        "email",
        "url",
        "password",
        "hidden",
        "checkbox",
        "search",
        "tel",
    )
)
SELECT_TEMPLATE = WIDGETS + "select.html"
OPTION_TEMPLATE = WIDGETS + "select_option.html"
TEXTAREA_TEMPLATE = WIDGETS + "textarea.html"


def _text(value) -> str:
    """`{{ value }}` in a template: localised, then escaped unless already safe."""
    return conditional_escape(value if isinstance(value, str) else localize(value))


def _formatted(value) -> str:
    """`{{ value|stringformat:'s' }}`: no localisation; escaped unless the value was already safe."""
    text = str(value)
    return text if isinstance(value, SafeString) else conditional_escape(text)


def _attrs(attrs: dict) -> str:
    """django/forms/widgets/attrs.html."""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        out.append(f" {_text(name)}" if value is True else f' {_text(name)}="{_formatted(value)}"')
    return "".join(out)


def _input(widget: dict) -> str:
    value = "" if widget["value"] is None else f' value="{_formatted(widget["value"])}"'
    return f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"{value}{_attrs(widget["attrs"])}>'


def _option(option: dict) -> str:
    return f'<option value="{_formatted(option["value"])}"{_attrs(option["attrs"])}>{_text(option["label"])}</option>'


# The markup of options already written, by (value, label, selected). The same lists (statuses, taxonomies,
# severities) are drawn on every page, and escaping each label again was most of a select's rendering time.
# Only plain str/int values and labels that are plain text are kept: their markup depends on nothing else (a
# safe label is not escaped); a lazy label is keyed by its text in the active language. Emptied when full, so
# it stays small whatever the data.
_OPTION_MARKUP: dict[tuple, str] = {}
OPTION_MARKUP_LIMIT = 4096
_SELECTED = {"selected": True}


def _known_option(option: dict) -> str:
    value, label, attrs = option["value"], option["label"], option["attrs"]
    if isinstance(label, Promise):
        label = str(label)
    if type(label) is not str or type(value) not in (str, int) or (attrs and attrs != _SELECTED):
        return _option(option)
    key = (value, label, bool(attrs))
    markup = _OPTION_MARKUP.get(key)
    if markup is None:
        if len(_OPTION_MARKUP) >= OPTION_MARKUP_LIMIT:
            _OPTION_MARKUP.clear()
        markup = _OPTION_MARKUP[key] = _option(option)
    return markup


def _select(widget: dict) -> str | None:
    parts = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_text(group_name)}">')
        for option in group_choices:
            if option.get("template_name") != OPTION_TEMPLATE:
                return None
            parts.append("\n  " + _known_option(option) + "\n")  # the included template ends with a newline
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def _textarea(widget: dict) -> str:
    value = _text(widget["value"]) if widget["value"] else ""
    return f'<textarea name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>\n{value}</textarea>'


class FastRenderer(DjangoTemplates):
    """Django's template renderer, with inputs, textareas and selects written directly."""

    def render(self, template_name, context, request=None):
        widget = context.get("widget") if isinstance(context, dict) else None
        html = None
        if widget is not None:
            if template_name in INPUT_TEMPLATES and widget.get("template_name") == template_name:
                html = _input(widget)
            elif template_name == SELECT_TEMPLATE:
                html = _select(widget)
            elif template_name == TEXTAREA_TEMPLATE:
                html = _textarea(widget)
        if html is None:
            return super().render(template_name, context, request=request)
        return mark_safe(html)  # noqa: S308 - every value in it went through _text or _formatted


# One shared instance: a renderer owns a template engine, and a new one per form would recompile every template.
FAST_RENDERER = FastRenderer()


def _add_classes(widget, classes: str) -> None:
    """What crispy's {% crispy_field field 'class' '...' %} does to the widget's attributes (it keeps them)."""
    class_name = widget.__class__.__name__.lower()
    css_class = widget.attrs.get("class", "")
    if css_class:
        if css_class.find(class_name) == -1:
            css_class += f" {class_name}"
    else:
        css_class = class_name
    for token in classes.split():
        if token not in css_class.split():
            css_class += f" {token}"
    widget.attrs["class"] = css_class


def _errors_and_help(field) -> str:
    """bootstrap5/layout/help_text_and_errors.html: the error block, then the help text."""
    out = ""
    if field.errors:
        items = "".join(
            f'<p id="error_{i}_{_text(field.auto_id)}"><strong>{_text(error)}</strong></p>'
            for i, error in enumerate(field.errors, 1)
        )
        out += f'<div id="{_text(field.errors.field_id)}_error" class="invalid-feedback">{items}</div>'
    if field.help_text:
        ident = f'id="{_text(field.auto_id)}_helptext" ' if field.auto_id else ""
        out += f'<div {ident}class="form-text">{field.help_text}</div>'
    return out


def crispy_field(field) -> str:
    """`{{ field|as_crispy_field }}` (bootstrap5 pack, default options) for inputs, textareas, selects and checkboxes.

    The same elements, attributes and text as crispy's templates, without their whitespace; fields crispy
    lays out differently (radio and checkbox lists, files, hidden or compound widgets, form helpers) are
    still rendered by crispy.
    """
    widget = field.field.widget
    if (
        field.is_hidden
        or getattr(field.form, "helper", None) is not None
        or hasattr(widget, "widgets")
        or hasattr(widget, "widget")
        or isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple | forms.FileInput)
    ):
        from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field

        return as_crispy_field(field)
    required = field.field.required
    star = '<span class="asteriskField">*</span>' if required else ""
    required_class = " requiredField" if required else ""
    extra = f" {_text(field.css_classes())}" if field.css_classes() else ""
    checkbox = isinstance(widget, forms.CheckboxInput)
    kind = "form-check-input" if checkbox else "form-select" if isinstance(widget, forms.Select) else "form-control"
    _add_classes(widget, kind + (" is-invalid" if field.errors else ""))
    control = str(field)
    div_id = f"div_{_text(field.auto_id)}"
    if checkbox:
        label = (
            f'<label for="{_text(field.id_for_label)}" class="form-check-label{required_class}">'
            f"{_text(field.label)}{star}</label>"
        )
        html = f'<div class="mb-3"><div id="{div_id}" class="form-check{extra}">{control}{label}'
        return mark_safe(html + f"{_errors_and_help(field)}</div></div>")  # noqa: S308 - escaped parts only
    label = ""
    if field.label:
        target = f'for="{_text(field.id_for_label)}" ' if field.id_for_label else ""
        label = f'<label {target}class="form-label{required_class}">{_text(field.label)}{star}</label>'
    html = f'<div id="{div_id}" class="mb-3{extra}">{label}{control}{_errors_and_help(field)}</div>'
    return mark_safe(html)  # noqa: S308 - escaped parts, the rendered widget and the (trusted) help text


def _selected_values(field) -> set[str]:
    """What a choice widget marks as chosen: ChoiceWidget.format_value of the bound field's value."""
    value = field.value()
    if value is None:
        return set()
    values = value if isinstance(value, list | tuple) else [value]
    return {"" if v is None else str(v) for v in values}


def choice_cards(field, *, check_class: str, label_class: str = "", helps: dict | None = None,
                 grid: bool = False) -> str:
    """The Submit Event form's answer cards: one bordered card per choice, clickable all over.

    Written here rather than looped over in the template: the three card lists were two thirds of the
    form page's rendering time. `check_class` spaces the check inside its card; `helps` adds a described
    line under each label; `grid` wraps each card in a column of the techniques grid.
    """
    invalid = bool(field.errors)
    input_type = field.field.widget.input_type
    name = _text(field.html_name)
    required = " required" if input_type == "radio" else ""
    aria_invalid = ' aria-invalid="true"' if invalid else ""
    border = " border-danger" if invalid else ""
    chosen = _selected_values(field)
    label_classes = "form-check-label stretched-link" + (f" {label_class}" if label_class else "")
    cards = []
    for index, (value, label) in enumerate(field.field.choices):
        value = str(value)
        ident = _text(f"{field.auto_id}_{index}")
        described = f' aria-describedby="{ident}_help"' if helps is not None else ""
        checked = " checked" if value in chosen else ""
        help_line = f'<div class="choice-help" id="{ident}_help">{_text(helps.get(value, ""))}</div>' if helps else ""
        card = (
            f'<div class="border rounded-3 {"position-relative h-100" if grid else "mb-2 position-relative"}{border}">'
            f'<div class="form-check {check_class}">'
            f'<input class="form-check-input"{aria_invalid} type="{input_type}" name="{name}" id="{ident}" '
            f'value="{_formatted(value)}"{required}{described}{checked}>'
            f'<label class="{label_classes}" for="{ident}">{_text(label)}</label>'
            f"{help_line}</div></div>"
        )
        cards.append(f'<div class="col">{card}</div>' if grid else card)
    return mark_safe("\n".join(cards))  # noqa: S308 - every value in it went through _text or _formatted
