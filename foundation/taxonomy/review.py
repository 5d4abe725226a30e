"""Choice lists and tree taxonomies for the My Review section."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import models
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from foundation.taxonomy.events import DOSE_RELATED, REACHED_PATIENT

# Same versioning rules as foundation.taxonomy.events: slugs are stable, a revision adds values and retires old ones
# (Node.retired, or foundation.taxonomy.events.RETIRED_VALUES for TextChoices), it never renames a stored slug.
TAXONOMY_VERSION = "2026.1"


class ProblemType(models.TextChoices):
    """Problem type (RO-ILS 2022 form); one primary plus any secondary."""

    LATERALITY = "laterality", _("Laterality incorrect")
    ANATOMICAL_SITE = "anatomical_site", _("Anatomical site incorrect (not laterality)")
    WRONG_PATIENT = "wrong_patient", _("Wrong patient")
    POSITION_SETUP = "position_setup", _("Patient position / setup point / isocenter / shift incorrect")
    ACCESSORIES = "accessories", _("Treatment accessories incorrect, missing, mislabelled, misused or damaged")
    PRESCRIPTION = "prescription", _("Prescription, dose or fractionation incorrect or not as intended")
    DOSE_CALCULATION = "dose_calculation", _("Dose calculation error")
    CONTOURS = "contours", _("Target or organ-at-risk contours incorrect or omitted")
    PLANNING_MARGINS = "planning_margins", _("Planning margins incorrect")
    PLAN_UNACCEPTABLE = "plan_unacceptable", _("Plan dose distribution unacceptable")
    PLAN_NOT_DELIVERABLE = "plan_not_deliverable", _("Plan not deliverable (physically)")
    STAFF_UNAVAILABLE = "staff_unavailable", _("Not deliverable: staff unavailable")
    EQUIPMENT_UNAVAILABLE = "equipment_unavailable", _("Not deliverable: hardware/software unavailable")
    EQUIPMENT_MALFUNCTION = "equipment_malfunction", _("Hardware/software malfunction or product improvement")
    IMAGING = "imaging", _("Imaging excess, inadequate or not as intended")
    ACCESS_TO_CARE = "access_to_care", _("Access to timely care (insurance, transport)")
    CLINICAL_DECISION = "clinical_decision", _("Suboptimal decision-making or missing/incorrect clinical information")
    COORDINATION = "coordination", _("Inadequate coordination with other providers")
    WORKFLOW_DELAY = "workflow_delay", _("Workflow delay or scheduling error")
    FALL_INJURY = "fall_injury", _("Fall, injury or acute medical event")
    OTHER = "other", _("Other")


class PatientsAffected(models.TextChoices):
    """Number of patients the event reached (NSIR-RT)."""

    NONE = "none", _("0 (unsafe condition / near miss)")
    ONE = "one", _("1")
    MORE_THAN_ONE = "more_than_one", _("More than 1")


class Harm(models.TextChoices):
    """Extent of residual harm, AHRQ Common Formats harm scale v1.2; only for events that reached a patient."""

    DEATH = "death", _("Death")
    SEVERE = "severe", _("Severe harm")
    MODERATE = "moderate", _("Moderate harm")
    MILD = "mild", _("Mild harm")
    NONE = "none", _("No harm")
    UNKNOWN = "unknown", _("Unknown")


def _scale(bands: Iterable[tuple[int, int, str]]) -> list[tuple[int, str]]:
    """Expand (low, high, band label) rows into one (score, "score – band") choice per score."""
    return [(n, format_lazy("{} – {}", n, label)) for low, high, label in bands for n in range(low, high + 1)]


# AAPM medical severity, 0-10, bands as published.
MEDICAL_SEVERITY_BANDS = (
    (0, 0, _("None")),
    (1, 1, _("Temporary, no intervention")),
    (2, 2, _("Temporary, intervention indicated")),
    (3, 4, _("Temporary major (treatment or hospitalisation)")),
    (5, 6, _("Permanent minor (grade 1-2)")),
    (7, 7, _("Permanent major (grade 3-4)")),
    (8, 9, _("Life-threatening, or likely recurrence from underdose")),
    (10, 10, _("Premature death")),
)
MEDICAL_SEVERITY = _scale(MEDICAL_SEVERITY_BANDS)

# AAPM dosimetric severity, 1-10: absolute deviation from the total prescription to any structure.
# Exactly 5% sits in the lowest band, as in the NSIR-RT "minor (<=5%)" impact level.
DOSIMETRIC_SEVERITY_BANDS = (
    (1, 2, _("Deviation up to 5%")),
    (3, 4, _("Deviation over 5% to 10%")),
    (5, 6, _("Deviation over 10% to 25%")),
    (7, 8, _("Deviation over 25% to 100%")),
    (9, 10, _("Deviation over 100%")),
)
DOSIMETRIC_SEVERITY = _scale(DOSIMETRIC_SEVERITY_BANDS)
_DOSIMETRIC_UPPER_LIMITS = ((5, (1, 2)), (10, (3, 4)), (25, (5, 6)), (100, (7, 8)))


def dosimetric_severity_range(deviation_percent: float | Decimal) -> tuple[int, int]:
    """The (low, high) dosimetric severity scores whose band contains this signed % deviation."""
    deviation = abs(deviation_percent)
    for limit, scores in _DOSIMETRIC_UPPER_LIMITS:
        if deviation <= limit:
            return scores
    return (9, 10)


class AmelioratingAction(models.TextChoices):
    """Actions that mitigated harm after the fact; grouped by AMELIORATING_GROUPS."""

    MEDICAL_MANAGEMENT = "medical_management", _("Medical management of injury")
    PLAN_REVISION = "plan_revision", _("Plan revision")
    PRESCRIPTION_REVISION = "prescription_revision", _("Prescription-dose revision")
    VOLUME_REVISION = "volume_revision", _("Volume revision")
    PATIENT_DISCLOSURE = "patient_disclosure", _("Patient disclosure")
    # Media/PR is in the NSIR-RT list though not in our review table; kept so NSIR-RT data maps one to one.
    MEDIA_PR = "media_pr", _("Media or public-relations management")
    COMPLAINT_MANAGEMENT = "complaint_management", _("Complaint management")
    STAFF_DEBRIEF = "staff_debrief", _("Staff debrief or support")
    EDUCATION = "education", _("Education or training")
    CULTURE_CHANGE = "culture_change", _("Culture change")
    OTHER = "other", _("Other")


_A = AmelioratingAction
AMELIORATING_GROUPS = (
    (_("Patient"), (_A.MEDICAL_MANAGEMENT, _A.PLAN_REVISION, _A.PRESCRIPTION_REVISION, _A.VOLUME_REVISION,
                    _A.PATIENT_DISCLOSURE)),
    (_("Organisation"), (_A.MEDIA_PR, _A.COMPLAINT_MANAGEMENT, _A.STAFF_DEBRIEF, _A.EDUCATION, _A.CULTURE_CHANGE)),
    (_("Other"), (_A.OTHER,)),
)  # fmt: skip
del _A


def ameliorating_grouped_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Ameliorating actions in Django grouped-choices format."""
    return [(group, [(a.value, a.label) for a in actions]) for group, actions in AMELIORATING_GROUPS]


