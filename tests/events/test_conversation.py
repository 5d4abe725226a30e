"""The follow-up conversation: reviewers ask, the reporter answers (by login, or anonymously through a private link),
and sees what came of the report once the review is finished."""

import hashlib
import re

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from events.conversation import feedback_share, follow_up_answer, follow_up_ask, follow_up_link_issue
from events.models import Event, FollowUpLink, FollowUpMessage
from foundation.taxonomy.events import EventStatus
from practices.models import AuditEntry
from review.services import event_transition, investigator_assign
from tests.factories.events import form_post
from tests.factories.review import make_event, review_event

S = EventStatus
pytestmark = pytest.mark.django_db


def _anonymous_report(world) -> tuple[Event, str]:
    """An anonymous report filed through the real form and its confirmation page; returns it and its link."""
    client = Client()
    client.force_login(world["users"]["general.riverside"])
    coverage = world["agreements"]["riverside"].coverages.first()
    done = client.post(reverse("events:event-create"), form_post(coverage))["Location"]
    page = client.get(done)
    assert page["Cache-Control"] == "no-store" and page["Referrer-Policy"] == "same-origin"
    url = page.context["follow_up_url"]
    assert url in page.content.decode()
    again = client.get(done)  # shown once
    assert "follow_up_url" not in again.context and url not in again.content.decode()
    return Event.objects.get(is_anonymous=True), url


def test_anonymous_link_shown_once_stored_as_hash_only(world):
    event, url = _anonymous_report(world)
    token = url.rstrip("/").rsplit("/", 1)[1]
    link = FollowUpLink.objects.get(event=event)
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert follow_up_link_issue(event_id=event.pk) is None  # never a second secret
    with connection.cursor() as cursor:  # the secret itself is nowhere in the database
        for table in ("events_followuplink", "django_session", "practices_auditentry", "practices_accesslog"):
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 (fixed table names)
            assert token not in repr(cursor.fetchall()), table


def test_named_report_gets_no_link(world, users):
    event = make_event(agreement=world["agreements"]["riverside"], user=users["reporter.riverside"])
    assert follow_up_link_issue(event_id=event.pk) is None
    assert not FollowUpLink.objects.exists()


def test_awaiting_info_asks_anonymous_reporter_who_answers_through_link(world, users):
    event, url = _anonymous_report(world)
    physicist = users["physicist.riverside"]
    review_event(event)
    event = event_transition(event=event, by=physicist, to=S.AWAITING_INFO, reason="Which fraction was it?")
    anonymous = Client()
    page = anonymous.get(url)
    assert page.status_code == 200
    assert "Which fraction was it?" in page.content.decode()
    assert page["Referrer-Policy"] == "same-origin"
    assert anonymous.post(url, {"body": ""}).status_code == 200  # a form error, nothing stored
    response = anonymous.post(url, {"body": "The third one."})
    assert response.status_code == 302
    answer = FollowUpMessage.objects.get(event=event, from_reporter=True)
    assert answer.author is None and answer.body == "The third one."
    event.refresh_from_db()
    assert event.status == S.IN_REVIEW
    entry = AuditEntry.objects.get(object_id=str(event.pk), action="follow_up_answered")
    assert entry.actor is None and entry.changes["status"] == [S.AWAITING_INFO, S.IN_REVIEW]
    reviewer = Client()
    reviewer.force_login(physicist)
    assert "The third one." in reviewer.get(reverse("review:event-detail", args=[event.pk])).content.decode()


def test_anonymous_event_without_link_cannot_await_information(world, users):
    event = make_event(agreement=world["agreements"]["riverside"], user=users["general.riverside"])
    review_event(event)
    with pytest.raises(Exception, match="no follow-up link"):
        event_transition(event=event, by=users["physicist.riverside"], to=S.AWAITING_INFO, reason="?")
    event.refresh_from_db()
    assert event.status == S.IN_REVIEW and not FollowUpMessage.objects.exists()


def test_awaiting_info_needs_a_question(world, users):
    event = make_event(agreement=world["agreements"]["riverside"], user=users["reporter.riverside"])
    review_event(event)
    client = Client()
    client.force_login(users["physicist.riverside"])
    response = client.post(reverse("review:event-transition", args=[event.pk]), {"to": "awaiting_info", "reason": ""})
    assert response.status_code == 200 and "Write the question" in response.content.decode()
    event.refresh_from_db()
    assert event.status == S.IN_REVIEW


def test_named_reporter_emailed_answers_from_my_submissions(world, users, django_capture_on_commit_callbacks):
    reporter = users["reporter.riverside"]
    event = make_event(agreement=world["agreements"]["riverside"], user=reporter)
    review_event(event)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        event_transition(event=event, by=users["physicist.riverside"], to=S.AWAITING_INFO, reason="Which couch?")
    conversation = reverse("events:event-conversation", args=[event.pk])
    assert [m.to for m in mail.outbox] == [[reporter.email]]
    assert conversation in mail.outbox[0].body and "Which couch?" not in mail.outbox[0].body
    client = Client()
    client.force_login(reporter)
    assert conversation in client.get(reverse("events:event-mine")).content.decode()
    page = client.get(conversation)
    assert "Which couch?" in page.content.decode() and "waiting for your answer" in page.content.decode()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(conversation, {"body": "Room 2."}).status_code == 302
    event.refresh_from_db()
    assert event.status == S.IN_REVIEW
    assert FollowUpMessage.objects.get(from_reporter=True).author == reporter
    assert mail.outbox and "Room 2." not in mail.outbox[0].body
    # Another reporter of the same practice, and the reviewers, cannot use the reporter's page.
    for other in ("reporter.lakeside", "physicist.riverside"):
        client.force_login(users[other])
        assert client.get(conversation).status_code == 404
        assert client.post(conversation, {"body": "x"}).status_code == 404


