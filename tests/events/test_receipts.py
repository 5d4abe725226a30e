"""The session's receipt reaches the confirmation of an anonymous report, in that session only; a named report
needs no receipt, and submitting one writes nothing to the session."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from events.models import Event
from tests.factories.events import form_post

pytestmark = pytest.mark.django_db


def _submit(client, world) -> str:
    coverage = world["agreements"]["riverside"].coverages.first()
    response = client.post(reverse("events:event-create"), form_post(coverage))
    assert response.status_code == 302
    return response["Location"]


def test_shared_login_sees_its_anonymous_confirmation_with_the_key_of_its_draft(world):
    client = Client()
    client.force_login(world["users"]["general.riverside"])
    done = _submit(client, world)
    event = Event.objects.get()
    first = client.get(done)
    assert first.status_code == 200 and first.context["just_submitted"]
    assert first.context["config"]["submittedKey"] == str(event.idempotency_key)
    again = client.get(done.split("?")[0])
    assert again.status_code == 200 and not again.context["just_submitted"]
    assert again.context["config"]["submittedKey"] == str(event.idempotency_key)  # clearing it twice is harmless


def test_anonymous_confirmation_is_not_reachable_from_another_session_of_the_same_login(world):
    first, second = Client(), Client()
    first.force_login(world["users"]["general.riverside"])
    second.force_login(world["users"]["general.riverside"])
    done = _submit(first, world)
    assert second.get(done).status_code == 404
    assert first.get(done).status_code == 200


def test_anonymous_confirmation_is_gone_after_sign_out_and_in_again(world, password):
    client = Client()
    client.force_login(world["users"]["general.riverside"])
    done = _submit(client, world)
    client.post(reverse("logout"))
    client.force_login(world["users"]["general.riverside"])
    assert client.get(done).status_code == 404


def test_named_report_writes_nothing_to_the_session_and_its_confirmation_writes_nothing(world):
    client = Client()
    client.force_login(world["users"]["reporter.riverside"])
    coverage = world["agreements"]["riverside"].coverages.first()
    with CaptureQueriesContext(connection) as posting:
        response = client.post(reverse("events:event-create"), form_post(coverage))
    assert response.status_code == 302
    assert not [q["sql"] for q in posting if "django_session" in q["sql"] and "UPDATE" in q["sql"]]
    event = Event.objects.select_related("facility", "agreement__pso").get()
    with CaptureQueriesContext(connection) as queries:
        page = client.get(response["Location"])
    assert not [q["sql"] for q in queries if "django_session" in q["sql"] and "UPDATE" in q["sql"]]
    assert len([q for q in queries if "events_event" in q["sql"]]) == 1
    assert page.context["just_submitted"]
    text = page.content.decode()
    assert event.reference in text and event.facility.name in text and event.agreement.pso.name in text
    assert "My submissions" in text and "This report is anonymous" not in text
    assert page.context["config"]["submittedKey"] == str(event.idempotency_key)


def test_reviewer_opening_a_confirmation_gets_no_draft_key(world):
    client = Client()
    client.force_login(world["users"]["reporter.riverside"])
    done = _submit(client, world)
    reviewer = Client()
    reviewer.force_login(world["users"]["physicist.riverside"])
    page = reviewer.get(done)
    assert page.status_code == 200 and page.context["config"] == {} and not page.context["just_submitted"]
    assert "event-done-config" not in page.content.decode()


def test_confirmation_of_a_replayed_post_naming_another_facility_shows_the_first_event(world):
    client = Client()
    client.force_login(world["users"]["reporter.riverside"])
    main, north = world["agreements"]["riverside"].coverages.select_related("facility").order_by("facility__name")
    first = form_post(main)
    assert client.post(reverse("events:event-create"), first).status_code == 302
    replay = client.post(reverse("events:event-create"), {**first, "coverage": str(north.pk)})
    event = Event.objects.select_related("facility").get()
    assert replay["Location"] == reverse("events:event-done", args=[event.pk]) + "?submitted=1"
    text = client.get(replay["Location"]).content.decode()
    assert f"<strong>{event.facility.name}</strong>" in text and f"<strong>{north.facility.name}</strong>" not in text


def test_receipt_keeps_the_most_recent_submissions_only(world):
    from events import receipts

    client = Client()
    client.force_login(world["users"]["general.riverside"])
    coverage = world["agreements"]["riverside"].coverages.first()
    for _ in range(receipts.KEEP + 1):
        assert client.post(reverse("events:event-create"), form_post(coverage)).status_code == 302
    oldest, *kept = Event.objects.order_by("pk").values_list("pk", flat=True)
    assert receipts.read(client) == kept
    assert client.get(reverse("events:event-done", args=[oldest])).status_code == 404
    assert client.get(reverse("events:event-done", args=[kept[0]])).status_code == 200
