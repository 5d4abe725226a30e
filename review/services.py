"""Writes of the review app: save a review, move an event along its lifecycle, action items, report to the PSO.

Each write is one atomic function that locks the event row, checks that its caller is a full-access user of
the event's agreement, leaves an audit row on the event ({field: [old, new]}) and marks the event as touched.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Max, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone

from events.models import Event
from foundation.taxonomy import review as rc
from foundation.taxonomy.events import OPEN_STATUSES, EventClassification, EventStatus, bumps_revision, can_transition
from practices.choices import AgreementState, Role
from practices.models import Membership
from practices.scoping import user_access
from practices.services import audit_record
from reporting.keys import pseudonym
from reporting.services import submission_enqueue

from . import rules
from .models import ActionItem, Reminder, Review
from .selectors import owner_candidates

S = EventStatus
REVIEW_FIELDS = (
    "title", "workflow_origin", "workflow_detected", "problem_type", "problem_types_secondary", "patients_affected",
    "harm", "medical_severity", "dosimetric_severity", "dose_deviation_percent", "fraction_deviation_percent",
    "prescribed_dose_gy", "fractions_prescribed", "fractions_incorrect", "contributing_factors", "barriers_failed",
    "barriers_caught", "equipment_related", "equipment_manufacturer", "equipment_model", "software_version",
    "ameliorating_actions", "lessons_learned", "reviewer_notes", "wrong_modality", "possibly_reportable",
    "regulatory_regime", "regulatory_criteria", "notified_regulator_at", "written_report_due", "patient_notified_at",
)
LIST_CODES = {
    "contributing_factors": {c for c, _ in rc.choices(rc.CONTRIBUTING_FACTORS, include_retired=True)},
    "barriers_failed": {c for c, _ in rc.choices(rc.SAFETY_BARRIERS, include_retired=True)},
    "barriers_caught": {c for c, _ in rc.choices(rc.SAFETY_BARRIERS, include_retired=True)},
    "ameliorating_actions": set(rc.AmelioratingAction.values),
    "problem_types_secondary": set(rc.ProblemType.values),
}
DECIMAL_FIELDS = ("dose_deviation_percent", "fraction_deviation_percent", "prescribed_dose_gy")
ACTION_CODES = {c for c, _ in rc.choices(rc.CORRECTIVE_ACTIONS, include_retired=True)}
REMINDER_FIRST = dt.timedelta(days=7)
REMINDER_REPEAT = dt.timedelta(days=14)
# Audit actions written here; on anonymous events the trail hides the actor of every other action.
AUDIT_ACTIONS = ("review_saved", "event_transition", "event_reported", "action_item_added", "action_item_updated")


class ReviewConflict(Exception):
    """Someone else saved the review after this form was opened (optimistic locking)."""

    def __init__(self, review: Review):
        self.saved_by = review.updated_by
        self.saved_at = review.updated_at
        who = (self.saved_by.get_full_name() or self.saved_by.username) if self.saved_by else "Someone"
        when = timezone.localtime(self.saved_at).strftime("%H:%M")
        super().__init__(f"{who} saved changes at {when}; reload to see them — your text is kept below.")


def _plain(value):
    """A JSON-friendly form of a field value for the audit trail."""
    if isinstance(value, Decimal):
        return str(value.normalize()) if value == value.to_integral() else str(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if hasattr(value, "pk"):
        return str(value)
    return value


def _decimal(value):
    """Decimals from any number (str() first, so 5.3 stays 5.3 rather than its binary expansion)."""
    if value is None or value == "" or isinstance(value, Decimal):
        return None if value == "" else value
    try:
        return Decimal(str(value))
    except ArithmeticError:
        raise ValidationError("Enter a number.") from None


def _require_reviewer(by, event: Event) -> None:
    """Full access to the event's agreement, with the agreement still in force (ended ones are read-only)."""
    access = user_access(by)
    if event.agreement_id not in access.full:
        raise PermissionDenied
    if event.agreement_id not in access.manage:
        raise ValidationError("This agreement has ended: its events can be read but no longer changed.")


def _lock(event: Event) -> Event:
    return Event.objects.select_for_update().get(pk=event.pk)


def _touch(event: Event, now) -> None:
    Event.objects.filter(pk=event.pk).update(last_activity_at=now)
    event.last_activity_at = now


