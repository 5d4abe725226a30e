"""Thin Celery wrappers of the events app; they take ids only."""

from celery import shared_task

from foundation.mail import MAIL_ERRORS

from .conversation import reporter_digests_send
from .services import drafts_expire, event_notify_reviewers, event_notify_sweep, narratives_rescrub


@shared_task(
    bind=True, acks_late=True, autoretry_for=MAIL_ERRORS, max_retries=5, retry_backoff=True,
    soft_time_limit=60, time_limit=90,
)
def event_notify_task(self, event_id: int) -> int:
    """event_notify_reviewers for one event, retried while the mail server is unreachable."""
    return event_notify_reviewers(event_id=event_id)


@shared_task(acks_late=True, soft_time_limit=60, time_limit=90)
def event_notify_sweep_task() -> int:
    """Email reviewers about every event not yet notified (beat, every roils.celery.NOTIFY_EVERY_SECONDS).

    This is how a deployment with a broker notifies: the web request only records the event, so a report
    costs no broker round trip and never waits on one, and an outage of Redis, the worker or the mail
    server delays emails without losing any. Returns how many events were notified.
    """
    return event_notify_sweep()


@shared_task
def drafts_expire_task() -> int:
    """Delete unfinished reports nobody has touched for DRAFT_RETENTION_DAYS (beat, daily)."""
    return drafts_expire()


@shared_task(acks_late=True, time_limit=3600)
def narratives_rescrub_task() -> int:
    """Nightly: stored scrubbed narratives made by an older scrubber are scrubbed again."""
    return narratives_rescrub()


@shared_task(acks_late=True, soft_time_limit=300, time_limit=360)
def reporter_digest_task() -> int:
    """Daily: each named reporter who wants it gets one e-mail listing news about their reports (at most one a day)."""
    return reporter_digests_send()
