"""Form fields and a select widget that cost less per request than Django's own, with the same behaviour; one label for
"no answer"; the crispy-forms helper of the busiest forms.

Choice fields that share their choice list between form instances: every form instance deep-copies its
fields, and Django's choice fields deep-copy their whole choice list with them. Our lists are module
constants (taxonomies of a few hundred entries on the review form), and no form changes one in place (a form
that narrows choices assigns a new list), so copying them on every request only costs time: these fields copy
themselves as Django does, except for the shared choices.

Model choice fields that read their choices with one ordinary query: Django's iterator streams them with
QuerySet.iterator(), which on PostgreSQL opens a server-side cursor (DECLARE, FETCH, CLOSE: three round trips,
and in autocommit a cursor held past the statement) for lists of a few dozen people or facilities.
"""

from crispy_forms.helper import FormHelper
from django import forms
from django.db import models
from django.forms.models import ModelChoiceIterator

BLANK_LABEL = "Choose…"  # the first option of a select, in place of Django's "---------"

# `helper = FIELD_HELPER` on a form: `{{ form.x|crispy_field }}` (roils_tags; `crispy_field(form.x)` in Jinja2)
# then draws the field with foundation/jinja2/forms/crispy_field.html, a Jinja2 template with the bootstrap5 pack's
# markup for the fields those forms have, without the pack's branches for other layouts. Shared, read-only.
FIELD_HELPER = FormHelper()
FIELD_HELPER.form_tag = False
FIELD_HELPER.field_template = "forms/crispy_field.html"


class OneGroupMixin:
    """For a choice widget: the options outside any group in one group, so that its template loops over them once.

    Django gives each such option a group of its own, and a template would then open a loop (and push a context)
    per option. The markup is the same.
    """

    def optgroups(self, name, value, attrs=None):
        groups = []
        for group in super().optgroups(name, value, attrs):
            if group[0] is None and groups and groups[-1][0] is None:
                groups[-1][1].extend(group[1])
            else:
                groups.append(group)
        return groups


class Select(forms.Select):
    """Django's select, its options looped over once (foundation/jinja2/django/forms/widgets/select.html).

    The event page's selects hold about a thousand options. Django's optgroups builds each one through
    create_option (a method call, an index string and an attrs dict apiece); for a select, whose options inherit no
    attributes, this loop writes the same dicts directly, with the options outside any group in one group (as
    OneGroupMixin does).
    """

    def optgroups(self, name, value, attrs=None):
        groups: list = []
        loose: list | None = None  # the group of the options outside any group, while they follow each other
        has_selected, multiple, value = False, self.allow_multiple_selected, set(value)
        for index, (option_value, option_label) in enumerate(self.choices):
            if option_value is None:
                option_value = ""
            grouped = isinstance(option_label, (list, tuple))
            if grouped:
                loose, subgroup = None, []
                groups.append((option_value, subgroup, index))
                choices = option_label
            else:
                if loose is None:
                    loose = []
                    groups.append((None, loose, index))
                subgroup, choices = loose, ((option_value, option_label),)
            for subindex, (subvalue, sublabel) in enumerate(choices):
                selected = (not has_selected or multiple) and str(subvalue) in value
                has_selected |= selected
                subgroup.append({
                    "name": name, "value": subvalue, "label": sublabel, "selected": selected,
                    "index": f"{index}_{subindex}" if grouped else str(index),
                    "attrs": {"selected": True} if selected else {}, "type": self.input_type,
                    "template_name": self.option_template_name, "wrap_label": True,
                })
        return groups


class SharedChoicesMixin:
    def __deepcopy__(self, memo):
        result = forms.Field.__deepcopy__(self, memo)
        result._choices = self._choices
        return result


class ChoiceField(SharedChoicesMixin, forms.ChoiceField):
    widget = Select


class TypedChoiceField(SharedChoicesMixin, forms.TypedChoiceField):
    widget = Select


class MultipleChoiceField(SharedChoicesMixin, forms.MultipleChoiceField):
    pass


class ListedModelChoiceIterator(ModelChoiceIterator):
    """Iterates the field's queryset itself: one query, whose rows stay with it for a second rendering; or the rows
    the view gave the field (`field.rows`), with no query at all."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        rows = getattr(self.field, "rows", None)
        for obj in self.queryset if rows is None else rows:
            yield self.choice(obj)


class ModelChoiceField(forms.ModelChoiceField):
    """`rows`: the rows of `queryset` when the view has read them already (two forms on one page offering the same
    people), so that drawing the field reads nothing. Validation still reads `queryset`."""

    iterator = ListedModelChoiceIterator
    widget = Select
    rows = None


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    iterator = ListedModelChoiceIterator


def shared_choices_formfield(model_field, **kwargs):
    """A ModelForm's `formfield_callback`: shared choice lists, foreign keys listed with one query, and selects
    whose empty first option says "Choose…"."""
    if model_field.choices:
        kwargs.setdefault("choices_form_class", TypedChoiceField)
    elif isinstance(model_field, models.ForeignKey):
        kwargs.setdefault("form_class", ModelChoiceField)
        kwargs.setdefault("empty_label", BLANK_LABEL)
    field = model_field.formfield(**kwargs)
    if isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
        # Built once per form class: the list stays shared by every form instance.
        field.choices = [("", BLANK_LABEL) if value == "" else (value, label) for value, label in field.choices]
    return field


class CheckboxPicker(forms.SelectMultiple):
    """A long grouped multi-select drawn as ticked checkboxes with a filter box (static/js/picker.js), not a
    Ctrl-click list. A SelectMultiple to crispy-forms, so that it draws the widget's own template."""

    template_name = "widgets/checkbox_picker.html"
    option_template_name = "widgets/checkbox_picker_option.html"
    option_inherits_attrs = True  # each checkbox gets its own id (id_categories_0_1), for its label

    def id_for_label(self, id_, index=None):
        """The field's label names the filter box (the whole id); each checkbox has the id and its index."""
        return f"{id_}_{index}" if id_ and index is not None else id_
