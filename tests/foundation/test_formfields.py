"""Shared choice lists: copying a form's fields no longer copies the constants, and instances stay independent."""

import copy

from foundation.formfields import ChoiceField, MultipleChoiceField

CHOICES = [("a", "A"), ("b", "B")]


def test_copied_field_shares_the_constant_choice_list():
    field = MultipleChoiceField(choices=CHOICES)
    clone = copy.deepcopy(field)
    assert clone is not field and clone.widget is not field.widget
    assert clone._choices is field._choices


def test_assigning_choices_on_one_copy_leaves_the_others_alone():
    field = ChoiceField(choices=CHOICES)
    first, second = copy.deepcopy(field), copy.deepcopy(field)
    first.choices = [("c", "C")]
    assert list(second.choices) == CHOICES and list(field.choices) == CHOICES
    assert [value for value, _label in first.widget.choices] == ["c"]
    assert [value for value, _label in second.widget.choices] == ["a", "b"]
