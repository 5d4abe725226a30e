"""Writes of the reporting app: the outbox of de-identified records and their delivery to the PSO store.

Delivery is at least once, with an exactly-once effect:
* `submission_enqueue` writes the outbox row in the caller's (review's) transaction and publishes its id
  after commit; a broker outage never undoes a report.
* `submission_deliver` (the task's body) claims the row (attempts + 1, and a lease: `next_attempt_at`
  moves out by an exponential backoff), upserts the record into the PSO store keyed by (pso_id,
  event_key), where an older or equal revision never overwrites a newer one, and then marks the row
  pushed. Any step may be repeated after a crash: a repeat upsert is a no-op and the mark is conditional.
* `submission_sweep` (beat, every minute) re-publishes rows whose lease ran out: messages lost with the
  broker, workers killed mid-task, deliveries that failed while a database was restarting.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from datetime import timedelta

import kombu.exceptions
import psycopg
import redis.exceptions
from django.db import DatabaseError, IntegrityError, InterfaceError, OperationalError, transaction
from django.db.models import F
from django.utils import timezone

from practices.models import Agreement
from roils.routers import PSO_DB

from .deidentify import ALLOWED_FIELDS, RecordError, deidentify
from .models import StoreRecord, Submission
from .rollups import apply_record_change, record_snapshot
from .signals import record_delivered

log = logging.getLogger(__name__)

# Errors worth retrying soon: the broker, Redis or a database is briefly unreachable (e.g. restarting).
TRANSIENT_ERRORS = (
    kombu.exceptions.OperationalError,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    psycopg.OperationalError,
    OperationalError,
    InterfaceError,
)
RETRY_BASE = timedelta(seconds=60)  # longer than the task's hard time limit, so a live attempt is never re-sent
RETRY_CAP = timedelta(hours=1)
SWEEP_BATCH = 1000
ERROR_MAX_LENGTH = 300
# Publishing from the sweeper may wait for a reconnect (it runs in a worker, not in a web request).
SWEEP_PUBLISH_RETRY = {"max_retries": 3, "interval_start": 0, "interval_step": 0.5, "interval_max": 2}


class DeliveryError(Exception):
    """A delivery failed for a reason other than an outage; the message is safe to log and to show."""


def retry_delay(attempt: int) -> timedelta:
    """How long attempt number `attempt` (1, 2, ...) may take before the sweeper sends the row again."""
    return min(RETRY_BASE * 2 ** min(max(attempt - 1, 0), 16), RETRY_CAP)


def error_text(exc: BaseException) -> str:
    """A short, safe description of a failure: the first line only (database errors put row values below)."""
    lines = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {lines[0] if lines else ''}"[:ERROR_MAX_LENGTH]


@transaction.atomic
def submission_enqueue(*, record: dict, agreement_id: int) -> Submission:
    """Write the outbox row for a reported event in the caller's transaction; deliver after commit.

    The record is passed through `deidentify` here, so nothing but the allowlist ever reaches the outbox.
    Enqueueing the same event revision again returns the existing row.
    """
    clean = deidentify(record)
    pso_id = Agreement.objects.filter(pk=agreement_id).values_list("pso_id", flat=True).first()
    if pso_id != clean["pso_id"]:
        # A record goes only to the PSO of the agreement it was reported under.
        raise RecordError("pso_id: not the PSO of the agreement")
    submission, _created = Submission.objects.get_or_create(
        pso_id=pso_id,
        event_key=clean["event_key"],
        revision=clean["revision"],
        defaults={
            "agreement_id": agreement_id,
            "record": clean,
            "next_attempt_at": timezone.now() + retry_delay(1),
        },
    )
    if submission.pushed_at is None:
        _publish_on_commit([submission.pk])
    return submission


def _publish_on_commit(ids: list[int]) -> None:
    from .tasks import submission_push_task

    def publish():
        for pk in ids:
            submission_push_task.delay(pk)

    # robust: a broker outage must not undo the report; the sweeper re-sends when the lease runs out.
    transaction.on_commit(publish, robust=True)


def _store_upsert(submission: Submission) -> bool:
    """Insert or replace the record in the store unless it holds this or a newer revision; True if changed.

    Insert first (the usual case). On a duplicate key, lock the stored row and replace it only with a
    newer revision: the unique constraint serialises two workers inserting the same key, and the row
    lock serialises two workers replacing it, so the newest revision always wins on PostgreSQL.
    """
    record = submission.record
    if not set(record) <= ALLOWED_FIELDS or record.get("pso_id") != submission.pso_id:
        raise RecordError("outbox row does not hold a de-identified record for its PSO")
    key = {"pso_id": submission.pso_id, "event_key": record["event_key"]}
    fields = {name: value for name, value in record.items() if name not in key}
    store = StoreRecord.objects.using(PSO_DB)
    with transaction.atomic(using=PSO_DB):
        try:
            with transaction.atomic(using=PSO_DB):
                store.create(**key, **fields)
        except IntegrityError:
            current = store.select_for_update().filter(**key).first()
            if current is None:
                raise  # not the key: a genuine integrity problem
            if current.revision >= record["revision"]:
                return False
            old = record_snapshot(current)
            store.filter(pk=current.pk).update(**fields, received_at=timezone.now())
            apply_record_change(old=old, new=record)
            return True
        apply_record_change(old=None, new=record)
        return True


def submission_push(submission: Submission) -> bool:
    """Upsert the record into its PSO's store, then mark the row pushed and announce the receipt.

    Idempotent: an older or equal revision never overwrites what the store holds, so replays are no-ops.
    `record_delivered` is sent once per row, in the transaction that marks it. Returns True when the
    store changed.
    """
    changed = _store_upsert(submission)
    with transaction.atomic():
        marked = Submission.objects.filter(pk=submission.pk, pushed_at__isnull=True).update(pushed_at=timezone.now())
        if marked:
            record_delivered.send(
                sender=Submission,
                event_key=submission.event_key,
                revision=submission.revision,
                pso_id=submission.pso_id,
            )
    return changed


def submission_deliver(submission_id: int) -> bool:
    """Deliver one outbox row by id (the task's body): claim an attempt, push, record any failure.

    Returns False without work when the row was delivered already. Transient errors propagate as they
    are (the task retries them); any other error is recorded and raised as a DeliveryError whose
    message holds no record content.
    """
    submission = Submission.objects.filter(pk=submission_id, pushed_at__isnull=True).first()
    if submission is None:
        return False
    attempt = submission.attempts + 1
    claimed = Submission.objects.filter(pk=submission.pk, pushed_at__isnull=True).update(
        attempts=F("attempts") + 1, next_attempt_at=timezone.now() + retry_delay(attempt)
    )
    if not claimed:
        return False
    try:
        return submission_push(submission)
    except TRANSIENT_ERRORS as exc:
        _record_failure(submission.pk, exc)
        raise
    except Exception as exc:
        message = _record_failure(submission.pk, exc)
        raise DeliveryError(message) from None


def _record_failure(submission_id: int, exc: BaseException) -> str:
    message = error_text(exc)
    log.warning("PSO delivery of submission %s failed: %s", submission_id, message)
    try:
        Submission.objects.filter(pk=submission_id, pushed_at__isnull=True).update(last_error=message)
    except DatabaseError:
        # The practice database itself is down; the lease set by the claim still brings the row back.
        log.warning("could not record the failure of submission %s", submission_id)
    return message


def _lease_and_publish(ids_attempts: Iterable[tuple[int, int]], now) -> int:
    """Move each row's lease out by the backoff of its next attempt, then publish its id after commit."""
    by_attempt: dict[int, list[int]] = defaultdict(list)
    for pk, attempts in ids_attempts:
        by_attempt[attempts].append(pk)
    for attempts, pks in by_attempt.items():
        Submission.objects.filter(pk__in=pks).update(next_attempt_at=now + retry_delay(attempts + 1))
    ids = sorted(pk for pks in by_attempt.values() for pk in pks)
    transaction.on_commit(lambda: _publish_now(ids))
    return len(ids)


def _publish_now(ids: list[int]) -> None:
    from .tasks import submission_push_task

    for n, pk in enumerate(ids):
        try:
            submission_push_task.apply_async((pk,), retry=True, retry_policy=SWEEP_PUBLISH_RETRY)
        except TRANSIENT_ERRORS as exc:
            # The broker went away mid-sweep; the leases bring the rest back on a later sweep.
            log.warning("outbox sweep: broker unavailable after %s of %s: %s", n, len(ids), error_text(exc))
            return


def submission_sweep(*, now=None, limit: int = SWEEP_BATCH) -> int:
    """Re-send undelivered rows whose lease has run out (oldest first); returns how many were sent.

    Covers what acks_late alone cannot: messages lost with a broker restart, a worker killed mid-task,
    a task that exhausted its retries while a database was down. `now` lets tests look ahead in time.
    """
    now = now or timezone.now()
    with transaction.atomic():
        due = list(
            Submission.objects.select_for_update(skip_locked=True)
            .filter(pushed_at__isnull=True, next_attempt_at__lte=now)
            .order_by("next_attempt_at", "pk")
            .values_list("pk", "attempts")[:limit]
        )
        sent = _lease_and_publish(due, now)
    if sent:
        log.info("outbox sweep: re-sent %s submission(s)", sent)
    return sent


def submission_requeue(*, ids: Iterable[int]) -> int:
    """Send the given undelivered rows again now (an operator's or PSO staff's retry); returns how many."""
    now = timezone.now()
    with transaction.atomic():
        rows = list(
            Submission.objects.select_for_update()
            .filter(pk__in=list(ids), pushed_at__isnull=True)
            .values_list("pk", "attempts")
        )
        return _lease_and_publish(rows, now)
