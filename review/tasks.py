"""Thin Celery wrappers around review services."""

from celery import shared_task

from .services import reminders_send


@shared_task(acks_late=True, soft_time_limit=300, time_limit=360)
def review_reminders_task() -> int:
    """Daily: remind full-access users of events left untouched (7 days, then every 14)."""
    return reminders_send()
