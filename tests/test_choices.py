"""Database-free checks of the events and review choice lists."""

import os
import re
from decimal import Decimal

import django
import pytest
from django.apps import apps
from django.conf import settings

# Lazy labels need settings and the app registry only when rendered. Under pytest-django the project settings
# are already loaded; run bare (-p no:django) we supply minimal ones.
if not settings.configured and not os.environ.get("DJANGO_SETTINGS_MODULE"):
    settings.configure()
if not apps.ready:
    django.setup()

from foundation.taxonomy import events as ev  # noqa: E402
from foundation.taxonomy import review as rv  # noqa: E402

SLUG = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)*$")
TEXT_CHOICES = [
    ev.EventClassification,
    ev.TreatmentTechnique,
    ev.WorkflowStep,
    ev.AgeRange,
    ev.PatientSex,
    ev.ReporterRole,
    ev.EventStatus,
    rv.ProblemType,
    rv.PatientsAffected,
    rv.Harm,
    rv.AmelioratingAction,
    rv.RegulatoryRegime,
    rv.AapmCategory,
    rv.EffectivenessTier,
]
TREES = {"contributing": rv.CONTRIBUTING_FACTORS, "barriers": rv.SAFETY_BARRIERS, "corrective": rv.CORRECTIVE_ACTIONS}
S = ev.EventStatus


def _check_slugs(values):
    values = list(values)
    assert len(values) == len(set(values)), "duplicate slug"
    for value in values:
        assert len(value) <= ev.SLUG_MAX_LENGTH, value
        assert SLUG.match(value), value


@pytest.mark.parametrize("cls", TEXT_CHOICES, ids=lambda c: c.__name__)
def test_text_choices_slugs_unique_short_and_labelled(cls):
    _check_slugs(cls.values)
    assert all(str(label).strip() for label in cls.labels)


@pytest.mark.parametrize("name", TREES)
def test_tree_slugs_unique_short_and_consistent(name):
    nodes = TREES[name]
    _check_slugs(n.code for n in nodes)
    by_code = {n.code: n for n in nodes}
    for node in nodes:
        assert str(node.label).strip()
        if node.parent is not None:
            parent = by_code[node.parent]
            assert node.code.startswith(parent.code + "."), node.code
            assert parent.group is node.group or str(parent.group) == str(node.group)


def test_list_sizes_match_the_data_elements():
    assert len(ev.TreatmentTechnique) == 13
    assert len(ev.WorkflowStep) == 10
    assert len(ev.AgeRange) == 10
    assert len(rv.ProblemType) == 21
    assert len(rv.AapmCategory) == 6
    assert {"pathology_review", "tumour_board", "imrt_qa", "in_vivo"} <= {
        code.split(".")[-1] for code, _ in rv.choices(rv.SAFETY_BARRIERS)
    }


def test_every_classification_has_help_text():
    assert set(ev.CLASSIFICATION_HELP) == set(ev.EventClassification)
    assert sorted(ev.REACHED_PATIENT) == ["other_safety", "therapeutic"]
    assert sorted(ev.PATIENT_INVOLVED) == ["near_miss", "other_safety", "therapeutic"]


def test_every_contributing_factor_has_an_aapm_category():
    for node in rv.CONTRIBUTING_FACTORS:
        assert node.aapm_category in rv.AapmCategory.values, node.code
        assert rv.aapm_category(node.code) == node.aapm_category
    assert rv.aapm_category("pm.policies.not_followed") == rv.AapmCategory.HUMAN
    assert rv.aapm_category("ci.design.software_error") == rv.AapmCategory.TECHNICAL
    assert rv.aapm_category("pm.external") == rv.AapmCategory.EXTERNAL
    assert rv.aapm_category("no.such.code") is None


