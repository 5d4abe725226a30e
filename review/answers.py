"""A closed review read as answers: the event page of an event that can no longer be edited.

Reported, closed, invalid and duplicate events cannot be changed until they are reopened. Their page used to draw
the whole review form disabled: 47 controls and several hundred unticked picker options, in which the few answers
were hard to find, and drawing them was more than a quarter of the page's CPU. This lists only what was answered,
section by section, in the words the form uses: its labels, and the labels of the options chosen.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.utils import timezone
from django.utils.formats import date_format

# The form's sections (review/jinja2/review/review_fields.html), each with its fields in the order the form asks them.
SECTIONS = (
    ("Summary", ("classification", "title", "workflow_origin", "workflow_detected", "problem_type",
                 "problem_types_secondary")),
    ("Patient impact", ("patients_affected", "harm", "medical_severity")),
    ("Dose", ("dose_deviation_percent", "fraction_deviation_percent", "prescribed_dose_gy", "fractions_prescribed",
              "fractions_incorrect", "dosimetric_severity")),
    ("Causes", ("contributing_factors",)),
    ("Safety barriers", ("barriers_failed", "barriers_caught")),
    ("Near-miss priority", ("near_miss_risk",)),
    ("Circumstances", ("occurred_date", "location", "location_other", "treatment_site", "treatment_intent",
                       "latent_harm", "detected_roles", "involved_roles", "isotope", "applicator", "source_activity",
                       "hospital_incident_number", "staff_support")),
    ("Equipment", ("equipment_related", "equipment_manufacturer", "equipment_model", "software_version")),
    ("Mitigation and learning", ("ameliorating_actions", "lessons_learned", "reviewer_notes")),
    ("Regulatory", ("wrong_modality", "possibly_reportable", "regulatory_regime", "regulatory_criteria",
                    "notified_regulator_at", "written_report_due", "patient_notified_at")),
)


def review_answers(form: forms.Form) -> list[dict]:
    """[{"title", "rows": [{"label", "values": [str, ...]}]}]: the answered fields of an unbound review form (its
    initial values are the saved review), sections without an answer left out."""
    sections = []
    for title, names in SECTIONS:
        rows = []
        for name in names:
            values = answer_texts(form[name])
            if values:
                rows.append({"label": form[name].label, "values": values})
        if rows:
            sections.append({"title": title, "rows": rows})
    return sections


def answer_texts(bound: forms.BoundField) -> list[str]:
    """The field's saved answer as a person reads it; [] when unanswered (a checkbox left unticked counts as that)."""
    field, value = bound.field, bound.value()
    if isinstance(field, forms.NullBooleanField):
        return [] if value is None else ["Yes" if value else "No"]
    if isinstance(field, forms.BooleanField):
        return ["Yes"] if value else []
    if value in (None, "", [], ()):
        return []
    if isinstance(field, forms.ChoiceField):
        # Values the form no longer offers but the review may hold (a near miss's "0 patients", set by the service)
        # read the model field's own labels.
        labels = {**_choice_labels(_model_choices(bound)), **_choice_labels(field.choices)}
        chosen = value if isinstance(value, (list, tuple)) else [value]
        return [labels.get(str(v), str(v)) for v in chosen]
    if isinstance(value, dt.datetime):
        return [date_format(timezone.localtime(value) if timezone.is_aware(value) else value, "DATETIME_FORMAT")]
    if isinstance(value, dt.date):
        return [date_format(value)]
    return [str(value)]


def _model_choices(bound: forms.BoundField):
    try:
        return bound.form._meta.model._meta.get_field(bound.name).choices or ()
    except (AttributeError, FieldDoesNotExist):  # not a model form, or a field of the form's own
        return ()


def _choice_labels(choices) -> dict[str, str]:
    labels = {}
    for value, label in choices:
        if isinstance(label, (list, tuple)):  # a group: (group label, [(value, label), ...])
            labels.update((str(v), str(text)) for v, text in label)
        else:
            labels[str(value)] = str(label)
    return labels
