"""Investigators and action owners: what each may see and do, and that every change is audited and at once."""

import datetime as dt

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from foundation.taxonomy.events import EventStatus
from practices.choices import Role
from practices.models import AccessLog, AuditEntry, Membership
from review.models import ActionItem, ActionUpdate, Investigator, Review
from review.services import action_item_add, action_progress_add, investigator_assign, investigator_withdraw
from tests.factories.review import make_event

S = EventStatus
pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def detail(event):
    return reverse("review:event-detail", args=[event.pk])


@pytest.fixture
def reporter(users):
    return users["reporter.riverside"]


@pytest.fixture
def assigned(riverside, physicist, reporter):
    """An event of Riverside whose investigator is Riverside's reporter, and another event of Riverside."""
    event = make_event(agreement=riverside)
    other = make_event(agreement=riverside)
    investigator_assign(event=event, by=physicist, user=reporter)
    return event, other


def _action(event, by, owner, days=14):
    return action_item_add(
        event=event,
        by=by,
        action_type="proc.checklists",
        description="Add a checklist item.",
        owner=owner,
        due_date=timezone.localdate() + dt.timedelta(days=days),
    )


# --- investigators --------------------------------------------------------------------------------


def test_investigator_assign_audited_emailed_and_takes_no_seat(
    riverside, physicist, reporter, django_capture_on_commit_callbacks
):
    seats = Membership.objects.filter(agreement=riverside, role=Role.FULL_ACCESS, is_active=True).count()
    event = make_event(agreement=riverside)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assignment = investigator_assign(event=event, by=physicist, user=reporter)
    assert assignment.user == reporter
    assert [m.to for m in mail.outbox] == [[reporter.email]]
    assert reverse("review:event-detail", args=[event.pk]) in mail.outbox[0].body
    assert event.narrative not in mail.outbox[0].body
    entry = AuditEntry.objects.filter(object_id=str(event.pk), action="investigator_assigned").get()
    assert entry.actor == physicist and entry.changes["investigator"] == [None, str(reporter)]
    assert Membership.objects.filter(agreement=riverside, role=Role.FULL_ACCESS, is_active=True).count() == seats
    assert Membership.objects.get(agreement=riverside, user=reporter).role == Role.REPORTER


def test_investigator_sees_only_their_event_and_can_review_it(client_for, assigned, reporter):
    event, other = assigned
    client = client_for("reporter.riverside")
    page = client.get(detail(event))
    assert page.status_code == 200
    body = page.content.decode()
    assert "You are investigating this event" in body
    assert reverse("review:event-report", args=[event.pk]) not in body
    for url in (
        detail(other),
        reverse("review:queue"),
        reverse("review:queue-export", args=["csv"]),
        reverse("review:event-report", args=[event.pk]),
        reverse("practices:accesslog-list"),
        reverse("practices:agreement-mine"),
    ):
        assert client.get(url).status_code == 404, url
    for url, data in (
        (reverse("review:event-transition", args=[event.pk]), {"to": "invalid", "reason": "x"}),
        (reverse("review:event-report", args=[event.pk]), {"confirmed": "on"}),
        (reverse("review:investigator-assign", args=[event.pk]), {"withdraw": "1"}),
        (detail(other), {"title": "x", "expected_version": 0}),
    ):
        assert client.post(url, data).status_code == 404, url
    response = client.post(
        detail(event),
        {"title": "Bolus left in the room", "expected_version": 0, "classification": event.classification},
    )
    assert response.status_code == 302
    assert Review.objects.get(event=event).title == "Bolus left in the room"
    assert AuditEntry.objects.filter(object_id=str(event.pk), action="review_saved", actor=reporter).exists()
    event.refresh_from_db()
    assert event.status == S.IN_REVIEW
    assert not Review.objects.filter(event=other).exists()


