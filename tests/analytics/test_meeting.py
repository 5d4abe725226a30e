"""The safety meeting: flag, agenda, packet (de-identified by default), minutes, print view; locations list."""

import pytest
from django.urls import reverse

from analytics.models import MeetingItem
from practices.models import AccessLog
from review.models import Location
from tests.factories.review import make_event, review_event

pytestmark = pytest.mark.django_db(databases=["default", "pso"])
NAMED = "Patient John Smith, MRN 12345678, was set up on the wrong couch angle; caught at the time-out."


def test_flag_agenda_packet_and_minutes(client_for, riverside):
    event = make_event(agreement=riverside, narrative=NAMED)
    review_event(event, near_miss_risk=3, lessons_learned="Check the couch angle for John Smith's plan.")
    client = client_for("physicist.riverside")
    flag = reverse("analytics:meeting-flag", args=[event.pk])
    assert client.post(flag).status_code == 302
    client.post(flag)  # twice: still one open item
    item = MeetingItem.objects.get(event=event)
    agenda = client.get(reverse("analytics:meeting-agenda"))
    assert [i.pk for i in agenda.context["items"]] == [item.pk]
    packet = client.get(reverse("analytics:meeting-packet"))
    body = packet.content.decode()
    assert event.reference in body and "3 – Severe" in body
    assert "John Smith" not in body and "12345678" not in body
    assert not AccessLog.objects.filter(object_label__contains="meeting packet").exists()
    identified = client.get(reverse("analytics:meeting-packet"), {"identified": "1"}).content.decode()
    assert "John Smith" in identified
    assert AccessLog.objects.filter(object_label__contains="meeting packet").exists()
    discussed = reverse("analytics:meetingitem-discussed", args=[item.pk])
    assert client.post(discussed, {"minutes": ""}).status_code == 302
    item.refresh_from_db()
    assert item.discussed_at is None
    client.post(discussed, {"minutes": "Add the couch angle to the time-out script."})
    item.refresh_from_db()
    assert item.discussed_at and item.minutes.startswith("Add the couch")
    assert list(client.get(reverse("analytics:meeting-agenda")).context["items"]) == []
    client.post(flag)  # flagged again for a later meeting: a new open item
    assert MeetingItem.objects.filter(event=event).count() == 2


def test_event_print_view_is_deidentified_by_default(client_for, riverside):
    event = make_event(agreement=riverside, narrative=NAMED)
    client = client_for("physicist.riverside")
    url = reverse("analytics:event-print", args=[event.pk])
    body = client.get(url).content.decode()
    assert event.reference in body and "John Smith" not in body
    assert "John Smith" in client.get(url, {"identified": "1"}).content.decode()


def test_unflag_takes_an_event_off_the_agenda(client_for, riverside):
    event = make_event(agreement=riverside)
    client = client_for("physicist.riverside")
    client.post(reverse("analytics:meeting-flag", args=[event.pk]))
    item = MeetingItem.objects.get()
    client.post(reverse("analytics:meetingitem-unflag", args=[item.pk]))
    assert not MeetingItem.objects.exists()


def test_meeting_pages_of_another_practice_are_404(client_for, riverside):
    event = make_event(agreement=riverside)
    client_for("physicist.riverside").post(reverse("analytics:meeting-flag", args=[event.pk]))
    item = MeetingItem.objects.get()
    client = client_for("physicist.lakeside")
    assert client.post(reverse("analytics:meeting-flag", args=[event.pk])).status_code == 404
    assert client.post(reverse("analytics:meetingitem-discussed", args=[item.pk]), {"minutes": "x"}).status_code == 404
    assert client.get(reverse("analytics:event-print", args=[event.pk])).status_code == 404
    assert list(client.get(reverse("analytics:meeting-agenda")).context["items"]) == []


def test_locations_list_add_retire_and_refuse_duplicates(client_for, riverside):
    client = client_for("physicist.riverside")
    url = reverse("analytics:location-list")
    agreement = client.get(url).context["form"].fields["agreement"].initial
    assert client.post(url, {"agreement": agreement, "name": "Vault 2"}).status_code == 302
    response = client.post(url, {"agreement": agreement, "name": " vault  2 "})
    assert response.status_code == 200 and response.context["form"].errors["name"]
    location = Location.objects.get()
    client.post(reverse("analytics:location-toggle", args=[location.pk]))
    location.refresh_from_db()
    assert not location.is_active
    assert (
        client_for("physicist.lakeside").post(reverse("analytics:location-toggle", args=[location.pk])).status_code
        == 404
    )