def test_investigator_asks_the_reporter(world, users):
    reporter = users["reporter.riverside"]
    event = make_event(agreement=world["agreements"]["riverside"], user=reporter)
    investigator_assign(event=event, by=users["physicist.riverside"], user=users["director.riverside"])
    client = Client()
    client.force_login(users["director.riverside"])
    response = client.post(reverse("review:followup-ask", args=[event.pk]), {"body": "Who noticed it?"})
    assert response.status_code == 302
    assert FollowUpMessage.objects.get().author == users["director.riverside"]
    client.force_login(users["reporter.lakeside"])
    assert client.post(reverse("review:followup-ask", args=[event.pk]), {"body": "x"}).status_code == 404
    with pytest.raises(Exception):  # noqa: B017 (PermissionDenied)
        follow_up_answer(event=event, body="not mine", by=users["reporter.lakeside"])


def test_feedback_shown_once_review_finished(world, users):
    reporter = users["reporter.riverside"]
    physicist = users["physicist.riverside"]
    event = make_event(agreement=world["agreements"]["riverside"], user=reporter)
    review_event(event)
    client = Client()
    client.force_login(physicist)
    response = client.post(
        reverse("review:feedback-share", args=[event.pk]),
        {
            "summary": "A checklist step was skipped.",
            "lessons": "Check bolus at time-out.",
            "actions": "Bolus added to the time-out checklist.",
        },
    )
    assert response.status_code == 302
    client.force_login(reporter)
    conversation = reverse("events:event-conversation", args=[event.pk])
    assert "Check bolus at time-out." not in client.get(conversation).content.decode()
    event_transition(event=event, by=physicist, to=S.CLOSED)
    page = client.get(conversation).content.decode()
    assert "Check bolus at time-out." in page and "Bolus added to the time-out checklist." in page
    client.force_login(users["reporter.riverside"])
    with pytest.raises(Exception):  # noqa: B017 (PermissionDenied: reporters do not share feedback)
        feedback_share(event=event, by=reporter, summary="x", lessons="", actions="")


@pytest.mark.parametrize("kind", ["link", "named"])
def test_conversation_page_constant_queries_at_10_and_1000_messages(world, users, kind):
    if kind == "link":
        event, url = _anonymous_report(world)
        client = Client()
    else:
        event = make_event(agreement=world["agreements"]["riverside"], user=users["reporter.riverside"])
        url = reverse("events:event-conversation", args=[event.pk])
        client = Client()
        client.force_login(users["reporter.riverside"])
    physicist = users["physicist.riverside"]

    def grow(n):
        FollowUpMessage.objects.bulk_create(
            [FollowUpMessage(event=event, author=physicist, body=f"Question {i}") for i in range(n)]
        )

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    grow(10)
    small = count()
    grow(990)
    large = count()
    assert small == large, f"{small} queries at 10 messages, {large} at 1,000"
    follow_up_ask(event=event, by=physicist, body="One more?")
    assert len(re.findall("Question ", client.get(url).content.decode())) == 1000


def _finished_with_feedback(world, users, reporter):
    physicist = users["physicist.riverside"]
    event = make_event(agreement=world["agreements"]["riverside"], user=reporter)
    review_event(event)
    feedback_share(event=event, by=physicist, summary="Found.", lessons="Learned.", actions="Done.")
    return event_transition(event=event, by=physicist, to=S.CLOSED)


def test_reporter_digest_once_a_day_and_opt_out(world, users):
    import datetime as dt

    from django.utils import timezone

    from events.conversation import reporter_digests_send
    from practices.models import NotificationSettings

    reporter = users["reporter.riverside"]
    event = _finished_with_feedback(world, users, reporter)
    mail.outbox.clear()
    assert reporter_digests_send() == 1
    assert mail.outbox[0].to == [reporter.email] and event.reference in mail.outbox[0].body
    assert "Learned." not in mail.outbox[0].body  # links only
    follow_up_ask(event=event, by=users["physicist.riverside"], body="One more question?")
    assert reporter_digests_send() == 0  # one digest a day at most
    tomorrow = timezone.now() + dt.timedelta(days=1)
    assert reporter_digests_send(now=tomorrow) == 1 and "a question for you" in mail.outbox[-1].body
    assert reporter_digests_send(now=tomorrow + dt.timedelta(days=1)) == 0  # nothing new since
    NotificationSettings.objects.filter(user=reporter).update(reporter_news="off", last_digest_at=None)
    assert reporter_digests_send() == 0


def test_notification_settings_page(world, users):
    from practices.models import NotificationSettings

    client = Client()
    client.force_login(users["reporter.riverside"])
    url = reverse("practices:notification-settings")
    assert client.get(url).status_code == 200
    assert client.post(url, {"reporter_news": "nonsense", "work_mail": "off"}).status_code == 200
    assert not NotificationSettings.objects.exists()
    assert client.post(url, {"reporter_news": "off", "work_mail": "off"}).status_code == 302
    row = NotificationSettings.objects.get(user=users["reporter.riverside"])
    assert row.reporter_news == "off" and row.work_mail == "off"


@pytest.mark.django_db(transaction=True)
def test_reporter_digest_sweeps_at_once_send_one_digest(world):
    import threading

    from events.conversation import reporter_digests_send

    users = world["users"]
    for _ in range(3):
        _finished_with_feedback(world, users, users["reporter.riverside"])
    mail.outbox.clear()
    barrier, results, errors = threading.Barrier(3), [], []

    def sweep():
        try:
            barrier.wait()
            results.append(reporter_digests_send())
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and sum(results) == 1 and len(mail.outbox) == 1
