"""The words of the forms, defined once: the glossary page and the review form's inline help read these.

Definitions follow the sources in /work/shared/domain/data-elements.md (AHRQ Common Formats v1.2, the AAPM
consensus severity scales and causal taxonomy, the hierarchy of actions); labels come from the taxonomies
themselves, so a term is spelled here exactly as on the form.
"""

from __future__ import annotations

from dataclasses import dataclass

from .events import CLASSIFICATION_HELP, EventClassification
from .review import (
    DOSIMETRIC_SEVERITY_BANDS,
    MEDICAL_SEVERITY_BANDS,
    SAFETY_BARRIERS,
    AapmCategory,
    EffectivenessTier,
    Harm,
    grouped_choices,
)


@dataclass(frozen=True)
class Term:
    """One term and what it means."""

    term: str
    definition: str


@dataclass(frozen=True)
class Section:
    """A group of terms: one scale or list of the forms."""

    key: str
    title: str
    intro: str
    terms: tuple[Term, ...]


HARM_HELP = {
    Harm.DEATH: "The event caused or hastened the patient's death.",
    Harm.SEVERE: "Bodily or psychological injury (including pain or disfigurement) that interferes significantly with "
    "functional ability or quality of life.",
    Harm.MODERATE: "Bodily or psychological injury adversely affecting functional ability or quality of life, but not "
    "at the level of severe harm.",
    Harm.MILD: "Minimal symptoms or loss of function, or injury limited to additional treatment, monitoring or "
    "increased length of stay.",
    Harm.NONE: "The event reached the patient, but no harm is evident.",
    Harm.UNKNOWN: "The extent of harm cannot be judged yet.",
}

FIELD_HELP = {
    "harm": "AHRQ Common Formats harm scale: the extent of residual harm to the patient, for events that reached one.",
    "medical_severity": "AAPM medical severity, 0–10: the clinical consequence for the patient, from none (0) to "
    "premature death (10).",
    "dosimetric_severity": "AAPM dosimetric severity, 1–10: the absolute deviation from the total prescription to any "
    "structure (1–2 up to 5%, 3–4 over 5% to 10%, 5–6 to 25%, 7–8 to 100%, 9–10 over 100%).",
    "barriers_failed": "Safety barriers: checks in the workflow meant to catch an error (the AAPM consensus list). "
    "Tick those that should have caught this event and did not.",
    "barriers_caught": "Tick the safety barriers that caught the event before it went further.",
    "contributing_factors": "Contributing factors: why it happened, in the AAPM / RO-ILS causal taxonomy (six top "
    "categories: organizational, technical, human, patient-related, external, procedural).",
}

TIER_HELP = {
    EffectivenessTier.HIGH: "Stronger actions that do not rely on people remembering: forcing functions, interlocks, "
    "automation, standardised equipment.",
    EffectivenessTier.MODERATE: "Process changes: checklists, redundancy, standard procedures, reduced workload.",
    EffectivenessTier.LOW: "Education, training, new policies and warnings: needed, but weakest on their own.",
    EffectivenessTier.OTHER: "Actions that fit none of the tiers.",
}

AAPM_HELP = {
    AapmCategory.ORGANIZATIONAL: "Management and culture: staffing, policies, communication, training programmes.",
    AapmCategory.TECHNICAL: "Equipment, software and their design, commissioning, maintenance and quality assurance.",
    AapmCategory.HUMAN: "Individual actions: slips, lapses, mistakes, and the conditions such as fatigue behind them.",
    AapmCategory.PATIENT: "Factors in the patient: condition, anatomy, movement, communication, compliance.",
    AapmCategory.EXTERNAL: "Outside the department's control: vendors, regulators, other departments, the environment.",
    AapmCategory.PROCEDURAL: "Procedures themselves: missing, unclear, wrong or not followed.",
}


def _band_terms(bands) -> tuple[Term, ...]:
    return tuple(Term(f"{low}" if low == high else f"{low}–{high}", str(label)) for low, high, label in bands)


def glossary() -> list[Section]:
    """Every section of the glossary page, in the order the forms ask."""
    barrier_terms = tuple(
        Term(label, f"A safety barrier in {group}.")
        for group, options in grouped_choices(SAFETY_BARRIERS)
        for _code, label in options
    )
    return [
        Section("classification", "Event classification", "What kind of event it was (Submit Event, question 2).",
                tuple(Term(str(label), str(CLASSIFICATION_HELP[v])) for v, label in EventClassification.choices)),
        Section("harm", "Harm (AHRQ Common Formats v1.2)", FIELD_HELP["harm"],
                tuple(Term(str(label), HARM_HELP[value]) for value, label in Harm.choices)),
        Section("medical-severity", "Medical severity (AAPM 0–10)", FIELD_HELP["medical_severity"],
                _band_terms(MEDICAL_SEVERITY_BANDS)),
        Section("dosimetric-severity", "Dosimetric severity (AAPM 1–10)", FIELD_HELP["dosimetric_severity"],
                _band_terms(DOSIMETRIC_SEVERITY_BANDS)),
        Section("contributing-factors", "Contributing factors (AAPM categories)", FIELD_HELP["contributing_factors"],
                tuple(Term(str(label), AAPM_HELP[value]) for value, label in AapmCategory.choices)),
        Section("action-tiers", "Corrective actions: effectiveness tiers",
                "The hierarchy of actions: how reliably an action prevents the event from happening again.",
                tuple(Term(str(label), TIER_HELP[value]) for value, label in EffectivenessTier.choices)),
        Section("barriers", "Safety barriers", FIELD_HELP["barriers_failed"], barrier_terms),
    ]  # fmt: skip
