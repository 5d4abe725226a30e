"""Which review questions apply to an event, what "ready to report" needs, and the regulatory hint.

Pure functions of the classification and the answers: the form, the services and the page all ask here,
so the browser's show/hide (static/js/review.js) and the server's enforcement cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass

from foundation.taxonomy import review as rc
from foundation.taxonomy.events import DOSE_RELATED, REACHED_PATIENT, EventClassification, TreatmentTechnique

NEAR_MISS = frozenset({EventClassification.NEAR_MISS})
# The near-miss risk index scores what did not reach a patient: near misses and unsafe conditions.
RISK_SCORED = frozenset({EventClassification.NEAR_MISS, EventClassification.UNSAFE_CONDITION})
# "Barriers that caught it" also apply to incidents caught part-way through a course, not only to near misses.
CAUGHT = REACHED_PATIENT | NEAR_MISS
# Isotope, applicator and source questions: brachytherapy and radiopharmaceuticals only.
SOURCE_TECHNIQUES = frozenset({TreatmentTechnique.LDR_BRACHY, TreatmentTechnique.HDR_BRACHY,
                               TreatmentTechnique.RADIOPHARMACEUTICAL})
DOSE_FIELDS = ("dose_deviation_percent", "fraction_deviation_percent", "prescribed_dose_gy", "fractions_prescribed",
               "fractions_incorrect", "dosimetric_severity")
HARM_FIELDS = ("harm", "medical_severity")
EQUIPMENT_FIELDS = ("equipment_manufacturer", "equipment_model", "software_version")
WRONG_SITE = frozenset({rc.ProblemType.LATERALITY, rc.ProblemType.ANATOMICAL_SITE})


@dataclass(frozen=True)
class Applies:
    """Which conditional groups of questions an event's classification asks."""

    reached_patient: bool
    dose_related: bool
    near_miss: bool
    risk_scored: bool = False
    caught: bool = False

    @classmethod
    def to(cls, classification: str) -> Applies:
        return cls(
            reached_patient=classification in REACHED_PATIENT,
            dose_related=classification in DOSE_RELATED,
            near_miss=classification in NEAR_MISS,
            risk_scored=classification in RISK_SCORED,
            caught=classification in CAUGHT,
        )


def enforce(classification: str, values: dict) -> dict:
    """Blank the answers to questions the classification does not ask (what the page hides, the server drops)."""
    applies = Applies.to(classification)
    values = dict(values)
    if not applies.reached_patient:
        # Nothing reached a patient: the NSIR-RT answer is "0", and harm is not assessed.
        values["patients_affected"] = rc.PatientsAffected.NONE
        for name in HARM_FIELDS:
            values[name] = None if name == "medical_severity" else ""
    elif values.get("patients_affected") == rc.PatientsAffected.NONE:
        values["patients_affected"] = ""
    if not applies.dose_related:
        for name in DOSE_FIELDS:
            values[name] = None
    if not applies.caught:
        values["barriers_caught"] = []
    if not applies.risk_scored:
        values["near_miss_risk"] = None
    if not values.get("equipment_related"):
        for name in EQUIPMENT_FIELDS:
            values[name] = ""
    return values


def _blank(value) -> bool:
    return value is None or value == "" or value == []


def required_fields(classification: str, equipment_related: bool) -> list[str]:
    """Field names a review of this classification needs before it is ready to report (SaILS, simplified)."""
    applies = Applies.to(classification)
    # Every event: the description, both workflow steps, the problem type and its factors.
    names = ["title", "workflow_origin", "workflow_detected", "problem_type", "contributing_factors"]
    if applies.reached_patient:
        names += ["patients_affected", "harm", "medical_severity", "barriers_failed", "ameliorating_actions"]
    if applies.dose_related:
        names += ["dosimetric_severity", "dose_deviation_percent", "prescribed_dose_gy", "fractions_prescribed",
                  "fractions_incorrect"]
    if applies.near_miss:
        names += ["barriers_failed", "barriers_caught"]
    if equipment_related:
        names += ["equipment_manufacturer", "equipment_model"]
    return names


def missing(classification: str, values: dict, *, narrative: str = "x") -> list[str]:
    """Names of the required fields still unanswered (plus "narrative" if the event's own text is empty)."""
    names = required_fields(classification, bool(values.get("equipment_related")))
    out = [name for name in names if _blank(values.get(name))]
    if not (narrative or "").strip():
        out.insert(0, "narrative")
    return out


def regulatory_criteria(classification: str, values: dict) -> list[str]:
    """Regulatory criteria the answers meet (a hint, never a legal determination)."""
    problems = {values.get("problem_type"), *(values.get("problem_types_secondary") or [])}
    return rc.regulatory_hint(
        classification=classification,
        dose_deviation_percent=values.get("dose_deviation_percent"),
        single_fraction_deviation_percent=values.get("fraction_deviation_percent"),
        wrong_patient=rc.ProblemType.WRONG_PATIENT in problems,
        wrong_site=bool(problems & WRONG_SITE),
        wrong_modality=bool(values.get("wrong_modality")),
    )


def possibly_reportable(classification: str, values: dict) -> bool:
    """The reviewer's override when set, otherwise whether the hint found any criterion."""
    override = values.get("possibly_reportable")
    if override is not None:
        return bool(override)
    return bool(regulatory_criteria(classification, values))
