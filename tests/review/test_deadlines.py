"""Review deadlines by severity in working days, shown in the queue and on the event page; reminders, escalations
and action owners' reminders are each sent once, by a real Celery worker, even when two sweeps overlap."""

import datetime as dt
import threading
import time

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.conf import settings
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from events.models import Event
from foundation.taxonomy import review as rc
from foundation.taxonomy.events import EventClassification
from review import deadlines as dl
from review.models import ActionItem, DeadlinePolicy, SentNotice
from review.services import action_item_add, investigator_assign
from review.services.notices import action_reminders_sweep, deadlines_sweep
from review.tasks import action_reminders_task, review_deadlines_task
from roils.celery import app
from tests.factories.review import make_event, review_event
from tests.reporting.outbox_records import real_broker

pytestmark = pytest.mark.django_db
FRIDAY = dt.date(2026, 12, 4)


def test_priority_event_starts_next_working_day_and_finishes_in_ten():
    rules = dl.Rules()
    due = dl.deadlines_for(
        reported_on=FRIDAY,
        classification=EventClassification.THERAPEUTIC,
        harm="",
        possibly_reportable=None,
        status="new",
        rules=rules,
    )
    assert due.priority and due.start_due == dt.date(2026, 12, 7)  # Monday
    assert due.finish_due == dt.date(2026, 12, 18)  # ten working days later
    other = dl.deadlines_for(
        reported_on=FRIDAY,
        classification=EventClassification.NEAR_MISS,
        harm="",
        possibly_reportable=None,
        status="new",
        rules=rules,
    )
    assert not other.priority and other.start_due == dt.date(2026, 12, 9) and other.finish_due > due.finish_due


@pytest.mark.parametrize(
    "classification,harm,reportable,priority",
    [
        (EventClassification.THERAPEUTIC, rc.Harm.NONE, None, False),
        (EventClassification.THERAPEUTIC, "", False, False),
        (EventClassification.OTHER_SAFETY, rc.Harm.MILD, None, True),
        (EventClassification.NEAR_MISS, "", True, True),
        (EventClassification.OPERATIONAL, "", None, False),
    ],
)
def test_priority_means_harm_or_possible_medical_event(classification, harm, reportable, priority):
    assert dl.is_priority(classification, harm, reportable) is priority


def test_holidays_and_weekends_as_the_practice_configures():
    rules = dl.Rules(weekend_days=frozenset({4, 5, 6}), holidays=frozenset({dt.date(2026, 12, 7)}))
    assert rules.add_working_days(dt.date(2026, 12, 3), 1) == dt.date(2026, 12, 8)  # Thu -> (Fri-Sun, Mon off) Tue
    due = dl.deadlines_for(
        reported_on=FRIDAY,
        classification="near_miss",
        harm="",
        possibly_reportable=None,
        status="in_review",
        rules=rules,
    )
    assert due.started and not due.finished


def test_policy_page_saves_rules_and_refuses_bad_input(client_for, riverside, physicist):
    client = client_for("physicist.riverside")
    url = reverse("review:deadline-policy", args=[riverside.pk])
    assert client.get(url).status_code == 200
    bad = client.post(
        url,
        {
            "priority_start_days": "5",
            "priority_finish_days": "2",
            "other_start_days": "x",
            "other_finish_days": "30",
            "holiday_dates": "2026-13-01",
        },
    )
    assert bad.status_code == 200 and not DeadlinePolicy.objects.exists()
    text = bad.content.decode()
    assert "Finishing cannot be due before starting" in text and "Not a date" in text
    ok = client.post(
        url,
        {
            "priority_start_days": "1",
            "priority_finish_days": "8",
            "other_start_days": "5",
            "other_finish_days": "40",
            "weekend": ["5", "6"],
            "holiday_dates": "2026-12-25\n2027-01-01",
        },
    )
    assert ok.status_code == 302
    policy = DeadlinePolicy.objects.get(agreement=riverside)
    assert policy.priority_finish_days == 8 and policy.holidays == ["2026-12-25", "2027-01-01"]
    for username in ("reporter.riverside", "physicist.lakeside"):
        other = client_for(username)
        assert other.get(url).status_code == 404 and other.post(url, {}).status_code == 404


def test_queue_and_event_page_show_deadlines(client_for, riverside):
    event = make_event(agreement=riverside, classification=EventClassification.THERAPEUTIC)
    Event.objects.filter(pk=event.pk).update(created_at=timezone.now() - dt.timedelta(days=30))
    client = client_for("physicist.riverside")
    queue = client.get(reverse("review:queue")).content.decode()
    assert "Start overdue" in queue and "Priority" in queue
    page = client.get(reverse("review:event-detail", args=[event.pk])).content.decode()
    assert "Start review by" in page and "overdue" in page


def _late_events(riverside, users):
    """A priority event nobody started (reported 3 weeks ago) and one started, with an investigator, but unfinished."""
    idle = make_event(agreement=riverside, classification=EventClassification.THERAPEUTIC)
    started = make_event(agreement=riverside)
    review_event(started)
    investigator_assign(event=started, by=users["physicist.riverside"], user=users["reporter.riverside"])
    long_ago = timezone.now() - dt.timedelta(days=60)
    Event.objects.filter(pk__in=[idle.pk, started.pk]).update(created_at=long_ago)
    return idle, started


