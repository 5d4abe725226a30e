"""E-mails sent once by beat sweeps: review deadline reminders and escalations, action owners' reminders.

Each e-mail has a key (what, which row, which due date). A sweep inserts the key's SentNotice row and sends in
the same transaction: a second sweep running at the same time waits on the unique key, then finds it taken and
sends nothing; a failed send rolls the row back, so the next sweep tries again.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from events.models import Event
from foundation.mail import MAIL_ERRORS
from foundation.taxonomy import review as rc
from foundation.taxonomy.events import OPEN_STATUSES
from practices.choices import AgreementState
from practices.models import NotificationSettings
from practices.selectors import reviewers_of

from .. import deadlines as dl
from ..models import ActionItem, DeadlinePolicy, Investigator, SentNotice

log = logging.getLogger(__name__)
ACTION_REMINDER_DAYS = 2  # owners hear of an action this many days before it is due, then on the day it is overdue


def notice_once(key: str, *, subject: str, message: str, recipients: list[str]) -> bool:
    """Send this e-mail unless a notice with `key` was sent already (by this sweep or one running beside it)."""
    recipients = sorted({r for r in recipients if r})
    if not recipients:
        return False
    try:
        with transaction.atomic():
            SentNotice.objects.create(key=key, recipients=len(recipients))
            send_mail(subject=subject, message=message, from_email=None, recipient_list=recipients)
    except IntegrityError:
        return False  # sent before, or by the sweep running beside this one
    except MAIL_ERRORS:
        log.warning("notice %s not sent; the next sweep retries", key)
        return False
    return True


def _link(name: str, pk: int) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(name, args=[pk])


def deadlines_sweep(*, today: dt.date | None = None) -> int:
    """Remind (on the due day) and escalate (the working day after) missed review deadlines; returns e-mails sent."""
    today = today or timezone.localdate()
    events = list(
        Event.objects.filter(status__in=OPEN_STATUSES, agreement__state=AgreementState.ACTIVE)
        .select_related("review")
        .only(
            "reference",
            "agreement_id",
            "classification",
            "status",
            "created_at",
            "review__harm",
            "review__possibly_reportable",
        )
        .order_by("agreement_id", "created_at")
    )
    if not events:
        return 0
    agreement_ids = {e.agreement_id for e in events}
    rules = {p.agreement_id: dl.Rules.of(p) for p in DeadlinePolicy.objects.filter(agreement_id__in=agreement_ids)}
    reviewers: dict[int, list[str]] = defaultdict(list)
    for membership in reviewers_of(agreement_ids=agreement_ids):
        reviewers[membership.agreement_id].append(membership.user.email)
    investigators = {
        i.event_id: i.user.email
        for i in Investigator.objects.filter(event__in=events, withdrawn_at__isnull=True)
        .select_related("user")
        .only("event_id", "user__email")
    }
    sent = 0
    for event in events:
        review = getattr(event, "review", None)
        rule = rules.get(event.agreement_id, dl.Rules())
        due = dl.deadlines_for(
            reported_on=timezone.localdate(event.created_at),
            classification=event.classification,
            harm=review.harm if review else "",
            status=event.status,
            rules=rule,
            possibly_reportable=review.possibly_reportable if review else None,
        )
        for kind, met, day in (("start", due.started, due.start_due), ("finish", due.finished, due.finish_due)):
            if met or today < day:
                continue
            escalate = today >= rule.next_working_day(day)
            step = "escalation" if escalate else "reminder"
            to = (
                reviewers[event.agreement_id]
                if escalate
                else ([investigators[event.pk]] if event.pk in investigators else reviewers[event.agreement_id])
            )
            if escalate:
                to = to + ([investigators[event.pk]] if event.pk in investigators else [])
            verb = "start" if kind == "start" else "finish"
            subject = (
                f"roils: {event.reference} missed its review {kind} date"
                if escalate
                else f"roils: {event.reference} review must {verb} today"
            )
            message = (
                f"Event {event.reference} was due to {verb} its review by {day:%A %B %d, %Y}"
                f"{' and has not' if escalate else ''}.\n"
                f"{'This is sent to both full-access users.' if escalate else ''}\n\n"
                f"{_link('review:event-detail', event.pk)}\n"
            )
            sent += notice_once(
                f"deadline:{kind}:{step}:{event.pk}:{day.isoformat()}", subject=subject, message=message, recipients=to
            )
    return sent


def action_reminders_sweep(*, today: dt.date | None = None) -> int:
    """Remind owners of actions due soon, and tell them on the day one falls overdue; returns e-mails sent."""
    today = today or timezone.localdate()
    items = (
        ActionItem.objects.filter(
            verified_at__isnull=True,
            due_date__lte=today + dt.timedelta(days=ACTION_REMINDER_DAYS),
            due_date__gte=today - dt.timedelta(days=1),
            event__agreement__state=AgreementState.ACTIVE,
        )
        .exclude(status=rc.ActionStatus.DONE)
        .exclude(owner__notification_settings__work_mail=NotificationSettings.WorkMail.OFF)
        .select_related("owner", "event")
        .only(
            "number",
            "due_date",
            "owner__email",
            "owner__first_name",
            "owner__last_name",
            "owner__username",
            "event__reference",
        )
    )
    sent = 0
    for item in items:
        overdue = item.due_date < today
        kind = "overdue" if overdue else "due"
        subject = (
            f"roils: action {item.number} of {item.event.reference} is overdue"
            if overdue
            else f"roils: action {item.number} of {item.event.reference} is due {item.due_date:%B %d}"
        )
        message = (
            f"Hello {item.owner},\n\nAction {item.number} of event {item.event.reference} "
            f"{'was' if overdue else 'is'} due on {item.due_date:%A %B %d, %Y}.\n"
            f"Record progress or mark it done here:\n\n{_link('review:action-work', item.pk)}\n"
        )
        sent += notice_once(
            f"action:{kind}:{item.pk}:{item.due_date.isoformat()}",
            subject=subject,
            message=message,
            recipients=[item.owner.email],
        )
    return sent
