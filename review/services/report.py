"""Report to the PSO: the record that leaves the practice, the reviewer's confirmation, and the PSO's receipt."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from events.models import Event
from foundation.taxonomy.events import EventStatus, can_transition
from practices.audit import audit_record, audit_record_many
from practices.scoping import user_access
from reporting.keys import pseudonym
from reporting.services import submission_enqueue

from .. import rules
from ..models import Review
from .common import local_fact_refresh, lock_event, mark_lifecycle, require_reviewer, review_values
from .reviews import label, missing_for_report

S = EventStatus


def _quarter(day: dt.date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def pso_record_for(event: Event) -> dict:
    """The raw record for the PSO (before `deidentify`): pseudonymous keys, coded fields and the free text."""
    review = getattr(event, "review", None) or Review(event=event)
    values = review_values(review)
    deviation = values["dose_deviation_percent"]
    return {
        "event_key": pseudonym("event", event.pk),
        "practice_key": pseudonym("practice", event.agreement.practice_id),
        "facility_key": pseudonym("facility", event.facility_id),
        "pso_id": event.agreement.pso_id,
        "revision": event.revision,
        "quarter": _quarter(event.event_date),
        "classification": event.classification,
        "techniques": sorted(event.technique_values),
        "workflow_noticed": event.workflow_step_noticed,
        "age_range": event.age_range,
        "sex": event.patient_sex,
        "reporter_role": event.reporter_role,
        "workflow_origin": review.workflow_origin,
        "workflow_detected": review.workflow_detected,
        "problem_type": review.problem_type,
        "problem_types_secondary": list(review.problem_types_secondary or []),
        "patients_affected": review.patients_affected,
        "harm": review.harm,
        "medical_severity": review.medical_severity,
        "dosimetric_severity": review.dosimetric_severity,
        "dose_deviation_percent": None if deviation is None else float(deviation),
        "contributing_factors": list(review.contributing_factors or []),
        "barriers_failed": list(review.barriers_failed or []),
        "barriers_caught": list(review.barriers_caught or []),
        "corrective_actions": sorted({item.action_type for item in event.action_items.all()}),
        "ameliorating_actions": list(review.ameliorating_actions or []),
        "equipment_related": review.equipment_related,
        "equipment_manufacturer": review.equipment_manufacturer,
        "equipment_model": review.equipment_model,
        "software_version": review.software_version,
        "possibly_reportable": rules.possibly_reportable(event.classification, values),
        "taxonomy_version": review.taxonomy_version,
        "narrative": event.narrative,
        "lessons_learned": review.lessons_learned,
    }


@transaction.atomic
def review_finalize(*, event: Event, by, confirmed: bool) -> Event:
    """Report to the PSO: status, the reviewer's confirmation and the outbox row, all in one transaction."""
    require_reviewer(by, event)
    locked = lock_event(event)
    if locked.agreement_id not in user_access(by).submit:
        raise ValidationError("The agreement is not active, so events cannot be reported to the PSO.")
    if locked.status != S.READY_TO_REPORT:
        raise ValidationError(
            f"Only an event that is ready to report can be reported to the PSO; this one is '{S(locked.status).label}'."
        )
    needed = missing_for_report(locked)
    if needed:
        raise ValidationError(f"Still missing before it can be reported: {', '.join(label(n) for n in needed)}.")
    if not confirmed:
        raise ValidationError({"confirmed": "Confirm that this record holds no patient identifier."})
    now = timezone.now()
    review = Review.objects.select_for_update().get(event=locked)
    locked.review = review
    record = pso_record_for(locked)
    review.confirmed_no_identifiers, review.confirmed_by, review.confirmed_at = True, by, now
    review.pso_event_key = record["event_key"]
    review.save(update_fields=["confirmed_no_identifiers", "confirmed_by", "confirmed_at", "pso_event_key"])
    submission_enqueue(record=record, agreement_id=locked.agreement_id)
    locked.status = S.REPORTED
    locked.last_activity_at = now
    mark_lifecycle(locked, now)
    locked.save(update_fields=["status", "last_activity_at", "review_started_at", "review_closed_at", "updated_at"])
    local_fact_refresh(locked, review)
    audit_record(actor=by, action="event_reported", obj=locked, agreement=locked.agreement,
                 changes={"status": [S.READY_TO_REPORT, S.REPORTED], "confirmed_no_identifiers": [False, True]},
                 note=f"Revision {locked.revision} reported to the PSO")
    return locked


def event_mark_received(*, event_key: str, revision: int, pso_id: int) -> bool:
    """The PSO's store holds this revision: a reported event becomes "received" (a replay changes nothing)."""
    return bool(events_mark_received(deliveries=[(event_key, revision, pso_id)]))


def events_mark_received(*, deliveries: list[tuple[str, int, int]]) -> int:
    """The PSO's store holds these (event key, revision, PSO) triples: each matching reported event becomes
    "received", with its audit row; a replay changes nothing. One batch of deliveries costs a fixed number of
    queries. Returns how many events changed."""
    wanted = {(key, int(revision), int(pso_id)) for key, revision, pso_id in deliveries}
    if not wanted:
        return 0
    with transaction.atomic():
        events = list(
            Event.objects.select_for_update(of=("self",))
            .filter(review__pso_event_key__in={key for key, _, _ in wanted})
            .select_related("agreement")
            .annotate(pso_key=F("review__pso_event_key"))
            .order_by("pk")
        )
        events = [
            event for event in events
            if (event.pso_key, event.revision, event.agreement.pso_id) in wanted
            and can_transition(event.status, S.RECEIVED, by_pso=True)
        ]  # fmt: skip
        if not events:
            return 0
        Event.objects.filter(pk__in=[event.pk for event in events]).update(
            status=S.RECEIVED, updated_at=timezone.now()
        )
        audit_record_many(
            actor=None,
            action="event_transition",
            entries=[
                (event, event.agreement, {"status": [S.REPORTED, S.RECEIVED]},
                 f"Revision {event.revision} received by the PSO")
                for event in events
            ],
        )  # fmt: skip
    return len(events)
