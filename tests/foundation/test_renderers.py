"""The form renderer: widget templates are Jinja2 and live in foundation/jinja2; form layouts stay Django templates."""

from pathlib import Path

from django import forms
from django.conf import settings
from django.template.backends.jinja2 import Template as JinjaTemplate

from events.widgets import CheckboxCards, RadioCards
from foundation.formfields import Select
from foundation.renderers import WIDGET_PREFIXES, FormRenderer


def test_no_django_syntax_widget_template_that_the_renderer_would_never_read():
    stray = []
    for base in [Path(d) for d in settings.TEMPLATES[0]["DIRS"]] + [Path(settings.BASE_DIR) / app / "templates"
                                                                   for app in ("events", "review", "reporting",
                                                                               "practices", "foundation")]:
        for prefix in WIDGET_PREFIXES:
            folder = base / prefix
            if folder.exists():
                stray += [str(p) for p in folder.rglob("*.html")]
    assert stray == []


def test_widgets_are_drawn_by_jinja2_and_forms_by_django_templates():
    renderer = FormRenderer()
    assert isinstance(renderer.get_template("widgets/choice_cards.html"), JinjaTemplate)
    assert isinstance(renderer.get_template("django/forms/widgets/textarea.html"), JinjaTemplate)
    assert not isinstance(renderer.get_template("django/forms/div.html"), JinjaTemplate)


class _Form(forms.Form):
    kind = forms.ChoiceField(choices=[("a", "Alpha <b>"), ("b", "Beta")],
                             widget=RadioCards(helps={"a": "First & best"}))
    many = forms.MultipleChoiceField(choices=[("x", "X"), ("y", "Y")], widget=CheckboxCards(grid=True))
    pick = forms.ChoiceField(choices=[("", "Choose…"), ("1", "One"), ("2", "Two")], widget=Select)
    text = forms.CharField(widget=forms.Textarea)


def test_widget_markup_escapes_labels_and_keeps_state():
    form = _Form(data={"kind": "a", "many": ["y"], "pick": "2", "text": "<script>"})
    html = "".join(str(form[name]) for name in ("kind", "many", "pick", "text"))
    assert "Alpha &lt;b&gt;" in html and "First &amp; best" in html and "&lt;script&gt;" in html
    assert 'value="a" id="id_kind_0" required aria-describedby="id_kind_0_help" checked' in html
    assert 'value="y" id="id_many_1" checked' in html and 'value="x" id="id_many_0">' in html
    assert '<option value="2" selected>Two</option>' in html and '<option value="">Choose…</option>' in html
    assert 'class="row row-cols-1 row-cols-sm-2 g-2"' in html


def test_jinja2_templates_read_every_global_and_one_render_leaves_nothing_for_the_next():
    from django.template import engines

    env = engines["jinja2"].env
    template = env.from_string(
        "{% set crispy_field = 'shadowed' %}{{ crispy_field }} {{ with_classes is defined }} {{ picker is defined }}"
    )
    assert type(template.globals) is dict and set(env.globals) <= set(template.globals)
    assert template.render() == "shadowed True True"  # a template's own variable shadows a global for that render
    assert env.from_string("{{ crispy_field is callable }}").render() == "True"  # and only for that render
    assert env.globals["crispy_field"] is not None and "shadowed" not in env.globals.values()


def test_jinja2_reads_a_dicts_key_first_as_django_templates_do_and_still_finds_its_methods_and_objects_attributes():
    from django.template import engines

    env = engines["jinja2"].env

    class Row:
        label = "attribute"

        def __getitem__(self, key):
            return "item"

    values = {"option": {"value": "a<b", "items": "a key", "selected": False}, "attrs": {"id": "x"}, "row": Row()}
    template = env.from_string(
        "{{ option.value }}|{{ option.items }}|{{ option.selected }}|{% for k, v in attrs.items() %}{{ k }}={{ v }}"
        "{% endfor %}|{{ row.label }}|{{ option.missing is defined }}|{{ attrs.get('id') }}"
    )
    # A key named like a dict method wins, as in Django's template language; without such a key, the method is found.
    assert template.render(values) == "a&lt;b|a key|False|id=x|attribute|False|x"
