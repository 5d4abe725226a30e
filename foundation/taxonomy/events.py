"""Choice lists for the Submit Event section and the event lifecycle."""

from django.db import models
from django.utils.translation import gettext_lazy as _

# Taxonomy versioning.
# Stored values are short stable slugs; labels may be reworded freely because only slugs hit the database.
# A taxonomy revision (bump TAXONOMY_VERSION, e.g. "2027.1") may only:
#   * add new values, and
#   * retire old ones: the member stays (old rows keep a label and still validate) but its slug goes into
#     RETIRED_VALUES so that new forms stop offering it.
# It never renames or reuses a stored slug, so old answers are never rewritten; a record can store the
# TAXONOMY_VERSION it was answered under to tell which lists were on screen at the time.
TAXONOMY_VERSION = "2026.1"

# Slug length limit, matching the CharField max_length that models use for these values.
SLUG_MAX_LENGTH = 40


class EventClassification(models.TextChoices):
    """Event classification (RO-ILS split of the AHRQ event types)."""

    THERAPEUTIC = "therapeutic", _("Therapeutic radiation incident")
    OTHER_SAFETY = "other_safety", _("Other safety incident")
    NEAR_MISS = "near_miss", _("Near miss")
    UNSAFE_CONDITION = "unsafe_condition", _("Unsafe condition")
    OPERATIONAL = "operational", _("Operational or process improvement")


CLASSIFICATION_HELP = {
    EventClassification.THERAPEUTIC: _(
        "Radiation was not delivered as intended (dose, site, patient or technique), whether or not it caused harm."
    ),
    EventClassification.OTHER_SAFETY: _(
        "Reached the patient but had no radiation-dose component, e.g. a collision or a fall."
    ),
    EventClassification.NEAR_MISS: _("Would have affected a patient but was caught before it reached them."),
    EventClassification.UNSAFE_CONDITION: _("No patient involved: a circumstance that raises the chance of an event."),
    EventClassification.OPERATIONAL: _("Not a safety issue: an idea to make the process work better."),
}

# Harm and patients-affected questions only make sense once the event reached someone.
REACHED_PATIENT = frozenset({EventClassification.THERAPEUTIC, EventClassification.OTHER_SAFETY})
# A patient was involved (reached or nearly reached): age range and sex are worth asking.
PATIENT_INVOLVED = REACHED_PATIENT | {EventClassification.NEAR_MISS}
# Dose deviation, dosimetric severity and the regulatory dose criteria apply to these only.
DOSE_RELATED = frozenset({EventClassification.THERAPEUTIC})
# Everything that goes to the PSO as a safety event; operational suggestions stay local by default.
SAFETY_RELATED = frozenset(set(EventClassification) - {EventClassification.OPERATIONAL})


class TreatmentTechnique(models.TextChoices):
    """Treatment technique(s) involved; multi-select."""

    TWO_D = "2d", _("2-D")
    THREE_D_CONFORMAL = "3d_conformal", _("3-D conformal")
    IMRT_VMAT = "imrt_vmat", _("IMRT/VMAT")
    SRS_SBRT = "srs_sbrt", _("SRS/SBRT")
    PROTONS_PARTICLES = "protons_particles", _("Protons/particles")
    ELECTRONS = "electrons", _("Electrons")
    INTRAOPERATIVE = "intraoperative", _("Intraoperative")
    KV_XRAYS = "kv_xrays", _("kV x-rays (orthovoltage, superficial)")
    LDR_BRACHY = "ldr_brachy", _("LDR brachytherapy")
    HDR_BRACHY = "hdr_brachy", _("HDR brachytherapy")
    RADIOPHARMACEUTICAL = "radiopharmaceutical", _("Radiopharmaceutical")
    TBI = "tbi", _("Total body irradiation")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")


class WorkflowStep(models.TextChoices):
    """AAPM consensus process-map phases plus Other and Unknown; NSIR-RT steps map one to one."""

    PATIENT_ASSESSMENT = "patient_assessment", _("Patient assessment")
    IMAGING_FOR_PLANNING = "imaging_for_planning", _("Imaging for RT planning")
    TREATMENT_PLANNING = "treatment_planning", _("Treatment planning")
    PRETREATMENT_REVIEW = "pretreatment_review", _("Pre-treatment review and verification")
    TREATMENT_DELIVERY = "treatment_delivery", _("Treatment delivery")
    ON_TREATMENT_QM = "on_treatment_qm", _("On-treatment quality management")
    POST_TREATMENT = "post_treatment", _("Post-treatment completion")
    EQUIPMENT_QM = "equipment_qm", _("Equipment and software quality management")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Unknown")


class AgeRange(models.TextChoices):
    """Patient age band; everything over 89 is one band (HIPAA Safe Harbor)."""

    AGE_0_17 = "0_17", _("0-17")
    AGE_18_29 = "18_29", _("18-29")
    AGE_30_39 = "30_39", _("30-39")
    AGE_40_49 = "40_49", _("40-49")
    AGE_50_59 = "50_59", _("50-59")
    AGE_60_69 = "60_69", _("60-69")
    AGE_70_79 = "70_79", _("70-79")
    AGE_80_89 = "80_89", _("80-89")
    AGE_90_PLUS = "90_plus", _("90 or older")
    UNKNOWN = "unknown", _("Unknown / not applicable")


