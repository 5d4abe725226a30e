"""Small presentation filters shared by every app's templates."""

from django import template

register = template.Library()


@register.filter
def humanize_code(value) -> str:
    """'agreement_transition' -> 'Agreement transition'."""
    text = str(value or "").replace("_", " ").strip()
    return text[:1].upper() + text[1:]