def review_values(review: Review | None) -> dict:
    """The review's answers as a plain dict (empty answers for an event not yet reviewed)."""
    review = review or Review()
    return {name: getattr(review, name) for name in REVIEW_FIELDS}


@transaction.atomic
def review_save(*, review: Review, by, data: dict, expected_version: int) -> Review:
    """Save a review's answers unless someone saved since `expected_version`; a new event moves to in review."""
    event = review.event
    _require_reviewer(by, event)
    locked = _lock(event)
    if locked.status not in OPEN_STATUSES:
        raise ValidationError(
            f"This event is '{S(locked.status).label}': reopen it (back to in review) before changing its review."
        )
    current, _created = Review.objects.select_for_update().get_or_create(event=locked)
    if current.lock_version != expected_version:
        raise ReviewConflict(current)
    for name, allowed in LIST_CODES.items():
        unknown = set(data.get(name) or []) - allowed
        if unknown:
            raise ValidationError({name: f"Unknown choice(s): {', '.join(sorted(unknown))}."})
    classification = data.get("classification") or locked.classification
    if classification not in EventClassification.values:
        raise ValidationError({"classification": "Choose the event classification."})
    old = review_values(current)
    given = {k: _decimal(v) if k in DECIMAL_FIELDS else v for k, v in data.items() if k in REVIEW_FIELDS}
    new = rules.enforce(classification, {**old, **given})
    changes = {name: [_plain(old[name]), _plain(new[name])] for name in REVIEW_FIELDS if old[name] != new[name]}
    now = timezone.now()
    if classification != locked.classification:
        # Reviewers may correct the reporter's classification; the conditional questions follow it.
        changes = {"classification": [locked.classification, classification], **changes}
        locked.classification = classification
        locked.save(update_fields=["classification", "updated_at"])
    if changes or _created:
        for name in REVIEW_FIELDS:
            setattr(current, name, new[name])
        current.lock_version += 1
        current.updated_by = by
        current.updated_at = now
        current.full_clean(exclude=["event"])
        current.save()
        if changes:
            audit_record(actor=by, action="review_saved", obj=locked, agreement=locked.agreement, changes=changes)
    if locked.status == S.NEW:
        _set_status(locked, by, S.IN_REVIEW, now=now, note="Review started")
    _touch(locked, now)
    return current


def _set_status(event: Event, by, to: str, *, now, changes: dict | None = None, note: str = "") -> None:
    old = event.status
    event.status = to
    event.last_activity_at = now
    event.save(update_fields=["status", "revision", "invalid_reason", "duplicate_of", "last_activity_at",
                              "updated_at"])
    audit_record(actor=by, action="event_transition", obj=event, agreement=event.agreement,
                 changes={"status": [old, to], **(changes or {})}, note=note)


def missing_for_report(event: Event) -> list[str]:
    """Field names still needed before this event is ready to report (the page lists them)."""
    review = getattr(event, "review", None) if event.pk else None
    return rules.missing(event.classification, review_values(review), narrative=event.narrative)


@transaction.atomic
def event_transition(
    *, event: Event, by, to: str, reason: str = "", duplicate_of: Event | None = None,
    expected_status: str | None = None,
) -> Event:
    """Move an event along its lifecycle; reopening a reported or closed event starts a new revision."""
    _require_reviewer(by, event)
    locked = _lock(event)
    old = locked.status
    if expected_status is not None and expected_status != old:
        raise ValidationError(
            f"Someone changed this event's status to '{S(old).label}' meanwhile; nothing was changed. Check and retry."
        )
    if to not in S.values:
        raise ValidationError("That is not a status an event can have; nothing was changed.")
    if to == S.REPORTED and can_transition(old, to):
        raise ValidationError("Use 'Report to PSO' to review the de-identified record and send it.")
    if not can_transition(old, to):
        raise ValidationError(f"An event that is '{S(old).label}' cannot become '{S(to).label}'; nothing was changed.")
    changes: dict = {}
    if to == S.INVALID:
        reason = (reason or "").strip()
        if not reason:
            raise ValidationError({"reason": "Say why this event is invalid."})
        changes["invalid_reason"] = [locked.invalid_reason, reason]
        locked.invalid_reason = reason
    if to == S.DUPLICATE:
        if duplicate_of is None:
            raise ValidationError({"duplicate_of": "Choose the event this one duplicates."})
        if duplicate_of.agreement_id != locked.agreement_id or duplicate_of.pk == locked.pk:
            raise ValidationError({"duplicate_of": "Choose another event of the same practice agreement."})
        changes["duplicate_of"] = [None, duplicate_of.reference]
        locked.duplicate_of = duplicate_of
    if to == S.READY_TO_REPORT:
        needed = missing_for_report(locked)
        if needed:
            raise ValidationError(f"Still missing before it is ready to report: {', '.join(label(n) for n in needed)}.")
    if old in (S.INVALID, S.DUPLICATE) and to == S.IN_REVIEW:
        if locked.invalid_reason:
            changes["invalid_reason"] = [locked.invalid_reason, ""]
        if locked.duplicate_of_id:
            changes["duplicate_of"] = [str(locked.duplicate_of), None]
        locked.invalid_reason, locked.duplicate_of = "", None
    if bumps_revision(old, to):
        changes["revision"] = [locked.revision, locked.revision + 1]
        locked.revision += 1
        # The new revision must be checked for identifiers again before it leaves the practice.
        Review.objects.filter(event=locked).update(confirmed_no_identifiers=False, confirmed_by=None,
                                                   confirmed_at=None)
    _set_status(locked, by, to, now=timezone.now(), changes=changes, note=reason if to == S.INVALID else "")
    return locked


