"""The PSO's questions about an event, for its page on the practice side (read through the scoped selector)."""

from django import template

from ..queries import queries_for_event

register = template.Library()


@register.simple_tag(takes_context=True)
def pso_questions(context, event_key: str, agreement_id: int) -> list:
    """The questions the user may answer about the event with this pseudonymous key (none for other users)."""
    return queries_for_event(user=context["request"].user, event_key=event_key or "", agreement_id=agreement_id)