class PatientSex(models.TextChoices):
    """Patient sex as recorded on the event."""

    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Other / undifferentiated")
    UNKNOWN = "unknown", _("Unknown / not applicable")


class ReporterRole(models.TextChoices):
    """Role of the person submitting the event (asked even of anonymous reporters)."""

    RADIATION_THERAPIST = "radiation_therapist", _("Radiation therapist")
    DOSIMETRIST = "dosimetrist", _("Dosimetrist")
    MEDICAL_PHYSICIST = "medical_physicist", _("Medical physicist")
    RADIATION_ONCOLOGIST = "radiation_oncologist", _("Radiation oncologist")
    NURSE = "nurse", _("Nurse")
    RESIDENT_STUDENT = "resident_student", _("Resident or student")
    ADMINISTRATOR = "administrator", _("Administrator or front desk")
    OTHER = "other", _("Other")


class EventStatus(models.TextChoices):
    """Practice-side lifecycle of an event."""

    NEW = "new", _("New")
    IN_REVIEW = "in_review", _("In review")
    AWAITING_INFO = "awaiting_info", _("Awaiting information")
    READY_TO_REPORT = "ready_to_report", _("Ready to report")
    REPORTED = "reported", _("Reported to PSO")
    RECEIVED = "received", _("Received by PSO")
    CLOSED = "closed", _("Closed")
    INVALID = "invalid", _("Invalid")
    DUPLICATE = "duplicate", _("Duplicate")


_S = EventStatus
# Transitions a reviewer may make by hand. Design choices:
#   * invalid/duplicate can be set from any state before reporting; after reporting the PSO holds a copy,
#     so the event must be reopened first (a new revision) and can then be withdrawn.
#   * in_review -> closed lets a practice keep an event local (e.g. an operational suggestion) without a PSO report.
#   * reported -> closed is not allowed: close only once the PSO has confirmed receipt.
#   * received is never set by hand (see PSO_TRANSITIONS).
#   * invalid/duplicate -> in_review undoes a mistaken triage.
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    _S.NEW: frozenset({_S.IN_REVIEW, _S.INVALID, _S.DUPLICATE}),
    _S.IN_REVIEW: frozenset({_S.AWAITING_INFO, _S.READY_TO_REPORT, _S.CLOSED, _S.INVALID, _S.DUPLICATE}),
    _S.AWAITING_INFO: frozenset({_S.IN_REVIEW, _S.INVALID, _S.DUPLICATE}),
    _S.READY_TO_REPORT: frozenset({_S.IN_REVIEW, _S.REPORTED, _S.INVALID, _S.DUPLICATE}),
    _S.REPORTED: frozenset({_S.IN_REVIEW}),
    _S.RECEIVED: frozenset({_S.IN_REVIEW, _S.CLOSED}),
    _S.CLOSED: frozenset({_S.IN_REVIEW}),
    _S.INVALID: frozenset({_S.IN_REVIEW}),
    _S.DUPLICATE: frozenset({_S.IN_REVIEW}),
}
# Set only by the PSO push when the PSO acknowledges the current revision.
PSO_TRANSITIONS: dict[str, frozenset[str]] = {_S.REPORTED: frozenset({_S.RECEIVED})}
# Reopening from these goes back to in_review as a new revision that must be reported again
# (the PSO keeps only the latest revision).
REOPEN_BUMPS_REVISION = frozenset({_S.REPORTED, _S.RECEIVED, _S.CLOSED})
# Still needs reviewer work: the untouched-event reminders look at these.
OPEN_STATUSES = frozenset({_S.NEW, _S.IN_REVIEW, _S.AWAITING_INFO, _S.READY_TO_REPORT})
del _S


def can_transition(old: str, new: str, *, by_pso: bool = False) -> bool:
    """Whether a reviewer (or, with by_pso, the PSO push) may move an event from old to new."""
    table = PSO_TRANSITIONS if by_pso else ALLOWED_TRANSITIONS
    return new in table.get(old, frozenset())


def bumps_revision(old: str, new: str) -> bool:
    """Whether the transition reopens a reported/closed event and so starts a new revision."""
    return new == EventStatus.IN_REVIEW and old in REOPEN_BUMPS_REVISION and can_transition(old, new)


# Retired slugs per choices class name (both apps register here). Empty in 2026.1.
RETIRED_VALUES: dict[str, frozenset[str]] = {}


def active_choices(choices_cls: type[models.Choices]) -> list[tuple[str, str]]:
    """Choices to offer on new forms: all of the class's choices minus its retired values."""
    retired = RETIRED_VALUES.get(choices_cls.__name__, frozenset())
    return [(value, label) for value, label in choices_cls.choices if value not in retired]


# The status as a reporter should read it in "My submissions": reassuring, and no review details.
REPORTER_STATUS: dict[str, str] = {
    EventStatus.NEW: _("Received, waiting for review"),
    EventStatus.IN_REVIEW: _("Being reviewed"),
    EventStatus.AWAITING_INFO: _("Being reviewed"),
    EventStatus.READY_TO_REPORT: _("Reviewed, about to be shared with the PSO"),
    EventStatus.REPORTED: _("Reviewed and shared with the PSO"),
    EventStatus.RECEIVED: _("Reviewed and shared with the PSO"),
    EventStatus.CLOSED: _("Review complete"),
    EventStatus.INVALID: _("Closed: not a safety event"),
    EventStatus.DUPLICATE: _("Merged with another report of the same event"),
}
