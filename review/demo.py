"""Demo reviews for `seed_demo`: the demo events moved through varied states, many reported to the PSO."""

from __future__ import annotations

import datetime as dt
import importlib.util
import random

from django.utils import timezone

from events.conversation import follow_up_link_issue
from events.models import Event
from foundation.taxonomy import review as rc
from foundation.taxonomy.events import EventClassification as C
from foundation.taxonomy.events import EventStatus as S
from foundation.taxonomy.events import WorkflowStep as W
from practices.selectors import reviewers_of

from .models import Review
from .services import (
    action_item_add,
    action_item_update,
    event_transition,
    review_finalize,
    review_save,
)

FRESH_EVENTS = 8
P = rc.ProblemType
# (words in the narrative, primary problem type, equipment related, workflow step where it originated)
PROBLEMS = [
    ("bolus", P.ACCESSORIES, False, W.TREATMENT_PLANNING),
    ("cutout", P.ACCESSORIES, False, W.TREATMENT_DELIVERY),
    ("masks", P.ACCESSORIES, False, W.TREATMENT_DELIVERY),
    ("shift", P.POSITION_SETUP, False, W.TREATMENT_DELIVERY),
    ("repositioned", P.POSITION_SETUP, False, W.TREATMENT_DELIVERY),
    ("wrong patient", P.WRONG_PATIENT, False, W.TREATMENT_DELIVERY),
    ("prescription", P.PRESCRIPTION, False, W.TREATMENT_PLANNING),
    ("normalised", P.DOSE_CALCULATION, False, W.TREATMENT_PLANNING),
    ("monitor units", P.DOSE_CALCULATION, False, W.TREATMENT_PLANNING),
    ("dwell", P.DOSE_CALCULATION, False, W.TREATMENT_PLANNING),
    ("source strength", P.DOSE_CALCULATION, False, W.EQUIPMENT_QM),
    ("left and right", P.LATERALITY, False, W.TREATMENT_PLANNING),
    ("level too low", P.ANATOMICAL_SITE, False, W.TREATMENT_DELIVERY),
    ("previous plan version", P.PLAN_NOT_DELIVERABLE, True, W.PRETREATMENT_REVIEW),
    ("interlock", P.EQUIPMENT_MALFUNCTION, True, W.EQUIPMENT_QM),
    ("output", P.EQUIPMENT_MALFUNCTION, True, W.EQUIPMENT_QM),
    ("gantry", P.EQUIPMENT_MALFUNCTION, True, W.TREATMENT_DELIVERY),
    ("dose grid", P.PLAN_UNACCEPTABLE, True, W.TREATMENT_PLANNING),
    ("balance", P.FALL_INJURY, False, W.TREATMENT_DELIVERY),
    ("contrast", P.FALL_INJURY, False, W.PATIENT_ASSESSMENT),
    ("pacemaker", P.CLINICAL_DECISION, False, W.PATIENT_ASSESSMENT),
    ("pregnancy", P.CLINICAL_DECISION, False, W.PATIENT_ASSESSMENT),
    ("bladder", P.IMAGING, False, W.IMAGING_FOR_PLANNING),
    ("schedule", P.WORKFLOW_DELAY, False, W.OTHER),
    ("emergency container", P.OTHER, False, W.EQUIPMENT_QM),
]
FACTORS = [  # weighted: communication and policy factors dominate published series
    ("pm.communication.documentation", 5), ("pm.communication.not_timely", 3), ("pm.policies.not_followed", 5),
    ("pm.policies.non_existent", 2), ("pm.training", 4), ("pm.human_resources", 2), ("pm.environment", 1),
    ("ci.materials", 1), ("ci.design.software_error", 2), ("ci.maintenance", 1), ("ci.commissioning", 1),
    ("cp.detect.attention", 4), ("cp.detect.expectation_bias", 4), ("cp.plan.change_management", 3),
    ("cp.plan.hazard", 2), ("cp.execute.forgotten", 2), ("cp.select_rule", 1), ("cp.patient", 1),
]
FAILED = ["proc.timeout", "proc.chart_check", "proc.physicist_plan_review", "proc.portal_cbct", "hw.record_verify",
          "proc.accessory_check", "proc.patient_id", "proc.independent_dose", "proc.rtt_plan_review"]
CAUGHT = ["proc.timeout", "proc.physicist_plan_review", "proc.independent_dose", "proc.peer_review",
          "proc.patient_id", "hw.position_imaging", "proc.chart_check", "hw.interlocks"]
