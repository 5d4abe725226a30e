"""Thin Celery wrappers around reporting services; they take ids only (the database row is the truth)."""

from celery import shared_task

from .services import TRANSIENT_ERRORS, submission_deliver, submission_deliver_many, submission_sweep


@shared_task(
    bind=True,
    acks_late=True,  # a worker killed mid-task leaves the message to be delivered again
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=True,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=5,  # then the beat sweeper takes over, with its own (longer) backoff
    soft_time_limit=30,
    time_limit=45,
)
def submission_push_task(self, submission_id: int) -> bool:
    """Deliver one outbox row to its PSO's store (no-op if it was delivered already)."""
    return submission_deliver(submission_id)


@shared_task(
    bind=True,
    acks_late=True,  # a worker killed mid-batch leaves the message to be delivered again
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=True,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=5,  # then the beat sweeper takes over, with its own (longer) backoff
    soft_time_limit=30,
    time_limit=45,
)
def submission_push_batch_task(self, submission_ids: list[int]) -> int:
    """Deliver a batch of outbox rows to their PSOs' store in one transaction; returns how many changed it."""
    return len(submission_deliver_many(submission_ids))


@shared_task(acks_late=True, soft_time_limit=50, time_limit=55)
def submission_sweep_task() -> int:
    """Re-send undelivered outbox rows whose lease has run out (beat, every minute)."""
    return submission_sweep()


@shared_task(acks_late=True, soft_time_limit=600, time_limit=660)
def safety_signals_task() -> int:
    """Find safety signals across practices in every PSO's store (beat, daily; idempotent)."""
    from .safety import signals_detect

    return signals_detect()
