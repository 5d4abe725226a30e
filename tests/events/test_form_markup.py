"""The Submit Event form's markup: labels, fieldsets, descriptions, linked errors and clear first options."""

import pytest
from django.urls import reverse

from events import forms as event_forms
from events.views import ERROR_ANCHORS
from foundation.taxonomy.events import CLASSIFICATION_HELP, EventClassification, TreatmentTechnique
from tests.markup import Page, accessibility_problems

pytestmark = pytest.mark.django_db

CREATE = reverse("events:event-create")


def _page(client, data=None) -> Page:
    response = client.post(CREATE, data) if data is not None else client.get(CREATE)
    assert response.status_code == 200
    return Page(response.content.decode())


@pytest.mark.parametrize("username", ["reporter.riverside", "general.riverside", "reporter.lakeside"])
def test_event_form_blank_every_control_labelled_and_described(client_for, username):
    page = _page(client_for(username))
    assert accessibility_problems(page, "event-form") == []
    assert not page.find("option", value="") or all(
        o.text == "Choose…" for o in page.find("option", value=""))


def test_event_form_answer_cards_are_radios_and_checkboxes_in_named_fieldsets(client_for):
    page = _page(client_for("reporter.riverside"))
    for name, legend, count in (("coverage", "Facility*", 2), ("classification", "What kind of event was it?*", 5),
                                ("techniques", "Treatment technique(s)*", len(TreatmentTechnique) - 0)):
        inputs = page.find("input", name=name)
        assert 0 < len(inputs) <= count
        fieldset = next(a for a in inputs[0].ancestors[::-1] if a.tag == "fieldset")
        assert fieldset.attrs["aria-describedby"] == f"id_{name}_helptext"
        assert next(c for c in fieldset.children if c.tag == "legend").text == legend
        for index, control in enumerate(inputs):
            assert control.attrs["id"] == f"id_{name}_{index}"
            assert ("required" in control.attrs) == (control.attrs["type"] == "radio")
            label = page.find("label", **{"for": control.attrs["id"]})[0]
            assert "stretched-link" in label.attrs["class"]  # the whole card is the label's target
            assert "border" in control.ancestors[-2].attrs["class"].split()  # the card around the check
    assert ERROR_ANCHORS["coverage"] in page.ids and ERROR_ANCHORS["techniques"] in page.ids


def test_event_form_classification_cards_each_described_by_their_help_line(client_for):
    page = _page(client_for("reporter.riverside"))
    for control in page.find("input", name="classification"):
        help_line = page.ids[control.attrs["aria-describedby"]]
        assert help_line.attrs["class"] == "choice-help"
        assert help_line.text == str(CLASSIFICATION_HELP[EventClassification(control.attrs["value"])])


def test_event_form_errors_linked_from_the_summary_and_marked_on_each_field(client_for):
    page = _page(client_for("reporter.riverside"), {"narrative": "Patient DOB 03/14/1956 had the wrong mask.",
                                                     "event_date": "2001-13-01", "idempotency_key": "x"})
    assert accessibility_problems(page, "event-form") == []
    summary = page.ids["error-summary"]
    anchors = [a.attrs["href"][1:] for a in page.elements if a.tag == "a" and summary in a.ancestors]
    assert {"id_coverage_0", "id_classification_0", "id_techniques_0", "id_event_date", "id_reporter_role",
            "identifier-warning", "event-form"} <= set(anchors)
    assert all(anchor in page.ids for anchor in anchors)
    for name in ("coverage", "classification", "techniques"):
        fieldset = next(a for a in page.find("input", name=name)[0].ancestors[::-1] if a.tag == "fieldset")
        assert fieldset.attrs["aria-describedby"] == f"id_{name}_helptext id_{name}_error"
        assert page.ids[f"id_{name}_error"].text.strip()
        for control in page.find("input", name=name):
            assert control.attrs["aria-invalid"] == "true"
    for name in ("event_date", "reporter_role"):
        control = page.ids[f"id_{name}"]
        assert control.attrs["aria-invalid"] == "true" and "is-invalid" in control.attrs["class"]
        assert f"id_{name}_error" in control.attrs["aria-describedby"].split()
        assert page.ids[f"id_{name}_error"].text.strip()
    narrative = page.ids["id_narrative"]
    assert narrative.text == "Patient DOB 03/14/1956 had the wrong mask." and "aria-invalid" not in narrative.attrs
    assert "03/14/1956" in page.ids["identifier-warning"].text


def test_event_form_posted_answers_stay_chosen(client_for, coverages):
    page = _page(client_for("reporter.riverside"), {
        "coverage": str(coverages["North Clinic"].pk), "classification": "near_miss",
        "techniques": ["electrons", "imrt_vmat"], "reporter_role": "dosimetrist", "idempotency_key": "x"})
    assert [c.attrs["value"] for c in page.find("input", name="coverage") if "checked" in c.attrs] == [
        str(coverages["North Clinic"].pk)]
    assert [c.attrs["value"] for c in page.find("input", name="classification") if "checked" in c.attrs] == [
        "near_miss"]
    assert sorted(c.attrs["value"] for c in page.find("input", name="techniques") if "checked" in c.attrs) == [
        "electrons", "imrt_vmat"]
    assert [o.attrs["value"] for o in page.inside("id_reporter_role") if "selected" in o.attrs] == ["dosimetrist"]
    assert not any("aria-invalid" in c.attrs for c in page.find("input", name="classification"))


def test_event_form_many_facilities_become_a_select_that_says_choose(client_for, monkeypatch):
    monkeypatch.setattr(event_forms, "RADIO_MAX", 1)
    page = _page(client_for("reporter.riverside"))
    assert accessibility_problems(page, "event-form") == []
    options = [(o.attrs["value"], o.text) for o in page.inside("id_coverage")]
    assert options[0] == ("", "Choose…") and [text for _v, text in options[1:]] == ["Main Campus", "North Clinic"]
    assert page.ids["id_coverage"].attrs["aria-describedby"] == "id_coverage_helptext"
    page = _page(client_for("reporter.riverside"), {"idempotency_key": "x"})
    summary = page.ids["error-summary"]
    assert "#id_coverage" in [a.attrs["href"] for a in page.elements if a.tag == "a" and summary in a.ancestors]
    assert page.ids["id_coverage"].attrs["aria-invalid"] == "true"