ACTIONS = [
    ("proc.checklists", "Add the item to the pre-treatment checklist and audit its use for three months."),
    ("hw.forcing_function", "Make the record-and-verify system refuse to treat until the new plan is approved."),
    ("proc.standardisation", "One standard setup note template for all sites, with accessories listed."),
    ("edu.training", "Review the event at the next department safety huddle."),
    ("proc.timeout", "Read the plan name and accessories aloud at the time-out."),
    ("hw.automation", "Import shifts directly from the imaging system instead of typing them."),
    ("edu.new_policy", "Write a procedure for plan changes after approval."),
]
LESSONS = {
    P.ACCESSORIES: "List every accessory in the setup note and verify it at the time-out.",
    P.POSITION_SETUP: "Let the system apply image-guided shifts; manual entry invites sign errors.",
    P.PRESCRIPTION: "Compare the plan with the physician's directive, not with the previous plan.",
    P.DOSE_CALCULATION: "An independent calculation catches what the planning system hides.",
    P.EQUIPMENT_MALFUNCTION: "Track small trends in daily checks before they cross a tolerance.",
    P.FALL_INJURY: "Keep steps within reach and lower the couch before the patient moves.",
}


def _title(narrative: str) -> str:
    first = narrative.split(". ")[0].split("; ")[0]
    return first if len(first) <= 90 else first[:87].rsplit(" ", 1)[0] + "…"


def _problem(narrative: str):
    text = narrative.lower()
    for words, problem, equipment, origin in PROBLEMS:
        if words in text:
            return problem, equipment, origin
    return P.OTHER, False, W.OTHER


def _answers(event: Event, rng: random.Random) -> dict:
    """Realistic review answers for one demo event."""
    problem, equipment, origin = _problem(event.narrative)
    factors = sorted({rng.choices([f for f, _ in FACTORS], weights=[w for _, w in FACTORS])[0]
                      for _ in range(rng.randint(3, 8))})
    data = {
        "title": _title(event.narrative),
        "workflow_origin": origin,
        "workflow_detected": event.workflow_step_noticed or W.TREATMENT_DELIVERY,
        "problem_type": problem,
        "problem_types_secondary": [],
        "contributing_factors": factors,
        "barriers_failed": sorted(set(rng.sample(FAILED, rng.randint(1, 3)))),
        "barriers_caught": sorted(set(rng.sample(CAUGHT, rng.randint(1, 2)))),
        "equipment_related": equipment,
        "equipment_manufacturer": rng.choice(["Varian", "Elekta", "Accuray"]) if equipment else "",
        "equipment_model": rng.choice(["TrueBeam", "Versa HD", "Halcyon"]) if equipment else "",
        "software_version": rng.choice(["2.7", "4.1", "17.0"]) if equipment else "",
        "ameliorating_actions": ["staff_debrief", "education"],
        "lessons_learned": LESSONS.get(problem, "Share the event at the safety huddle; small slips repeat."),
        "reviewer_notes": "Discussed with the team involved.",
    }
    if event.classification in (C.THERAPEUTIC, C.OTHER_SAFETY):
        data.update(patients_affected=rc.PatientsAffected.ONE,
                    harm=rng.choices([rc.Harm.NONE, rc.Harm.MILD, rc.Harm.MODERATE], weights=[6, 3, 1])[0],
                    medical_severity=rng.choice([0, 0, 1, 1, 2, 3]),
                    ameliorating_actions=["patient_disclosure", "plan_revision", "staff_debrief"])
    if event.classification == C.THERAPEUTIC:
        deviation = round(rng.choice([-1, 1]) * rng.uniform(2, 14), 1)
        if rng.random() < 0.1:
            deviation = round(rng.uniform(20, 30), 1)  # a few cross the regulatory threshold
        low, high = rc.dosimetric_severity_range(deviation)
        fractions = rng.choice([5, 15, 25, 30])
        data.update(dose_deviation_percent=deviation, dosimetric_severity=rng.choice([low, high]),
                    prescribed_dose_gy=rng.choice([25, 45, 50, 60]), fractions_prescribed=fractions,
                    fractions_incorrect=rng.randint(1, 3))
    return data


def _reviewers(event: Event) -> list:
    return [m.user for m in reviewers_of(agreement_ids=[event.agreement_id])]


def _owners(event: Event) -> list:
    members = event.agreement.memberships.filter(is_active=True, user__is_shared_login=False).select_related("user")
    return [m.user for m in members.order_by("user__username")]


