"""event_submit and friends: anonymity, idempotency, tenancy, validation, numbering, notification."""

import datetime as dt
import threading
import uuid

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from events.models import Draft, Event, EventTechnique
from events.selectors import draft_for
from events.services import draft_save, drafts_expire, event_submit, practice_initials
from events.tasks import drafts_expire_task, event_notify_task
from practices.choices import AgreementState
from practices.models import AuditEntry
from practices.scoping import user_access
from practices.services import agreement_transition
from tests.factories.events import build_event, event_data

pytestmark = pytest.mark.django_db


def _submit(user, coverage, key=None, **overrides):
    return event_submit(by=user, data=event_data(coverage, **overrides), idempotency_key=key or uuid.uuid4())


def test_event_submit_reads_the_agreement_once_with_only_the_columns_it_uses(users, coverages):
    reporter, coverage = users["reporter.riverside"], coverages["Main Campus"]
    user_access(reporter)  # the sign-in facts, read by every request before the view
    with CaptureQueriesContext(connection) as ctx:
        event = _submit(reporter, coverage)
    reads = [q["sql"] for q in ctx.captured_queries if 'FROM "practices_agreement"' in q["sql"]]
    assert len(reads) == 1 and '"practices_agreement"."state"' in reads[0]
    assert '"practices_agreement"."retention_days"' not in reads[0]
    assert not [q for q in ctx.captured_queries if 'FROM "practices_practice"' in q["sql"].split("INNER JOIN")[0]
                or 'FROM "practices_pso"' in q["sql"]]  # nothing deferred is loaded afterwards
    assert event.reference.startswith("RCC-")


def test_event_submit_named_reporter_stores_identity(users, coverages):
    event = _submit(users["reporter.riverside"], coverages["Main Campus"], reporter_name="Sam Rivera")
    assert event.submitted_by == users["reporter.riverside"]
    assert event.reporter_name == "Sam Rivera"
    assert not event.is_anonymous
    assert event.facility.name == "Main Campus"
    assert event.agreement == coverages["Main Campus"].agreement
    assert event.technique_values == ["imrt_vmat"]


def test_event_submit_shared_login_stores_no_identity(users, coverages):
    event = _submit(users["general.riverside"], coverages["North Clinic"], reporter_name="Pat", stay_anonymous=False)
    event.refresh_from_db()
    assert event.is_anonymous
    assert event.submitted_by is None
    assert event.reporter_name == ""
    audit = AuditEntry.objects.get(object_type="events.event", object_id=str(event.pk))
    assert audit.actor is None


def test_event_submit_stay_anonymous_stores_no_identity(users, coverages):
    event = _submit(users["reporter.riverside"], coverages["Main Campus"], reporter_name="Sam", stay_anonymous=True)
    event.refresh_from_db()
    assert (event.is_anonymous, event.submitted_by, event.reporter_name) == (True, None, "")
    assert AuditEntry.objects.get(object_type="events.event", object_id=str(event.pk)).actor is None


def test_event_submit_same_key_twice_creates_one_event(users, coverages):
    key = uuid.uuid4()
    first = _submit(users["reporter.riverside"], coverages["Main Campus"], key=key)
    again = _submit(users["reporter.riverside"], coverages["Main Campus"], key=key, narrative="Edited in between.")
    assert again.pk == first.pk
    assert Event.objects.count() == 1
    assert EventTechnique.objects.count() == 1


def test_event_submit_same_key_by_anonymous_shared_login_returns_first(users, coverages):
    key = uuid.uuid4()
    first = _submit(users["general.riverside"], coverages["Main Campus"], key=key)
    assert _submit(users["general.riverside"], coverages["Main Campus"], key=key).pk == first.pk


def test_event_submit_key_of_another_named_user_refused(users, coverages):
    key = uuid.uuid4()
    _submit(users["reporter.riverside"], coverages["Main Campus"], key=key)
    with pytest.raises(PermissionDenied):
        _submit(users["reporter.lakeside"], coverages["Lakeside Radiation Oncology"], key=key)
    assert Event.objects.count() == 1