class RegulatoryRegime(models.TextChoices):
    """Which mandatory-reporting rule applies, if any."""

    NRC = "nrc", _("NRC (10 CFR 35.3045, byproduct material)")
    AGREEMENT_STATE = "agreement_state", _("Agreement State (byproduct material)")
    STATE_MACHINE = "state_machine", _("State rule for radiation-producing machines")
    NONE = "none", _("None")


class AapmCategory(models.TextChoices):
    """The six top categories of the AAPM consensus / RO-ILS causal taxonomy."""

    ORGANIZATIONAL = "organizational", _("Organizational management")
    TECHNICAL = "technical", _("Technical")
    HUMAN = "human", _("Human behavior")
    PATIENT = "patient", _("Patient-related")
    EXTERNAL = "external", _("External")
    PROCEDURAL = "procedural", _("Procedural")


class EffectivenessTier(models.TextChoices):
    """Effectiveness tier of a corrective action (hierarchy of actions to reduce risk)."""

    HIGH = "high", _("High (hardware/software)")
    MODERATE = "moderate", _("Moderate (process)")
    LOW = "low", _("Low (education/training)")
    OTHER = "other", _("Other")


class ActionStatus(models.TextChoices):
    """Progress of one corrective or preventive action item."""

    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")


@dataclass(frozen=True, slots=True)
class Node:
    """One item of a tree taxonomy; code is the stored slug, dotted as group.branch.leaf."""

    code: str
    label: str
    group: str
    parent: str | None = None
    aapm_category: str | None = None
    tier: str | None = None
    retired: bool = False


