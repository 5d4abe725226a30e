"""Presentation helpers: human labels for stored codes, the PSO record preview and placeholder highlighting."""

from __future__ import annotations

import re

from django.core.exceptions import FieldDoesNotExist
from django.utils import timezone, translation

from events.models import Event
from foundation.taxonomy import events as ec
from foundation.taxonomy import review as rc

from .models import ActionItem, Review

_TEXT_CHOICES = {
    "classification": ec.EventClassification, "workflow_noticed": ec.WorkflowStep, "workflow_origin": ec.WorkflowStep,
    "workflow_detected": ec.WorkflowStep, "age_range": ec.AgeRange, "sex": ec.PatientSex,
    "reporter_role": ec.ReporterRole, "problem_type": rc.ProblemType, "patients_affected": rc.PatientsAffected,
    "harm": rc.Harm, "regulatory_regime": rc.RegulatoryRegime, "status": ec.EventStatus,
    "techniques": ec.TreatmentTechnique, "problem_types_secondary": rc.ProblemType,
    "ameliorating_actions": rc.AmelioratingAction,
}
_TREES = {
    "contributing_factors": rc.CONTRIBUTING_FACTORS, "barriers_failed": rc.SAFETY_BARRIERS,
    "barriers_caught": rc.SAFETY_BARRIERS, "corrective_actions": rc.CORRECTIVE_ACTIONS,
}
# What `{{ obj.<field>|choice_label:"<name>" }}` looks labels up in (the model fields' own choices).
CHOICE_SOURCES = {
    "status": ec.EventStatus, "classification": ec.EventClassification, "technique": ec.TreatmentTechnique,
    "workflow_step": ec.WorkflowStep, "age_range": ec.AgeRange, "patient_sex": ec.PatientSex,
    "reporter_role": ec.ReporterRole, "harm": rc.Harm, "action_status": rc.ActionStatus,
}
RECORD_LABELS = {
    "event_key": "Event key (pseudonymous)", "practice_key": "Practice key (pseudonymous)",
    "facility_key": "Facility key (pseudonymous)", "pso_id": "PSO", "revision": "Revision", "quarter": "Quarter",
    "classification": "Classification", "techniques": "Techniques", "workflow_noticed": "Workflow step noticed",
    "age_range": "Patient age range", "sex": "Patient sex", "reporter_role": "Reporter role",
    "corrective_actions": "Corrective actions", "taxonomy_version": "Taxonomy version",
}
S = ec.EventStatus
STATUS_BADGES = {
    S.NEW: "text-bg-primary", S.IN_REVIEW: "text-bg-info", S.AWAITING_INFO: "text-bg-warning",
    S.READY_TO_REPORT: "text-bg-success", S.REPORTED: "text-bg-dark", S.RECEIVED: "text-bg-dark",
    S.CLOSED: "text-bg-secondary", S.INVALID: "text-bg-light border", S.DUPLICATE: "text-bg-light border",
}
FIELD_ORDER = {name: i for i, name in enumerate(
    ["status", "revision", "invalid_reason", "duplicate_of", "classification"]
    + [f.name for f in Review._meta.get_fields()]
    + ["action_type", "description", "owner", "due_date", "completion_note"]
)}
PLACEHOLDER = re.compile(r"(\[[A-Z]+\])")
TEXT_FIELDS = ("narrative", "lessons_learned")


_LABELS: dict[tuple[str, object], dict] = {}


def _labels(choices) -> dict:
    """{value: label} of a TextChoices class, built once per language (get_FOO_display rebuilds it every call)."""
    key = (translation.get_language(), choices)
    labels = _LABELS.get(key)
    if labels is None:
        labels = _LABELS[key] = {value: str(text) for value, text in choices.choices}
    return labels


def choice_label(value, name: str):
    """What `obj.get_<field>_display()` returns, from a precomputed dict: the label, or the value if unknown."""
    return _labels(CHOICE_SOURCES[name]).get(value, value)


