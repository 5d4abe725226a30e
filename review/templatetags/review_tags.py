"""Template helpers of the review pages: the grouped checkbox picker and readable audit changes."""

from django import template

from foundation import jinja
from review import display

register = template.Library()
PICKER_FOLD = 12


@register.simple_tag
def picker(field, hint: str = ""):
    """A searchable, grouped checkbox list with chips of what is ticked (behaviour in static/js/review.js).

    The options are the field's precomputed (value, label, input id) lists (PickerField.options), so the
    template's loop only writes them; long lists start folded, and typing in the filter box unfolds the matches.
    """
    selected = {str(v) for v in (field.value() or [])}
    groups = field.field.options(field.auto_id)
    count = sum(len(options) for _label, options in groups)
    return jinja.render("review/picker.html", {
        "field": field, "hint": hint, "groups": groups, "selected": selected, "count": count,
        "folded": count > PICKER_FOLD, "name": field.html_name, "id": field.auto_id,
        "chips": [text for _label, options in groups for value, text, _id in options if value in selected],
    })


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
    "action_progress": "Action progress",
    "action_item_verified": "Action verified",
    "investigator_assigned": "Investigator assigned",
    "investigator_reassigned": "Investigator reassigned",
    "investigator_withdrawn": "Investigator withdrawn",
    "follow_up_asked": "Question to the reporter",
    "follow_up_answered": "The reporter answered",
    "feedback_shared": "Feedback for the reporter saved",
}


@register.filter
def audit_action(action):
    """Readable name of an audit action."""
    return AUDIT_ACTIONS.get(action, str(action).replace("_", " ").capitalize())


@register.simple_tag
def near_miss_risk_definitions():
    """The near-miss risk index's scores with their definitions and source (foundation.taxonomy.review)."""
    from foundation.taxonomy import review as rc

    return jinja.render("review/near_miss_risk_definitions.html",
                        {"scale": rc.NEAR_MISS_RISK_INDEX, "citation": rc.NEAR_MISS_RISK_CITATION})
