"""Shared choice lists (copying a form's fields no longer copies the constants; instances stay independent) and the
"Choose…" first option of model forms' selects."""

import copy

from django import forms

from foundation.formfields import BLANK_LABEL, ChoiceField, MultipleChoiceField, Select, shared_choices_formfield
from review.models import ActionItem, Review

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


def test_model_form_selects_offer_choose_not_dashes():
    """A blank model field's select and a foreign key's both start with "Choose…"; required choices have no blank."""
    class Answers(forms.ModelForm):
        class Meta:
            model = Review
            formfield_callback = shared_choices_formfield
            fields = ["harm", "workflow_origin"]

    class Action(forms.ModelForm):
        class Meta:
            model = ActionItem
            formfield_callback = shared_choices_formfield
            fields = ["owner", "status"]

    for field in (Answers.base_fields["harm"], Answers.base_fields["workflow_origin"]):
        assert list(field.choices)[0] == ("", BLANK_LABEL)
        assert all("---" not in str(label) for _value, label in field.choices)
    assert Action.base_fields["owner"].empty_label == BLANK_LABEL
    assert "" not in [value for value, _label in Action.base_fields["status"].choices]


def test_select_options_in_one_loop_same_markup_as_django():
    grouped = [("", BLANK_LABEL), ("a", "A & <b>"), ("Group", [("g1", "G1"), ("g2", "G2")]), ("b", "B"), (3, "Three")]
    for choices in (grouped, [("x", "X"), ("y", "Y")], [("Only", [("o", "O")])], []):
        for value in (None, "", "a", "g2", 3, "nope"):
            assert Select(choices=choices).render("s", value) == forms.Select(choices=choices).render("s", value)
    assert len(Select(choices=grouped).optgroups("s", ["a"])) == 3  # before, the group, after: not one per option


def test_select_options_are_djangos_option_dicts():
    """The lean loop writes the dicts Django's create_option writes, option for option, selected ones included."""
    grouped = [("", BLANK_LABEL), ("a", "A"), ("Group", [("g1", "G1"), ("a", "again")]), ("b", "B"), (None, "none")]

    class Multiple(Select):
        allow_multiple_selected = True

    for lean, django in ((Select, forms.Select), (Multiple, forms.SelectMultiple)):
        for value in ([], [""], ["a"], ["g1", "b"], ["nope"]):
            ours = [option for _name, options, _index in lean(choices=grouped).optgroups("s", value)
                    for option in options]
            theirs = [option for _name, options, _index in django(choices=grouped).optgroups("s", value)
                      for option in options]
            assert ours == theirs, (lean, value)
