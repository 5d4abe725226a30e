"""Writes of the events app: submit an event (atomic, idempotent), number it, notify its reviewers, keep drafts."""

from __future__ import annotations

import datetime as dt
import logging
import re
import uuid
from dataclasses import dataclass

from celery import current_app
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, connection, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from foundation.mail import MAIL_ERRORS
from foundation.scrubber import VERSION as SCRUBBER_VERSION
from foundation.scrubber import scrub
from foundation.taxonomy.events import (
    AgeRange,
    EventClassification,
    PatientSex,
    ReporterRole,
    TreatmentTechnique,
    WorkflowStep,
)
from practices.audit import audit_record
from practices.models import Agreement, Coverage, Practice, User
from practices.scoping import user_access
from practices.selectors import reviewers_of

from .facts import local_fact_save
from .models import NARRATIVE_MAX_LENGTH, Draft, Event, EventTechnique, ReferenceCounter

# Drafts hold form fields only; anything else a client sends is dropped.
DRAFT_FIELDS = frozenset({
    "coverage", "sub_location", "classification", "narrative", "techniques", "event_date", "event_time",
    "workflow_step_noticed", "age_range", "patient_sex", "reporter_role", "reporter_name", "stay_anonymous",
    "confirm_old_date", "idempotency_key",
})  # fmt: skip
DRAFT_VALUE_MAX = 20_000  # characters per value: a narrative may run over the limit while being edited
# A clock skew allowance, so a report made "just now" is never refused as being in the future.
FUTURE_SLACK = dt.timedelta(minutes=10)
# Where a reviewer should land, most specific first; the review app may not be installed yet.
REVIEW_LINKS = (("review:event-detail", True), ("review:queue", False), ("home", False))
SWEEP_WINDOW = dt.timedelta(days=2)  # older misses are stale news; reviewers see them in the queue anyway
SWEEP_BATCH = 200

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class EventData:
    """The reporter's answers, already parsed (a form's cleaned_data fits)."""

    coverage: Coverage
    classification: str
    narrative: str
    techniques: list[str]
    event_date: dt.date
    reporter_role: str
    event_time: dt.time | None = None
    sub_location: str = ""
    workflow_step_noticed: str = ""
    age_range: str = AgeRange.UNKNOWN
    patient_sex: str = PatientSex.UNKNOWN
    reporter_name: str = ""
    stay_anonymous: bool = False

    @classmethod
    def from_mapping(cls, data: dict) -> EventData:
        """Build from a dict such as a form's cleaned_data, ignoring keys the service does not use."""
        names = cls.__dataclass_fields__.keys()
        values = {k: v for k, v in data.items() if k in names and v is not None}
        return cls(**values)


def practice_initials(practice: Practice) -> str:
    """'Riverside Cancer Center' -> 'RCC': the first letter of up to five words, 'EVT' if none."""
    words = re.findall(r"[A-Za-z]+", practice.name)
    initials = "".join(w[0] for w in words if w.lower() not in {"of", "the", "and", "for"})[:5].upper()
    return initials or "EVT"


def reference_next(*, practice: Practice, year: int) -> str:
    """The next human-friendly reference, e.g. RCC-2026-0042. Call inside a transaction.

    The counter row stays locked until the caller commits, so two submissions at the same moment get
    consecutive numbers and a rolled-back submission leaves no gap.
    """
    return f"{practice_initials(practice)}-{year}-{_counter_next(practice.pk, year):04d}"


