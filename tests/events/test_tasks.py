"""The notification task: link only, once, and never in the way of the report when the broker is down."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from events.models import Event
from events.tasks import event_notify_sweep_task, event_notify_task, review_link
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


def test_event_submit_with_broker_down_still_saves_the_event(users, coverages, broker_down, caplog,
                                                             django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        event = build_event(agreement=coverages["Main Campus"].agreement, user=users["reporter.riverside"])
    assert [c.__qualname__.split(".")[0] for c in callbacks] == ["_create", "user_fact_set"]  # publish, last role
    assert any("on_commit" in r.getMessage() for r in caplog.records)  # the publish really failed, and was caught
    event.refresh_from_db()
    assert Event.objects.filter(pk=event.pk).exists()
    assert event.notified_at is None  # a later sweep or retry can still notify
    assert mail.outbox == []


def test_event_notify_sweep_task_delivers_missed_notifications_once(users, coverages):
    agreement, reporter = coverages["Main Campus"].agreement, users["reporter.riverside"]
    missed = build_event(agreement=agreement, user=reporter)  # on-commit delivery never ran: as if Redis was down
    just_now = build_event(agreement=agreement, user=reporter)
    Event.objects.filter(pk=missed.pk).update(created_at=timezone.now() - dt.timedelta(minutes=10))
    assert event_notify_sweep_task.delay().get() == 1
    assert len(mail.outbox) == 1 and missed.reference in mail.outbox[0].subject
    assert event_notify_sweep_task.delay().get() == 0
    just_now.refresh_from_db()
    assert just_now.notified_at is None
