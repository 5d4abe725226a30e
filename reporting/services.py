"""Writes of the reporting app: the outbox of de-identified records and their delivery to the PSO store.

Delivery is at least once, with an exactly-once effect, in batches:
* `submission_enqueue` writes the outbox row in the caller's (review's) transaction and publishes its id
  after commit, in one message with the other rows of that transaction (up to BATCH_SIZE ids per
  message); a broker outage never undoes a report.
* `submission_deliver_many` (the task's body) claims the rows (attempts + 1, and a lease: `next_attempt_at`
  moves out by an exponential backoff), writes the batch into the PSO store in one transaction keyed by
  (pso_id, event_key), where an older or equal revision never overwrites a newer one, updates the rollups
  once for the batch in the same transaction, and then marks the rows pushed in one practice transaction.
  Any step may be repeated after a crash: a repeat upsert is a no-op and the mark is conditional.
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
from django.db import DatabaseError, IntegrityError, InterfaceError, OperationalError, connections, transaction
from django.db.models import Q
from django.utils import timezone

from practices.models import Agreement
from roils.routers import PSO_DB

from .deidentify import ALLOWED_FIELDS, RecordError, deidentify
from .models import StoreRecord, Submission
from .rollups import apply_record_changes, record_snapshot
from .signals import records_delivered

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
SWEEP_BATCH = 50_000  # rows per sweep: a 100,000-row backlog is re-sent within two sweeps (250 batches each)
BATCH_SIZE = 200  # outbox rows per delivery message: one claim, one store transaction, one mark
_INSERT_CHUNK = 500  # rows per INSERT statement (bind parameters stay under every backend's limit)
_PENDING = "_roils_outbox_pending"  # the connection attribute holding ids to publish after commit
LEASE_RATE = 100  # records/s a worker delivers at the least (the bench measures more): sizes a backlog's lease
STORE_KEY = ("pso_id", "event_key")
_STORE_FIELDS = [field for field in StoreRecord._meta.concrete_fields if not field.primary_key]
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
    """Publish the ids after the caller commits, in batches: one message for the rows of one transaction.

    Each call registers its own callback (so a rolled-back savepoint drops only its own), and the ids wait in
    a list on the connection; the first callback to run after commit publishes all of them in batches and
    the rest find the list empty. An id left there by a rolled-back transaction names no row and is dropped.
    """
    connection = transaction.get_connection()
    pending = connection.__dict__.setdefault(_PENDING, [])
    pending.extend(ids)
    # robust: a broker outage must not undo the report; the sweeper re-sends when the lease runs out.
    transaction.on_commit(lambda: _publish_pending(connection), robust=True)


def _publish_pending(connection) -> None:
    from .tasks import submission_push_batch_task

    ids = sorted(set(connection.__dict__.pop(_PENDING, ())))
    if not ids:
        return
    # Ids left by a rolled-back transaction name no row: keep the undelivered rows that exist (one query a commit).
    undelivered = Submission.objects.filter(pk__in=ids, pushed_at__isnull=True).order_by("pk")
    ids = list(undelivered.values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH_SIZE):
        submission_push_batch_task.delay(ids[start : start + BATCH_SIZE])


def _check(submission: Submission) -> None:
    record = submission.record
    if not set(record) <= ALLOWED_FIELDS or record.get("pso_id") != submission.pso_id:
        raise RecordError("outbox row does not hold a de-identified record for its PSO")


def _store_row_values(connection, submission: Submission) -> list:
    """The column values of the store row of one outbox record, adapted for the PSO database."""
    row = StoreRecord(**{**submission.record, "pso_id": submission.pso_id})
    return [field.get_db_prep_save(getattr(row, field.attname), connection) for field in _STORE_FIELDS]


def _insert_new(submissions: list[Submission]) -> set[tuple[int, str]]:
    """INSERT .. ON CONFLICT DO NOTHING the records (sorted by key); returns the keys actually inserted.

    A key already stored (or being inserted by another worker, whose commit PostgreSQL waits for) is skipped
    here and compared by revision under a row lock in `_store_upsert_many`.
    """
    connection = connections[PSO_DB]
    quote = connection.ops.quote_name
    table = quote(StoreRecord._meta.db_table)
    columns = ", ".join(quote(field.column) for field in _STORE_FIELDS)
    row = "(" + ", ".join(["%s"] * len(_STORE_FIELDS)) + ")"
    inserted: set[tuple[int, str]] = set()
    with connection.cursor() as cursor:
        for start in range(0, len(submissions), _INSERT_CHUNK):
            chunk = submissions[start : start + _INSERT_CHUNK]
            # Identifiers come from model metadata (quoted); every value is a query parameter.
            sql = (
                f"INSERT INTO {table} ({columns}) VALUES {', '.join([row] * len(chunk))} "  # noqa: S608
                f"ON CONFLICT ({quote('pso_id')}, {quote('event_key')}) DO NOTHING "
                f"RETURNING {quote('pso_id')}, {quote('event_key')}"
            )
            cursor.execute(sql, [value for submission in chunk for value in _store_row_values(connection, submission)])
            inserted.update((int(pso_id), key) for pso_id, key in cursor.fetchall())
    return inserted


def _store_upsert_many(submissions: list[Submission]) -> set[int]:
    """Write a batch of records into the store in one transaction; returns the outbox ids whose record changed.

    New keys are inserted in one statement; a stored key is locked and replaced only by a newer revision
    (so the newest revision always wins, and a replay is a no-op); the rollups get the batch's net change
    in one set of upserts. Within a batch, only the newest revision of a key is written.
    """
    newest: dict[tuple[int, str], Submission] = {}
    for submission in submissions:
        _check(submission)
        key = (submission.pso_id, submission.record["event_key"])
        if key not in newest or newest[key].record["revision"] < submission.record["revision"]:
            newest[key] = submission
    ordered = [newest[key] for key in sorted(newest)]  # one lock order for every worker: no deadlocks
    changed: set[int] = set()
    changes: list[tuple[dict | None, dict]] = []
    store = StoreRecord.objects.using(PSO_DB)
    with transaction.atomic(using=PSO_DB):
        inserted = _insert_new(ordered) if ordered else set()
        for key in inserted:
            changed.add(newest[key].pk)
            changes.append((None, newest[key].record))
        rest = [key for key in sorted(newest) if key not in inserted]
        if rest:
            by_pso: dict[int, list[str]] = defaultdict(list)
            for pso_id, event_key in rest:
                by_pso[pso_id].append(event_key)
            keys = Q()
            for pso_id, event_keys in by_pso.items():
                keys |= Q(pso_id=pso_id, event_key__in=event_keys)
            current = {
                (row.pso_id, row.event_key): row
                for row in store.select_for_update().filter(keys).order_by("pso_id", "event_key")
            }
            now = timezone.now()
            for key in rest:
                submission, row = newest[key], current.get(key)
                if row is None:
                    raise IntegrityError("store row missing after a key conflict")
                if row.revision >= submission.record["revision"]:
                    continue
                fields = {name: value for name, value in submission.record.items() if name not in STORE_KEY}
                store.filter(pk=row.pk).update(**fields, received_at=now)
                changed.add(submission.pk)
                changes.append((record_snapshot(row), submission.record))
        if changes:
            apply_record_changes(changes)
    return changed


def _store_upsert(submission: Submission) -> bool:
    """Insert or replace one record in the store unless it holds this or a newer revision; True if changed."""
    return bool(_store_upsert_many([submission]))


def _mark_pushed(submissions: list[Submission]) -> None:
    """Mark the rows pushed and send `records_delivered` for them, in one practice-database transaction."""
    with transaction.atomic():
        marked = list(
            Submission.objects.select_for_update()
            .filter(pk__in=[s.pk for s in submissions], pushed_at__isnull=True)
            .order_by("pk")
            .values_list("pk", "event_key", "revision", "pso_id")
        )
        if not marked:
            return
        Submission.objects.filter(pk__in=[pk for pk, *_ in marked]).update(pushed_at=timezone.now())
        records_delivered.send(sender=Submission, deliveries=[tuple(row[1:]) for row in marked])


def submission_push_many(submissions: list[Submission]) -> set[int]:
    """Upsert a batch of records into their PSOs' store, then mark the rows pushed and announce the receipts.

    Idempotent: an older or equal revision never overwrites what the store holds, so replays are no-ops,
    and a row is marked (and its receipt sent) only once. Returns the ids whose store record changed.
    """
    changed = _store_upsert_many(submissions) if submissions else set()
    _mark_pushed(submissions)
    return changed


def submission_push(submission: Submission) -> bool:
    """Push one outbox row (see `submission_push_many`); True when the store changed."""
    return bool(submission_push_many([submission]))


def _claim(ids: Iterable[int]) -> list[Submission]:
    """Claim an attempt on each undelivered row of `ids` not being claimed by another worker right now.

    attempts + 1, and a lease: `next_attempt_at` moves out by the backoff of this attempt, so the sweeper
    leaves the row alone while this delivery may still be running.
    """
    now = timezone.now()
    with transaction.atomic():
        rows = list(
            Submission.objects.select_for_update(skip_locked=True)
            .filter(pk__in=list(ids), pushed_at__isnull=True)
            .order_by("pk")
        )
        by_attempt: dict[int, list[int]] = defaultdict(list)
        for row in rows:
            by_attempt[row.attempts + 1].append(row.pk)
            row.attempts += 1
        for attempt, pks in by_attempt.items():
            Submission.objects.filter(pk__in=pks).update(attempts=attempt, next_attempt_at=now + retry_delay(attempt))
    return rows


def submission_deliver_many(submission_ids: Iterable[int]) -> set[int]:
    """Deliver a batch of outbox rows by id (the task's body): claim, push in one store transaction, mark.

    Rows delivered already (or claimed by another worker) are skipped. A row whose record is not a
    de-identified record for its PSO is set aside with its error and the rest are delivered; then a
    DeliveryError (no record content in its message) is raised. Transient errors propagate as they are
    (the task retries them) after the failure is recorded on every claimed row. Returns the ids whose
    store record changed.
    """
    rows = _claim(submission_ids)
    if not rows:
        return set()
    good, bad = [], []
    for row in rows:
        try:
            _check(row)
        except RecordError as exc:
            bad.append((row, exc))
        else:
            good.append(row)
    try:
        changed = submission_push_many(good) if good else set()
    except TRANSIENT_ERRORS as exc:
        _record_failure([row.pk for row in good], exc)
        raise
    except Exception as exc:
        message = _record_failure([row.pk for row in good], exc)
        raise DeliveryError(message) from None
    for row, exc in bad:
        message = _record_failure([row.pk], exc)
    if bad:
        raise DeliveryError(message)
    return changed


def submission_deliver(submission_id: int) -> bool:
    """Deliver one outbox row by id; False without work when it was delivered already (see the batch form)."""
    return bool(submission_deliver_many([submission_id]))


def _record_failure(submission_ids: list[int], exc: BaseException) -> str:
    message = error_text(exc)
    log.warning("PSO delivery of %s submission(s) failed: %s", len(submission_ids), message)
    try:
        Submission.objects.filter(pk__in=submission_ids, pushed_at__isnull=True).update(last_error=message)
    except DatabaseError:
        # The practice database itself is down; the lease set by the claim still brings the rows back.
        log.warning("could not record the failure of %s submission(s)", len(submission_ids))
    return message


def queue_allowance(rows: int) -> timedelta:
    """Extra lease for rows published together: the time the batches ahead of the last one may wait in the queue."""
    return timedelta(seconds=(rows // BATCH_SIZE) * BATCH_SIZE / LEASE_RATE)


def _lease_and_publish(ids_attempts: Iterable[tuple[int, int]], now) -> int:
    """Move each row's lease out by the backoff of its next attempt, then publish its id after commit.

    A large backlog also gets the time its queue takes to drain, so that the next sweep does not re-send rows
    whose messages are still waiting behind the others.
    """
    by_attempt: dict[int, list[int]] = defaultdict(list)
    ids_attempts = list(ids_attempts)
    allowance = queue_allowance(len(ids_attempts))
    for pk, attempts in ids_attempts:
        by_attempt[attempts].append(pk)
    for attempts, pks in by_attempt.items():
        Submission.objects.filter(pk__in=pks).update(next_attempt_at=now + retry_delay(attempts + 1) + allowance)
    ids = sorted(pk for pks in by_attempt.values() for pk in pks)
    transaction.on_commit(lambda: _publish_now(ids))
    return len(ids)


def _publish_now(ids: list[int]) -> None:
    from .tasks import submission_push_batch_task

    for start in range(0, len(ids), BATCH_SIZE):
        try:
            submission_push_batch_task.apply_async(
                (ids[start : start + BATCH_SIZE],), retry=True, retry_policy=SWEEP_PUBLISH_RETRY
            )
        except TRANSIENT_ERRORS as exc:
            # The broker went away mid-sweep; the leases bring the rest back on a later sweep.
            log.warning("outbox sweep: broker unavailable after %s of %s: %s", start, len(ids), error_text(exc))
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