def _tree(
    group_code: str, group_label: str, rows: Sequence[tuple], *, aapm: str | None = None, tier: str | None = None
) -> list[Node]:
    """Flatten (slug, label[, aapm override][, [child rows]]) rows into Nodes; children inherit the aapm tag."""
    nodes: list[Node] = []

    def walk(rows: Sequence[tuple], prefix: str, parent: str | None, inherited: str | None) -> None:
        for slug, label, *extra in rows:
            code = f"{prefix}.{slug}" if prefix else slug
            category = next((x for x in extra if isinstance(x, str)), inherited)
            nodes.append(Node(code, label, group_label, parent, aapm_category=category, tier=tier))
            for children in (x for x in extra if isinstance(x, list)):
                walk(children, code, code, category)

    walk(rows, group_code, None, aapm)
    return nodes


_ORG, _TECH, _HUM = AapmCategory.ORGANIZATIONAL, AapmCategory.TECHNICAL, AapmCategory.HUMAN
_PAT, _EXT, _PROC = AapmCategory.PATIENT, AapmCategory.EXTERNAL, AapmCategory.PROCEDURAL

# NSIR-RT contributing factors; labels are the NSIR-RT items. The AAPM tags are our mapping: each group has a
# default, and items that describe an individual's lapse or violation (loss of attention, expectation bias,
# plan forgotten, policy not followed) are Human behavior so they do not inflate the system categories.
CONTRIBUTING_FACTORS: tuple[Node, ...] = tuple(
    _tree("pm", _("Program management or planning"), [
        ("human_resources", _("Human resources inadequate")),
        ("capital_resources", _("Capital resources inadequate")),
        ("policies", _("Policies/procedures/regulations inadequate"), [
            ("not_followed", _("Not followed"), _HUM),
            ("non_existent", _("Non-existent")),
            ("conflicted", _("Conflicted")),
        ]),
        ("training", _("Education or training inadequate")),
        ("communication", _("Communication inadequate"), [
            ("documentation", _("Documentation poor/incomplete/unclear/missing")),
            ("medical_record", _("Medical record poor/incomplete/unclear/missing")),
            ("not_timely", _("Communication not timely")),
            ("misdirected", _("Communication inappropriate or misdirected")),
            # Added from the revised NSIR-RT list (see CONTRIBUTING_FACTOR_REVISIONS).
            ("handoff", _("Inadequate handoff or handover")),
        ]),
        ("environment", _("Physical environment inadequate")),
        ("external", _("External factors beyond programmatic control"), _EXT),
    ], aapm=_ORG)
    + _tree("ci", _("Clinical infrastructure"), [
        ("materials", _("Materials/tools/equipment inadequate")),
        ("commissioning", _("Commissioning or acceptance testing inadequate")),
        ("design", _("Equipment design or construction inadequate"), [
            ("software_error", _("Software operational error")),
        ]),
        ("maintenance", _("Equipment maintenance inadequate")),
    ], aapm=_TECH)
    + _tree("cp", _("Clinical process"), [
        ("detect", _("Failure to detect a developing problem"), [
            ("attention", _("Loss of attention"), _HUM),
            ("expectation_bias", _("Expectation bias"), _HUM),
            ("distraction", _("Distraction or diversion of staff"), _HUM),
        ]),
        ("select_rule", _("Failure to select the correct rule")),
        ("plan", _("Failure to develop an effective plan"), [
            ("change_management", _("Inadequate change management")),
            ("risk_assessment", _("Inadequate needs/risk assessment")),
            ("hazard", _("Failure to recognize a hazard")),
            ("unfamiliar", _("Unfamiliar or new treatment approach")),
        ]),
        ("execute", _("Failure to execute a planned action"), [
            ("forgotten", _("Plan forgotten in progress"), _HUM),
        ]),
        ("patient", _("Patient-related circumstances"), _PAT),
        ("staff_behavior", _("Human behavior involving staff"), _HUM),
    ], aapm=_PROC)
    # AAPM has no "other"; Organizational management is the broadest bucket. Dashboards can still split it out.
    + _tree("", _("Other"), [("other", _("Other"))], aapm=_ORG)
)  # fmt: skip