def test_deadline_sweep_escalates_to_both_full_access_users_once(riverside, users):
    idle, started = _late_events(riverside, users)
    mail.outbox.clear()
    assert deadlines_sweep() == 3  # idle: start and finish missed; started: finish missed
    escalations = [m for m in mail.outbox if "missed" in m.subject]
    assert len(escalations) == 3
    both = {users["physicist.riverside"].email, users["director.riverside"].email}
    for message in escalations:
        assert both <= set(message.to)
        assert idle.narrative not in message.body
    assert deadlines_sweep() == 0 and len(mail.outbox) == 3


def test_deadline_reminder_on_the_due_day_goes_to_the_investigator(riverside, users):
    event = make_event(agreement=riverside)
    review_event(event)
    investigator_assign(event=event, by=users["physicist.riverside"], user=users["reporter.riverside"])
    rules = dl.Rules()
    due = rules.add_working_days(timezone.localdate(event.created_at), rules.other_finish_days)
    mail.outbox.clear()
    assert deadlines_sweep(today=due) == 1
    assert mail.outbox[0].to == [users["reporter.riverside"].email] and "today" in mail.outbox[0].subject
    assert deadlines_sweep(today=due) == 0


def test_action_owner_reminded_before_due_and_on_the_day_overdue_once(riverside, users):
    physicist, reporter = users["physicist.riverside"], users["reporter.riverside"]
    item = action_item_add(
        event=make_event(agreement=riverside),
        by=physicist,
        action_type="proc.checklists",
        description="Checklist",
        owner=reporter,
        due_date=timezone.localdate() + dt.timedelta(days=1),
    )
    mail.outbox.clear()
    assert action_reminders_sweep() == 1 and action_reminders_sweep() == 0
    assert "is due" in mail.outbox[0].subject and mail.outbox[0].to == [reporter.email]
    assert action_reminders_sweep(today=item.due_date + dt.timedelta(days=1)) == 1
    assert "overdue" in mail.outbox[1].subject
    assert action_reminders_sweep(today=item.due_date + dt.timedelta(days=1)) == 0
    assert action_reminders_sweep(today=item.due_date + dt.timedelta(days=5)) == 0  # told on the day, not daily


def test_beat_schedule_runs_the_sweeps():
    tasks = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert {review_deadlines_task.name, action_reminders_task.name} <= tasks


@pytest.mark.django_db(transaction=True)
def test_real_worker_and_overlapping_sweeps_send_each_email_once(world):
    """Beat's two sweeps run in a real Celery worker while a third runs beside them: every e-mail goes once."""
    users = world["users"]
    riverside = world["agreements"]["riverside"]
    _late_events(riverside, users)
    action_item_add(
        event=make_event(agreement=riverside),
        by=users["physicist.riverside"],
        action_type="proc.checklists",
        description="Checklist",
        owner=users["reporter.riverside"],
        due_date=timezone.localdate(),
    )
    mail.outbox.clear()
    barrier, errors = threading.Barrier(2), []

    def beside():
        try:
            barrier.wait(timeout=30)
            deadlines_sweep()
            action_reminders_sweep()
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    done = []

    def finished(sender=None, **kwargs):
        if sender is not None and sender.name in (review_deadlines_task.name, action_reminders_task.name):
            done.append(kwargs.get("retval"))

    thread = threading.Thread(target=beside)
    task_postrun.connect(finished, weak=False)
    try:
        with (
            real_broker(settings.REDIS_URL),
            start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30),
        ):
            thread.start()
            for task in (review_deadlines_task, review_deadlines_task, action_reminders_task, action_reminders_task):
                task.delay()
            barrier.wait(timeout=30)
            deadline = time.monotonic() + 60
            while len(done) < 4 and time.monotonic() < deadline:
                time.sleep(0.05)
            thread.join(60)
    finally:
        task_postrun.disconnect(finished)
    assert len(done) == 4, "the worker did not run the four sweeps"
    assert errors == []
    keys = list(SentNotice.objects.values_list("key", flat=True))
    assert len(keys) == len(set(keys)) == 4  # 3 deadline escalations, 1 action reminder
    assert len(mail.outbox) == 4
    assert len({(m.subject, tuple(m.to)) for m in mail.outbox}) == 4
    assert ActionItem.objects.count() == 1


def test_finish_counted_on_from_start_equals_counting_from_the_report():
    """deadlines_for counts the finish on from the start's date: the same day as counting it from the report."""
    import random

    from review.deadlines import Rules, deadlines_for

    rng = random.Random(7)
    for _ in range(300):
        start, finish = rng.randint(0, 15), rng.randint(0, 40)
        first = dt.date(2026, 1, 1) + dt.timedelta(days=rng.randint(0, 400))
        rules = Rules(start, finish, start, finish, frozenset(rng.sample(range(7), rng.randint(0, 3))),
                      frozenset(first + dt.timedelta(days=rng.randint(0, 60)) for _ in range(rng.randint(0, 8))))
        reported = first + dt.timedelta(days=rng.randint(0, 30))
        deadlines = deadlines_for(reported_on=reported, classification="near_miss", harm=None,
                                  possibly_reportable=False, status="new", rules=rules)
        assert deadlines.start_due == rules.add_working_days(reported, start)
        assert deadlines.finish_due == rules.add_working_days(reported, finish)
