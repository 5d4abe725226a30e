"""`{{ form.field|fast_field }}`: the markup of crispy's `as_crispy_field`, written in Python (see events.rendering)."""

from django import template

from events.rendering import crispy_field

register = template.Library()


@register.filter
def fast_field(field):
    """A form field with its label, help text and errors, as crispy's bootstrap5 pack lays it out."""
    return crispy_field(field)
