"""What every review write shares: the reviewer check, the event lock and touch, and the answers as plain values."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError

from events.facts import local_fact_save
from events.models import Event
from foundation.taxonomy.events import EventStatus
from practices.scoping import user_access

from ..models import Review

REVIEW_FIELDS = (
    "title", "workflow_origin", "workflow_detected", "problem_type", "problem_types_secondary", "patients_affected",
    "harm", "medical_severity", "dosimetric_severity", "dose_deviation_percent", "fraction_deviation_percent",
    "prescribed_dose_gy", "fractions_prescribed", "fractions_incorrect", "contributing_factors", "barriers_failed",
    "barriers_caught", "equipment_related", "equipment_manufacturer", "equipment_model", "software_version",
    "ameliorating_actions", "lessons_learned", "reviewer_notes", "wrong_modality", "possibly_reportable",
    "regulatory_regime", "regulatory_criteria", "notified_regulator_at", "written_report_due", "patient_notified_at",
    # Second-round data elements (review migration 0004); none of them leaves the practice.
    "occurred_date", "detected_roles", "involved_roles", "treatment_site", "treatment_intent", "latent_harm",
    "isotope", "applicator", "source_activity", "location", "location_other", "hospital_incident_number",
    "staff_support", "near_miss_risk",
)
# Audit actions written by review's services; on anonymous events the trail hides the actor of every other action.
AUDIT_ACTIONS = ("review_saved", "event_transition", "event_reported", "action_item_added", "action_item_updated",
                 "action_progress", "action_item_verified", "investigator_assigned", "investigator_reassigned",
                 "investigator_withdrawn", "follow_up_asked", "feedback_shared")


def plain(value):
    """A JSON-friendly form of a field value for the audit trail."""
    if isinstance(value, Decimal):
        return str(value.normalize()) if value == value.to_integral() else str(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if hasattr(value, "pk"):
        return str(value)
    return value


def require_reviewer(by, event: Event) -> None:
    """Full access to the event's agreement, with the agreement still in force (ended ones are read-only)."""
    access = user_access(by)
    if event.agreement_id not in access.full:
        raise PermissionDenied
    if event.agreement_id not in access.manage:
        raise ValidationError("This agreement has ended: its events can be read but no longer changed.")


def lock_event(event: Event) -> Event:
    """The event row again, locked until the caller's transaction ends."""
    return Event.objects.select_for_update().get(pk=event.pk)


def touch_event(event: Event, now) -> None:
    """Record activity on the event (what reminders count from)."""
    Event.objects.filter(pk=event.pk).update(last_activity_at=now)
    event.last_activity_at = now


def mark_lifecycle(event: Event, now) -> None:
    """Stamp the first start and the first end (reported or closed) of the event's review, for the analytics."""
    if event.status != EventStatus.NEW and event.review_started_at is None:
        event.review_started_at = now
    if event.status in (EventStatus.REPORTED, EventStatus.CLOSED) and event.review_closed_at is None:
        event.review_closed_at = now


def local_fact_refresh(event: Event, review: Review | None = None) -> None:
    """Rewrite the event's local fact (the dashboard's narrow copy) after a change to the event or its review, in
    the caller's transaction; the review is read when the caller does not hold it."""
    if review is None:
        review = Review.objects.filter(event=event).first()
    local_fact_save(event, review)


def review_values(review: Review | None) -> dict:
    """The review's answers as a plain dict (empty answers for an event not yet reviewed)."""
    review = review or Review()
    return {name: getattr(review, name) for name in REVIEW_FIELDS}