def test_investigator_proposes_an_action(client_for, assigned, reporter, physicist):
    event, _other = assigned
    client = client_for("reporter.riverside")
    due = (timezone.localdate() + dt.timedelta(days=10)).isoformat()
    response = client.post(
        reverse("review:actionitem-create", args=[event.pk]),
        {
            "action_type": "proc.checklists",
            "description": "Check the bolus at time-out.",
            "owner": physicist.pk,
            "due_date": due,
        },
    )
    assert response.status_code == 302
    item = ActionItem.objects.get(event=event)
    assert item.assigned_by == reporter and item.owner == physicist


def test_investigator_reassigned_or_withdrawn_loses_access_on_next_request(client_for, assigned, users, physicist):
    event, _other = assigned
    client = client_for("reporter.riverside")
    assert client.get(detail(event)).status_code == 200
    investigator_assign(event=event, by=physicist, user=users["director.riverside"])
    assert client.get(detail(event)).status_code == 404
    assert AuditEntry.objects.filter(object_id=str(event.pk), action="investigator_reassigned").exists()
    investigator_assign(event=event, by=physicist, user=users["reporter.riverside"])
    assert client.get(detail(event)).status_code == 200
    investigator_withdraw(event=event, by=physicist)
    assert client.get(detail(event)).status_code == 404
    assert client.get(reverse("review:my-work")).content.decode().count(event.reference) == 0
    assert AuditEntry.objects.filter(object_id=str(event.pk), action="investigator_withdrawn").exists()
    assert Investigator.objects.filter(event=event, withdrawn_at__isnull=True).count() == 0


def test_investigator_membership_revoked_loses_access(client_for, assigned, riverside, reporter):
    event, _other = assigned
    client = client_for("reporter.riverside")
    assert client.get(detail(event)).status_code == 200
    Membership.objects.filter(agreement=riverside, user=reporter).update(is_active=False)
    assert client.get(detail(event)).status_code == 404


def test_investigator_assign_page_by_reviewer(client_for, riverside, reporter, users):
    event = make_event(agreement=riverside)
    client = client_for("physicist.riverside")
    page = client.get(detail(event)).content.decode()
    assert "Ask to investigate" in page
    response = client.post(reverse("review:investigator-assign", args=[event.pk]), {"user": reporter.pk})
    assert response.status_code == 302
    assert Investigator.objects.get(event=event, withdrawn_at__isnull=True).user == reporter
    # A shared login or a login of another agreement cannot be chosen: a form error, nothing changes.
    for bad in (users["general.riverside"].pk, users["reporter.lakeside"].pk, "nonsense"):
        response = client.post(reverse("review:investigator-assign", args=[event.pk]), {"user": bad})
        assert response.status_code == 200
        assert "Choose a named, active login" in response.content.decode()
    assert Investigator.objects.get(event=event, withdrawn_at__isnull=True).user == reporter
    response = client.post(reverse("review:investigator-assign", args=[event.pk]), {"withdraw": "1"})
    assert response.status_code == 302
    assert not Investigator.objects.filter(event=event, withdrawn_at__isnull=True).exists()


# --- action owners ----------------------------------------------------------------------------------


