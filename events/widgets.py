"""The Submit Event answer cards: radio buttons and checkboxes drawn as bordered cards, clickable all over.

The markup is foundation/jinja2/widgets/choice_cards.html (Jinja2, as every widget template), which writes each
input's attributes itself: its id, value and state, the required, disabled and aria-invalid attributes that
BoundField gives the field, and the described-by id of its help line. The page wraps each card list in a fieldset
whose legend is the question and whose aria-describedby names the help and error lines
(templates/events/_choice_question.html).
"""

from __future__ import annotations

from django import forms

from foundation.formfields import OneGroupMixin


class ChoiceCardsMixin(OneGroupMixin):
    """One card per choice; `check_class` spaces the check inside its card, `label_class` styles its label,
    `helps` ({value: text}) adds a line under each label that the input is described by, and `grid` lays the
    cards out in two columns from small screens up."""

    template_name = "widgets/choice_cards.html"

    def __init__(self, attrs=None, choices=(), *, check_class: str = "", label_class: str = "",
                 helps: dict[str, str] | None = None, grid: bool = False):
        super().__init__(attrs, choices)
        self.check_class, self.label_class, self.helps, self.grid = check_class, label_class, helps, grid

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if self.helps is not None:
            option["help"] = self.helps.get(str(value), "")
        return option

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        attrs = widget["attrs"]  # BoundField adds required, disabled and aria-invalid (a field with errors) here
        widget.update(type=self.input_type, check_class=self.check_class, label_class=self.label_class, grid=self.grid,
                      described=self.helps is not None, required=bool(attrs.get("required")),
                      disabled=bool(attrs.get("disabled")), invalid=attrs.get("aria-invalid") == "true")
        return context


class RadioCards(ChoiceCardsMixin, forms.RadioSelect):
    """Radio buttons as cards (each radio of a required field carries `required`, from BoundField)."""


class CheckboxCards(ChoiceCardsMixin, forms.CheckboxSelectMultiple):
    """Checkboxes as cards."""