def _target(rng: random.Random, age_days: int) -> str:
    """Older events are further along; the newest are still waiting."""
    if age_days < 30:
        return rng.choice([S.NEW, S.NEW, S.NEW, S.IN_REVIEW, S.AWAITING_INFO])
    if age_days < 90:
        return rng.choice([S.IN_REVIEW, S.AWAITING_INFO, S.READY_TO_REPORT, S.REPORTED, S.REPORTED])
    return rng.choices([S.REPORTED, S.CLOSED, S.READY_TO_REPORT, S.IN_REVIEW, S.INVALID, S.DUPLICATE],
                       weights=[14, 3, 2, 2, 1, 1])[0]


def _review_one(event: Event, rng: random.Random, seen: dict, today: dt.date) -> str:
    reviewers = _reviewers(event)
    if not reviewers:
        return S.NEW
    by = rng.choice(reviewers)
    target = _target(rng, (today - event.event_date).days)
    if target == S.NEW:
        return S.NEW
    earlier = seen.get((event.agreement_id, event.narrative))
    if target == S.DUPLICATE and earlier is None:
        target = S.IN_REVIEW
    if target == S.INVALID:
        event_transition(event=event, by=by, to=S.INVALID, reason="Not a safety event: a staffing complaint, "
                                                                  "passed to the department manager.")
        return S.INVALID
    if target == S.DUPLICATE:
        event_transition(event=event, by=by, to=S.DUPLICATE, duplicate_of=earlier)
        return S.DUPLICATE
    review_save(review=Review(event=event), by=by, data=_answers(event, rng), expected_version=0)
    owners = _owners(event)
    for code, text in rng.sample(ACTIONS, rng.randint(1, 3)):
        item = action_item_add(event=event, by=by, action_type=code, description=text, owner=rng.choice(owners),
                               due_date=today + dt.timedelta(days=rng.randint(7, 90)))
        if target in (S.REPORTED, S.CLOSED) and rng.random() < 0.5:
            action_item_update(item=item, by=by, data={"status": rc.ActionStatus.DONE,
                                                       "completion_note": "Done and checked at the safety huddle."})
    if target == S.AWAITING_INFO:
        # An anonymous reporter can only be asked through a follow-up link (its secret is not kept here).
        follow_up_link_issue(event_id=event.pk)
        event_transition(event=event, by=by, to=S.AWAITING_INFO,
                         reason="Do you remember which step of the setup it was noticed at?")
        return target
    if target == S.IN_REVIEW:
        return target
    if event.classification == C.OPERATIONAL and target in (S.REPORTED, S.CLOSED):
        event_transition(event=event, by=by, to=S.CLOSED)  # a suggestion, kept in the practice
        return S.CLOSED
    event_transition(event=event, by=by, to=S.READY_TO_REPORT)
    if target == S.READY_TO_REPORT:
        return target
    review_finalize(event=event, by=by, confirmed=True)
    event.refresh_from_db()
    if target == S.CLOSED and event.status == S.RECEIVED:  # receipt arrives at once when Celery runs eagerly
        event_transition(event=event, by=by, to=S.CLOSED)
    return Event.objects.values_list("status", flat=True).get(pk=event.pk)


def seed_reviews(world: dict, *, events: int = 100) -> str:
    """Review the demo events: varied states, realistic answers and actions, most older ones reported. Idempotent."""
    if importlib.util.find_spec("events.demo") is None:
        return ""
    agreements = list(world["agreements"].values())
    if Review.objects.filter(event__agreement__in=agreements).exists():
        return ""
    demo_events = list(
        Event.objects.filter(agreement__in=agreements, status=S.NEW).select_related("agreement").order_by("created_at")
    )
    if not demo_events:
        return ""
    rng = random.Random(2027)  # reproducible demo data
    today = timezone.localdate()
    seen: dict = {}
    counts: dict[str, int] = {}
    fresh = len(demo_events) - FRESH_EVENTS
    for index, event in enumerate(demo_events):
        # The newest few stay new, so the queue always has something waiting.
        status = S.NEW if index >= fresh else _review_one(event, rng, seen, today)
        seen.setdefault((event.agreement_id, event.narrative), event)
        counts[status] = counts.get(status, 0) + 1
    summary = ", ".join(f"{S(k).label.lower()} {v}" for k, v in sorted(counts.items(), key=lambda kv: -kv[1]))
    return f"Reviewed the demo events: {summary}."
