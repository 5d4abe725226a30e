"""Thin Celery wrappers around review services."""

from celery import shared_task

from .services import reminders_send
from .services.notices import action_reminders_sweep, deadlines_sweep


@shared_task(acks_late=True, soft_time_limit=300, time_limit=360)
def review_reminders_task() -> int:
    """Daily: remind full-access users of events left untouched (7 days, then every 14)."""
    return reminders_send()


@shared_task(acks_late=True, soft_time_limit=300, time_limit=360)
def review_deadlines_task() -> int:
    """Hourly: remind and escalate missed review deadlines (each e-mail once)."""
    return deadlines_sweep()


@shared_task(acks_late=True, soft_time_limit=300, time_limit=360)
def action_reminders_task() -> int:
    """Hourly: remind action owners before the due date and on the day it falls overdue (each e-mail once)."""
    return action_reminders_sweep()
