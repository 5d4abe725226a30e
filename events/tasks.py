"""Thin Celery wrappers of the events app; they take ids only."""

import datetime as dt
import logging
import smtplib

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from practices.choices import Role
from practices.models import Membership

from .models import Event
from .services import drafts_expire, narratives_rescrub

logger = logging.getLogger(__name__)

# Where a reviewer should land, most specific first; the review app may not be installed yet.
REVIEW_LINKS = (("review:event-detail", True), ("review:queue", False), ("home", False))


def review_link(event_id: int) -> str:
    """An absolute link to the event in the review app (or the queue); never any event content."""
    for name, takes_pk in REVIEW_LINKS:
        try:
            path = reverse(name, args=[event_id] if takes_pk else [])
        except NoReverseMatch:
            continue
        return settings.SITE_URL.rstrip("/") + path
    return settings.SITE_URL


def notify_reviewers(event_id: int) -> int:
    """Email the agreement's active full-access users a link to a new event, once (no narrative).

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
        recipients = sorted(
            Membership.objects.filter(
                agreement_id=event.agreement_id, role=Role.FULL_ACCESS, is_active=True, user__is_active=True
            ).exclude(user__email="").values_list("user__email", flat=True)
        )
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


MAIL_ERRORS = (smtplib.SMTPException, ConnectionError, TimeoutError)


@shared_task(
    bind=True, acks_late=True, autoretry_for=MAIL_ERRORS, max_retries=5, retry_backoff=True,
    soft_time_limit=60, time_limit=90,
)
def event_notify_task(self, event_id: int) -> int:
    """notify_reviewers for one event, retried while the mail server is unreachable."""
    return notify_reviewers(event_id)


SWEEP_WINDOW = dt.timedelta(days=2)  # older misses are stale news; reviewers see them in the queue anyway
SWEEP_BATCH = 200


@shared_task(acks_late=True, soft_time_limit=60, time_limit=90)
def event_notify_sweep_task() -> int:
    """Email reviewers about every event not yet notified (beat, every roils.celery.NOTIFY_EVERY_SECONDS).

    This is how a deployment with a broker notifies: the web request only records the event, so a report
    costs no broker round trip and never waits on one, and an outage of Redis, the worker or the mail
    server delays emails without losing any. Returns how many events were notified.
    """
    ids = list(
        Event.objects.filter(notified_at__isnull=True, created_at__gte=timezone.now() - SWEEP_WINDOW)
        .order_by("created_at").values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    notified = 0
    for event_id in ids:
        try:
            notified += notify_reviewers(event_id) > 0
        except MAIL_ERRORS:
            logger.warning("mail server unavailable; %d new events wait for the next sweep", len(ids) - notified)
            break
    return notified


@shared_task
def drafts_expire_task() -> int:
    """Delete unfinished reports nobody has touched for DRAFT_RETENTION_DAYS (beat, daily)."""
    return drafts_expire()


@shared_task(acks_late=True, time_limit=3600)
def narratives_rescrub_task() -> int:
    """Nightly: stored scrubbed narratives made by an older scrubber are scrubbed again."""
    return narratives_rescrub()