@pytest.mark.parametrize("state", [AgreementState.SUSPENDED, AgreementState.TERMINATED])
def test_event_submit_inactive_agreement_refused_nothing_saved(users, coverages, state):
    coverage = coverages["Main Campus"]
    agreement_transition(agreement=coverage.agreement, by=users["staff.pso"], to=state)
    with pytest.raises(ValidationError) as exc:
        _submit(users["reporter.riverside"], coverage)
    assert "no events can be submitted" in str(exc.value)
    assert Event.objects.count() == 0


def test_event_submit_foreign_facility_refused_nothing_saved(users, coverages):
    with pytest.raises(PermissionDenied):
        _submit(users["reporter.riverside"], coverages["Lakeside Radiation Oncology"])
    assert Event.objects.count() == 0


def test_event_submit_pso_analyst_refused(users, coverages):
    with pytest.raises(PermissionDenied):
        _submit(users["analyst.pso"], coverages["Main Campus"])


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"event_date": timezone.localdate() + dt.timedelta(days=1)}, "event_date"),
        ({"narrative": "   "}, "narrative"),
        ({"narrative": "x" * 4001}, "narrative"),
        ({"techniques": []}, "techniques"),
        ({"techniques": ["not_applicable", "imrt_vmat"]}, "techniques"),
        ({"techniques": ["laser_beam"]}, "techniques"),
        ({"classification": "catastrophe"}, "classification"),
        ({"reporter_role": ""}, "reporter_role"),
    ],
)
def test_event_submit_invalid_data_refused_nothing_saved(users, coverages, overrides, field):
    with pytest.raises(ValidationError) as exc:
        _submit(users["reporter.riverside"], coverages["Main Campus"], **overrides)
    assert field in exc.value.message_dict
    assert Event.objects.count() == 0


def test_event_submit_narrative_of_exactly_max_length_accepted(users, coverages):
    event = _submit(users["reporter.riverside"], coverages["Main Campus"], narrative="y" * 4000)
    assert len(event.narrative) == 4000


def test_event_submit_references_count_per_practice(users, coverages):
    year = timezone.localdate().year
    refs = [_submit(users["reporter.riverside"], coverages[name]).reference for name in ("Main Campus", "North Clinic")]
    lakeside = _submit(users["reporter.lakeside"], coverages["Lakeside Radiation Oncology"]).reference
    assert refs == [f"RCC-{year}-0001", f"RCC-{year}-0002"]
    assert lakeside == f"LRO-{year}-0001"


def test_practice_initials_skips_small_words(world):
    practice = world["agreements"]["riverside"].practice
    practice.name = "University of the North and South Cancer Institute"
    assert practice_initials(practice) == "UNSCI"


def test_event_submit_notifies_full_access_with_link_only(users, coverages, django_capture_on_commit_callbacks):
    narrative = "Distinctive narrative text that must never leave roils by email."
    with django_capture_on_commit_callbacks(execute=True):
        event = _submit(users["reporter.riverside"], coverages["Main Campus"], narrative=narrative)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert sorted(message.to) == ["director.riverside@demo.example", "physicist.riverside@demo.example"]
    assert event.reference in message.subject
    assert "http://" in message.body or "https://" in message.body
    assert narrative not in message.body and "Distinctive" not in message.body
    assert "Sam" not in message.body and "reporter.riverside" not in message.body
    event.refresh_from_db()
    assert event.notified_at is not None


def test_event_notify_task_twice_sends_once(users, coverages):
    # The on-commit delivery never runs inside this test's transaction, so the task is called by hand.
    event = build_event(agreement=coverages["Main Campus"].agreement, user=users["reporter.riverside"])
    assert event_notify_task.delay(event.pk).get() == 2
    assert event_notify_task.delay(event.pk).get() == 0
    assert len(mail.outbox) == 1


