"""Delivery into the PSO store: idempotent upsert per (PSO, event key), newest revision wins, receipts once."""

import threading
from contextlib import contextmanager
from unittest import mock

import pytest
from django.db import OperationalError, connections
from django.utils import timezone

from reporting.models import StoreRecord, Submission
from reporting.services import (
    DeliveryError,
    _store_upsert,
    retry_delay,
    submission_deliver,
    submission_enqueue,
    submission_push,
)
from reporting.signals import records_delivered
from reporting.tasks import submission_push_task

from .outbox_records import raw_record, real_broker, second_pso

pytestmark = pytest.mark.django_db(databases=["default", "pso"])


@contextmanager
def receipts():
    """Collect the deliveries of records_delivered signals as (event_key, revision, pso_id)."""
    seen = []

    def receiver(sender, deliveries, **kwargs):
        seen.extend(deliveries)

    records_delivered.connect(receiver, dispatch_uid="test-receipts")
    try:
        yield seen
    finally:
        records_delivered.disconnect(dispatch_uid="test-receipts")


def _enqueue(agreement, **kwargs) -> Submission:
    return submission_enqueue(record=raw_record(agreement=agreement, **kwargs), agreement_id=agreement.pk)


def test_submission_push_new_record_creates_store_row_and_marks_pushed(world):
    agreement = world["agreements"]["riverside"]
    submission = _enqueue(agreement)
    with receipts() as seen:
        assert submission_push(submission) is True
    stored = StoreRecord.objects.get()
    assert (stored.pso_id, stored.event_key, stored.revision) == (agreement.pso_id, submission.event_key, 1)
    assert stored.techniques == ["imrt_vmat", "srs_sbrt"]
    submission.refresh_from_db()
    assert submission.pushed_at is not None
    assert seen == [(submission.event_key, 1, agreement.pso_id)]


def test_submission_push_replayed_is_noop_and_receipt_sent_once(world):
    submission = _enqueue(world["agreements"]["riverside"])
    with receipts() as seen:
        assert submission_push(submission) is True
        assert submission_push(submission) is False
        assert submission_deliver(submission.pk) is False
    assert StoreRecord.objects.count() == 1
    assert len(seen) == 1


def test_submission_push_reopened_event_newer_revision_replaces_record(world):
    agreement = world["agreements"]["riverside"]
    submission_push(_enqueue(agreement, revision=1, narrative="First account."))
    submission_push(_enqueue(agreement, revision=2, narrative="Second account, after the reopened review."))
    stored = StoreRecord.objects.get()
    assert stored.revision == 2
    assert stored.narrative == "Second account, after the reopened review."


def test_submission_push_older_revision_delivered_late_is_ignored(world):
    agreement = world["agreements"]["riverside"]
    first = _enqueue(agreement, revision=1, narrative="First account.")
    second = _enqueue(agreement, revision=2, narrative="Second account.")
    assert submission_push(second) is True
    with receipts() as seen:
        assert submission_push(first) is False
    stored = StoreRecord.objects.get()
    assert (stored.revision, stored.narrative) == (2, "Second account.")
    first.refresh_from_db()
    assert first.pushed_at is not None  # superseded, so done: the sweeper must not send it again
    assert seen == [(first.event_key, 1, agreement.pso_id)]  # review ignores it: the event is at revision 2


def test_submission_push_two_psos_each_record_only_in_its_pso(world):
    other = second_pso()
    ours = _enqueue(world["agreements"]["riverside"], n=1)
    theirs = _enqueue(other["agreement"], n=2)
    submission_push(ours)
    submission_push(theirs)
    by_pso = dict(StoreRecord.objects.values_list("event_key", "pso_id"))
    assert by_pso == {ours.event_key: world["pso"].pk, theirs.event_key: other["pso"].pk}


def test_submission_push_same_event_key_two_psos_two_separate_rows(world):
    other = second_pso()
    for agreement in (world["agreements"]["riverside"], other["agreement"]):
        submission_push(_enqueue(agreement, n=7, narrative=f"Told to PSO {agreement.pso_id}."))
    rows = StoreRecord.objects.order_by("pso_id").values_list("pso_id", "narrative")
    assert list(rows) == [(p, f"Told to PSO {p}.") for p in sorted([world["pso"].pk, other["pso"].pk])]