def _counter_next(practice_id: int, year: int) -> int:
    if connection.vendor == "postgresql":
        # One statement: creates the row or increments it, and the update keeps the row locked until commit.
        table = connection.ops.quote_name(ReferenceCounter._meta.db_table)
        # The table name comes from the model; the values are parameters.
        sql = (f"INSERT INTO {table} (practice_id, year, last) VALUES (%s, %s, 1) "  # noqa: S608
               f"ON CONFLICT (practice_id, year) DO UPDATE SET last = {table}.last + 1 RETURNING last")
        with connection.cursor() as cursor:
            cursor.execute(sql, [practice_id, year])
            return cursor.fetchone()[0]
    # Embedded default (SQLite): a write transaction holds the database lock anyway.
    ReferenceCounter.objects.get_or_create(practice_id=practice_id, year=year)
    counter = ReferenceCounter.objects.select_for_update().get(practice_id=practice_id, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


def _validate(data: EventData, now: dt.datetime) -> None:
    errors: dict[str, str] = {}
    narrative = data.narrative.strip()
    if not narrative:
        errors["narrative"] = "Describe what happened."
    elif len(narrative) > NARRATIVE_MAX_LENGTH:
        errors["narrative"] = f"Keep the description to {NARRATIVE_MAX_LENGTH:,} characters."
    if "\x00" in data.narrative + data.sub_location + data.reporter_name:
        errors["narrative"] = "The text contains a character that cannot be saved."
    today = timezone.localdate(now)
    if data.event_date > today:
        errors["event_date"] = "The date cannot be in the future."
    elif data.event_time and data.event_date == today:
        moment = timezone.make_aware(dt.datetime.combine(data.event_date, data.event_time))
        if moment > now + FUTURE_SLACK:
            errors["event_time"] = "The time cannot be in the future."
    choices = {
        "classification": (data.classification, EventClassification.values, False),
        "reporter_role": (data.reporter_role, ReporterRole.values, False),
        "age_range": (data.age_range, AgeRange.values, False),
        "patient_sex": (data.patient_sex, PatientSex.values, False),
        "workflow_step_noticed": (data.workflow_step_noticed, WorkflowStep.values, True),
    }
    for name, (value, allowed, optional) in choices.items():
        if not (value in allowed or (optional and value == "")):
            errors[name] = "Choose one of the listed options."
    techniques = set(data.techniques)
    if not techniques or not techniques <= set(TreatmentTechnique.values):
        errors["techniques"] = "Choose at least one treatment technique, or 'Not applicable'."
    elif TreatmentTechnique.NOT_APPLICABLE in techniques and len(techniques) > 1:
        errors["techniques"] = "'Not applicable' cannot be combined with a technique."
    if errors:
        raise ValidationError(errors)


def _check_agreement(by: User, coverage: Coverage) -> Agreement:
    """Lock the covering agreement and refuse unless it is active and `by` may submit under it."""
    # NO KEY UPDATE: serialises with agreement_transition (a suspension) but not with rows that point here.
    # Only what a submission reads (the state, and the practice's name for the reference): fewer columns to compile.
    agreement = (
        Agreement.objects.select_for_update(no_key=True, of=("self",)).select_related("practice")
        .only("state", "pso_id", "practice__name").get(pk=coverage.agreement_id)
    )
    if agreement.pk not in user_access(by).roles:
        raise PermissionDenied("You are not a member of the agreement covering this facility.")
    if not agreement.is_active:
        raise ValidationError({
            "coverage": f"The agreement covering {coverage.facility} with {agreement.pso} is "
                        f"{agreement.get_state_display().lower()}: no events can be submitted under it. "
                        "Nothing was saved; ask your practice's full-access user or the PSO.",
        })
    if agreement.pk not in user_access(by).submit or not coverage.is_current:
        raise PermissionDenied("You cannot submit events for this facility.")
    return agreement


def _replay(by: User, idempotency_key: uuid.UUID) -> Event | None:
    """The event a repeated post of the same form already created, if any (only within the user's agreements)."""
    event = Event.objects.filter(idempotency_key=idempotency_key).select_related("agreement").first()
    if event is None:
        return None
    if event.agreement_id not in user_access(by).roles or (event.submitted_by_id not in (None, by.pk)):
        raise PermissionDenied("This form was already used by someone else.")
    return event


def event_submit(
    *, by: User, data: EventData | dict, idempotency_key: uuid.UUID | str, submitted_at: dt.datetime | None = None,
    notify: bool = True,
) -> Event:
    """Record a reported event, atomically; the same idempotency key twice returns the first event.

    Shared logins are always anonymous, and an anonymous event stores no identity at all (no user, no
    name, no actor on the audit row). Reviewers are emailed by a beat job, so the event never depends on
    the broker or the mail server. `submitted_at` backdates demo and imported events.
    """
    if isinstance(data, dict):
        data = EventData.from_mapping(data)
    key = idempotency_key if isinstance(idempotency_key, uuid.UUID) else uuid.UUID(str(idempotency_key))
    try:
        event = _create(by=by, data=data, key=key, now=submitted_at or timezone.now(), notify=notify)
    except (IntegrityError, ValidationError, PermissionDenied):
        # The key is unique, so a repeated post (a double click, a resend, or a concurrent post that won the
        # race) fails inside _create and is rolled back whole; it gets the first event, whatever has changed
        # since. Looking the key up only here keeps a query off every first post.
        existing = _replay(by, key)
        if existing is None:
            raise
        return existing
    return event


@transaction.atomic
def _create(*, by: User, data: EventData, key: uuid.UUID, now: dt.datetime, notify: bool) -> Event:
    _validate(data, now)
    coverage = data.coverage
    agreement = _check_agreement(by, coverage)
    anonymous = bool(by.is_shared_login or data.stay_anonymous)
    event = Event.objects.create(
        agreement=agreement,
        facility_id=coverage.facility_id,
        sub_location=data.sub_location.strip()[:100],
        reference=reference_next(practice=agreement.practice, year=timezone.localtime(now).year),
        classification=data.classification,
        narrative=data.narrative.strip(),
        narrative_scrubbed=scrub(data.narrative.strip()),
        scrubbed_with=SCRUBBER_VERSION,
        event_date=data.event_date,
        event_time=data.event_time,
        workflow_step_noticed=data.workflow_step_noticed,
        age_range=data.age_range,
        patient_sex=data.patient_sex,
        reporter_role=data.reporter_role,
        reporter_name="" if anonymous else data.reporter_name.strip()[:150],
        submitted_by=None if anonymous else by,
        is_anonymous=anonymous,
        idempotency_key=key,
        created_at=now,
        last_activity_at=now,
        # Without a notification (demo data, imports) the event counts as handled, so no sweep emails it later.
        notified_at=None if notify else now,
    )
    EventTechnique.objects.bulk_create(
        [EventTechnique(event=event, technique=t) for t in sorted(set(data.techniques))]
    )
    local_fact_save(event, created=True)  # the dashboard's narrow copy, in this transaction
    audit_record(actor=None if anonymous else by, action="event_submitted", obj=event, agreement=agreement,
                 changes={"reference": [None, event.reference]})
    if not by.is_shared_login:  # shared logins never keep a server draft (draft_save refuses them)
        Draft.objects.filter(user=by).delete()
    if notify and current_app.conf.task_always_eager:
        # Reviewers are emailed by a beat job (events.tasks.event_notify_sweep_task). Without a broker (the
        # embedded default) there is no beat, so the email is sent here, in-process, once the event is saved;
        # robust: a mail failure never fails the saved report (the event stays unnotified, not lost).
        from .tasks import event_notify_task

        transaction.on_commit(lambda: event_notify_task.delay(event.pk), robust=True)
    return event


# --- Reviewer notification -------------------------------------------------------------------------


def review_link(event_id: int) -> str:
    """An absolute link to the event in the review app (or the queue); never any event content."""
    for name, takes_pk in REVIEW_LINKS:
        try:
            path = reverse(name, args=[event_id] if takes_pk else [])
        except NoReverseMatch:
            continue
        return settings.SITE_URL.rstrip("/") + path
    return settings.SITE_URL


def event_notify_reviewers(*, event_id: int) -> int:
    """Email the reviewers of a new event a link to it, once (no narrative).

    Returns how many were emailed; 0 when the event is gone, already notified, or being notified by another
    worker at this moment (its row is locked; should that attempt fail, the next sweep finds the event again).
    """
    with transaction.atomic():
        event = (
            Event.objects.select_for_update(of=("self",), skip_locked=True).select_related("agreement__practice")
            .filter(pk=event_id, notified_at__isnull=True).first()
        )
        if event is None:
            return 0
        recipients = sorted(m.user.email for m in reviewers_of(agreement_ids=[event.agreement_id]) if m.user.email)
        if recipients:
            # Reference and link only: the narrative and patient data stay inside roils.
            send_mail(
                subject=f"New event {event.reference} to review",
                message=(
                    f"A new event, {event.reference}, was submitted to {event.agreement.practice} in roils.\n\n"
                    f"Open it to review (you may be asked to sign in):\n{review_link(event.pk)}\n\n"
                    "For privacy, event details are never sent by email.\n"
                ),
                from_email=None,
                recipient_list=recipients,
            )
        event.notified_at = timezone.now()
        event.save(update_fields=["notified_at"])
    return len(recipients)


def event_notify_sweep() -> int:
    """Email reviewers about every recent event not yet notified; returns how many events were notified.

    A mail server that is down ends the sweep early: the events left wait, unnotified, for the next one.
    """
    ids = list(
        Event.objects.filter(notified_at__isnull=True, created_at__gte=timezone.now() - SWEEP_WINDOW)
        .order_by("created_at").values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    notified = 0
    for event_id in ids:
        try:
            notified += event_notify_reviewers(event_id=event_id) > 0
        except MAIL_ERRORS:
            logger.warning("mail server unavailable; %d new events wait for the next sweep", len(ids) - notified)
            break
    return notified


# --- Drafts ------------------------------------------------------------------------------------------


def _clean_draft_value(value) -> str | list[str] | bool | None:
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, list):
        return [str(v).replace("\x00", "")[:100] for v in value[:20] if isinstance(v, str | int)]
    return str(value).replace("\x00", "")[:DRAFT_VALUE_MAX]


def _already_submitted(key) -> bool:
    try:
        return Event.objects.filter(idempotency_key=uuid.UUID(str(key))).exists()
    except ValueError:
        return False


def draft_save(*, user: User, data: dict, saved_at: int | None = None) -> Draft | None:
    """Keep a named reporter's half-written report (allowlisted fields only); shared logins get none."""
    if user.is_shared_login or not user_access(user).can_submit:
        return None
    fields = {k: _clean_draft_value(v) for k, v in data.items() if k in DRAFT_FIELDS}
    if _already_submitted(fields.get("idempotency_key")):
        # A late autosave of a form that was just submitted: keeping it would bring the report back.
        Draft.objects.filter(user=user).delete()
        return None
    payload = {"fields": fields, "saved_at": saved_at if isinstance(saved_at, int) else None}
    draft, _created = Draft.objects.update_or_create(
        user=user, defaults={"data": payload, "updated_at": timezone.now()}
    )
    return draft


def draft_discard(*, user: User) -> None:
    """Throw away the user's server-side draft."""
    Draft.objects.filter(user=user).delete()


def drafts_expire(*, now: dt.datetime | None = None) -> int:
    """Delete every draft not changed for DRAFT_RETENTION_DAYS; returns how many were deleted."""
    deleted, _by_model = Draft.objects.expired(now).delete()
    return deleted


def narratives_rescrub(*, batch: int = 500, limit: int | None = None) -> int:
    """Scrub again the stored copies made by another scrubber version (or none); returns how many were updated.

    Narratives never change after submission, so a copy is stale only when the scrubber changed. Runs in batches
    ordered by id, each its own transaction, so a large table is neither locked whole nor read into memory.
    """
    done = 0
    last_id = 0
    while limit is None or done < limit:
        size = batch if limit is None else min(batch, limit - done)
        rows = list(
            Event.objects.filter(pk__gt=last_id).exclude(scrubbed_with=SCRUBBER_VERSION).order_by("pk")
            .only("pk", "narrative")[:size]
        )
        if not rows:
            break
        for event in rows:
            event.narrative_scrubbed = scrub(event.narrative)
            event.scrubbed_with = SCRUBBER_VERSION
        with transaction.atomic():
            Event.objects.bulk_update(rows, ["narrative_scrubbed", "scrubbed_with"])
        done += len(rows)
        last_id = rows[-1].pk
    return done
