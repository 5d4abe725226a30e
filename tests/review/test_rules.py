"""Which questions apply, what "ready to report" needs, and the regulatory hint (pure functions)."""

from decimal import Decimal

import pytest

from foundation.taxonomy.events import EventClassification as C
from foundation.taxonomy.review import Harm, PatientsAffected, ProblemType
from review import rules


@pytest.mark.parametrize(
    ("classification", "reached", "dose", "near_miss"),
    [(C.THERAPEUTIC, True, True, False), (C.OTHER_SAFETY, True, False, False), (C.NEAR_MISS, False, False, True),
     (C.UNSAFE_CONDITION, False, False, False), (C.OPERATIONAL, False, False, False)],
)
def test_applies_to_classification_matches_the_data_elements(classification, reached, dose, near_miss):
    applies = rules.Applies.to(classification)
    assert (applies.reached_patient, applies.dose_related, applies.near_miss) == (reached, dose, near_miss)


def test_enforce_unsafe_condition_blanks_harm_dose_caught_barriers_and_equipment():
    values = rules.enforce(C.UNSAFE_CONDITION, {
        "harm": Harm.SEVERE, "medical_severity": 5, "dose_deviation_percent": Decimal("30"), "dosimetric_severity": 8,
        "barriers_caught": ["proc.timeout"], "equipment_related": False, "software_version": "2.7",
    })
    assert values["harm"] == "" and values["medical_severity"] is None
    assert values["dose_deviation_percent"] is None and values["dosimetric_severity"] is None
    assert values["barriers_caught"] == [] and values["software_version"] == ""
    assert values["patients_affected"] == PatientsAffected.NONE


def test_enforce_incident_refuses_zero_patients_affected():
    values = rules.enforce(C.OTHER_SAFETY, {"patients_affected": PatientsAffected.NONE})
    assert values["patients_affected"] == ""


def test_missing_equipment_follow_ups_only_when_equipment_related():
    assert "equipment_model" not in rules.missing(C.UNSAFE_CONDITION, {"equipment_related": False})
    assert "equipment_model" in rules.missing(C.UNSAFE_CONDITION, {"equipment_related": True})


def test_missing_empty_narrative_is_listed_first():
    assert rules.missing(C.UNSAFE_CONDITION, {}, narrative=" ")[0] == "narrative"


def test_regulatory_criteria_dose_and_wrong_site():
    hits = rules.regulatory_criteria(C.THERAPEUTIC, {
        "dose_deviation_percent": Decimal("-22"), "fraction_deviation_percent": Decimal("10"),
        "problem_type": ProblemType.DOSE_CALCULATION, "problem_types_secondary": [ProblemType.LATERALITY],
    })
    assert any("Total dose differs" in h for h in hits)
    assert any("wrong site" in h for h in hits)
    assert not any("single fraction" in h for h in hits)


def test_regulatory_criteria_near_miss_never_hits():
    assert rules.regulatory_criteria(C.NEAR_MISS, {"dose_deviation_percent": 80,
                                                   "problem_type": ProblemType.WRONG_PATIENT}) == []


@pytest.mark.parametrize(("override", "expected"), [(None, True), (False, False), (True, True)])
def test_possibly_reportable_override_wins_over_the_hint(override, expected):
    values = {"dose_deviation_percent": 25, "possibly_reportable": override}
    assert rules.possibly_reportable(C.THERAPEUTIC, values) is expected
