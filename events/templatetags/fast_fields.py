"""`{{ form.field|fast_field }}`: the markup of crispy's `as_crispy_field`, written in Python (see events.rendering)."""

from django import template

from events.rendering import choice_cards, crispy_field

register = template.Library()


@register.filter
def fast_field(field):
    """A form field with its label, help text and errors, as crispy's bootstrap5 pack lays it out."""
    return crispy_field(field)


@register.simple_tag
def cards(field, check_class, label_class="", helps=None, grid=False):
    """`{% cards form.techniques "ms-3 my-1 py-2 pe-2" grid=True %}`: the answer cards of events.rendering."""
    return choice_cards(field, check_class=check_class, label_class=label_class, helps=helps, grid=grid)
