"""The form renderer: widgets are drawn by Jinja2, form layouts by Django's templates.

A Submit Event page draws about 60 answer options and the event page several hundred. Django's template language
resolves every `{{ option.label }}` through a chain of lookups and pushes a context per loop; Jinja2 compiles a
template to Python, and draws the same markup with a fraction of the CPU (bench/results/page_cpu.md). Widget
templates are small and self-contained, so they are where a second template language pays and costs least:
- `django/forms/widgets/*`: Django's own Jinja2 widget templates (shipped in django/forms/jinja2), except
  those overridden in foundation/jinja2;
- `widgets/*`: the project's widgets (foundation/jinja2/widgets).
Form layouts and error lists stay Django templates, found as TemplatesSetting finds them (crispy-forms draws the
fields; FIELD_HELPER's field template is Jinja2 too, see foundation/jinja.py). A widget template must therefore
live in foundation/jinja2; a test refuses Django-syntax widget templates anywhere else, which this renderer would
never read.
"""

from __future__ import annotations

from django.forms.renderers import BaseRenderer, TemplatesSetting
from django.template import engines
from django.template.backends.base import BaseEngine
from django.utils.functional import cached_property

WIDGET_PREFIXES = ("django/forms/widgets/", "widgets/")


class FormRenderer(BaseRenderer):
    """Jinja2 for widget templates (see the module docstring), the TEMPLATES setting for the rest."""

    @cached_property
    def widgets(self) -> BaseEngine:
        return engines["jinja2"]  # the TEMPLATES setting's Jinja2 engine (foundation/jinja.py)

    @cached_property
    def templates(self) -> TemplatesSetting:
        return TemplatesSetting()

    def get_template(self, template_name):
        if template_name.startswith(WIDGET_PREFIXES):
            return self.widgets.get_template(template_name)
        return self.templates.get_template(template_name)