def label(field_name: str) -> str:
    """Human label of a review field (or "narrative") for messages."""
    if field_name == "narrative":
        return "narrative"
    return str(Review._meta.get_field(field_name).verbose_name)


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
    _require_reviewer(by, event)
    locked = _lock(event)
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
    locked.save(update_fields=["status", "last_activity_at", "updated_at"])
    audit_record(actor=by, action="event_reported", obj=locked, agreement=locked.agreement,
                 changes={"status": [S.READY_TO_REPORT, S.REPORTED], "confirmed_no_identifiers": [False, True]},
                 note=f"Revision {locked.revision} reported to the PSO")
    return locked


def event_mark_received(*, event_key: str, revision: int, pso_id: int) -> bool:
    """The PSO's store holds this revision: a reported event becomes "received" (a replay changes nothing)."""
    with transaction.atomic():
        event = (
            Event.objects.select_for_update(of=("self",))
            .filter(review__pso_event_key=event_key, revision=revision, agreement__pso_id=pso_id)
            .first()
        )
        if event is None or not can_transition(event.status, S.RECEIVED, by_pso=True):
            return False
        event.status = S.RECEIVED
        event.save(update_fields=["status", "updated_at"])
        audit_record(actor=None, action="event_transition", obj=event, agreement=event.agreement,
                     changes={"status": [S.REPORTED, S.RECEIVED]}, note=f"Revision {revision} received by the PSO")
    return True


# --- Action items ----------------------------------------------------------------------------------


def _check_action(event: Event, *, action_type, description, owner, due_date, due_changed: bool) -> None:
    errors = {}
    if action_type not in ACTION_CODES:
        errors["action_type"] = "Choose the type of action."
    if not (description or "").strip():
        errors["description"] = "Describe the action."
    if owner is None:
        errors["owner"] = "Choose who owns this action."
    elif not owner_candidates(event.agreement_id).filter(pk=owner.pk).exists():
        errors["owner"] = "The owner must be a named user of this practice agreement."
    if due_date is None:
        errors["due_date"] = "Set a due date."
    elif due_changed and due_date < timezone.localdate():
        errors["due_date"] = "The due date cannot be in the past."
    if errors:
        raise ValidationError(errors)


def _action_summary(item: ActionItem) -> str:
    return f"{item.type_label}; owner {item.owner}; due {item.due_date.isoformat()}; {item.get_status_display()}"


@transaction.atomic
def action_item_add(*, event: Event, by, action_type: str, description: str, owner, due_date: dt.date) -> ActionItem:
    """Add a corrective or preventive action with its owner and due date."""
    _require_reviewer(by, event)
    locked = _lock(event)
    _check_action(locked, action_type=action_type, description=description, owner=owner, due_date=due_date,
                  due_changed=True)
    number = (ActionItem.objects.filter(event=locked).aggregate(n=Max("number"))["n"] or 0) + 1
    item = ActionItem.objects.create(event=locked, number=number, action_type=action_type,
                                     description=description.strip(), owner=owner, due_date=due_date, assigned_by=by)
    audit_record(actor=by, action="action_item_added", obj=locked, agreement=locked.agreement,
                 changes={f"action {number}": [None, _action_summary(item)]})
    _touch(locked, timezone.now())
    return item


