"""Saving a review (optimistic locking) and moving an event along its lifecycle."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from events.conversation import can_reach_reporter, follow_up_ask
from events.models import Event
from foundation.taxonomy import review as rc
from foundation.taxonomy.events import (
    OPEN_STATUSES,
    EventClassification,
    EventStatus,
    ReporterRole,
    bumps_revision,
    can_transition,
)
from practices.audit import audit_record

from .. import rules
from ..models import Review
from .common import (
    REVIEW_FIELDS,
    local_fact_refresh,
    lock_event,
    mark_lifecycle,
    plain,
    require_reviewer,
    review_values,
    touch_event,
)
from .investigators import require_investigating

S = EventStatus
LIST_CODES = {
    "contributing_factors": {c for c, _ in rc.choices(rc.CONTRIBUTING_FACTORS, include_retired=True)},
    "barriers_failed": {c for c, _ in rc.choices(rc.SAFETY_BARRIERS, include_retired=True)},
    "barriers_caught": {c for c, _ in rc.choices(rc.SAFETY_BARRIERS, include_retired=True)},
    "ameliorating_actions": set(rc.AmelioratingAction.values),
    "problem_types_secondary": set(rc.ProblemType.values),
    "detected_roles": set(ReporterRole.values),
    "involved_roles": set(ReporterRole.values),
    "staff_support": set(rc.StaffSupport.values),
}
DECIMAL_FIELDS = ("dose_deviation_percent", "fraction_deviation_percent", "prescribed_dose_gy")


class ReviewConflict(Exception):
    """Someone else saved the review after this form was opened (optimistic locking)."""

    def __init__(self, review: Review):
        self.saved_by = review.updated_by
        self.saved_at = review.updated_at
        who = (self.saved_by.get_full_name() or self.saved_by.username) if self.saved_by else "Someone"
        when = timezone.localtime(self.saved_at).strftime("%H:%M")
        super().__init__(f"{who} saved changes at {when}; reload to see them — your text is kept below.")


def _decimal(value):
    """Decimals from any number (str() first, so 5.3 stays 5.3 rather than its binary expansion)."""
    if value is None or value == "" or isinstance(value, Decimal):
        return None if value == "" else value
    try:
        return Decimal(str(value))
    except ArithmeticError:
        raise ValidationError("Enter a number.") from None


@transaction.atomic
def review_save(*, review: Review, by, data: dict, expected_version: int) -> Review:
    """Save a review's answers unless someone saved since `expected_version`; a new event moves to in review."""
    event = review.event
    require_investigating(by, event)
    locked = lock_event(event)
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
    location = data.get("location")
    if location is not None and location.agreement_id != locked.agreement_id:
        raise ValidationError({"location": "Choose one of this practice's locations."})
    classification = data.get("classification") or locked.classification
    if classification not in EventClassification.values:
        raise ValidationError({"classification": "Choose the event classification."})
    old = review_values(current)
    given = {k: _decimal(v) if k in DECIMAL_FIELDS else v for k, v in data.items() if k in REVIEW_FIELDS}
    new = rules.enforce(classification, {**old, **given})
    changes = {name: [plain(old[name]), plain(new[name])] for name in REVIEW_FIELDS if old[name] != new[name]}
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
        _set_status(locked, by, S.IN_REVIEW, now=now, note="Review started", review=current)
    else:
        local_fact_refresh(locked, current)
    touch_event(locked, now)
    return current


def _set_status(event: Event, by, to: str, *, now, changes: dict | None = None, note: str = "",
                review: Review | None = None) -> None:
    old = event.status
    event.status = to
    event.last_activity_at = now
    mark_lifecycle(event, now)
    event.save(update_fields=["status", "revision", "invalid_reason", "duplicate_of", "last_activity_at",
                              "review_started_at", "review_closed_at", "updated_at"])
    local_fact_refresh(event, review)  # the lifecycle times feed the dashboard
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
    require_reviewer(by, event)
    locked = lock_event(event)
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
    question = ""
    if to == S.AWAITING_INFO:
        # "Awaiting information" really asks the reporter: the question goes into the event's conversation.
        question = (reason or "").strip()
        if not question:
            raise ValidationError({"reason": "Write the question for the reporter."})
        if not can_reach_reporter(locked):
            raise ValidationError({"reason": "This report is anonymous and its reporter has no follow-up link: "
                                             "nobody can answer a question about it."})
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
    if question:
        follow_up_ask(event=locked, by=by, body=question)
    return locked


def label(field_name: str) -> str:
    """Human label of a review field (or "narrative") for messages."""
    if field_name == "narrative":
        return "narrative"
    return str(Review._meta.get_field(field_name).verbose_name)
