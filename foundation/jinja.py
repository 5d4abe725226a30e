"""The Jinja2 environment of the TEMPLATES setting's Jinja2 engine (foundation/jinja2): the form renderer's widget
templates and the field template of crispy-forms' FIELD_HELPER.

The helpers below are the parts of crispy-forms' `crispy_forms_field` tag library that the field template uses,
written for Jinja2: the same tests on the widget, and the same classes added to it.
"""

from __future__ import annotations

import functools

import jinja2
from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field, optgroups
from crispy_forms.utils import TEMPLATE_PACK
from django import forms
from django.conf import settings
from django.template import engines
from django.template.backends import jinja2 as django_jinja2
from django.template.defaultfilters import date
from django.template.loader import get_template
from django.utils.module_loading import import_string
from django.utils.safestring import SafeString
from markupsafe import Markup

from .formfields import FIELD_HELPER


def render(template_name: str, values: dict) -> SafeString:
    """A Jinja2 template of the TEMPLATES setting's Jinja2 engine drawn with `values` (for template tags)."""
    return engines["jinja2"].get_template(template_name).render(values)


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
    """The bootstrap5 pack's own field template, for the widgets the lean template leaves to it (files and
    multi-widgets), with the context crispy-forms gave the field template."""
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


def crispy_field(bound) -> SafeString:
    """`{{ crispy_field(form.x) }}`: what `{{ form.x|as_crispy_field }}` writes for a form whose helper is FIELD_HELPER
    (forms/crispy_field.html, with the context crispy-forms gives it), without the filter's template lookups."""
    if getattr(bound.form, "helper", None) is not FIELD_HELPER:
        return SafeString(as_crispy_field(bound))  # another helper's own field template
    template, values = _field_template()
    return SafeString(template.render({**values, "field": bound}))


@functools.cache
def _field_template():
    """The field template and the context as_crispy_field gives it (FIELD_HELPER is shared and never changed)."""
    values = {"form_show_errors": True, "form_show_labels": True, "label_class": "", "field_class": "",
              **FIELD_HELPER.get_attributes(TEMPLATE_PACK)}
    return engines["jinja2"].env.get_template(FIELD_HELPER.field_template), values


class Environment(jinja2.Environment):
    """Jinja2's environment, whose templates keep their globals in a plain dict.

    Every render copies the template's globals into a new dict (jinja2.runtime.new_context). Jinja2 keeps them in a
    ChainMap over the environment's globals, so that globals added after a template was loaded still reach it; that
    copy then walks the ChainMap in Python and raises a KeyError per global (twelve here), about a seventh of the
    CPU of drawing a form field (widgets are drawn by one render each). This environment's globals are all set by
    environment() below, before any template is loaded, and never change afterwards.
    """

    def make_globals(self, d):
        return {**self.globals, **(d or {})}

    def getattr(self, obj, attribute):
        """`x.name` on a plain dict reads the key first, as Django's template language does.

        Jinja2 tries the attribute first, and a dict has none of these names: each lookup raised and caught an
        AttributeError before reading the key. Widget contexts, their options and the queue's rows are dicts, and
        the event page looks up several thousand of their keys (about a third of the CPU of drawing its fields).
        A dict's own methods (`attrs.items()`) are still found when it has no key of that name.
        """
        if type(obj) is dict and attribute in obj:
            return obj[attribute]
        return super().getattr(obj, attribute)


def environment(*, globals: dict[str, str] | None = None, **options) -> jinja2.Environment:  # noqa: A002
    """The environment; `globals` (OPTIONS of the TEMPLATES entry) names the apps' functions that templates call, by
    dotted path, so that this ground-floor module imports no app."""
    options.pop("autoescape", None)  # always on, whatever the engine's options say
    env = Environment(autoescape=True, **options)
    env.globals.update(with_classes=with_classes, pack_field=pack_field, optgroups=optgroups, crispy_field=crispy_field)
    env.globals.update({name: import_string(path) for name, path in (globals or {}).items()})
    env.filters["date"] = date  # Django's date filter: the same formats (DATETIME_FORMAT, "Y-m-d") as the pages
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
