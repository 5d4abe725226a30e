"""Periodic housekeeping of the practices app."""

import datetime as dt

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from practices.tasks import sessions_clear_expired_task

pytestmark = pytest.mark.django_db


def test_sessions_clear_expired_task_runs_daily_and_keeps_live_sessions(world):
    from roils.celery import app

    live, ended = Client(), Client()
    live.force_login(world["users"]["reporter.riverside"])
    ended.force_login(world["users"]["reporter.lakeside"])
    Session.objects.filter(session_key=ended.session.session_key).update(
        expire_date=timezone.now() - dt.timedelta(minutes=1))
    entry = app.conf.beat_schedule["practices-clear-expired-sessions"]
    assert entry["task"] == sessions_clear_expired_task.name
    assert entry["schedule"].remaining_estimate(timezone.now()) <= dt.timedelta(days=1)
    sessions_clear_expired_task.delay().get()
    assert list(Session.objects.values_list("session_key", flat=True)) == [live.session.session_key]
    assert live.get(reverse("events:event-create")).status_code == 200
