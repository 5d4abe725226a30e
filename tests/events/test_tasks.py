"""The notification task: link only, once, and never in the way of the report when the broker is down."""

import datetime as dt
import threading

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from events.models import Event
from events.services import review_link
from events.tasks import event_notify_sweep_task, event_notify_task
from roils.celery import app
from tests.factories.events import build_event

pytestmark = pytest.mark.django_db


def test_review_link_points_at_the_event_in_the_review_app(settings):
    settings.SITE_URL = "https://roils.example.org/"
    assert review_link(42) in ("https://roils.example.org/review/events/42/", "https://roils.example.org/review/")


def test_event_notify_task_skips_inactive_full_access_users(users, coverages):
    director = users["director.riverside"]
    director.is_active = False
    director.save()
    event = build_event(agreement=coverages["Main Campus"].agreement, user=users["reporter.riverside"])
    assert event_notify_task.delay(event.pk).get() == 1
    assert mail.outbox[0].to == ["physicist.riverside@demo.example"]


def test_event_notify_task_unknown_event_is_a_no_op(world):
    assert event_notify_task.delay(999_999).get() == 0
    assert mail.outbox == []


@pytest.fixture
def broker_down():
    """A real broker address where nothing listens (no mock): publishing fails fast."""
    saved = app.conf.task_always_eager, app.conf.broker_url
    app.conf.task_always_eager = False
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    _reset_pool()
    try:
        yield
    finally:
        app.conf.task_always_eager, app.conf.broker_url = saved
        _reset_pool()


def _reset_pool():
    # Forget the pooled broker connections so the next publish connects to the broker configured now.
    app._pool = None
    app.amqp._producer_pool = None


def test_event_submit_with_a_broker_makes_no_broker_round_trip(users, coverages, broker_down,
                                                               django_capture_on_commit_callbacks):
    """With a broker (here one where nothing listens), a report publishes nothing: beat's sweep emails reviewers."""
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        event = build_event(agreement=coverages["Main Campus"].agreement, user=users["reporter.riverside"])
    assert callbacks == []  # no publish after commit
    event.refresh_from_db()
    assert event.notified_at is None and mail.outbox == []
    assert event_notify_sweep_task() == 1  # what beat runs, called in-process: the broker is down
    assert len(mail.outbox) == 1 and event.reference in mail.outbox[0].subject


def test_event_submit_without_a_broker_emails_after_commit(users, coverages, django_capture_on_commit_callbacks):
    """The embedded default has no broker and so no beat: the request itself emails reviewers once saved."""
    with django_capture_on_commit_callbacks(execute=True):
        event = build_event(agreement=coverages["Main Campus"].agreement, user=users["reporter.riverside"])
    assert len(mail.outbox) == 1 and event.reference in mail.outbox[0].subject
    assert event_notify_sweep_task.delay().get() == 0  # already notified: the sweep sends nothing more


def test_event_notify_sweep_task_emails_each_new_event_once(users, coverages):
    agreement, reporter = coverages["Main Campus"].agreement, users["reporter.riverside"]
    first, second = (build_event(agreement=agreement, user=reporter) for _ in range(2))
    stale = build_event(agreement=agreement, user=reporter)
    Event.objects.filter(pk=stale.pk).update(created_at=timezone.now() - dt.timedelta(days=3))
    assert event_notify_sweep_task.delay().get() == 2
    subjects = sorted(m.subject for m in mail.outbox)
    assert subjects == sorted(f"New event {e.reference} to review" for e in (first, second))
    assert event_notify_sweep_task.delay().get() == 0
    assert len(mail.outbox) == 2
    stale.refresh_from_db()
    assert stale.notified_at is None  # days old: reviewers find it in the queue, not in a late email


def test_event_notify_sweep_task_with_the_mail_server_down_keeps_events_for_the_next_sweep(users, coverages,
                                                                                            settings):
    event = build_event(agreement=coverages["Main Campus"].agreement, user=users["reporter.riverside"])
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 1  # nothing listens there
    assert event_notify_sweep_task.delay().get() == 0
    event.refresh_from_db()
    assert event.notified_at is None
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # the mail server is back
    assert event_notify_sweep_task.delay().get() == 1
    assert len(mail.outbox) == 1


def test_event_notify_sweep_runs_every_few_seconds_and_never_piles_up():
    entry = app.conf.beat_schedule["events-notify-sweep"]
    assert entry["task"] == event_notify_sweep_task.name
    assert entry["schedule"] <= 15 and entry["options"]["expires"] <= entry["schedule"]


@pytest.mark.django_db(transaction=True)
def test_event_notify_sweeps_running_at_once_email_each_event_once(users, coverages):
    """A sweep that overruns its interval meets the next one: each event is still emailed exactly once."""
    agreement, reporter = coverages["Main Campus"].agreement, users["reporter.riverside"]
    events = [build_event(agreement=agreement, user=reporter, notify=False) for _ in range(8)]
    Event.objects.filter(pk__in=[e.pk for e in events]).update(notified_at=None)
    barrier, results, errors = threading.Barrier(3), [], []

    def sweep():
        try:
            barrier.wait()
            results.append(event_notify_sweep_task())
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and sum(results) == len(events)
    assert sorted(m.subject for m in mail.outbox) == sorted(f"New event {e.reference} to review" for e in events)
    assert not Event.objects.filter(notified_at__isnull=True).exists()