def test_every_corrective_action_has_an_effectiveness_tier():
    for node in rv.CORRECTIVE_ACTIONS:
        assert node.tier in rv.EffectivenessTier.values, node.code
    assert rv.effectiveness("hw.forcing_function") == "high"
    assert rv.effectiveness("proc.checklists") == "moderate"
    assert rv.effectiveness("edu.training") == "low"
    assert rv.effectiveness("other") == "other"
    assert rv.effectiveness("no.such.code") is None


@pytest.mark.parametrize("name", TREES)
def test_grouped_choices_cover_every_selectable_code_once(name):
    nodes = TREES[name]
    grouped = rv.grouped_choices(nodes)
    codes = [code for _, items in grouped for code, _ in items]
    assert sorted(codes) == sorted(n.code for n in nodes if not n.retired)
    assert len(codes) == len(set(codes))
    assert [c for c, _ in rv.choices(nodes)] == codes
    assert all(str(group).strip() for group, _ in grouped)


def test_retired_nodes_are_hidden_from_new_forms_but_still_labelled():
    nodes = (
        rv.Node("a", "A", "G1"),
        rv.Node("a.old", "Old", "G1", parent="a", retired=True),
        rv.Node("b", "B", "G2"),
    )
    assert rv.grouped_choices(nodes) == [("G1", [("a", "A")]), ("G2", [("b", "B")])]
    assert [c for c, _ in rv.choices(nodes, include_retired=True)] == ["a", "a.old", "b"]
    assert str(rv.label_for(nodes, "a.old")) == "A › Old"


def test_label_for():
    assert str(rv.label_for(rv.CONTRIBUTING_FACTORS, "pm.human_resources")) == "Human resources inadequate"
    assert str(rv.label_for(rv.CONTRIBUTING_FACTORS, "pm.policies.not_followed")) == (
        "Policies/procedures/regulations inadequate › Not followed"
    )
    assert rv.label_for(rv.SAFETY_BARRIERS, "gone") == "gone"


def test_ameliorating_groups_cover_every_action_once():
    grouped = rv.ameliorating_grouped_choices()
    codes = [code for _, items in grouped for code, _ in items]
    assert sorted(codes) == sorted(rv.AmelioratingAction.values)
    assert [str(g) for g, _ in grouped] == ["Patient", "Organisation", "Other"]


def test_active_choices_drops_retired_values(monkeypatch):
    monkeypatch.setitem(ev.RETIRED_VALUES, "PatientSex", frozenset({"other"}))
    assert [v for v, _ in ev.active_choices(ev.PatientSex)] == ["female", "male", "unknown"]
    assert "other" in ev.PatientSex.values  # stored rows keep validating


def test_severity_scales():
    assert [n for n, _ in rv.MEDICAL_SEVERITY] == list(range(11))
    assert [n for n, _ in rv.DOSIMETRIC_SEVERITY] == list(range(1, 11))
    assert str(rv.MEDICAL_SEVERITY[10][1]) == "10 – Premature death"
    assert rv.dosimetric_severity_range(3) == (1, 2)
    assert rv.dosimetric_severity_range(5) == (1, 2)
    assert rv.dosimetric_severity_range(Decimal("-7.5")) == (3, 4)
    assert rv.dosimetric_severity_range(25) == (5, 6)
    assert rv.dosimetric_severity_range(60) == (7, 8)
    assert rv.dosimetric_severity_range(150) == (9, 10)


