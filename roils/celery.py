"""The Celery application, configured from Django settings (namespace CELERY)."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "roils.settings.base")

app = Celery("roils")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Every periodic job, in one place.
app.conf.beat_schedule = {
    "reporting-sweep-outbox": {
        "task": "reporting.tasks.submission_sweep_task",
        "schedule": 60.0,
    },
    "events-notify-sweep": {
        "task": "events.tasks.event_notify_sweep_task",
        "schedule": 300.0,
    },
    "review-remind-untouched": {
        "task": "review.tasks.review_reminders_task",
        "schedule": crontab(hour=7, minute=0),
    },
}
