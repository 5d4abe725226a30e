"""Writes of the follow-up conversation: reviewers and investigators ask, the reporter answers (anonymously too).

An anonymous reporter answers through a private link issued once, on their confirmation page: its secret is
shown once and only its hash is stored, and nothing about who answered is ever recorded.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import smtplib

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from foundation.mail import mail_after_commit
from foundation.taxonomy.events import EventStatus
from practices.audit import audit_record
from practices.models import NotificationSettings
from practices.scoping import link_hash
from practices.selectors import reviewers_of

from .models import Event, EventFeedback, FollowUpLink, FollowUpMessage
from .selectors import FINISHED

S = EventStatus
MESSAGE_MAX = 4000
log = logging.getLogger(__name__)


def follow_up_link_issue(*, event_id: int) -> str | None:
    """A new follow-up link's secret for an anonymous event that has none yet (to show once), else None.

    Called by the confirmation page right after the report, which only the submitting session sees.
    """
    if not Event.objects.filter(pk=event_id, is_anonymous=True).exists():
        return None
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        _link, created = FollowUpLink.objects.get_or_create(
            event_id=event_id, defaults={"token_hash": link_hash(token)}
        )
    return token if created else None


def _body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": "Write your message."})
    if len(body) > MESSAGE_MAX:
        raise ValidationError({"body": f"Keep the message under {MESSAGE_MAX} characters."})
    return body


def can_reach_reporter(event: Event) -> bool:
    """Whether the reporter can read a question: a named reporter with a login, or an anonymous one with a link."""
    if event.is_anonymous:
        return FollowUpLink.objects.filter(event=event).exists()
    return event.submitted_by_id is not None


@transaction.atomic
def follow_up_ask(*, event: Event, by, body: str, audit_action: str = "follow_up_asked") -> FollowUpMessage:
    """A reviewer's or the investigator's question to the event's reporter (emailed to a named one)."""
    if not Event.objects.for_user(by, action="investigate").filter(pk=event.pk).exists():
        raise PermissionDenied
    body = _body(body)
    if not can_reach_reporter(event):
        raise ValidationError(
            {
                "body": "This report is anonymous and its reporter has no follow-up link: nobody "
                "can read or answer a question about it."
            }
        )
    message = FollowUpMessage.objects.create(event=event, from_reporter=False, author=by, body=body)
    audit_record(
        actor=by,
        action=audit_action,
        obj=event,
        agreement=event.agreement,
        changes={"conversation": [None, "question to the reporter"]},
    )
    reporter = event.submitted_by if not event.is_anonymous else None
    if reporter is not None and reporter.email:
        url = settings.SITE_URL.rstrip("/") + reverse("events:event-conversation", args=[event.pk])
        text = (
            f"Hello {reporter},\n\nThe reviewers of your report {event.reference} have a question for you.\n"
            f"Read it and answer here:\n\n{url}\n"
        )
        mail_after_commit(
            subject=f"roils: a question about your report {event.reference}",
            message=text,
            from_email=None,
            recipient_list=[reporter.email],
        )
    return message


@transaction.atomic
def follow_up_answer(*, event: Event, body: str, by=None) -> FollowUpMessage:
    """The reporter's answer: `by` the named reporter, or None through an anonymous event's link.

    An answer to an event awaiting information moves it back to review; its reviewers and investigator are told.
    """
    locked = Event.objects.select_for_update().get(pk=event.pk)
    if locked.is_anonymous:
        by = None  # whoever holds the link, their identity is never stored
    elif by is None or locked.submitted_by_id != by.pk:
        raise PermissionDenied
    body = _body(body)
    message = FollowUpMessage.objects.create(event=locked, from_reporter=True, author=by, body=body)
    changes = {"conversation": [None, "answer from the reporter"]}
    if locked.status == S.AWAITING_INFO:
        changes["status"] = [S.AWAITING_INFO, S.IN_REVIEW]
        locked.status = S.IN_REVIEW
        locked.last_activity_at = timezone.now()
        locked.save(update_fields=["status", "last_activity_at", "updated_at"])
    audit_record(
        actor=by,
        action="follow_up_answered",
        obj=locked,
        agreement=locked.agreement,
        changes=changes,
        note="The reporter answered" + (" (moved back to review)" if "status" in changes else ""),
    )
    _tell_reviewers(locked)
    return message


def _tell_reviewers(event: Event) -> None:
    """A link to the event for its reviewers and whoever asked it questions; never the answer itself."""
    emails = {m.user.email for m in reviewers_of(agreement_ids=[event.agreement_id]) if m.user.email}
    emails |= set(
        FollowUpMessage.objects.filter(event=event, from_reporter=False, author__isnull=False)
        .exclude(author__email="")
        .values_list("author__email", flat=True)
    )
    if not emails:
        return
    url = settings.SITE_URL.rstrip("/") + reverse("review:event-detail", args=[event.pk]) + "#conversation"
    text = f"The reporter of {event.reference} answered your question:\n\n{url}\n"
    mail_after_commit(
        subject=f"roils: the reporter of {event.reference} answered",
        message=text,
        from_email=None,
        recipient_list=sorted(emails),
    )


