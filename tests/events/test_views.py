"""Submit Event pages: the form, the privacy guard, idempotency, confirmation, drafts and My submissions."""

import datetime as dt
import json
import uuid

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from events.models import Draft, Event
from foundation.taxonomy.events import CLASSIFICATION_HELP
from practices.choices import AgreementState
from practices.services import agreement_transition
from tests.factories.events import build_event

pytestmark = pytest.mark.django_db

CREATE = reverse("events:event-create")
DRAFT = reverse("events:event-draft")
CHECK = reverse("events:event-check-narrative")
MINE = reverse("events:event-mine")


def _payload(coverage, **overrides):
    data = {
        "coverage": str(coverage.pk),
        "classification": "near_miss",
        "narrative": "Wrong plan version opened at the console; caught at the time-out.",
        "techniques": ["imrt_vmat"],
        "event_date": (timezone.localdate() - dt.timedelta(days=1)).isoformat(),
        "event_time": "",
        "workflow_step_noticed": "treatment_delivery",
        "age_range": "60_69",
        "patient_sex": "female",
        "reporter_role": "radiation_therapist",
        "reporter_name": "Sam Rivera",
        "idempotency_key": str(uuid.uuid4()),
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_event_create_anonymous_visitor_redirected_to_login_with_next(client, world):
    response = client.get(CREATE)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={CREATE}"


def test_event_create_form_shows_every_question_with_help(client_for):
    response = client_for("reporter.riverside").get(CREATE)
    assert response.status_code == 200
    html = response.content.decode()
    for help_text in CLASSIFICATION_HELP.values():
        assert str(help_text).replace("'", "&#x27;") in html
    for text in ("Main Campus", "North Clinic", "Not applicable", "Stay anonymous to reviewers",
                 "do not appear in My submissions", 'name="idempotency_key"', timezone.localdate().isoformat()):
        assert text in html
    assert "Lakeside" not in html
    assert "<script>" not in html and " onclick=" not in html and ' style="' not in html


def test_event_create_shared_login_explains_anonymity_and_local_drafts(client_for):
    html = client_for("general.riverside").get(CREATE).content.decode()
    assert "this report is <strong>anonymous</strong>" in html
    assert "only in this browser" in html
    assert 'name="reporter_name"' not in html


def test_event_create_valid_post_creates_event_and_shows_reference(client_for, coverages):
    client = client_for("reporter.riverside")
    response = client.post(CREATE, _payload(coverages["North Clinic"]))
    event = Event.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("events:event-done", args=[event.pk]) + "?submitted=1"
    done = client.get(response["Location"]).content.decode()
    assert event.reference in done and event.reference.startswith("RCC-")
    assert "What happens next" in done and "Submit another event" in done
    assert event.submitted_by.username == "reporter.riverside"
    assert event.reporter_name == "Sam Rivera"
    assert event.facility.name == "North Clinic"


def test_event_create_shared_login_stores_no_identity_but_shows_confirmation(client_for, coverages):
    client = client_for("general.riverside")
    response = client.post(CREATE, _payload(coverages["Main Campus"], reporter_name="Pat", stay_anonymous="on"))
    event = Event.objects.get()
    assert (event.is_anonymous, event.submitted_by, event.reporter_name) == (True, None, "")
    done = client.get(response["Location"])
    assert done.status_code == 200 and event.reference in done.content.decode()
    assert "This report is anonymous" in done.content.decode()


def test_event_done_anonymous_event_not_visible_from_another_session(client_for, coverages, users):
    response = client_for("general.riverside").post(CREATE, _payload(coverages["Main Campus"]))
    other = Client()
    other.force_login(users["general.riverside"])
    assert other.get(response["Location"]).status_code == 404


def test_event_done_foreign_and_other_reporters_events_are_404(client_for, coverages, users):
    event = build_event(agreement=coverages["Main Campus"].agreement, user=users["physicist.riverside"])
    done = reverse("events:event-done", args=[event.pk])
    assert client_for("reporter.lakeside").get(done).status_code == 404
    assert client_for("reporter.riverside").get(done).status_code == 404
    assert client_for("director.riverside").get(done).status_code == 200


def test_event_create_same_key_twice_creates_one_event(client_for, coverages):
    client = client_for("reporter.riverside")
    payload = _payload(coverages["Main Campus"])
    first = client.post(CREATE, payload)
    second = client.post(CREATE, payload)
    assert Event.objects.count() == 1
    assert first["Location"] == second["Location"]
    assert client.get(second["Location"]).status_code == 200


def test_event_create_foreign_facility_is_field_error_nothing_saved(client_for, coverages):
    response = client_for("reporter.riverside").post(CREATE, _payload(coverages["Lakeside Radiation Oncology"]))
    assert response.status_code == 200
    assert response.context["form"].errors["coverage"] == ["Choose one of your facilities from the list."]
    assert Event.objects.count() == 0


def test_event_create_inactive_agreement_refused_with_clear_message(client_for, coverages, users):
    agreement_transition(agreement=coverages["Main Campus"].agreement, by=users["staff.pso"],
                         to=AgreementState.SUSPENDED)
    client = client_for("reporter.riverside")
    response = client.post(CREATE, _payload(coverages["Main Campus"]))
    assert response.status_code == 200
    assert "Events cannot be submitted right now" in response.content.decode()
    assert "suspended or has ended" in response.content.decode()
    assert Event.objects.count() == 0


def test_event_create_future_date_error_keeps_answers(client_for, coverages):
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    payload = _payload(coverages["Main Campus"], event_date=tomorrow, narrative="Keep this text please.")
    response = client_for("reporter.riverside").post(CREATE, payload)
    html = response.content.decode()
    assert response.status_code == 200
    assert "The date cannot be in the future." in html
    assert "Keep this text please." in html
    assert 'id="error-summary"' in html
    assert Event.objects.count() == 0


def test_event_create_old_date_without_confirmation_refused(client_for, coverages):
    old = (timezone.localdate() - dt.timedelta(days=3 * 365)).isoformat()
    client = client_for("reporter.riverside")
    response = client.post(CREATE, _payload(coverages["Main Campus"], event_date=old))
    assert "more than two years ago" in response.content.decode()
    assert Event.objects.count() == 0
    client.post(CREATE, _payload(coverages["Main Campus"], event_date=old, confirm_old_date="on"))
    assert Event.objects.count() == 1


@pytest.mark.parametrize("narrative", ["", "q" * 4001])
def test_event_create_narrative_limits_refused(client_for, coverages, narrative):
    response = client_for("reporter.riverside").post(CREATE, _payload(coverages["Main Campus"], narrative=narrative))
    assert response.status_code == 200
    assert "narrative" in response.context["form"].errors
    assert Event.objects.count() == 0


def test_event_create_privacy_guard_warns_then_accepts_confirmation(client_for, coverages):
    client = client_for("reporter.riverside")
    payload = _payload(coverages["Main Campus"], narrative="Patient DOB 03/14/1956 had the wrong mask on.")
    first = client.post(CREATE, payload)
    html = first.content.decode()
    assert first.status_code == 200 and Event.objects.count() == 0
    assert "Check for patient identifiers before saving" in html
    assert "A date (possibly a date of birth)" in html and "03/14/1956" in html
    assert "I checked: no patient identifiers" in html
    digest = first.context["form"].identifier_digest
    second = client.post(CREATE, {**payload, "confirm_no_identifiers": digest})
    assert second.status_code == 302
    assert Event.objects.count() == 1


def test_event_create_privacy_guard_edit_instead_of_confirm(client_for, coverages):
    client = client_for("reporter.riverside")
    payload = _payload(coverages["Main Campus"], narrative="Patient DOB 03/14/1956 had the wrong mask on.")
    client.post(CREATE, payload)
    response = client.post(CREATE, {**payload, "narrative": "The patient had the wrong mask on."})
    assert response.status_code == 302


def test_event_create_mangled_key_gets_a_fresh_one(client_for, coverages):
    response = client_for("reporter.riverside").post(CREATE, _payload(coverages["Main Campus"], idempotency_key="x"))
    assert response.status_code == 200
    assert "The form was incomplete" in response.content.decode()
    uuid.UUID(response.context["form"].data["idempotency_key"])


def test_event_create_notifies_reviewers_with_link_no_narrative(client_for, coverages,
                                                               django_capture_on_commit_callbacks):
    narrative = "Unique narrative words zebra quantum harbour."
    with django_capture_on_commit_callbacks(execute=True):
        client_for("reporter.riverside").post(CREATE, _payload(coverages["Main Campus"], narrative=narrative))
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert "zebra" not in body and "quantum" not in body
    assert "Sam Rivera" not in body
    assert "://" in body


def test_event_check_narrative_lists_identifiers(client_for):
    client = client_for("reporter.riverside")
    html = client.post(CHECK, {"narrative": "Call her at 860-555-0123 tomorrow."}).content.decode()
    assert "A phone or fax number" in html and "860-555-0123" in html
    assert client.post(CHECK, {"narrative": "Gantry stopped at 90 degrees."}).content.decode().strip() == ""


def test_event_check_narrative_needs_login(client, world):
    assert client.post(CHECK, {"narrative": "x"}).status_code == 302


def test_event_draft_save_and_restore_is_scoped_to_the_user(client_for, users):
    client = client_for("reporter.riverside")
    body = {"fields": {"narrative": "Half written", "classification": "near_miss", "techniques": ["tbi"]},
            "saved_at": 1700000000000}
    assert client.post(DRAFT, json.dumps(body), content_type="application/json").json()["saved"] is True
    assert client.get(DRAFT).json()["fields"]["narrative"] == "Half written"
    assert "Half written" in client.get(CREATE).content.decode()
    other = client_for("physicist.riverside")
    assert other.get(DRAFT).json() == {"fields": None, "saved_at": None}
    assert "Half written" not in other.get(CREATE).content.decode()
    assert Draft.objects.get().user == users["reporter.riverside"]


def test_event_draft_expired_is_not_offered_back(client_for, users, settings):
    settings.DRAFT_RETENTION_DAYS = 30
    client = client_for("reporter.riverside")
    body = {"fields": {"narrative": "Abandoned weeks ago"}, "saved_at": 1700000000000}
    client.post(DRAFT, json.dumps(body), content_type="application/json")
    Draft.objects.update(updated_at=timezone.now() - dt.timedelta(days=31))
    assert client.get(DRAFT).json() == {"fields": None, "saved_at": None}
    page = client.get(CREATE).content.decode()
    assert "Abandoned weeks ago" not in page and "We restored" not in page
    assert "deleted after 30 days without a change" in page
    assert '"draftMaxAgeMs": 2592000000' in page


def test_event_draft_discard(client_for):
    client = client_for("reporter.riverside")
    client.post(DRAFT, json.dumps({"fields": {"narrative": "x"}}), content_type="application/json")
    assert client.delete(DRAFT).status_code == 200
    assert Draft.objects.count() == 0


def test_event_draft_shared_login_not_kept_on_server(client_for):
    client = client_for("general.riverside")
    response = client.post(DRAFT, json.dumps({"fields": {"narrative": "x"}}), content_type="application/json")
    assert response.status_code == 404
    assert Draft.objects.count() == 0


@pytest.mark.parametrize("body", ["not json", "[1, 2]", '{"fields": "x"}', "\"\\u0000\""])
def test_event_draft_bad_bodies_are_400(client_for, body):
    response = client_for("reporter.riverside").post(DRAFT, body, content_type="application/json")
    assert response.status_code == 400
    assert Draft.objects.count() == 0


def test_event_draft_needs_login(client, world):
    assert client.get(DRAFT).status_code == 302


def test_event_draft_cleared_by_successful_submit(client_for, coverages):
    client = client_for("reporter.riverside")
    client.post(DRAFT, json.dumps({"fields": {"narrative": "x"}}), content_type="application/json")
    client.post(CREATE, _payload(coverages["Main Campus"]))
    assert Draft.objects.count() == 0


def test_event_mine_lists_only_own_named_events(client_for, coverages, users):
    riverside = coverages["Main Campus"].agreement
    own = build_event(agreement=riverside, user=users["reporter.riverside"])
    build_event(agreement=riverside, user=users["reporter.riverside"], stay_anonymous=True)
    build_event(agreement=riverside, user=users["general.riverside"])
    build_event(agreement=riverside, user=users["physicist.riverside"])
    build_event(agreement=coverages["Lakeside Radiation Oncology"].agreement, user=users["reporter.lakeside"])
    response = client_for("reporter.riverside").get(MINE)
    assert [e.pk for e in response.context["events"]] == [own.pk]
    html = response.content.decode()
    assert own.reference in html and "Received, waiting for review" in html
    assert "Anonymous reports are not linked to you" in html


def test_event_mine_full_access_user_sees_only_their_own_too(client_for, coverages, users):
    riverside = coverages["Main Campus"].agreement
    build_event(agreement=riverside, user=users["reporter.riverside"])
    mine = build_event(agreement=riverside, user=users["director.riverside"])
    response = client_for("director.riverside").get(MINE)
    assert [e.pk for e in response.context["events"]] == [mine.pk]


def _mine_queries(client, count_before, n, agreement, user):
    for _ in range(n - count_before):
        build_event(agreement=agreement, user=user, notify=False)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(MINE).status_code == 200
    return len(ctx.captured_queries)


def test_event_mine_query_count_constant_at_5_and_50_events(client_for, coverages, users):
    client = client_for("reporter.riverside")
    agreement, user = coverages["Main Campus"].agreement, users["reporter.riverside"]
    five = _mine_queries(client, 0, 5, agreement, user)
    fifty = _mine_queries(client, 5, 50, agreement, user)
    assert five == fifty
    assert fifty == 4  # session, user with tenants, count, page


def test_event_mine_paginates(client_for, coverages, users):
    for _ in range(21):
        build_event(agreement=coverages["Main Campus"].agreement, user=users["reporter.riverside"], notify=False)
    client = client_for("reporter.riverside")
    assert len(client.get(MINE).context["events"]) == 20
    assert len(client.get(MINE + "?page=2").context["events"]) == 1


def test_event_create_form_role_defaults_to_the_last_named_report(client_for, coverages):
    """The role given on the last named report is preselected, read with one query on every form."""
    client = client_for("reporter.riverside")
    role_lookup = 'SELECT "events_event"."reporter_role"'
    assert client.post(CREATE, _payload(coverages["Main Campus"], reporter_role="dosimetrist")).status_code == 302
    with CaptureQueriesContext(connection) as queries:
        html = client.get(CREATE).content.decode()
    assert len([q for q in queries if role_lookup in q["sql"]]) == 1
    assert '<option value="dosimetrist" selected>' in html
    anonymous = _payload(coverages["Main Campus"], reporter_role="nurse", stay_anonymous="on")
    assert client.post(CREATE, anonymous).status_code == 302
    assert Event.objects.filter(is_anonymous=True, reporter_role="nurse").exists()
    assert '<option value="dosimetrist" selected>' in client.get(CREATE).content.decode()  # not from an anonymous one


def test_event_create_blank_form_shows_each_users_own_facilities_and_role(client_for, coverages,
                                                                         django_capture_on_commit_callbacks):
    """Every blank form is drawn for its user: their facilities, their name and the role of their last report."""
    page = client_for("director.riverside").get(CREATE).content.decode()
    assert "Main Campus" in page and "North Clinic" in page and "Lakeside Radiation Oncology" not in page
    assert 'name="reporter_name" value="David Okafor"' in page
    assert 'name="reporter_name" value="Sam Rivera"' not in page

    page = client_for("reporter.lakeside").get(CREATE).content.decode()
    assert "Lakeside Radiation Oncology" in page and "Main Campus" not in page and "North Clinic" not in page

    client = client_for("reporter.riverside")
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(CREATE, _payload(coverages["Main Campus"], reporter_role="dosimetrist")).status_code == 302
    assert '<option value="dosimetrist" selected>' in client.get(CREATE).content.decode()
    assert '<option value="dosimetrist" selected>' not in client_for("director.riverside").get(CREATE).content.decode()


def test_event_create_blank_form_follows_the_day(client_for, monkeypatch):
    """The date question defaults to today and allows no later day."""
    client = client_for("reporter.riverside")
    today = timezone.localdate()
    assert f'value="{today.isoformat()}"' in client.get(CREATE).content.decode()
    tomorrow = today + dt.timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: tomorrow)
    page = client.get(CREATE).content.decode()
    assert f'value="{tomorrow.isoformat()}"' in page and f'max="{tomorrow.isoformat()}"' in page


def test_event_create_refused_post_and_restored_draft_show_only_the_users_answers(client_for, coverages, users):
    """A refused post and a restored draft show the user's own answers, and nobody else's form shows them."""
    client = client_for("reporter.riverside")
    refused = client.post(CREATE, _payload(coverages["Main Campus"], narrative="Posted answer stays",
                                           event_date=(timezone.localdate() + dt.timedelta(days=3)).isoformat()))
    assert refused.status_code == 200 and "Posted answer stays" in refused.content.decode()
    body = {"fields": {"narrative": "Half written by Sam", "classification": "near_miss"}, "saved_at": 1700000000000}
    client.post(DRAFT, json.dumps(body), content_type="application/json")
    restored = client.get(CREATE).content.decode()
    assert "Half written by Sam" in restored
    assert 'value="near_miss" id="id_classification_2" required aria-describedby="id_classification_2_help" checked' \
        in restored
    colleague = client_for("director.riverside").get(CREATE).content.decode()
    assert "Posted answer stays" not in colleague and "Half written by Sam" not in colleague
