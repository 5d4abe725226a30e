"""Choice fields that share their choice list between form instances.

Every form instance deep-copies its fields, and Django's choice fields deep-copy their whole choice list
with them. Our lists are module constants (taxonomies of a few hundred entries on the review form), and no
form changes one in place (a form that narrows choices assigns a new list), so copying them on every
request only costs time: these fields copy themselves as Django does, except for the shared choices.
"""

from django import forms


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


def shared_choices_formfield(model_field, **kwargs):
    """A ModelForm's `formfield_callback`: a model field with choices gets a field that shares them."""
    if model_field.choices:
        kwargs.setdefault("choices_form_class", TypedChoiceField)
    return model_field.formfield(**kwargs)