def conversation_of(event: Event) -> list[FollowUpMessage]:
    """The event's messages, oldest first, with their authors (one query)."""
    return list(FollowUpMessage.objects.filter(event=event).select_related("author").order_by("created_at", "id"))


@transaction.atomic
def feedback_share(*, event: Event, by, summary: str, lessons: str, actions: str) -> EventFeedback:
    """Set what the reporter is told once the review is finished (a full-access user of the event's agreement)."""
    if not Event.objects.for_user(by, action="review").filter(pk=event.pk).exists():
        raise PermissionDenied
    values = {
        "summary": (summary or "").strip(),
        "lessons": (lessons or "").strip(),
        "actions": (actions or "").strip(),
    }
    for name, value in values.items():
        if len(value) > MESSAGE_MAX:
            raise ValidationError({name: f"Keep it under {MESSAGE_MAX} characters."})
    if not any(values.values()):
        raise ValidationError("Write at least one of the summary, the lessons or the actions.")
    feedback, _created = EventFeedback.objects.update_or_create(
        event=event, defaults={**values, "shared_by": by, "shared_at": timezone.now()}
    )
    audit_record(
        actor=by,
        action="feedback_shared",
        obj=event,
        agreement=event.agreement,
        changes={"feedback": [None, ", ".join(k for k, v in values.items() if v)]},
    )
    return feedback


DIGEST_LOOKBACK = dt.timedelta(days=2)  # news older than this was in an earlier digest, or the reporter saw it


def _news_by_reporter(since: dt.datetime) -> dict[int, dict[int, set[str]]]:
    """{reporter id: {event id: {"question", "feedback"}}} for news on named reports since `since` (two queries)."""
    news: dict[int, dict[int, set[str]]] = {}
    questions = FollowUpMessage.objects.filter(
        from_reporter=False, created_at__gte=since, event__is_anonymous=False, event__submitted_by__isnull=False
    )
    for user_id, event_id, at in questions.values_list("event__submitted_by", "event_id", "created_at"):
        news.setdefault(user_id, {}).setdefault(event_id, set()).add(("question", at))
    shared = EventFeedback.objects.filter(
        shared_at__gte=since, event__status__in=FINISHED, event__is_anonymous=False, event__submitted_by__isnull=False
    )
    for user_id, event_id, at in shared.values_list("event__submitted_by", "event_id", "shared_at"):
        news.setdefault(user_id, {}).setdefault(event_id, set()).add(("feedback", at))
    return news


def reporter_digests_send(*, now: dt.datetime | None = None) -> int:
    """One e-mail a day at most per named reporter who wants it: their reports with news since their last digest.

    Each reporter's settings row is locked with SKIP LOCKED while their digest is sent and its date moved on, so
    two sweeps running at once never send the same digest twice.
    """
    now = now or timezone.now()
    news = _news_by_reporter(now - DIGEST_LOOKBACK)
    if not news:
        return 0
    NotificationSettings.objects.bulk_create([NotificationSettings(user_id=uid) for uid in news], ignore_conflicts=True)
    start_of_day = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    references = dict(
        Event.objects.filter(pk__in={e for per in news.values() for e in per}).values_list("pk", "reference")
    )
    sent = 0
    for user_id, events in news.items():
        try:
            sent += _digest_one(user_id, events, now=now, start_of_day=start_of_day, references=references)
        except (OSError, smtplib.SMTPException):
            log.warning("digest for user %s not sent; the next sweep retries", user_id)
    return sent


def _digest_one(user_id: int, events: dict, *, now, start_of_day, references: dict) -> int:
    """One reporter's digest, under a SKIP LOCKED lock of their settings row; 1 if sent."""
    with transaction.atomic():
        row = (
            NotificationSettings.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(user_id=user_id, reporter_news=NotificationSettings.ReporterNews.DAILY, user__is_active=True)
            .filter(Q(last_digest_at__isnull=True) | Q(last_digest_at__lt=start_of_day))
            .select_related("user")
            .first()
        )
        if row is None or not row.user.email:
            return 0
        since = row.last_digest_at or now - DIGEST_LOOKBACK
        lines = []
        for event_id, items in sorted(events.items()):
            kinds = sorted({kind for kind, at in items if at > since})
            if kinds:
                what = " and ".join({"question": "a question for you", "feedback": "what came of it"}[k] for k in kinds)
                url = settings.SITE_URL.rstrip("/") + reverse("events:event-conversation", args=[event_id])
                lines.append(f"- {references.get(event_id, '')}: {what}\n  {url}")
        if not lines:
            return 0
        text = (
            f"Hello {row.user},\n\nThere is news about your reports in roils:\n\n"
            + "\n".join(lines)
            + "\n\nYou can stop these e-mails under Profile > E-mail settings.\n"
        )
        send_mail(
            subject="roils: news about your reports", message=text, from_email=None, recipient_list=[row.user.email]
        )
        row.last_digest_at = now
        row.save(update_fields=["last_digest_at"])
    return 1
