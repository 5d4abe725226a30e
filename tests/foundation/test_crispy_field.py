"""FIELD_HELPER's field template writes what crispy-bootstrap5's own field template writes, for every field of the
forms that use it: blank, filled in and refused."""

import copy
import datetime as dt
import re

import pytest
from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field

from events.forms import EventForm
from foundation.formfields import FIELD_HELPER
from review.forms import ActionItemForm, ReviewForm
from review.models import Review
from tests.factories.events import build_event

pytestmark = pytest.mark.django_db


def _squeeze(html: str) -> str:
    """Whitespace between and at the edges of tags does not change the page."""
    return re.sub(r"\s*([<>])\s*", r"\1", re.sub(r"\s+", " ", str(html))).strip()


def _assert_same(form) -> int:
    assert form.helper is FIELD_HELPER
    for bound in form:
        widget = bound.field.widget  # both templates add classes to the widget: each draws its own copy
        bound.field.widget = copy.deepcopy(widget)
        form.helper = None
        pack = as_crispy_field(bound)
        bound.field.widget = copy.deepcopy(widget)
        del form.helper
        lean = as_crispy_field(bound)
        bound.field.widget = widget
        assert _squeeze(lean) == _squeeze(pack), bound.name
    return len(form.fields)


def test_field_helper_event_form_same_markup_as_the_pack(users):
    for username in ("reporter.riverside", "general.riverside"):
        assert _assert_same(EventForm(user=users[username]))
    refused = EventForm({"narrative": 'He said "<b>hi</b>" & left', "event_date": "2001-13-01", "event_time": "25:00",
                         "age_range": "nonsense", "techniques": ["imrt_vmat"], "sub_location": "Vault <2>",
                         "stay_anonymous": "on", "idempotency_key": "x"}, user=users["reporter.riverside"])
    assert not refused.is_valid() and _assert_same(refused)


def test_field_helper_review_forms_same_markup_as_the_pack(users, world):
    event = build_event(agreement=world["agreements"]["riverside"], user=users["reporter.riverside"])
    review = Review(event=event, title='A "title" <x>', medical_severity=3, dose_deviation_percent=12.5,
                    possibly_reportable=True, equipment_related=True, patient_notified_at=dt.datetime(2026, 1, 2, 9))
    assert _assert_same(ReviewForm(instance=review, event=event))
    refused = ReviewForm({"title": "t", "medical_severity": "x", "harm": "zzz", "prescribed_dose_gy": "1,5",
                          "contributing_factors": ["nope"]}, instance=Review(event=event), event=event)
    assert not refused.is_valid() and _assert_same(refused)
    physicist = users["physicist.riverside"]
    assert _assert_same(ActionItemForm(event=event, user=physicist))
    refused = ActionItemForm({"action_type": "x", "due_date": "2000-01-01"}, event=event, user=physicist)
    assert not refused.is_valid() and _assert_same(refused)


def test_jinja_form_template_same_markup_as_crispy_filter(users, world):
    """forms/crispy_form.html (Jinja2) writes what `{{ form|crispy }}` writes: blank, filled in and refused."""
    from django.template import engines

    from review.forms import AskForm, FeedbackForm, InvestigatorForm

    crispy = engines["django"].from_string("{% load crispy_forms_tags %}{{ form|crispy }}")
    lean = engines["jinja2"].get_template("forms/crispy_form.html")
    event = build_event(agreement=world["agreements"]["riverside"], user=users["reporter.riverside"])
    physicist = users["physicist.riverside"]
    forms = [
        AskForm(), AskForm({"body": ""}), AskForm({"body": 'Which "plan" <b>?'}),
        FeedbackForm(initial={"lessons": "Check & double-check"}), FeedbackForm({"summary": "x" * 5000}),
        InvestigatorForm(event=event, user=physicist),
        InvestigatorForm({"user": "999999"}, event=event, user=physicist),
    ]
    for form in forms:
        form.is_bound and form.is_valid()
        assert _squeeze(lean.render({"form": form})) == _squeeze(crispy.render({"form": form})), type(form).__name__
    assert any(form.errors for form in forms)


def test_django_filter_writes_what_as_crispy_field_writes(users):
    """`{{ form.x|crispy_field }}` (roils_tags) in a Django page: the same markup as crispy-forms' filter, for a
    FIELD_HELPER form, blank and refused, and for a form with another helper (which goes to the filter itself)."""
    from django import forms
    from django.template import Context, Template

    template = Template("{% load roils_tags %}{{ field|crispy_field }}")
    blank = EventForm(user=users["reporter.riverside"])
    refused = EventForm({"narrative": "x", "event_date": "nope"}, user=users["reporter.riverside"])
    assert not refused.is_valid()

    class Plain(forms.Form):
        name = forms.CharField(label="Name <1>", help_text="Help & more")

    for form in (blank, refused, Plain({"name": ""})):
        for bound in form:
            ours = template.render(Context({"field": bound}))
            assert _squeeze(ours) == _squeeze(as_crispy_field(bound)), bound.name
