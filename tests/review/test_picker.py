"""The grouped checkbox picker (an inclusion tag and its template): ticked options, chips, ids and escaping."""

from django import forms
from django.template import Context, Template

from review.forms import PickerField


class PickerForm(forms.Form):
    factors = PickerField(grouped=[("People", [("p.fatigue", "Fatigue"), ("p.x", "<script>alert(1)</script>")]),
                                   ("", [("t.alarm", "Alarm & interlock")])], label="Contributing factors")


def _render(data=None) -> str:
    form = PickerForm(data)
    return Template("{% load review_tags %}{% picker form.factors 'hint' %}").render(Context({"form": form}))


def test_picker_renders_every_option_with_its_id_and_group():
    html = _render()
    assert html.count("data-picker-option>") == 3
    assert 'id="id_factors_p_fatigue"' in html and 'for="id_factors_p_fatigue"' in html
    assert "People</div>" in html and "Browse all 3" in html
    assert "checked" not in html and "rounded-pill" not in html


def test_picker_ticks_posted_values_and_shows_them_as_chips():
    html = _render({"factors": ["t.alarm"]})
    assert 'value="t.alarm" id="id_factors_t_alarm" checked>' in html
    assert '<span class="badge rounded-pill text-bg-primary">Alarm &amp; interlock</span>' in html


def test_picker_escapes_labels():
    html = _render({"factors": ["p.x"]})
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_picker_fieldset_described_by_its_hint_and_errors():
    form = PickerForm({"factors": ["not.a.choice"]})
    form.is_valid()
    html = Template("{% load review_tags %}{% picker form.factors 'hint' %}").render(Context({"form": form}))
    assert 'aria-describedby="id_factors_hint id_factors_error"' in html
    assert '<p class="small text-body-secondary mb-2" id="id_factors_hint">hint</p>' in html
    assert 'id="id_factors_error">Select a valid choice.' in html
    assert "aria-describedby" not in Template("{% load review_tags %}{% picker form.factors %}").render(
        Context({"form": PickerForm()})).split("data-picker-filter")[0]