def test_submission_push_receiver_error_leaves_row_undelivered_then_receipt_on_retry(world):
    submission = _enqueue(world["agreements"]["riverside"])

    def failing(sender, **kwargs):
        raise RuntimeError("review is redeploying")

    records_delivered.connect(failing, dispatch_uid="test-failing")
    try:
        with pytest.raises(RuntimeError):
            submission_push(submission)
    finally:
        records_delivered.disconnect(dispatch_uid="test-failing")
    submission.refresh_from_db()
    assert submission.pushed_at is None
    with receipts() as seen:
        assert submission_deliver(submission.pk) is False  # the store already holds it
    assert len(seen) == 1
    assert StoreRecord.objects.count() == 1


def test_submission_deliver_crash_after_store_commit_replay_marks_once(world):
    submission = _enqueue(world["agreements"]["riverside"])
    assert _store_upsert(submission) is True  # the worker died right after the store committed
    with receipts() as seen:
        assert submission_deliver(submission.pk) is False
    submission.refresh_from_db()
    assert submission.pushed_at is not None and submission.attempts == 1
    assert StoreRecord.objects.count() == 1 and len(seen) == 1


def test_submission_deliver_store_down_records_attempt_error_and_backoff(world):
    submission = _enqueue(world["agreements"]["riverside"])
    before = timezone.now()
    down = OperationalError("could not connect to server: Connection refused")
    with mock.patch("reporting.services._store_upsert_many", side_effect=down), pytest.raises(OperationalError):
        submission_deliver(submission.pk)
    with mock.patch("reporting.services._store_upsert_many", side_effect=down), pytest.raises(OperationalError):
        submission_deliver(submission.pk)
    submission.refresh_from_db()
    assert submission.pushed_at is None
    assert submission.attempts == 2
    assert submission.last_error == "OperationalError: could not connect to server: Connection refused"
    assert submission.next_attempt_at >= before + retry_delay(2)
    assert submission_deliver(submission.pk) is True  # the store is back
    submission.refresh_from_db()
    assert submission.pushed_at is not None and submission.attempts == 3


def test_submission_deliver_bad_row_raises_delivery_error_without_record_content(world):
    submission = _enqueue(world["agreements"]["riverside"], narrative="Secret narrative text.")
    Submission.objects.filter(pk=submission.pk).update(record={**submission.record, "patient_name": "X"})
    with pytest.raises(DeliveryError) as caught:
        submission_deliver(submission.pk)
    submission.refresh_from_db()
    assert "Secret" not in str(caught.value) and "Secret" not in submission.last_error
    assert submission.last_error.startswith("RecordError")
    assert submission.attempts == 1 and submission.pushed_at is None
    assert not StoreRecord.objects.exists()


def test_error_text_drops_detail_lines():
    from reporting.services import error_text

    exc = Exception('null value in column "x"\nDETAIL:  Failing row contains (1, narrative with a name).')
    assert error_text(exc) == 'Exception: null value in column "x"'


def test_submission_push_task_eager_delivers_and_returns_false_when_done(world):
    submission = _enqueue(world["agreements"]["riverside"])
    assert submission_push_task.delay(submission.pk).get() is True
    assert submission_push_task.delay(submission.pk).get() is False
    assert StoreRecord.objects.count() == 1


@pytest.mark.django_db(transaction=True, databases=["default", "pso"])
def test_store_upsert_concurrent_workers_same_key_newest_revision_wins(world):
    """Two workers race on each key (new key and existing key); no error, no duplicate, the newest wins."""
    agreement = world["agreements"]["riverside"]
    pairs = []
    with real_broker("memory://"):  # queued, not delivered at once: the threads below are the workers
        for n in range(12):
            if n % 2:  # an existing key: the race is between two replacements
                submission_push(_enqueue(agreement, n=n, revision=1))
            pairs.append((_enqueue(agreement, n=n, revision=2), _enqueue(agreement, n=n, revision=3)))
    assert StoreRecord.objects.count() == 6
    errors = []

    def deliver(submission, barrier):
        try:
            barrier.wait(timeout=10)
            _store_upsert(submission)
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connections.close_all()

    for older, newer in pairs:
        barrier = threading.Barrier(2)
        threads = [threading.Thread(target=deliver, args=(s, barrier)) for s in (newer, older)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert errors == []
    assert StoreRecord.objects.count() == 12
    assert set(StoreRecord.objects.values_list("revision", flat=True)) == {3}
