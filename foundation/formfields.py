"""Form fields that cost less per request than Django's own, with the same behaviour.

Choice fields that share their choice list between form instances: every form instance deep-copies its
fields, and Django's choice fields deep-copy their whole choice list with them. Our lists are module
constants (taxonomies of a few hundred entries on the review form), and no form changes one in place (a form
that narrows choices assigns a new list), so copying them on every request only costs time: these fields copy
themselves as Django does, except for the shared choices.

Model choice fields that read their choices with one ordinary query: Django's iterator streams them with
QuerySet.iterator(), which on PostgreSQL opens a server-side cursor (DECLARE, FETCH, CLOSE: three round trips,
and in autocommit a cursor held past the statement) for lists of a few dozen people or facilities.
"""

from django import forms
from django.db import models
from django.forms.models import ModelChoiceIterator


class SharedChoicesMixin:
    def __deepcopy__(self, memo):
        result = forms.Field.__deepcopy__(self, memo)
        result._choices = self._choices
        return result


class ChoiceField(SharedChoicesMixin, forms.ChoiceField):
    pass


class TypedChoiceField(SharedChoicesMixin, forms.TypedChoiceField):
    pass


class MultipleChoiceField(SharedChoicesMixin, forms.MultipleChoiceField):
    pass


class ListedModelChoiceIterator(ModelChoiceIterator):
    """Iterates the field's queryset itself: one query, whose rows stay with it for a second rendering."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:
            yield self.choice(obj)


class ModelChoiceField(forms.ModelChoiceField):
    iterator = ListedModelChoiceIterator


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    iterator = ListedModelChoiceIterator


def shared_choices_formfield(model_field, **kwargs):
    """A ModelForm's `formfield_callback`: shared choice lists, and foreign keys listed with one query."""
    if model_field.choices:
        kwargs.setdefault("choices_form_class", TypedChoiceField)
    elif isinstance(model_field, models.ForeignKey):
        kwargs.setdefault("form_class", ModelChoiceField)
    return model_field.formfield(**kwargs)
