"""Reminders: one email per reviewer listing their events nobody has touched for a week."""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import F, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone

from events.models import Event
from foundation.mail import MAIL_ERRORS
from foundation.taxonomy.events import OPEN_STATUSES, EventStatus
from practices.choices import AgreementState
from practices.selectors import reviewers_of

from ..models import Reminder

log = logging.getLogger(__name__)

S = EventStatus
REMINDER_FIRST = dt.timedelta(days=7)
REMINDER_REPEAT = dt.timedelta(days=14)


def reminders_due(now: dt.datetime):
    """Open events untouched for 7 days whose last reminder is older than 14 days or than the last touch."""
    last = Subquery(Reminder.objects.filter(event=OuterRef("pk")).order_by("-sent_at").values("sent_at")[:1])
    return (
        Event.objects.filter(status__in=OPEN_STATUSES, last_activity_at__lte=now - REMINDER_FIRST,
                             agreement__state=AgreementState.ACTIVE)
        .annotate(last_reminded=last)
        .filter(Q(last_reminded__isnull=True) | Q(last_reminded__lt=F("last_activity_at"))
                | Q(last_reminded__lte=now - REMINDER_REPEAT))
        .select_related("facility")
        .order_by("agreement_id", "last_activity_at")
    )


def reminders_send(*, now: dt.datetime | None = None) -> int:
    """Email each full-access user one list of links to their untouched events; returns emails sent."""
    now = now or timezone.now()
    events = list(reminders_due(now))
    if not events:
        return 0
    by_agreement: dict[int, list[Event]] = defaultdict(list)
    for event in events:
        by_agreement[event.agreement_id].append(event)
    members = [m for m in reviewers_of(agreement_ids=by_agreement) if m.user.email]
    per_user: dict = defaultdict(list)
    users = {}
    for membership in members:
        users[membership.user_id] = membership.user
        per_user[membership.user_id].extend(by_agreement[membership.agreement_id])
    sent = 0
    recipients: dict[int, int] = defaultdict(int)
    for user_id, user_events in per_user.items():
        try:
            send_mail(
                subject=f"roils: {len(user_events)} event(s) waiting for review",
                message=_reminder_text(users[user_id], user_events, now),
                from_email=None,
                recipient_list=[users[user_id].email],
            )
        except MAIL_ERRORS:
            # The events nobody was told about yet stay unreminded, for the next run; those told are recorded.
            log.warning("mail server unavailable; %d reminder(s) wait for the next run", len(per_user) - sent)
            break
        sent += 1
        for event in user_events:
            recipients[event.pk] += 1
    # Only events someone was told about count as reminded.
    Reminder.objects.bulk_create(
        [Reminder(event=e, sent_at=now, recipients=recipients[e.pk]) for e in events if recipients[e.pk]]
    )
    return sent


def _reminder_text(user, events: list[Event], now: dt.datetime) -> str:
    """Links and coded facts only: never a narrative or a title."""
    site = settings.SITE_URL.rstrip("/")
    lines = [f"Hello {user.get_full_name() or user.username},", "",
             "These events have not been touched for a week or more:", ""]
    for event in events:
        days = (now - event.last_activity_at).days
        url = site + reverse("review:event-detail", args=[event.pk])
        lines.append(f"- {event.reference} ({event.facility.name}, {S(event.status).label}, {days} days): {url}")
    lines += ["", "You receive this reminder because you have full access to these events in roils."]
    return "\n".join(lines)
