"""FastRenderer and fast_field must write what Django's widget templates and crispy write, for all our fields."""

import copy
import datetime as dt
import re

import pytest
from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django import forms
from django.forms.renderers import DjangoTemplates
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
