"""The Jinja2 environment of the TEMPLATES setting's Jinja2 engine (foundation/jinja2): the form renderer's widget
templates and the field template of crispy-forms' FIELD_HELPER.

The helpers below are the parts of crispy-forms' `crispy_forms_field` tag library that the field template uses,
written for Jinja2: the same tests on the widget, and the same classes added to it.
"""

from __future__ import annotations

import jinja2
from crispy_forms.templatetags.crispy_forms_filters import optgroups
from crispy_forms.utils import TEMPLATE_PACK
from django import forms
from django.conf import settings
from django.template.backends import jinja2 as django_jinja2
from django.template.loader import get_template
from django.utils.safestring import SafeString
from markupsafe import Markup


def with_classes(bound, classes: str) -> Markup:
    """The widget drawn with `classes` added, as `{% crispy_field field 'class' '…' %}` does: the widget's own class
    name first (renamed by CRISPY_CLASS_CONVERTERS), then each class it does not have yet. Like the tag, it changes
    the widget's attrs in place: each form instance has its own copy of its widgets."""
    field_widget = bound.field.widget
    widgets = getattr(field_widget, "widgets", [getattr(field_widget, "widget", field_widget)])
    converters = getattr(settings, "CRISPY_CLASS_CONVERTERS", {})
    for widget in widgets:
        class_name = widget.__class__.__name__.lower()
        class_name = converters.get(class_name, class_name)
        css_class = widget.attrs.get("class", "")
        if css_class:
            if css_class.find(class_name) == -1:
                css_class += " " + class_name
        else:
            css_class = class_name
        for extra in classes.split():
            if extra not in css_class.split():
                css_class += " " + extra
        widget.attrs["class"] = css_class
    return Markup(str(bound))  # noqa: S704 (Django's widget templates escaped every value in it)


@jinja2.pass_context
def pack_field(context, bound) -> Markup:
    """The bootstrap5 pack's own field template, for the widgets the lean template leaves to it (radio and checkbox
    files and multi-widgets), with the context crispy-forms gave the field template."""
    values = dict(context.get_all())
    values["field"] = bound
    return Markup(get_template(f"{TEMPLATE_PACK}/field.html").render(values))  # noqa: S704 (an autoescaped template)


def _widget_is(kind):
    return lambda bound: isinstance(bound.field.widget, kind)


TESTS = {
    "checkbox": _widget_is(forms.CheckboxInput),
    "select": _widget_is(forms.Select),
    "file": _widget_is(forms.FileInput),
    "multivalue": _widget_is(forms.MultiWidget),
    "checkboxselectmultiple": _widget_is(forms.CheckboxSelectMultiple),
    # crispy-forms' is_radioselect: a RadioSelect that is not a CheckboxSelectMultiple (which derives from it).
    "radioselect": lambda bound: isinstance(bound.field.widget, forms.RadioSelect)
    and not isinstance(bound.field.widget, forms.CheckboxSelectMultiple),
}


def environment(**options) -> jinja2.Environment:
    options.pop("autoescape", None)  # always on, whatever the engine's options say
    env = jinja2.Environment(autoescape=True, **options)
    env.globals.update(with_classes=with_classes, pack_field=pack_field, optgroups=optgroups)
    env.tests.update(TESTS)
    return env


class Template(django_jinja2.Template):
    def render(self, context=None, request=None) -> SafeString:
        # Autoescaped markup: a Django template that includes it (crispy-forms' as_crispy_field returns what this
        # returns) must not escape it again.
        return SafeString(super().render(context, request))


class Jinja2(django_jinja2.Jinja2):
    """Django's Jinja2 backend, always autoescaping, whose templates' output is marked safe for Django templates."""

    def get_template(self, template_name):
        return Template(super().get_template(template_name).template, self)

    def from_string(self, template_code):
        return Template(self.env.from_string(template_code), self)
