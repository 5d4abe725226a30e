# ruff: noqa: E501 - OLD_CARDS keeps the former template text verbatim
"""FastRenderer and fast_field must write what Django's widget templates and crispy write, for all our fields."""

import copy
import datetime as dt
import re

import pytest
from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.html import escape
from django.utils.safestring import mark_safe

from events.forms import EventForm
from events.rendering import FastRenderer, crispy_field
from review.forms import ActionItemForm, ReviewForm
from review.models import Review
from tests.factories.events import build_event

pytestmark = pytest.mark.django_db

TEMPLATES, FAST = DjangoTemplates(), FastRenderer()


def _assert_same(form):
    checked = 0
    for bound in form:
        for attrs in (None, {"class": "form-control is-invalid", "aria-describedby": "x_helptext"}):
            form.renderer = TEMPLATES
            expected = bound.as_widget(attrs=attrs and dict(attrs))
            form.renderer = FAST
            actual = bound.as_widget(attrs=attrs and dict(attrs))
            assert actual == expected, bound.name
            checked += 1
        _assert_same_field(bound)
    return checked


def _squeeze(html: str) -> str:
    """Whitespace between and at the edges of tags does not change the page."""
    return re.sub(r"\s*([<>])\s*", r"\1", re.sub(r"\s+", " ", str(html))).strip()


def _assert_same_field(bound):
    """crispy_field == as_crispy_field, each on its own copy of the widget (both add classes to it)."""
    widget = bound.field.widget
    bound.field.widget = copy.deepcopy(widget)
    expected = as_crispy_field(bound)
    bound.field.widget = copy.deepcopy(widget)
    actual = crispy_field(bound)
    bound.field.widget = widget
    assert _squeeze(actual) == _squeeze(expected), bound.name


def test_fast_renderer_event_form_unbound_and_bound_same_html(users):
    for username in ("reporter.riverside", "general.riverside"):
        assert _assert_same(EventForm(user=users[username]))
    bound = EventForm(
        {
            "narrative": 'He said "<b>hi</b>" & left\r\nnext',
            "event_date": "2001-13-01",
            "event_time": "10:00",
            "age_range": "nonsense",
            "techniques": ["imrt_vmat"],
            "sub_location": "Vault <2>",
            "stay_anonymous": "on",
            "idempotency_key": "x",
        },
        user=users["reporter.riverside"],
    )
    bound.is_valid()
    assert _assert_same(bound)


def test_fast_renderer_review_forms_same_html(users, world):
    physicist = users["physicist.riverside"]
    event = build_event(agreement=world["agreements"]["riverside"], user=users["reporter.riverside"])
    review = Review(
        event=event,
        title='A "title" <x>',
        medical_severity=3,
        dose_deviation_percent=12.5,
        possibly_reportable=True,
        equipment_related=True,
        patient_notified_at=dt.date(2026, 1, 2),
    )
    assert _assert_same(ReviewForm(instance=review, event=event))
    bound = ReviewForm(
        {"title": "t", "medical_severity": "x", "harm": "zzz", "prescribed_dose_gy": "1,5"},
        instance=Review(event=event),
        event=event,
    )
    bound.is_valid()
    assert _assert_same(bound)
    assert _assert_same(ActionItemForm(event=event, user=physicist))


def test_fast_renderer_unknown_template_falls_back():
    widget = forms.RadioSelect(choices=[("a", mark_safe("<i>A</i>")), ("b", "B & C")])
    expected = widget.render("r", "a", renderer=TEMPLATES)
    assert widget.render("r", "a", renderer=FAST) == expected
    select = forms.Select(choices=[("G", [("1", "one"), ("2", "two")]), ("3", 3)])
    assert select.render("s", "2", renderer=FAST) == select.render("s", "2", renderer=TEMPLATES)



@pytest.mark.parametrize("selected", ["a&b", "2", "", "safe"])
def test_fast_renderer_reuses_option_markup_only_where_it_cannot_differ(selected):
    """Options already written are reused: each rendering, whatever is selected, equals Django's own."""
    from django.utils.translation import gettext_lazy

    choices = [("", "---------"), ("a&b", "A & <b>"), (2, "Two"), ("2b", 2), ("safe", mark_safe("<i>Safe</i>")),
               ("lazy", gettext_lazy("Lazy")), ("plain", "<i>Safe</i>")]
    select = forms.Select(choices=choices)
    for _ in range(2):  # the second time from the kept markup
        assert select.render("s", selected, renderer=FAST) == select.render("s", selected, renderer=TEMPLATES)


