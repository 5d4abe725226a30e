"""Template helpers of the review pages: the grouped checkbox picker and readable audit changes."""

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from review import display

register = template.Library()
PICKER_FOLD = 12


@register.inclusion_tag("review/_picker.html")
def picker(field, hint: str = ""):
    """A searchable, grouped checkbox list with chips of what is ticked (behaviour in static/js/review.js).

    The event page carries five pickers with some four hundred options between them, so the options and
    chips are written here in Python (one string per option) rather than looped over in the template, which
    took a third of the page's rendering time. The template keeps the frame: legend, filter box, fold.
    """
    selected = {str(v) for v in (field.value() or [])}
    name = escape(field.html_name)
    chips, options, count = [], [], 0
    for label, choices in field.field.grouped:
        options.append("<div data-picker-group>")
        if label:
            options.append(f'<div class="fw-semibold small text-uppercase text-body-secondary mt-2 mb-1">'
                           f"{escape(label)}</div>")
        options.append('<div class="row row-cols-1 row-cols-md-2 g-0">')
        for value, text in choices:
            count += 1
            checked = value in selected
            option_id = escape(f"{field.auto_id}_{value.replace('.', '_')}")
            if checked:
                chips.append(f'<span class="badge rounded-pill text-bg-primary">{escape(text)}</span>')
            options.append(
                f'<div class="col" data-picker-option><div class="form-check py-1 me-2">'
                f'<input class="form-check-input" type="checkbox" name="{name}" value="{escape(value)}" '
                f'id="{option_id}"{" checked" if checked else ""}>'
                f'<label class="form-check-label" for="{option_id}">{escape(text)}</label></div></div>'
            )
        options.append("</div></div>")
    # Long lists start folded: typing in the filter box unfolds the matches.
    return {"field": field, "hint": hint, "count": count, "folded": count > PICKER_FOLD,
            "chips_html": mark_safe("".join(chips)),  # noqa: S308 - every value above went through escape()
            "options_html": mark_safe("".join(options))}  # noqa: S308


@register.filter
def change_rows(changes):
    """{field: [old, new]} as (label, old, new) rows."""
    return display.change_rows(changes)


@register.filter
def value_label(value, name):
    """A stored code as its label: {{ review.harm|value_label:"harm" }}."""
    return display.value_label(name, value)


@register.filter
def choice_label(value, name):
    """A code as get_<field>_display shows it, without rebuilding the choices: {{ e.status|choice_label:"status" }}."""
    return display.choice_label(value, name)


@register.filter
def status_badge(status):
    """Bootstrap badge classes for an event status."""
    return display.STATUS_BADGES.get(status, "text-bg-secondary")


AUDIT_ACTIONS = {
    "review_saved": "Review saved",
    "event_transition": "Status changed",
    "event_reported": "Reported to the PSO",
    "action_item_added": "Action added",
    "action_item_updated": "Action updated",
    "event_submitted": "Event submitted",
}


@register.filter
def audit_action(action):
    """Readable name of an audit action."""
    return AUDIT_ACTIONS.get(action, str(action).replace("_", " ").capitalize())
