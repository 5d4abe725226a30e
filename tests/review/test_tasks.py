"""Untouched-event reminders: after 7 days, then every 14, one email per user, links only."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from events.models import Event
from foundation.taxonomy.events import EventStatus
from review.models import Reminder
from review.services import event_transition, reminders_send
from review.tasks import review_reminders_task
from tests.factories.review import make_event

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)


def _age(event, days: int, now):
    Event.objects.filter(pk=event.pk).update(last_activity_at=now - days * DAY)


def _recipients():
    return sorted(address for message in mail.outbox for address in message.to)


def test_reminders_untouched_six_days_not_sent(riverside):
    now = timezone.now()
    _age(make_event(agreement=riverside), 6, now)
    assert reminders_send(now=now) == 0
    assert mail.outbox == []


def test_reminders_seven_days_sent_to_each_full_access_user_once(riverside, lakeside):
    now = timezone.now()
    first, second = make_event(agreement=riverside), make_event(agreement=riverside)
    _age(first, 7, now)
    _age(second, 9, now)
    _age(make_event(agreement=lakeside), 2, now)
    assert reminders_send(now=now) == 2
    assert _recipients() == ["director.riverside@demo.example", "physicist.riverside@demo.example"]
    body = mail.outbox[0].body
    assert first.reference in body and second.reference in body
    assert f"/review/events/{first.pk}/" in body
    assert first.narrative[:30] not in body  # links only, never a narrative
    assert Reminder.objects.filter(event=first).count() == 1


def test_reminders_not_repeated_until_fourteen_days_later(riverside):
    start = timezone.now()
    event = make_event(agreement=riverside)
    _age(event, 7, start)
    assert reminders_send(now=start) == 2
    mail.outbox.clear()
    assert reminders_send(now=start) == 0
    assert reminders_send(now=start + 13 * DAY) == 0
    assert mail.outbox == []
    assert reminders_send(now=start + 14 * DAY) == 2
    assert Reminder.objects.filter(event=event).count() == 2


def test_reminders_reviewer_activity_restarts_the_count(riverside, physicist):
    start = timezone.now()
    event = make_event(agreement=riverside)
    _age(event, 7, start)
    reminders_send(now=start)
    event_transition(event=event, by=physicist, to=EventStatus.IN_REVIEW)
    mail.outbox.clear()
    assert reminders_send(now=timezone.now() + 6 * DAY) == 0
    assert reminders_send(now=timezone.now() + 7 * DAY) == 2


def test_reminders_closed_or_reported_events_skipped(riverside, physicist):
    now = timezone.now()
    event = make_event(agreement=riverside)
    event_transition(event=event, by=physicist, to=EventStatus.INVALID, reason="Test entry")
    _age(event, 30, now)
    assert reminders_send(now=now) == 0


def test_review_reminders_task_runs_the_service(riverside):
    _age(make_event(agreement=riverside), 8, timezone.now())
    assert review_reminders_task.delay().get() == 2


def test_reminders_mail_server_down_logged_and_retried_next_run(riverside, settings, caplog):
    """A mail server that is down fails no job: nothing is recorded as reminded, and the next run sends."""
    now = timezone.now()
    event = make_event(agreement=riverside)
    _age(event, 8, now)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 1  # nothing listens there
    assert reminders_send(now=now) == 0
    assert "mail server unavailable" in caplog.text and event.narrative[:30] not in caplog.text
    assert not Reminder.objects.filter(event=event).exists()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # the mail server is back
    assert reminders_send(now=now) == 2
    assert Reminder.objects.filter(event=event).count() == 1