def field_label(name: str) -> str:
    """Label of a review or event field for the audit trail and messages."""
    if name in RECORD_LABELS:
        return RECORD_LABELS[name]
    for model in (Review, Event):
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if hasattr(field, "verbose_name"):  # a reverse relation (the event's feedback) has none
            return _cap(str(field.verbose_name))
    return _cap(name.replace("_", " "))


def _cap(text: str) -> str:
    """Capitalise the first letter only ("prescribed total dose (Gy)" keeps its unit)."""
    return text[:1].upper() + text[1:]


def value_label(name: str, value) -> str:
    """A stored value as a person reads it: labels for codes, lists joined, blanks as a dash."""
    if value in (None, "", []):
        return "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if name in _TREES:
        return "; ".join(str(rc.label_for(_TREES[name], v)) for v in value) if isinstance(value, list) else str(value)
    if name in _TEXT_CHOICES:
        labels = _labels(_TEXT_CHOICES[name])
        if isinstance(value, list):
            return "; ".join(str(labels.get(v, v)) for v in value)
        return str(labels.get(value, value))
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return str(value)


def record_rows(record: dict, *, pso_name: str = "") -> list[tuple[str, str]]:
    """The coded part of a de-identified record, one (label, value) row per field, in a stable order."""
    return [
        (field_label(name), pso_name if name == "pso_id" and pso_name else value_label(name, value))
        for name, value in record.items()
        if name not in TEXT_FIELDS
    ]


def highlighted(text: str) -> list[tuple[str, bool]]:
    """Split scrubbed text into (segment, is_placeholder) so the template can mark [PLACEHOLDERS]."""
    return [(part, bool(PLACEHOLDER.fullmatch(part))) for part in PLACEHOLDER.split(text or "") if part]


def change_rows(changes: dict) -> list[tuple[str, str, str]]:
    """An audit entry's {field: [old, new]} as (field label, old, new) for the trail."""
    out = []
    # jsonb does not keep key order: show changes in the order of the form.
    for name, pair in sorted((changes or {}).items(), key=lambda kv: FIELD_ORDER.get(kv[0].split(": ", 1)[-1], 99)):
        old, new = (pair + [None, None])[:2] if isinstance(pair, list) else (None, pair)
        base = name.split(": ", 1)[-1]
        label = field_label(base) if ": " not in name else f"{_cap(name.split(': ', 1)[0])}: {field_label(base)}"
        out.append((label, value_label(base, old), value_label(base, new)))
    return out


def chips(name: str, values: list) -> list[str]:
    """Labels of a multi-valued answer, for read-only display."""
    return [value_label(name, [v]) for v in values or []]


PK_PLACEHOLDER = 987654321987
SUMMARY_CHARS = 110
SUMMARY_SOURCE_CHARS = 4 * SUMMARY_CHARS  # margin for combining characters, which Truncator does not count


def _summary(text: str) -> str:
    """Truncator(text).chars(SUMMARY_CHARS); plain ASCII text (most narratives) without its walk over each character."""
    from django.utils.text import Truncator, add_truncation_text

    if not text.isascii():
        return Truncator(text).chars(SUMMARY_CHARS)
    return text if len(text) <= SUMMARY_CHARS else add_truncation_text(text[: SUMMARY_CHARS - 1])