# The list above is NSIR-RT's first (2016) version plus the items its revision added. Codes stay stable: a revision
# adds codes and maps old ones, never renames a stored code in place. Every 2016 code keeps its meaning in the revised
# list, so old answers need no rewriting; these are the codes the revision added, with their source.
CONTRIBUTING_FACTOR_REVISIONS = {
    "pm.communication.handoff": "revised NSIR-RT: inadequate handoffs",
    "cp.detect.distraction": "revised NSIR-RT: distraction or diversion of staff",
    "cp.plan.unfamiliar": "revised NSIR-RT: unfamiliar treatment approach",
}


SAFETY_BARRIERS: tuple[Node, ...] = tuple(
    _tree("hw", _("Hardware/Software"), [
        ("record_verify", _("Record & verify system")),
        ("position_imaging", _("Image-based patient position verification")),
        ("accessory_imaging", _("Image-based accessory verification")),
        ("target_imaging", _("Image-based target/OAR verification")),
        ("collision", _("Collision protection")),
        ("emergency_shutdown", _("Emergency shutdown")),
        ("interlocks", _("Interlocks")),
        ("commissioning_review", _("Independent commissioning review")),
        ("equipment_checks", _("Regular equipment performance checks")),
        ("external_audit", _("External dosimetry/performance audit")),
    ])
    + _tree("proc", _("Process"), [
        ("patient_id", _("Patient ID verification")),
        ("consent", _("Consent for body region and laterality")),
        ("pregnancy", _("Pregnancy check")),
        ("implant", _("Pacemaker/implant check")),
        ("laterality", _("Laterality verification")),
        ("clinical_info", _("Relevant clinical info verification")),
        ("planning_images", _("Planning-image data verification")),
        ("peer_review", _("Oncologist peer review")),
        ("rtt_plan_review", _("RTT plan review")),
        ("physicist_plan_review", _("Physicist plan review")),
        ("oncologist_plan_review", _("Oncologist plan review")),
        ("independent_dose", _("Independent dose confirmation")),
        ("timeout", _("Time-out/verbalisation/call-back")),
        ("accessory_check", _("Accessory verification")),
        ("reference_point", _("Reference-point verification")),
        ("intra_treatment", _("Intra-treatment monitoring (AV, motion tracking)")),
        ("portal_cbct", _("Portal/CBCT review")),
        ("medical_review", _("Regular on-treatment medical review")),
        ("chart_check", _("Regular chart check")),
        ("internal_audit", _("Regular internal audit")),
        # Listed by the AAPM consensus but not by NSIR-RT.
        ("pathology_review", _("Pathology review")),
        ("tumour_board", _("Tumour board")),
        ("imrt_qa", _("IMRT QA")),
        ("in_vivo", _("In-vivo dosimetry")),
    ])
    + _tree("", _("Other"), [("other", _("Other"))])
    + _tree("", _("None"), [("none", _("None"))])
)  # fmt: skip

