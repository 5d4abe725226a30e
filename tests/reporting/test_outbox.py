"""The outbox: enqueue in the caller's transaction, the lease-based sweeper, the operator command, the staff page."""

from datetime import timedelta
from io import StringIO
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import OperationalError, transaction
from django.urls import reverse
from django.utils import timezone

from reporting.deidentify import RecordError, deidentify
from reporting.models import StoreRecord, Submission
from reporting.selectors import outbox_counts
from reporting.services import retry_delay, submission_deliver, submission_enqueue, submission_sweep

from .outbox_records import raw_record, second_pso

pytestmark = pytest.mark.django_db(databases=["default", "pso"])

STORE_DOWN = OperationalError("could not connect to the PSO store")


def _enqueue(agreement, **kwargs) -> Submission:
    return submission_enqueue(record=raw_record(agreement=agreement, **kwargs), agreement_id=agreement.pk)


def _fail(submission: Submission) -> None:
    with mock.patch("reporting.services._store_upsert_many", side_effect=STORE_DOWN), pytest.raises(OperationalError):
        submission_deliver(submission.pk)


# --- enqueue -------------------------------------------------------------------------------------


def test_submission_enqueue_holds_only_the_deidentified_record(world):
    agreement = world["agreements"]["riverside"]
    raw = raw_record(agreement=agreement, narrative="Pt MRN 12345678 was set up with the wrong shift.")
    submission = submission_enqueue(record=raw, agreement_id=agreement.pk)
    assert submission.record == deidentify(raw)
    assert "12345678" not in str(submission.record)
    assert (submission.pso_id, submission.agreement_id, submission.revision) == (agreement.pso_id, agreement.pk, 1)
    assert submission.next_attempt_at > timezone.now()  # the on-commit task has a lease before the sweeper acts


def test_submission_enqueue_delivers_only_after_the_caller_commits(world, django_capture_on_commit_callbacks):
    agreement = world["agreements"]["riverside"]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _enqueue(agreement)
    assert len(callbacks) == 1 and not StoreRecord.objects.exists()
    callbacks[0]()  # the commit: eager Celery delivers in-process
    assert StoreRecord.objects.count() == 1


def test_submission_enqueue_rolled_back_with_the_caller_sends_nothing(world, django_capture_on_commit_callbacks):
    agreement = world["agreements"]["riverside"]
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        _enqueue(agreement)
        raise RuntimeError("review failed after enqueueing")
    assert callbacks == [] and not Submission.objects.exists()


def test_submission_enqueue_same_revision_twice_one_row(world):
    agreement = world["agreements"]["riverside"]
    assert _enqueue(agreement).pk == _enqueue(agreement).pk
    assert Submission.objects.count() == 1


def test_submission_enqueue_pso_not_the_agreements_raises_record_error(world):
    other = second_pso()
    agreement = world["agreements"]["riverside"]
    with pytest.raises(RecordError, match="pso_id"):
        submission_enqueue(record=raw_record(agreement=agreement, pso_id=other["pso"].pk), agreement_id=agreement.pk)
    assert not Submission.objects.exists()


def test_submission_enqueue_unknown_field_raises_record_error(world):
    agreement = world["agreements"]["riverside"]
    with pytest.raises(RecordError):
        submission_enqueue(record={**raw_record(agreement=agreement), "patient_name": "x"}, agreement_id=agreement.pk)


# --- sweeper -------------------------------------------------------------------------------------


def _undelivered(world, count: int) -> list[Submission]:
    """Rows whose on-commit message was lost (never published: as after a broker restart)."""
    agreement = world["agreements"]["riverside"]
    return [_enqueue(agreement, n=n) for n in range(count)]


def test_submission_sweep_nothing_due_sends_nothing(world):
    _undelivered(world, 2)
    assert submission_sweep() == 0
    assert not StoreRecord.objects.exists()


