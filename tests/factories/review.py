"""Review test data: events (through event_submit, or in bulk for size tests), reviews and action items."""

from __future__ import annotations

import datetime as dt
import uuid

from django.utils import timezone

from events.facts import local_facts_write
from events.models import Event, EventTechnique
from foundation.scrubber import VERSION as SCRUBBER_VERSION
from foundation.taxonomy import review as rc
from foundation.taxonomy.events import (
    AgeRange,
    EventClassification,
    PatientSex,
    ReporterRole,
    TreatmentTechnique,
    WorkflowStep,
)
from practices.choices import Role
from practices.models import Agreement, Coverage
from review.models import ActionItem, Review
from review.services import action_item_add, event_transition, review_save

NEAR_MISS_NARRATIVE = "Wrong plan version was loaded at the console; caught at the time-out before beam on."

# Complete answers per classification: enough to be "ready to report".
COMPLETE = {
    "title": "Plan version mix-up caught at time-out",
    "workflow_origin": WorkflowStep.TREATMENT_PLANNING,
    "workflow_detected": WorkflowStep.TREATMENT_DELIVERY,
    "problem_type": rc.ProblemType.PLAN_NOT_DELIVERABLE,
    "contributing_factors": ["pm.communication.documentation", "cp.detect.expectation_bias"],
    "barriers_failed": ["hw.record_verify"],
    "barriers_caught": ["proc.timeout"],
    "patients_affected": rc.PatientsAffected.ONE,
    "harm": rc.Harm.NONE,
    "medical_severity": 1,
    "ameliorating_actions": ["staff_debrief"],
    "dose_deviation_percent": 6,
    "dosimetric_severity": 3,
    "prescribed_dose_gy": 50,
    "fractions_prescribed": 25,
    "fractions_incorrect": 1,
    "lessons_learned": "Make the approved plan the only one the console can load.",
}


def _coverage(agreement: Agreement, facility=None) -> Coverage:
    coverages = Coverage.objects.filter(agreement=agreement, is_current=True).select_related("facility")
    if facility is not None:
        coverages = coverages.filter(facility=facility)
    return coverages.order_by("facility__name").first()


def submitter_of(agreement: Agreement):
    """A member of the agreement who may submit (the first named one)."""
    membership = agreement.memberships.filter(is_active=True).select_related("user").order_by("role", "user_id").first()
    return membership.user


def make_event(*, agreement: Agreement, user=None, facility=None, **overrides) -> Event:
    """One event through the real Submit Event service."""
    from events.services import event_submit

    user = user or submitter_of(agreement)
    data = {
        "coverage": _coverage(agreement, facility),
        "classification": EventClassification.NEAR_MISS,
        "narrative": NEAR_MISS_NARRATIVE,
        "techniques": [TreatmentTechnique.IMRT_VMAT],
        "event_date": timezone.localdate() - dt.timedelta(days=1),
        "reporter_role": ReporterRole.RADIATION_THERAPIST,
        "age_range": AgeRange.AGE_60_69,
        "patient_sex": PatientSex.FEMALE,
        "reporter_name": "",
        "stay_anonymous": False,
    }
    data.update(overrides)
    return event_submit(by=user, data=data, idempotency_key=uuid.uuid4(), notify=False)


def bulk_events(*, agreement: Agreement, count: int, prefix: str = "TST", anonymous: bool = False) -> list[Event]:
    """Many valid events at once, straight through the ORM (for size and query-count tests only)."""
    coverages = list(Coverage.objects.filter(agreement=agreement, is_current=True).order_by("facility__name"))
    now = timezone.now()
    start = Event.objects.filter(agreement=agreement).count()
    events = Event.objects.bulk_create([
        Event(
            agreement=agreement, facility_id=coverages[i % len(coverages)].facility_id,
            reference=f"{prefix}-{start + i + 1:05d}", classification=list(EventClassification)[i % 5],
            narrative=f"Bulk event {i}: couch shift entered with the wrong sign, caught on imaging.",
            narrative_scrubbed=f"Bulk event {i}: couch shift entered with the wrong sign, caught on imaging.",
            scrubbed_with=SCRUBBER_VERSION,
            event_date=timezone.localdate() - dt.timedelta(days=1 + i % 300), reporter_role=ReporterRole.DOSIMETRIST,
            is_anonymous=anonymous, reporter_name="" if anonymous else "Sam Rivera",
            created_at=now - dt.timedelta(minutes=i), last_activity_at=now,
        )
        for i in range(count)
    ])
    EventTechnique.objects.bulk_create(
        [EventTechnique(event=e, technique=TreatmentTechnique.IMRT_VMAT) for e in events]
        + [EventTechnique(event=e, technique=TreatmentTechnique.SRS_SBRT) for e in events[::2]]
    )
    local_facts_write((e, None) for e in events)  # what event_submit writes alongside each event
    return events


def reviewer_of(agreement: Agreement):
    """A full-access user of the agreement."""
    return agreement.memberships.filter(role=Role.FULL_ACCESS, is_active=True).select_related("user").first().user


def review_event(event: Event, *, by=None, **answers) -> Review:
    """Save complete answers for the event's classification (moves a new event to in review)."""
    by = by or reviewer_of(event.agreement)
    current = Review.objects.filter(event=event).first()
    review = current or Review(event=event)
    return review_save(review=review, by=by, data={**COMPLETE, **answers},
                       expected_version=current.lock_version if current else 0)


def ready_event(*, agreement: Agreement, **overrides) -> Event:
    """An event reviewed completely and marked ready to report."""
    event = make_event(agreement=agreement, **overrides)
    review_event(event)
    return event_transition(event=event, by=reviewer_of(agreement), to="ready_to_report")


def build_actionitem(*, agreement: Agreement, user) -> ActionItem:
    """Builder for the tenancy matrix: one action item on a new event of `agreement`."""
    event = make_event(agreement=agreement, user=user)
    by = reviewer_of(agreement)
    return action_item_add(event=event, by=by, action_type="proc.checklists", description="Add a checklist item.",
                           owner=by, due_date=timezone.localdate() + dt.timedelta(days=14))


def build_review(*, agreement: Agreement, user) -> Review:
    """One review of a new event of `agreement`."""
    return review_event(make_event(agreement=agreement, user=user))


def build_location(*, agreement: Agreement, user=None):
    """Builder for the tenancy matrix: one location on the practice's list."""
    from review.models import Location

    return Location.objects.create(agreement=agreement, name=f"Vault {Location.objects.count() + 1}")


def build_actionupdate(*, agreement: Agreement, user):
    """Builder for the tenancy matrix: a progress note with evidence on a new action of `agreement`."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from review.services import action_progress_add

    item = build_actionitem(agreement=agreement, user=user)
    evidence = SimpleUploadedFile("checklist.txt", b"Checklist updated and posted at the console.\n")
    return action_progress_add(item=item, by=item.owner, note="Checklist posted.", evidence=evidence)


def build_investigator(*, agreement: Agreement, user):
    """One live investigator (a reporter of the agreement) on a new event of `agreement`."""
    from review.services import investigator_assign

    event = make_event(agreement=agreement, user=user)
    reporter = agreement.memberships.filter(role=Role.REPORTER, is_active=True).select_related("user").first().user
    return investigator_assign(event=event, by=reviewer_of(agreement), user=reporter)
