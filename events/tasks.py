"""Thin Celery wrappers of the events app; they take ids only."""

import datetime as dt
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
from .services import drafts_expire

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


@shared_task(
    bind=True, acks_late=True, autoretry_for=(smtplib.SMTPException, ConnectionError, TimeoutError),
    max_retries=5, retry_backoff=True, soft_time_limit=60, time_limit=90,
)
def event_notify_task(self, event_id: int) -> int:
    """Email the agreement's active full-access users a link to a new event (no narrative). Returns the count."""
    with transaction.atomic():
        event = (
            Event.objects.select_for_update(of=("self",)).select_related("agreement__practice")
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


SWEEP_AFTER = dt.timedelta(minutes=5)  # give the on-commit delivery time to happen first
SWEEP_WINDOW = dt.timedelta(days=2)  # older misses are stale news; reviewers see them in the queue anyway


@shared_task(acks_late=True, soft_time_limit=60, time_limit=90)
def event_notify_sweep_task() -> int:
    """Re-queue notifications lost to a broker outage or a dead worker (beat, every few minutes)."""
    now = timezone.now()
    ids = list(
        Event.objects.filter(notified_at__isnull=True, created_at__range=(now - SWEEP_WINDOW, now - SWEEP_AFTER))
        .order_by("created_at").values_list("pk", flat=True)[:200]
    )
    for event_id in ids:
        event_notify_task.delay(event_id)
    return len(ids)


@shared_task
def drafts_expire_task() -> int:
    """Delete unfinished reports nobody has touched for DRAFT_RETENTION_DAYS (beat, daily)."""
    return drafts_expire()