def test_submission_sweep_lost_messages_delivered_once_lease_runs_out(world, django_capture_on_commit_callbacks):
    _undelivered(world, 3)
    later = timezone.now() + retry_delay(1) + timedelta(seconds=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert submission_sweep(now=later) == 3
    assert StoreRecord.objects.count() == 3
    assert not Submission.objects.filter(pushed_at__isnull=True).exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert submission_sweep(now=later + timedelta(days=1)) == 0  # delivered rows are never sent again


def test_submission_sweep_failed_rows_back_off_exponentially(world, django_capture_on_commit_callbacks):
    (submission,) = _undelivered(world, 1)
    for _ in range(3):
        _fail(submission)
    submission.refresh_from_db()
    assert submission.attempts == 3
    due_at = submission.next_attempt_at
    assert submission_sweep(now=due_at - timedelta(seconds=1)) == 0
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert submission_sweep(now=due_at) == 1
    submission.refresh_from_db()
    assert submission.next_attempt_at == due_at + retry_delay(4)  # the lease of the attempt just sent
    assert submission_sweep(now=due_at) == 0  # already leased: not sent twice while queued
    assert retry_delay(1) < retry_delay(2) < retry_delay(3) < retry_delay(4) <= retry_delay(50) == timedelta(hours=1)
    callbacks[0]()
    submission.refresh_from_db()
    assert submission.pushed_at is not None and submission.attempts == 4


def test_submission_sweep_batch_limit_oldest_first(world, django_capture_on_commit_callbacks):
    rows = _undelivered(world, 5)
    with django_capture_on_commit_callbacks(execute=True):
        assert submission_sweep(now=timezone.now() + timedelta(hours=2), limit=2) == 2
    assert set(StoreRecord.objects.values_list("event_key", flat=True)) == {r.event_key for r in rows[:2]}


# --- operator command ------------------------------------------------------------------------------


def _command(*args) -> str:
    out = StringIO()
    call_command("pso_outbox", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_pso_outbox_command_prints_pending_failed_delivered(world, django_capture_on_commit_callbacks):
    rows = _undelivered(world, 4)
    _fail(rows[0])
    submission_deliver(rows[1].pk)
    output = _command()
    assert "pending" in output and "failed" in output and "delivered" in output
    total = [line for line in output.splitlines() if line.startswith("total")][0]
    assert total.split()[1:] == ["2", "1", "1"]


def test_pso_outbox_command_retry_requeues_failed_only(world, django_capture_on_commit_callbacks):
    rows = _undelivered(world, 3)
    _fail(rows[0])
    with django_capture_on_commit_callbacks(execute=True):
        output = _command("--retry")
    assert "re-queued 1 failed submission(s)" in output
    assert list(StoreRecord.objects.values_list("event_key", flat=True)) == [rows[0].event_key]
    assert outbox_counts() == {"pending": 2, "failed": 0, "delivered": 1}


def test_pso_outbox_command_deliver_delivers_synchronously(world):
    _undelivered(world, 3)
    output = _command("--deliver")
    assert "delivered 3, failed 0" in output
    assert StoreRecord.objects.count() == 3
    assert outbox_counts() == {"pending": 0, "failed": 0, "delivered": 3}


def test_pso_outbox_command_per_pso_rows(world):
    other = second_pso()
    _undelivered(world, 2)
    _enqueue(other["agreement"], n=99)
    lines = _command().splitlines()
    assert any(line.startswith(world["pso"].name) and line.split()[-3:] == ["2", "0", "0"] for line in lines)
    assert any(line.startswith("Second Safety PSO") and line.split()[-3:] == ["1", "0", "0"] for line in lines)


# --- PSO staff page -------------------------------------------------------------------------------


def test_outbox_page_staff_sees_own_pso_undelivered_rows_only(client, world):
    other = second_pso()
    ours = _undelivered(world, 2)
    _fail(ours[0])
    submission_deliver(_enqueue(world["agreements"]["riverside"], n=50).pk)
    theirs = _enqueue(other["agreement"], n=60)
    client.force_login(world["users"]["staff.pso"])
    response = client.get(reverse("reporting:outbox"))
    assert response.status_code == 200
    shown = {s.pk for s in response.context["submissions"]}
    assert shown == {s.pk for s in ours}
    assert response.context["counts"] == {"pending": 1, "failed": 1, "delivered": 1}
    body = response.content.decode()
    assert ours[0].event_key[:10] in body and theirs.event_key[:10] not in body
    assert "OperationalError: could not connect to the PSO store" in body
    client.force_login(other["staff"])
    assert {s.pk for s in client.get(reverse("reporting:outbox")).context["submissions"]} == {theirs.pk}


def test_outbox_page_state_filter_failed(client, world):
    rows = _undelivered(world, 3)
    _fail(rows[2])
    client.force_login(world["users"]["staff.pso"])
    response = client.get(reverse("reporting:outbox"), {"state": "failed"})
    assert [s.pk for s in response.context["submissions"]] == [rows[2].pk]


def test_outbox_page_never_shows_narrative_or_full_key(client, world):
    (submission,) = _undelivered(world, 1)
    client.force_login(world["users"]["staff.pso"])
    body = client.get(reverse("reporting:outbox")).content.decode()
    assert submission.record["narrative"] not in body and submission.record["lessons_learned"] not in body
    assert submission.event_key[:10] in body and submission.event_key not in body


@pytest.mark.parametrize("username", ["analyst.pso", "physicist.riverside", "reporter.riverside", "general.riverside"])
def test_outbox_page_not_pso_staff_404(client, world, username):
    client.force_login(world["users"][username])
    assert client.get(reverse("reporting:outbox")).status_code == 404


def test_outbox_page_anonymous_redirects_to_login(client, world):
    response = client.get(reverse("reporting:outbox"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


@pytest.mark.parametrize("rows", [1, 30])
def test_outbox_page_constant_queries(client, world, django_assert_num_queries, rows):
    undelivered = _undelivered(world, rows)
    for submission in undelivered[::2]:
        _fail(submission)
    client.force_login(world["users"]["staff.pso"])
    with django_assert_num_queries(5):  # session, user with tenants, counts, page count, rows
        response = client.get(reverse("reporting:outbox"))
    assert len(response.context["submissions"]) == rows


# --- admin ------------------------------------------------------------------------------------------


def test_submission_admin_lists_rows_without_record_and_sends_again(client, world, django_capture_on_commit_callbacks):
    from practices.models import User

    rows = _undelivered(world, 2)
    _fail(rows[0])
    admin = User.objects.create_superuser("root", "root@example.org", "x" * 16)
    client.force_login(admin)
    url = reverse("admin:reporting_submission_changelist")
    body = client.get(url).content.decode()
    assert rows[0].event_key[:10] in body and rows[0].record["narrative"] not in body
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"action": "send_again", "_selected_action": [rows[0].pk]})
    assert response.status_code == 302
    assert list(StoreRecord.objects.values_list("event_key", flat=True)) == [rows[0].event_key]