CORRECTIVE_ACTIONS: tuple[Node, ...] = tuple(
    _tree("hw", _("Hardware/Software"), [
        ("new_device", _("New device")),
        ("new_interlock", _("New interlock")),
        ("forcing_function", _("New forcing function")),
        ("automation", _("Automation/computerisation")),
        ("human_factors", _("Human-factors redesign")),
    ], tier=EffectivenessTier.HIGH)
    + _tree("proc", _("Process"), [
        ("leadership_culture", _("Leadership/culture change")),
        ("standardisation", _("Standardisation")),
        ("simplification", _("Simplification")),
        ("checklists", _("Reminders/checklists")),
        ("timeout", _("Time-outs/verbalisation/call-back")),
        ("staff_reminders", _("Staff reminders")),
        ("warning_labels", _("Warning labels")),
        ("reduce_distractions", _("Reduce distractions")),
        ("eliminate_lookalikes", _("Eliminate look-alikes")),
        ("redundancy", _("Add redundancy")),
        ("staffing", _("More staff / less workload")),
    ], tier=EffectivenessTier.MODERATE)
    + _tree("edu", _("Education/Training"), [
        ("compliance", _("Better compliance with existing policy")),
        ("new_policy", _("New policy/procedure")),
        ("training", _("Additional training")),
    ], tier=EffectivenessTier.LOW)
    + _tree("", _("Other"), [("other", _("Other"))], tier=EffectivenessTier.OTHER)
)  # fmt: skip
del _ORG, _TECH, _HUM, _PAT, _EXT, _PROC


def _display(nodes: Sequence[Node], node: Node) -> str:
    """Label as shown in a flat list: "Parent › Child" for sub-items so "Not followed" is not ambiguous."""
    if node.parent is None:
        return node.label
    parent = next(n for n in nodes if n.code == node.parent)
    return format_lazy("{} › {}", _display(nodes, parent), node.label)


def choices(nodes: Sequence[Node], *, include_retired: bool = False) -> list[tuple[str, str]]:
    """Flat (code, label) choices; retired codes only when asked (e.g. to validate stored rows)."""
    return [(n.code, _display(nodes, n)) for n in nodes if include_retired or not n.retired]


def grouped_choices(nodes: Sequence[Node], *, include_retired: bool = False) -> list[tuple[str, list[tuple[str, str]]]]:
    """Django grouped choices, one group per top-level group in taxonomy order."""
    groups: dict[str, tuple[str, list[tuple[str, str]]]] = {}
    for node in nodes:
        if node.retired and not include_retired:
            continue
        # Group on the code's first segment, not on the (lazy, translatable) label.
        key = node.code.split(".", 1)[0]
        groups.setdefault(key, (node.group, []))[1].append((node.code, _display(nodes, node)))
    return list(groups.values())


def label_for(nodes: Sequence[Node], code: str) -> str:
    """Display label of a stored code; an unknown code is shown as itself rather than breaking a page."""
    node = next((n for n in nodes if n.code == code), None)
    return code if node is None else _display(nodes, node)


_AAPM_BY_CODE = {n.code: n.aapm_category for n in CONTRIBUTING_FACTORS}
_TIER_BY_CODE = {n.code: n.tier for n in CORRECTIVE_ACTIONS}


def aapm_category(code: str) -> str | None:
    """AAPM top category (an AapmCategory value) of a contributing-factor code; None if unknown."""
    return _AAPM_BY_CODE.get(code)


def effectiveness(code: str) -> str | None:
    """Effectiveness tier (an EffectivenessTier value) of a corrective-action code; None if unknown."""
    return _TIER_BY_CODE.get(code)


# Regulatory hint. NRC 10 CFR 35.3045 and the SSRCR-based state machine rules share this core; the NRC
# absolute-dose floors (0.05 Sv EDE, 0.5 Sv organ/skin) and state extras (e.g. Maryland's >10% over
# <=3 fractions) are left to the reviewer, which is why this is a hint, not a legal determination.
NRC_REGULATORY_THRESHOLD_PERCENT = 20
SINGLE_FRACTION_THRESHOLD_PERCENT = 50


