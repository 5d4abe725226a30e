"""Batched delivery: one message per transaction's rows, one store transaction per batch, still exactly once."""

import random
import threading

import pytest
from django.db import connections, transaction

from reporting.models import StoreRecord, Submission
from reporting.rollups import rollups_rebuild
from reporting.services import BATCH_SIZE, DeliveryError, submission_deliver_many, submission_enqueue
from reporting.signals import records_delivered
from tests.reporting.outbox_records import raw_record, real_broker, second_pso
from tests.reporting.test_rollups import snapshot

pytestmark = pytest.mark.django_db(databases=["default", "pso"])


def _enqueue(agreement, **kwargs) -> Submission:
    return submission_enqueue(record=raw_record(agreement=agreement, **kwargs), agreement_id=agreement.pk)


def test_submission_enqueue_many_in_one_transaction_one_message_per_batch(world, django_capture_on_commit_callbacks):
    from reporting import tasks

    agreement = world["agreements"]["riverside"]
    sent = []
    original = tasks.submission_push_batch_task.delay
    tasks.submission_push_batch_task.delay = lambda ids: sent.append(list(ids))
    try:
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            rows = [_enqueue(agreement, n=n) for n in range(BATCH_SIZE + 5)]
    finally:
        tasks.submission_push_batch_task.delay = original
    assert [len(ids) for ids in sent] == [BATCH_SIZE, 5]
    assert sorted(pk for ids in sent for pk in ids) == sorted(r.pk for r in rows)


def test_submission_deliver_many_mixed_batch_equals_rebuild_and_marks_each_once(world):
    agreement, other = world["agreements"]["riverside"], second_pso()["agreement"]
    rng = random.Random(7)
    with real_broker("memory://"):  # queued, not delivered: the batch below is the worker
        first = [_enqueue(agreement, n=n, quarter=rng.choice(["2026Q1", "2026Q2"])) for n in range(10)]
        submission_deliver_many([s.pk for s in first[:5]])  # five already stored at revision 1
        rows = (
            first[5:]
            + [_enqueue(agreement, n=n, revision=2, classification="unsafe_condition") for n in range(3)]
            + [_enqueue(agreement, n=n, revision=3, harm="mild") for n in range(2)]
            + [_enqueue(other, n=1)]
        )
    receipts = []

    def receiver(sender, deliveries, **kwargs):
        receipts.extend(deliveries)

    records_delivered.connect(receiver, dispatch_uid="test-batch")
    try:
        changed = submission_deliver_many([s.pk for s in rows] + [first[0].pk])
    finally:
        records_delivered.disconnect(dispatch_uid="test-batch")
    assert len(receipts) == len(rows) == len(set(receipts))
    # key n=0,1: revision 3 wins over 2 in the same batch; n=2: revision 2 replaces 1; the rest are new.
    assert len(changed) == 5 + 3 + 1
    assert not Submission.objects.filter(pushed_at__isnull=True).exists()
    assert StoreRecord.objects.count() == 11
    stored = dict(StoreRecord.objects.filter(pso_id=agreement.pso_id).values_list("event_key", "revision"))
    assert sorted(stored.values()) == [1] * 7 + [2, 3, 3]
    live = snapshot()
    rollups_rebuild()
    assert snapshot() == live
    assert submission_deliver_many([s.pk for s in rows]) == set()  # replayed message: nothing to do


def test_submission_deliver_many_bad_row_set_aside_rest_delivered(world):
    agreement = world["agreements"]["riverside"]
    with real_broker("memory://"):
        rows = [_enqueue(agreement, n=n, narrative="Secret narrative.") for n in range(4)]
    Submission.objects.filter(pk=rows[1].pk).update(record={**rows[1].record, "patient_name": "X"})
    with pytest.raises(DeliveryError) as caught:
        submission_deliver_many([r.pk for r in rows])
    assert "Secret" not in str(caught.value)
    assert StoreRecord.objects.count() == 3
    bad = Submission.objects.get(pk=rows[1].pk)
    assert bad.pushed_at is None and bad.last_error.startswith("RecordError") and bad.attempts == 1


@pytest.mark.django_db(transaction=True, databases=["default", "pso"])
def test_submission_deliver_many_two_workers_same_batch_each_record_once(world):
    """Two workers get the same ids (a redelivered message): every row is stored and marked exactly once."""
    agreement = world["agreements"]["riverside"]
    with real_broker("memory://"):
        with transaction.atomic():
            rows = [_enqueue(agreement, n=n) for n in range(60)]
        with transaction.atomic():
            rows += [_enqueue(agreement, n=n, revision=2) for n in range(0, 60, 3)]
    ids = [r.pk for r in rows]
    errors, barrier = [], threading.Barrier(2)

    def deliver(order):
        try:
            barrier.wait(timeout=10)
            submission_deliver_many(order)
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=deliver, args=(order,)) for order in (ids, ids[::-1])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    submission_deliver_many(ids)  # whatever a skipped claim left
    assert errors == []
    assert StoreRecord.objects.count() == 60
    assert sorted(StoreRecord.objects.values_list("revision", flat=True)) == [1] * 40 + [2] * 20
    assert not Submission.objects.filter(pushed_at__isnull=True).exists()
    live = snapshot()
    rollups_rebuild()
    assert snapshot() == live


def test_submission_sweep_large_backlog_lease_covers_its_queue(world, django_capture_on_commit_callbacks):
    """A backlog's last batches wait behind the first: the next sweep must not send them again meanwhile."""
    from datetime import timedelta

    from django.utils import timezone

    from reporting.services import LEASE_RATE, retry_delay, submission_sweep

    agreement = world["agreements"]["riverside"]
    with real_broker("memory://"), transaction.atomic():
        for n in range(2 * BATCH_SIZE + 10):
            _enqueue(agreement, n=n)
    now = timezone.now() + timedelta(hours=2)
    with real_broker("memory://"):
        assert submission_sweep(now=now) == 2 * BATCH_SIZE + 10
    allowance = timedelta(seconds=2 * BATCH_SIZE / LEASE_RATE)
    assert set(Submission.objects.values_list("next_attempt_at", flat=True)) == {now + retry_delay(1) + allowance}
    assert submission_sweep(now=now + retry_delay(1) + timedelta(seconds=1)) == 0