def test_event_submit_clears_the_reporters_draft(users, coverages):
    reporter = users["reporter.riverside"]
    draft_save(user=reporter, data={"narrative": "half written"}, saved_at=1)
    _submit(reporter, coverages["Main Campus"])
    assert not Draft.objects.filter(user=reporter).exists()


def test_draft_save_shared_login_keeps_nothing_on_server(users):
    assert draft_save(user=users["general.riverside"], data={"narrative": "x"}) is None
    assert Draft.objects.count() == 0


def _age_draft(user, days: float) -> None:
    Draft.objects.filter(user=user).update(updated_at=timezone.now() - dt.timedelta(days=days))


def test_drafts_expire_deletes_only_drafts_untouched_for_the_retention_period(users, settings):
    settings.DRAFT_RETENTION_DAYS = 30
    stale, fresh = users["reporter.riverside"], users["physicist.riverside"]
    draft_save(user=stale, data={"narrative": "walked away from this one"}, saved_at=1)
    draft_save(user=fresh, data={"narrative": "still writing"}, saved_at=2)
    _age_draft(stale, 30.01)
    _age_draft(fresh, 29.9)
    assert drafts_expire() == 1
    assert list(Draft.objects.values_list("user", flat=True)) == [fresh.pk]
    assert drafts_expire() == 0


def test_an_expired_draft_is_never_restored_even_before_the_daily_job(users, settings):
    settings.DRAFT_RETENTION_DAYS = 7
    reporter = users["reporter.riverside"]
    draft_save(user=reporter, data={"narrative": "old"}, saved_at=1)
    _age_draft(reporter, 6)
    assert draft_for(user=reporter) is not None
    _age_draft(reporter, 8)
    assert draft_for(user=reporter) is None
    # Saving again starts the period afresh.
    draft_save(user=reporter, data={"narrative": "new"}, saved_at=2)
    assert draft_for(user=reporter).data["fields"]["narrative"] == "new"


def test_drafts_expire_task_runs_daily_on_beat(users, settings):
    from roils.celery import app

    settings.DRAFT_RETENTION_DAYS = 1
    reporter = users["reporter.riverside"]
    draft_save(user=reporter, data={"narrative": "x"}, saved_at=1)
    _age_draft(reporter, 2)
    entry = app.conf.beat_schedule["events-expire-drafts"]
    assert entry["task"] == drafts_expire_task.name
    assert entry["schedule"].remaining_estimate(timezone.now()) <= dt.timedelta(days=1)
    assert drafts_expire_task.delay().get() == 1
    assert not Draft.objects.exists()


def test_draft_save_drops_unknown_fields_and_nul_characters(users):
    reporter = users["reporter.riverside"]
    draft_save(user=reporter, data={"narrative": "a\x00b", "evil": "x", "techniques": ["srs_sbrt", {"x": 1}]},
               saved_at=123)
    fields = draft_for(user=reporter).data["fields"]
    assert fields == {"narrative": "ab", "techniques": ["srs_sbrt"]}


@pytest.mark.django_db(transaction=True)
def test_event_submit_concurrent_posts_get_distinct_references_and_one_event_per_key(users, coverages):
    reporter, coverage = users["reporter.riverside"], coverages["Main Campus"]
    shared_key = uuid.uuid4()
    keys = [uuid.uuid4() for _ in range(6)] + [shared_key] * 4
    results, errors = [], []
    barrier = threading.Barrier(len(keys))

    def work(key):
        try:
            barrier.wait()
            results.append(event_submit(by=reporter, data=event_data(coverage), idempotency_key=key).pk)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(k,)) for k in keys]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert Event.objects.count() == 7
    assert len(set(results)) == 7
    refs = sorted(Event.objects.values_list("reference", flat=True))
    year = timezone.localdate().year
    assert refs == [f"RCC-{year}-{n:04d}" for n in range(1, 8)]


def test_event_submit_without_notification_counts_as_notified(users, coverages):
    event = build_event(agreement=coverages["Main Campus"].agreement, user=users["reporter.riverside"], notify=False)
    assert event.notified_at is not None
    assert event_notify_task.delay(event.pk).get() == 0