@transaction.atomic
def action_item_update(*, item: ActionItem, by, data: dict) -> ActionItem:
    """Change an action item (type, description, owner, due date, status, what was done)."""
    _require_reviewer(by, item.event)
    locked_event = _lock(item.event)
    current = ActionItem.objects.select_for_update().select_related("owner").get(pk=item.pk)
    fields = ("action_type", "description", "owner", "due_date", "status", "completion_note")
    new = {name: data.get(name, getattr(current, name)) for name in fields}
    if new["status"] not in rc.ActionStatus.values:
        raise ValidationError({"status": "Choose a status."})
    _check_action(locked_event, action_type=new["action_type"], description=new["description"], owner=new["owner"],
                  due_date=new["due_date"], due_changed=new["due_date"] != current.due_date)
    changes = {}
    for name in fields:
        old_value = getattr(current, name)
        if old_value != new[name]:
            changes[f"action {current.number}: {name}"] = [_plain(old_value), _plain(new[name])]
            setattr(current, name, new[name])
    now = timezone.now()
    if current.status == rc.ActionStatus.DONE and current.completed_at is None:
        current.completed_by, current.completed_at = by, now
    elif current.status != rc.ActionStatus.DONE:
        current.completed_by, current.completed_at = None, None
    if changes:
        current.save()
        audit_record(actor=by, action="action_item_updated", obj=locked_event, agreement=locked_event.agreement,
                     changes=changes)
        _touch(locked_event, now)
    return current


# --- Reminders -------------------------------------------------------------------------------------


def reminders_due(now: dt.datetime):
    """Open events untouched for 7 days whose last reminder is older than 14 days or than the last touch."""
    last = Subquery(Reminder.objects.filter(event=OuterRef("pk")).order_by("-sent_at").values("sent_at")[:1])
    return (
        Event.objects.filter(status__in=OPEN_STATUSES, last_activity_at__lte=now - REMINDER_FIRST,
                             agreement__state=AgreementState.ACTIVE)
        .annotate(last_reminded=last)
        .filter(Q(last_reminded__isnull=True) | Q(last_reminded__lt=F("last_activity_at"))
                | Q(last_reminded__lte=now - REMINDER_REPEAT))
        .select_related("facility")
        .order_by("agreement_id", "last_activity_at")
    )


def reminders_send(*, now: dt.datetime | None = None) -> int:
    """Email each full-access user one list of links to their untouched events; returns emails sent."""
    now = now or timezone.now()
    events = list(reminders_due(now))
    if not events:
        return 0
    by_agreement: dict[int, list[Event]] = defaultdict(list)
    for event in events:
        by_agreement[event.agreement_id].append(event)
    members = Membership.objects.filter(
        agreement_id__in=by_agreement, role=Role.FULL_ACCESS, is_active=True, user__is_active=True
    ).exclude(user__email="").select_related("user")
    per_user: dict = defaultdict(list)
    users = {}
    for membership in members:
        users[membership.user_id] = membership.user
        per_user[membership.user_id].extend(by_agreement[membership.agreement_id])
    sent = 0
    recipients: dict[int, int] = defaultdict(int)
    for user_id, user_events in per_user.items():
        send_mail(
            subject=f"roils: {len(user_events)} event(s) waiting for review",
            message=_reminder_text(users[user_id], user_events, now),
            from_email=None,
            recipient_list=[users[user_id].email],
        )
        sent += 1
        for event in user_events:
            recipients[event.pk] += 1
    # Only events someone was told about count as reminded.
    Reminder.objects.bulk_create(
        [Reminder(event=e, sent_at=now, recipients=recipients[e.pk]) for e in events if recipients[e.pk]]
    )
    return sent


def _reminder_text(user, events: list[Event], now: dt.datetime) -> str:
    """Links and coded facts only: never a narrative or a title."""
    site = settings.SITE_URL.rstrip("/")
    lines = [f"Hello {user.get_full_name() or user.username},", "",
             "These events have not been touched for a week or more:", ""]
    for event in events:
        days = (now - event.last_activity_at).days
        url = site + reverse("review:event-detail", args=[event.pk])
        lines.append(f"- {event.reference} ({event.facility.name}, {S(event.status).label}, {days} days): {url}")
    lines += ["", "You receive this reminder because you have full access to these events in roils."]
    return "\n".join(lines)
