"""Thin Celery wrappers around reporting services; they take ids only."""

from celery import shared_task

from .models import Submission
from .services import submission_push


@shared_task(bind=True, acks_late=True, max_retries=8, retry_backoff=True, soft_time_limit=60, time_limit=90)
def submission_push_task(self, submission_id: int) -> bool:
    """Deliver one outbox row to the PSO store (no-op if it was delivered already)."""
    submission = Submission.objects.filter(pk=submission_id, pushed_at__isnull=True).first()
    if submission is None:
        return False
    return submission_push(submission)
