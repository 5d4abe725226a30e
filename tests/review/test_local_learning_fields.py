"""The second-round data elements and the near-miss risk index, in the review; none of them reaches the PSO."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from foundation.taxonomy.events import EventClassification
from reporting.deidentify import ALLOWED_FIELDS, deidentify
from review.models import Location, Review
from review.services import pso_record_for, review_save
from tests.factories.review import make_event, review_event

pytestmark = pytest.mark.django_db(databases=["default", "pso"])
MARKERS = {
    "isotope": "Ir192MARKER",
    "applicator": "RingTandemMARKER",
    "source_activity": "SourceMARKER",
    "location_other": "BackCorridorMARKER",
    "hospital_incident_number": "HIN998877MARKER",
}


def test_near_miss_risk_kept_for_near_miss_dropped_for_incident(riverside, physicist):
    near = make_event(agreement=riverside)
    assert review_event(near, near_miss_risk=2).near_miss_risk == 2
    incident = make_event(agreement=riverside, classification=EventClassification.THERAPEUTIC)
    assert review_event(incident, near_miss_risk=2).near_miss_risk is None


def test_new_fields_saved_and_audited(riverside, physicist):
    event = make_event(agreement=riverside)
    vault = Location.objects.create(agreement=riverside, name="Vault 1")
    review = review_event(
        event,
        occurred_date=timezone.localdate() - dt.timedelta(days=3),
        detected_roles=["radiation_therapist"],
        involved_roles=["dosimetrist"],
        treatment_site="breast",
        treatment_intent="curative",
        latent_harm="possible",
        location=vault,
        staff_support=["debrief"],
        **MARKERS,
    )
    review.refresh_from_db()
    assert review.location == vault and review.detected_roles == ["radiation_therapist"]
    assert review.hospital_incident_number == MARKERS["hospital_incident_number"]


def test_location_of_another_practice_and_unknown_roles_refused(riverside, lakeside, physicist):
    event = make_event(agreement=riverside)
    foreign = Location.objects.create(agreement=lakeside, name="Their vault")
    with pytest.raises(ValidationError):
        review_save(review=Review(event=event), by=physicist, data={"location": foreign}, expected_version=0)
    with pytest.raises(ValidationError):
        review_save(review=Review(event=event), by=physicist, data={"detected_roles": ["janitor"]}, expected_version=0)


def test_new_fields_never_reach_the_pso_record(riverside):
    event = make_event(agreement=riverside, classification=EventClassification.THERAPEUTIC)
    review_event(
        event,
        treatment_site="breast",
        latent_harm="likely",
        occurred_date=timezone.localdate(),
        location=Location.objects.create(agreement=riverside, name="LocMARKER"),
        **MARKERS,
    )
    event = type(event).objects.get(pk=event.pk)
    raw = pso_record_for(event)
    record = deidentify(raw)
    assert set(record) <= ALLOWED_FIELDS
    text = repr(raw) + repr(record)
    for marker in [*MARKERS.values(), "LocMARKER"]:
        assert marker not in text


def test_event_page_shows_risk_index_with_definitions_and_queue_shows_it(client_for, riverside):
    event = make_event(agreement=riverside)
    review_event(event, near_miss_risk=4)
    client = client_for("physicist.riverside")
    page = client.get(reverse("review:event-detail", args=[event.pk])).content.decode()
    assert "Near-miss risk index" in page and "Nyflot" in page and "4 – Critical" in page
    queue = client.get(reverse("review:queue")).content.decode()
    assert "NMRI 4" in queue and "Nyflot" in queue
    ordered = client.get(reverse("review:queue"), {"ordering": "-risk"})
    assert ordered.status_code == 200


def test_event_page_post_with_new_fields(client_for, riverside):
    event = make_event(agreement=riverside)
    vault = Location.objects.create(agreement=riverside, name="Vault 3")
    client = client_for("physicist.riverside")
    url = reverse("review:event-detail", args=[event.pk])
    data = {
        "possibly_reportable": "",
        "classification": "near_miss",
        "expected_version": 0,
        "near_miss_risk": "3",
        "location": vault.pk,
        "detected_roles": ["nurse"],
        "occurred_date": (timezone.localdate() + dt.timedelta(days=2)).isoformat(),
    }
    response = client.post(url, data)
    assert response.status_code == 200 and "occurred_date" in response.context["review_form"].errors
    data["occurred_date"] = timezone.localdate().isoformat()
    response = client.post(url, data)
    assert response.status_code == 302, response.context["review_form"].errors
    review = Review.objects.get(event=event)
    assert (review.near_miss_risk, review.location, review.detected_roles) == (3, vault, ["nurse"])
