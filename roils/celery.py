"""The Celery application, configured from Django settings (namespace CELERY)."""

import os

from celery import Celery
from celery.schedules import crontab
from celery.signals import task_prerun
from django.db import close_old_connections

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "roils.settings.base")

app = Celery("roils")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Keep a worker's database connections across tasks (Celery closes them around every task by default,
# which made opening connections a quarter of a delivery's cost); a connection that broke, e.g. when
# PostgreSQL restarted, is dropped before the next task by close_old_connections below.
app.conf.update(CELERY_DB_REUSE_MAX=200)
app.autodiscover_tasks()


@task_prerun.connect
def _drop_broken_connections(**kwargs):
    if not getattr(kwargs.get("task").request, "is_eager", False):
        close_old_connections()

# How often reviewers' emails about new events go out: they hear of an event within this many seconds.
NOTIFY_EVERY_SECONDS = 10

# Every periodic job, in one place.
app.conf.beat_schedule = {
    "reporting-sweep-outbox": {
        "task": "reporting.tasks.submission_sweep_task",
        "schedule": 60.0,
    },
    "reporting-safety-signals": {
        "task": "reporting.tasks.safety_signals_task",
        "schedule": crontab(hour=2, minute=30),
    },
    "events-notify-sweep": {
        "task": "events.tasks.event_notify_sweep_task",
        "schedule": float(NOTIFY_EVERY_SECONDS),
        # A sweep still queued when the next is due is dropped: the next one covers the same events.
        "options": {"expires": float(NOTIFY_EVERY_SECONDS)},
    },
    "events-expire-drafts": {
        "task": "events.tasks.drafts_expire_task",
        "schedule": crontab(hour=3, minute=30),
    },
    "events-rescrub-narratives": {
        "task": "events.tasks.narratives_rescrub_task",
        "schedule": crontab(hour=3, minute=45),
    },
    "practices-clear-expired-sessions": {
        "task": "practices.tasks.sessions_clear_expired_task",
        "schedule": crontab(hour=4, minute=0),
    },
    # Hourly, so a reminder reaches people early in their day whatever the server's zone; each e-mail goes once.
    "review-deadlines": {
        "task": "review.tasks.review_deadlines_task",
        "schedule": crontab(minute=5),
    },
    "review-action-reminders": {
        "task": "review.tasks.action_reminders_task",
        "schedule": crontab(minute=10),
    },
    "events-reporter-digest": {
        "task": "events.tasks.reporter_digest_task",
        "schedule": crontab(hour=16, minute=30),
    },
    "review-remind-untouched": {
        "task": "review.tasks.review_reminders_task",
        "schedule": crontab(hour=7, minute=0),
    },
}