def regulatory_hint(
    *,
    classification: str,
    dose_deviation_percent: float | Decimal | None,
    wrong_patient: bool,
    wrong_site: bool,
    wrong_modality: bool,
    single_fraction_deviation_percent: float | Decimal | None = None,
) -> list[str]:
    """Human-readable criteria for "possibly reportable to a regulator" that this event meets; empty if none."""
    hits: list[str] = []
    if classification in DOSE_RELATED:
        if dose_deviation_percent is not None and abs(dose_deviation_percent) >= NRC_REGULATORY_THRESHOLD_PERCENT:
            hits.append(
                gettext("Total dose differs from the prescription by %(value)s%% (%(limit)s%% or more)")
                % {"value": abs(dose_deviation_percent), "limit": NRC_REGULATORY_THRESHOLD_PERCENT}
            )
        single = single_fraction_deviation_percent
        if single is not None and abs(single) >= SINGLE_FRACTION_THRESHOLD_PERCENT:
            hits.append(
                gettext("A single fraction differs from the prescription by %(value)s%% (%(limit)s%% or more)")
                % {"value": abs(single), "limit": SINGLE_FRACTION_THRESHOLD_PERCENT}
            )
    # Wrong patient/site/modality count whenever the event reached a patient, even if it was classified as an
    # "other safety incident": such a classification is likely a mistake, and a false hint is cheap to dismiss.
    if classification in REACHED_PATIENT:
        for flag, text in (
            (wrong_patient, gettext("Treatment delivered to the wrong patient")),
            (wrong_site, gettext("Treatment delivered to the wrong site")),
            (wrong_modality, gettext("Wrong treatment modality or mode")),
        ):
            if flag:
                hits.append(text)
    return hits


# Near-miss risk index (NMRI), 0-4: the worst credible outcome had the event not been caught, scored for near
# misses and unsafe conditions so they can be triaged like incidents. The scale of the University of Washington's
# departmental incident learning system: Nyflot MJ et al., "Metrics of success: measuring impact of a departmental
# near-miss incident learning system", Pract Radiat Oncol 2015;5(5):e409-e416, doi:10.1016/j.prro.2015.05.009
# (also used in "Can emergent treatments result in more severe errors?", Pract Radiat Oncol 2015;5(5):319-324).
NEAR_MISS_RISK_INDEX = (
    (0, _("0 – None"), _("No harm would have resulted even if the event had not been caught.")),
    (1, _("1 – Mild"), _("A minor, temporary effect or inconvenience; no intervention needed (e.g. a delay).")),
    (2, _("2 – Moderate"), _("Limited harm or a small dosimetric error that would have needed intervention.")),
    (3, _("3 – Severe"), _("Significant harm: a large dose error, wrong site or serious toxicity.")),
    (4, _("4 – Critical"), _("Life-threatening harm, permanent major injury or death.")),
)
NEAR_MISS_RISK_CHOICES = [(score, label) for score, label, _definition in NEAR_MISS_RISK_INDEX]
NEAR_MISS_RISK_CITATION = (
    "Near-miss risk index (NMRI, 0–4) as used in Nyflot MJ et al., Pract Radiat Oncol 2015;5(5):e409–e416 "
    "(doi:10.1016/j.prro.2015.05.009)"
)


class TreatmentSite(models.TextChoices):
    """Treatment site / body region of the course concerned (NSIR-RT diagnosis list, condensed)."""

    CNS = "cns", _("CNS")
    HEAD_NECK = "head_neck", _("Head and neck")
    BREAST = "breast", _("Breast")
    THORAX = "thorax", _("Thorax")
    GI = "gi", _("Gastrointestinal")
    GU = "gu", _("Genitourinary")
    GYNAE = "gynae", _("Gynaecological")
    SKIN = "skin", _("Skin")
    SARCOMA = "sarcoma", _("Sarcoma")
    HAEMATOLOGICAL = "haematological", _("Haematological (lymphoma, leukaemia)")
    PAEDIATRIC = "paediatric", _("Paediatric")
    OTHER = "other", _("Other")


class TreatmentIntent(models.TextChoices):
    """Intent of the course (NSIR-RT)."""

    CURATIVE = "curative", _("Curative (radical)")
    PALLIATIVE = "palliative", _("Palliative")
    UNKNOWN = "unknown", _("Unknown")


class LatentHarm(models.TextChoices):
    """Harm that may show later (NSIR-RT latent medical harm, graded)."""

    NONE_EXPECTED = "none_expected", _("None expected")
    POSSIBLE = "possible", _("Possible")
    LIKELY = "likely", _("Likely")
    UNKNOWN = "unknown", _("Unknown")


class StaffSupport(models.TextChoices):
    """Support offered to the staff involved."""

    DEBRIEF = "debrief", _("Debrief")
    EMPLOYEE_ASSISTANCE = "employee_assistance", _("Employee assistance programme")
    PEER_SUPPORT = "peer_support", _("Peer support")
    NONE_NEEDED = "none_needed", _("None needed")