def test_every_status_has_a_transition_row():
    assert set(ev.ALLOWED_TRANSITIONS) == set(S)
    for targets in ev.ALLOWED_TRANSITIONS.values():
        assert targets <= set(S)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (S.NEW, S.IN_REVIEW),
        (S.NEW, S.INVALID),
        (S.NEW, S.DUPLICATE),
        (S.IN_REVIEW, S.AWAITING_INFO),
        (S.AWAITING_INFO, S.IN_REVIEW),
        (S.IN_REVIEW, S.READY_TO_REPORT),
        (S.IN_REVIEW, S.CLOSED),
        (S.READY_TO_REPORT, S.REPORTED),
        (S.READY_TO_REPORT, S.IN_REVIEW),
        (S.REPORTED, S.IN_REVIEW),
        (S.RECEIVED, S.CLOSED),
        (S.RECEIVED, S.IN_REVIEW),
        (S.CLOSED, S.IN_REVIEW),
        (S.INVALID, S.IN_REVIEW),
        (S.DUPLICATE, S.IN_REVIEW),
    ],
)
def test_allowed_reviewer_transitions(old, new):
    assert ev.can_transition(old, new)
    assert ev.can_transition(str(old.value), str(new.value))  # plain strings from the database work too


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (S.NEW, S.REPORTED),
        (S.NEW, S.READY_TO_REPORT),
        (S.NEW, S.CLOSED),
        (S.NEW, S.NEW),
        (S.AWAITING_INFO, S.READY_TO_REPORT),
        (S.IN_REVIEW, S.REPORTED),
        (S.REPORTED, S.CLOSED),
        (S.REPORTED, S.INVALID),
        (S.CLOSED, S.NEW),
        (S.CLOSED, S.REPORTED),
        ("bogus", S.IN_REVIEW),
    ],
)
def test_forbidden_reviewer_transitions(old, new):
    assert not ev.can_transition(old, new)


def test_received_is_set_only_by_the_pso_push():
    assert not any(ev.can_transition(old, S.RECEIVED) for old in S)
    assert ev.can_transition(S.REPORTED, S.RECEIVED, by_pso=True)
    assert [old for old in S if ev.can_transition(old, S.RECEIVED, by_pso=True)] == [S.REPORTED]
    assert not ev.can_transition(S.READY_TO_REPORT, S.REPORTED, by_pso=True)


def test_reopening_a_reported_event_bumps_the_revision():
    assert ev.bumps_revision(S.REPORTED, S.IN_REVIEW)
    assert ev.bumps_revision(S.RECEIVED, S.IN_REVIEW)
    assert ev.bumps_revision(S.CLOSED, S.IN_REVIEW)
    assert not ev.bumps_revision(S.AWAITING_INFO, S.IN_REVIEW)
    assert not ev.bumps_revision(S.INVALID, S.IN_REVIEW)
    assert not ev.bumps_revision(S.RECEIVED, S.CLOSED)


def _hint(classification="therapeutic", deviation=None, **kwargs):
    flags = {"wrong_patient": False, "wrong_site": False, "wrong_modality": False} | kwargs
    return rv.regulatory_hint(classification=classification, dose_deviation_percent=deviation, **flags)


def test_regulatory_hint_total_dose():
    assert len(_hint(deviation=25)) == 1
    assert "25" in _hint(deviation=25)[0]
    assert len(_hint(deviation=Decimal("-20.0"))) == 1  # underdose counts; the threshold is inclusive
    assert _hint(deviation=10) == []
    assert _hint(deviation=19.9) == []
    assert _hint(deviation=None) == []


def test_regulatory_hint_single_fraction():
    assert len(_hint(deviation=5, single_fraction_deviation_percent=50)) == 1
    assert _hint(deviation=5, single_fraction_deviation_percent=49) == []


def test_regulatory_hint_wrong_patient_site_modality():
    assert len(_hint(wrong_patient=True)) == 1
    assert len(_hint(wrong_site=True, wrong_modality=True)) == 2
    assert len(_hint(deviation=30, wrong_patient=True)) == 2
    assert len(_hint("other_safety", wrong_site=True)) == 1  # likely misclassified; worth a look


def test_regulatory_hint_needs_a_therapeutic_event():
    assert _hint("near_miss") == []
    assert _hint("unsafe_condition") == []
    assert _hint("near_miss", deviation=50, wrong_patient=True) == []  # never reached the patient
    assert _hint("other_safety", deviation=50) == []  # no dose component
    assert _hint("operational", single_fraction_deviation_percent=80) == []