def test_action_owner_emailed_sees_my_work_and_completes(
    client_for, riverside, physicist, reporter, django_capture_on_commit_callbacks
):
    event = make_event(agreement=riverside)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        item = _action(event, physicist, reporter)
    assert [m.to for m in mail.outbox] == [[reporter.email]]
    assert reverse("review:action-work", args=[item.pk]) in mail.outbox[0].body
    assert event.narrative not in mail.outbox[0].body
    client = client_for("reporter.riverside")
    page = client.get(reverse("review:my-work")).content.decode()
    assert reverse("review:action-work", args=[item.pk]) in page
    url = reverse("review:action-work", args=[item.pk])
    assert client.get(url).status_code == 200
    # The owner sees the action, not the event page or its narrative.
    assert event.narrative not in client.get(url).content.decode()
    assert client.get(detail(event)).status_code == 404
    response = client.post(url, {"note": "Checklist drafted."})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == "in_progress"
    evidence = SimpleUploadedFile("checklist.pdf", PDF, content_type="application/pdf")
    response = client.post(url, {"note": "Posted at the console.", "evidence": evidence, "mark_done": "on"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == "done" and item.completed_by == reporter and item.verified_at is None
    update = ActionUpdate.objects.filter(item=item).exclude(evidence="").get()
    assert update.evidence_type == "application/pdf" and update.evidence_name == "checklist.pdf"
    download = client.get(reverse("review:evidence", args=[update.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert download["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in download["Content-Disposition"]
    assert download["Content-Security-Policy"] == "default-src 'none'; sandbox"
    logged = AccessLog.objects.get(action="download", object_id=str(update.pk))
    assert logged.user == reporter and logged.agreement_id == event.agreement_id
    update.evidence.storage.delete(update.evidence.name)  # storage lost the file: a 404, never a 500
    assert client.get(reverse("review:evidence", args=[update.pk])).status_code == 404
    # Owners do not verify their own work.
    verify = reverse("review:action-verify", args=[item.pk])
    assert client.post(verify, {"verification": "effective"}).status_code == 404
    reviewer = client_for("physicist.riverside")
    assert "Verify and close" in reviewer.get(url).content.decode()
    assert reviewer.post(verify, {"verification": "effective", "note": "Seen in use."}).status_code == 302
    item.refresh_from_db()
    assert item.verification == "effective" and item.verified_by == physicist and item.is_closed
    assert AuditEntry.objects.filter(object_id=str(event.pk), action="action_item_verified").exists()
    owner = client_for("reporter.riverside")
    assert "Closed (effective)" in owner.get(reverse("review:my-work")).content.decode()
    assert owner.post(url, {"note": "More"}).status_code == 200  # closed: a form error, nothing added
    assert ActionUpdate.objects.filter(item=item).count() == 2


def test_evidence_checked_on_content_not_name(client_for, riverside, physicist, reporter):
    item = _action(make_event(agreement=riverside), physicist, reporter)
    client = client_for("reporter.riverside")
    url = reverse("review:action-work", args=[item.pk])
    for name, content in (
        ("report.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00"),
        ("x.png", b"<svg onload=x>\x00"),
        ("empty.pdf", b""),
    ):
        response = client.post(
            url, {"note": "see file", "evidence": SimpleUploadedFile(name, content, content_type="application/pdf")}
        )
        assert response.status_code == 200, name
        assert "Attach a PDF" in response.content.decode() or "empty" in response.content.decode(), name
    assert not ActionUpdate.objects.filter(item=item).exists()
    assert client.post(url, {}).status_code == 200  # nothing given: a form error
    assert not ActionUpdate.objects.filter(item=item).exists()


def test_action_other_login_of_agreement_gets_404(client_for, riverside, physicist, reporter, users):
    item = _action(make_event(agreement=riverside), physicist, users["director.riverside"])
    update = action_progress_add(
        item=item, by=users["director.riverside"], note="n", evidence=SimpleUploadedFile("n.txt", b"plain text\n")
    )
    client = client_for("reporter.riverside")
    for url in (reverse("review:action-work", args=[item.pk]), reverse("review:evidence", args=[update.pk])):
        assert client.get(url).status_code == 404
        assert client.post(url, {"note": "x"}).status_code in (404, 405)
    assert reverse("review:action-work", args=[item.pk]) not in client.get(reverse("review:my-work")).content.decode()


def test_owner_revoked_loses_action(client_for, riverside, physicist, reporter):
    item = _action(make_event(agreement=riverside), physicist, reporter)
    client = client_for("reporter.riverside")
    url = reverse("review:action-work", args=[item.pk])
    assert client.get(url).status_code == 200
    Membership.objects.filter(agreement=riverside, user=reporter).update(is_active=False)
    assert client.get(url).status_code == 404


def test_queue_shows_overdue_actions(client_for, riverside, physicist):
    event = make_event(agreement=riverside)
    item = _action(event, physicist, physicist)
    ActionItem.objects.filter(pk=item.pk).update(due_date=timezone.localdate() - dt.timedelta(days=1))
    page = client_for("physicist.riverside").get(reverse("review:queue")).content.decode()
    assert "Action overdue" in page
    ActionItem.objects.filter(pk=item.pk).update(status="done")
    assert "Action overdue" not in client_for("physicist.riverside").get(reverse("review:queue")).content.decode()


def test_my_work_constant_queries_at_10_and_1000_items(client_for, riverside, physicist, reporter):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories.review import bulk_events

    def grow(n, prefix):
        events = bulk_events(agreement=riverside, count=n, prefix=prefix)
        ActionItem.objects.bulk_create(
            [
                ActionItem(
                    event=e,
                    number=1,
                    action_type="proc.checklists",
                    description=f"Item {i}",
                    owner=reporter,
                    due_date=timezone.localdate() + dt.timedelta(days=i % 30 - 5),
                    assigned_by=physicist,
                )
                for i, e in enumerate(events)
            ]
        )
        Investigator.objects.bulk_create([Investigator(event=e, user=reporter, assigned_by=physicist) for e in events])

    client = client_for("reporter.riverside")

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("review:my-work")).status_code == 200
        return len(ctx.captured_queries)

    grow(10, "SML")
    small = count()
    grow(990, "BIG")
    large = count()
    assert small == large, f"My work: {small} queries at 10 items, {large} at 1,000"
    page = client.get(reverse("review:my-work")).content.decode()
    assert "Overdue" in page and "Page 1 of 20" in page


def test_work_mail_opt_out(riverside, physicist, reporter, django_capture_on_commit_callbacks):
    from practices.models import NotificationSettings

    NotificationSettings.objects.create(user=reporter, work_mail="off")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        _action(make_event(agreement=riverside), physicist, reporter)
        investigator_assign(event=make_event(agreement=riverside), by=physicist, user=reporter)
    assert mail.outbox == []


def test_action_given_to_a_new_person_invites_a_reporter_login(
    client_for, riverside, physicist, django_capture_on_commit_callbacks
):
    from practices.models import User

    event = make_event(agreement=riverside)
    client = client_for("physicist.riverside")
    url = reverse("review:actionitem-create", args=[event.pk])
    due = (timezone.localdate() + dt.timedelta(days=7)).isoformat()
    base = {"action_type": "proc.checklists", "description": "Label the bolus shelf.", "due_date": due}
    for bad in (
        {},
        {"new_owner_name": "Kim Lee"},
        {"new_owner_email": "not-an-address"},
        {"owner": physicist.pk, "new_owner_name": "Kim Lee", "new_owner_email": "kim@clinic.example"},
    ):
        response = client.post(url, {**base, **bad})
        assert response.status_code == 200, bad
    assert not ActionItem.objects.filter(event=event).exists() and not User.objects.filter(email="kim@clinic.example")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {**base, "new_owner_name": "Kim Lee", "new_owner_email": "Kim@Clinic.example"})
    assert response.status_code == 302
    owner = ActionItem.objects.get(event=event).owner
    assert (owner.email, owner.first_name, owner.last_name, owner.has_usable_password()) == (
        "kim@clinic.example",
        "Kim",
        "Lee",
        False,
    )
    assert Membership.objects.get(user=owner, agreement=riverside).role == Role.REPORTER
    link = next(m for m in mail.outbox if m.subject == "Your roils login").body.split("\n\n")[-1].strip()
    path = link.split("://", 1)[1].split("/", 1)[1]
    from django.test import Client

    invited = Client()
    response = invited.get("/" + path, follow=True)
    assert response.status_code == 200
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else "/" + path
    response = invited.post(
        form_url, {"new_password1": "a-long-new-password-42", "new_password2": "a-long-new-password-42"}
    )
    assert response.status_code == 302
    assert invited.login(username=owner.username, password="a-long-new-password-42")
    assert invited.get(reverse("review:my-work")).content.decode().count("Label the bolus shelf.") == 1
    # An investigator cannot invite logins: the fields are not offered and the owner must be chosen.
    investigator_assign(event=event, by=physicist, user=owner)
    page = invited.get(reverse("review:event-detail", args=[event.pk])).content.decode()
    assert "new_owner_email" not in page