def queue_rows(events, *, per_location: bool = False) -> list[dict]:
    """What each queue row shows, worked out once in Python from plain values (review/jinja2/review/queue_rows.html).

    The queue draws every row twice (a table for wide screens, a list for phones); deciding labels, links
    and summaries here keeps the template to plain lookups, and reading values instead of model instances
    (the page's rows, then all their techniques in one query) skips building five objects per row. Per
    location (the rows then come ordered by facility), `starts_location` marks the first row of each facility.
    """
    from django.db.models import Exists, OuterRef
    from django.db.models.functions import Substr
    from django.urls import reverse

    from events.models import EventTechnique
    from foundation.dates import ago, day

    overdue = ActionItem.objects.filter(event=OuterRef("pk"), verified_at__isnull=True,
                                        due_date__lt=timezone.localdate()).exclude(status=rc.ActionStatus.DONE)
    values = list(events.prefetch_related(None).values(
        "pk", "reference", "revision", "event_date", "facility_id", "facility__name", "classification",
        "status", "last_activity_at", "review__title", "review__harm", "review__medical_severity",
        "review__near_miss_risk",
        "agreement_id", "created_at", "review__possibly_reportable",
        # The summary shows 110 characters of the scrubbed copy (lists never show identifiers): its start is enough.
        narrative_start=Substr("narrative_scrubbed", 1, SUMMARY_SOURCE_CHARS),
        overdue_actions=Exists(overdue),
    ))
    techniques: dict[int, list[str]] = {}
    for event_id, technique in EventTechnique.objects.filter(event_id__in=[v["pk"] for v in values]).order_by(
        "event_id", "technique"
    ).values_list("event_id", "technique"):
        techniques.setdefault(event_id, []).append(choice_label(technique, "technique"))
    link = reverse("review:event-detail", args=[PK_PLACEHOLDER])  # reversed once; each row fills in its id
    rules = deadline_rules({v["agreement_id"] for v in values})
    today = timezone.localdate()
    rows, facility = [], object()
    for v in values:
        kinds = " · ".join([choice_label(v["classification"], "classification"), *techniques.get(v["pk"], [])])
        rows.append({
            "url": link.replace(str(PK_PLACEHOLDER), str(v["pk"])),
            "reference": v["reference"],
            "revision": v["revision"] if v["revision"] > 1 else None,
            "date": day(v["event_date"]),
            "facility_id": v["facility_id"],
            "facility": v["facility__name"],
            "kinds": kinds,
            "summary": v["review__title"] or _summary(v["narrative_start"]),
            "harm": choice_label(v["review__harm"], "harm") if v["review__harm"] else "—",
            "severity": v["review__medical_severity"],
            "risk": v["review__near_miss_risk"],
            "overdue_actions": v["overdue_actions"],
            "deadline": deadline_row(v, rules, today),
            "status": choice_label(v["status"], "status"),
            "badge": STATUS_BADGES.get(v["status"], "text-bg-secondary"),
            "activity": ago(v["last_activity_at"]),
            "starts_location": per_location and v["facility_id"] != facility,
        })
        facility = v["facility_id"]
    return rows


def deadline_rules(agreement_ids) -> dict:
    """The deadline rules of these agreements (defaults where a practice set none), in one query."""
    from . import deadlines as dl
    from .models import DeadlinePolicy

    found = {p.agreement_id: dl.Rules.of(p) for p in DeadlinePolicy.objects.filter(agreement_id__in=agreement_ids)}
    return {pk: found.get(pk) or dl.Rules() for pk in agreement_ids}


def event_deadlines(*, event, review, rules):
    """The event's review deadlines under its practice's rules."""
    from . import deadlines as dl

    return dl.deadlines_for(reported_on=timezone.localdate(event.created_at), classification=event.classification,
                            harm=review.harm if review else "", status=event.status, rules=rules,
                            possibly_reportable=review.possibly_reportable if review else None)


DEADLINE_LABELS = {"start_overdue": "Start overdue", "finish_overdue": "Finish overdue", "due_today": "Due today"}


def deadline_row(v: dict, rules: dict, today) -> dict:
    """What a queue row shows of the event's deadlines: the next target date and whether it is missed."""
    from . import deadlines as dl

    due = dl.deadlines_for(reported_on=timezone.localdate(v["created_at"]), classification=v["classification"],
                           harm=v["review__harm"] or "", possibly_reportable=v["review__possibly_reportable"],
                           status=v["status"], rules=rules[v["agreement_id"]])
    if due.finished:
        return {}
    state = due.state(today)
    target = due.finish_due if due.started else due.start_due
    return {"label": ("Finish by " if due.started else "Start by ") + target.isoformat(), "priority": due.priority,
            "state": state, "state_label": DEADLINE_LABELS.get(state, "")}
