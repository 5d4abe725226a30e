"""Questions back to the practice: the analyst asks about one record; the reporting practice's reviewers see it on
the event (by its pseudonymous key) and answer; the analyst reads the answer, scrubbed of identifiers."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from reporting.models import RecordQuery, StoreRecord
from reporting.queries import record_query_answer, record_query_ask
from review.services import review_finalize
from tests.factories.reporting import push_record
from tests.factories.review import ready_event, reviewer_of

pytestmark = pytest.mark.django_db(databases=["default", "pso"])


@pytest.fixture(autouse=True)
def force_login_suffices(settings):
    settings.ROILS_ENFORCE_2FA = False


@pytest.fixture
def reported(world, django_capture_on_commit_callbacks):
    """A Riverside event reported to the PSO (eager delivery after commit) and its record in the store."""
    riverside = world["agreements"]["riverside"]
    event = ready_event(agreement=riverside)
    with django_capture_on_commit_callbacks(execute=True):
        review_finalize(event=event, by=reviewer_of(riverside), confirmed=True)
    event.refresh_from_db()
    record = StoreRecord.objects.get(event_key=event.review.pso_event_key)
    return event, record


def test_question_reaches_the_reporting_practice_only_and_the_answer_comes_back_scrubbed(
    client, world, users, reported
):
    event, record = reported
    client.force_login(users["analyst.pso"])
    client.post(reverse("reporting:record-question", args=[record.pk]), {"question": "Was the bolus in the photo?"})
    query = RecordQuery.objects.get()
    assert (query.agreement_id, query.event_key) == (event.agreement_id, record.event_key)

    event_url = reverse("review:event-detail", args=[event.pk])
    client.force_login(users["physicist.lakeside"])  # another practice of the same PSO
    assert client.get(event_url).status_code == 404
    assert client.post(reverse("reporting:recordquery-answer", args=[query.pk]), {"answer": "x"}).status_code == 404
    client.force_login(users["reporter.riverside"])
    assert client.post(reverse("reporting:recordquery-answer", args=[query.pk]), {"answer": "x"}).status_code == 404

    client.force_login(users["physicist.riverside"])
    page = client.get(event_url).content.decode()
    assert "Questions from your PSO" in page and "Was the bolus in the photo?" in page
    response = client.post(reverse("reporting:recordquery-answer", args=[query.pk]),
                           {"answer": "Yes; MRN 12345678 was checked by Dr. Smith.", "next": event_url})  # fmt: skip
    assert response.status_code == 302 and response["Location"] == event_url
    query.refresh_from_db()
    assert "12345678" not in query.answer and query.answered_by == users["physicist.riverside"]

    client.force_login(users["analyst.pso"])
    page = client.get(reverse("reporting:record-detail", args=[record.pk])).content.decode()
    assert query.answer in page and "12345678" not in page and "physicist.riverside" not in page


def test_answer_next_elsewhere_goes_home(client, users, reported):
    _event, record = reported
    query = record_query_ask(by=users["analyst.pso"], record=record, question="Which shift?")
    client.force_login(users["physicist.riverside"])
    response = client.post(reverse("reporting:recordquery-answer", args=[query.pk]),
                           {"answer": "The lateral.", "next": "https://evil.example/"})  # fmt: skip
    assert response["Location"] == reverse("home")


def test_question_services_refuse_others_and_empty_text(world, users, reported):
    _event, record = reported
    with pytest.raises(PermissionDenied):
        record_query_ask(by=users["staff.pso"], record=record, question="x")
    with pytest.raises(ValidationError):
        record_query_ask(by=users["analyst.pso"], record=record, question="  ")
    query = record_query_ask(by=users["analyst.pso"], record=record, question="Which shift?")
    with pytest.raises(PermissionDenied):
        record_query_answer(by=users["physicist.lakeside"], query=query, answer="x")
    with pytest.raises(ValidationError):
        record_query_answer(by=users["physicist.riverside"], query=query, answer=" ")


def test_question_on_a_record_without_outbox_row_is_a_message(client, world, users):
    record = push_record(world["agreements"]["riverside"])
    StoreRecord.objects.filter(pk=record.pk).update(event_key="0" * 32)  # e.g. a bulk-loaded record
    client.force_login(users["analyst.pso"])
    response = client.post(reverse("reporting:record-question", args=[record.pk]), {"question": "Which shift?"})
    assert response.status_code == 302 and not RecordQuery.objects.exists()
    assert "cannot be traced" in client.get(response["Location"]).content.decode()