def test_fast_renderer_option_markup_follows_what_a_lazy_label_says_now():
    """A lazy label (a translation) is keyed by its text at rendering time, never by the label object."""
    from django.utils.functional import lazy

    said = {"text": "Yes"}
    label = lazy(lambda: said["text"], str)()
    select = forms.Select(choices=[("yes", label), ("no", "No")])
    for text in ("Yes", "Oui & <b>", "Yes"):
        said["text"] = text
        html = select.render("s", "no", renderer=FAST)
        assert html == select.render("s", "no", renderer=TEMPLATES)
        assert f">{escape(text)}<" in html


# The card loops that event_create.html had (verbatim, long lines and all) before events.rendering.choice_cards wrote them in Python.
OLD_CARDS = """{% for choice in form.coverage %}
<div class="border rounded-3 mb-2 position-relative{% if form.coverage.errors %} border-danger{% endif %}">
  <div class="form-check ms-3 my-0 py-3 pe-3">
    <input class="form-check-input"{% if form.coverage.errors %} aria-invalid="true"{% endif %} type="radio" name="coverage"
           id="{{ choice.id_for_label }}" value="{{ choice.data.value }}" required{% if choice.data.selected %} checked{% endif %}>
    <label class="form-check-label stretched-link" for="{{ choice.id_for_label }}">{{ choice.choice_label }}</label>
  </div>
</div>
{% endfor %}|{% for choice, help in classification_cards %}
<div class="border rounded-3 mb-2 position-relative{% if form.classification.errors %} border-danger{% endif %}">
  <div class="form-check ms-3 my-0 py-2 pe-3">
    <input class="form-check-input"{% if form.classification.errors %} aria-invalid="true"{% endif %} type="radio" name="classification"
           id="{{ choice.id_for_label }}" value="{{ choice.data.value }}" required aria-describedby="{{ choice.id_for_label }}_help"{% if choice.data.selected %} checked{% endif %}>
    <label class="form-check-label stretched-link fw-semibold" for="{{ choice.id_for_label }}">{{ choice.choice_label }}</label>
    <div class="choice-help" id="{{ choice.id_for_label }}_help">{{ help }}</div>
  </div>
</div>
{% endfor %}|{% for choice in form.techniques %}
<div class="col">
  <div class="border rounded-3 position-relative h-100{% if form.techniques.errors %} border-danger{% endif %}">
    <div class="form-check ms-3 my-1 py-2 pe-2">
      <input class="form-check-input"{% if form.techniques.errors %} aria-invalid="true"{% endif %} type="checkbox" name="techniques"
             id="{{ choice.id_for_label }}" value="{{ choice.data.value }}"{% if choice.data.selected %} checked{% endif %}>
      <label class="form-check-label stretched-link" for="{{ choice.id_for_label }}">{{ choice.choice_label }}</label>
    </div>
  </div>
</div>
{% endfor %}"""

NEW_CARDS = """{% load fast_fields %}{% cards form.coverage "ms-3 my-0 py-3 pe-3" %}|{% cards form.classification "ms-3 my-0 py-2 pe-3" "fw-semibold" helps=form.classification_help %}|{% cards form.techniques "ms-3 my-1 py-2 pe-2" grid=True %}"""


def test_choice_cards_same_html_as_the_template_loops(users):
    from django.template import Context, Template

    old, new = Template(OLD_CARDS), Template(NEW_CARDS)
    general = users["general.riverside"]  # two facilities: the coverage cards are shown
    for form in (
        EventForm(user=general),
        EventForm({"classification": "near_miss", "techniques": ["imrt_vmat", "sbrt"]}, user=general),
        EventForm({"coverage": "nonsense", "classification": "<b>", "techniques": ['x"y']}, user=general),
    ):
        if form.is_bound:
            form.is_valid()
        assert form.fields["coverage"].widget.input_type == "radio"
        # What the view used to pass for the classification loop.
        pairs = [(c, form.classification_help.get(c.data["value"], "")) for c in form["classification"]]
        context = Context({"form": form, "classification_cards": pairs})
        expected, actual = old.render(context).split("|"), new.render(context).split("|")
        for before, after in zip(expected, actual, strict=True):
            assert before.count("<input") == after.count("<input") > 0
            assert _squeeze(after) == _squeeze(before)
