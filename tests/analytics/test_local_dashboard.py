"""The local dashboard: every event of the practice, grouped in the database; its drill-down, CSV and volumes."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from analytics.demo import local_history
from analytics.models import TreatmentVolume
from analytics.selectors import LocalFilters, local_analytics
from analytics.tables import crosstab, stats, tables
from events.models import LocalFact
from foundation.taxonomy.events import EventClassification, WorkflowStep
from tests.factories.review import make_event, review_event

pytestmark = pytest.mark.django_db(databases=["default", "pso"])
URL = reverse("analytics:local-dashboard")


def _period():
    today = timezone.localdate()
    return {"date_from": (today - dt.timedelta(days=400)).isoformat(), "date_to": today.isoformat()}


def test_local_analytics_counts_every_event_not_only_reported_ones(riverside, users):
    near = make_event(agreement=riverside)
    review_event(
        near,
        workflow_origin=WorkflowStep.TREATMENT_PLANNING,
        workflow_detected=WorkflowStep.TREATMENT_DELIVERY,
        barriers_caught=["proc.timeout"],
        barriers_failed=["hw.record_verify"],
        detected_roles=["radiation_therapist"],
    )
    make_event(agreement=riverside, classification=EventClassification.OPERATIONAL, stay_anonymous=True)
    user = users["physicist.riverside"]
    today = timezone.localdate()
    filters = LocalFilters(today - dt.timedelta(days=30), today)
    data = local_analytics(LocalFact.objects.for_user(user, action="review"), user=user, filters=filters, facilities={})
    figures = stats(data)
    assert figures["total"] == 2
    assert figures["near_misses"] == 1 and figures["anonymous"] == 1 and figures["anonymous_share"] == 50.0
    assert figures["started"] == 1 and figures["days_to_start"] is not None
    assert data.crosstab[(WorkflowStep.TREATMENT_PLANNING, WorkflowStep.TREATMENT_DELIVERY)] == 1
    assert data.lists == {
        "detected": {"radiation_therapist": 1},
        "caught": {"proc.timeout": 1},
        "failed": {"hw.record_verify": 1},
    }
    row = next(r for r in crosstab(data)["rows"] if r["origin"] == WorkflowStep.TREATMENT_PLANNING)
    assert any(c["travelled"] for c in row["cells"])
    assert tables(data)["detected"].rows == [["Radiation therapist", 1, 50.0]]


def test_local_dashboard_shows_own_practice_only(client_for, riverside, lakeside):
    make_event(agreement=riverside)
    make_event(agreement=lakeside)
    make_event(agreement=lakeside)
    response = client_for("physicist.lakeside").get(URL, _period())
    assert response.status_code == 200
    assert response.context["stats"]["total"] == 2
    response = client_for("physicist.riverside").get(URL, _period())
    assert response.context["stats"]["total"] == 1


@pytest.mark.parametrize("username", ["reporter.riverside", "general.riverside", "staff.pso", "analyst.pso"])
def test_local_pages_are_404_without_full_access(client_for, username):
    client = client_for(username)
    for name in ("analytics:local-dashboard", "analytics:cell-events", "analytics:treatmentvolume-list"):
        assert client.get(reverse(name)).status_code == 404, name


def test_local_dashboard_bad_filters_fall_back_to_defaults(client_for):
    response = client_for("physicist.riverside").get(URL, {"date_from": "2026-13-40", "facility": "999999"})
    assert response.status_code == 200
    assert response.context["form"].errors


def test_local_dashboard_csv_per_table(client_for, riverside):
    event = make_event(agreement=riverside)
    review_event(event)
    client = client_for("physicist.riverside")
    for key in ("months", "locations", "crosstab", "detected", "barriers", "actions"):
        response = client.get(URL, {**_period(), "format": "csv", "table": key})
        assert response.status_code == 200 and response["Content-Type"].startswith("text/csv"), key
    assert b"Treatment planning" in client.get(URL, {**_period(), "format": "csv", "table": "crosstab"}).content
    assert client.get(URL, {"format": "csv", "table": "nope"}).status_code == 404


def test_cell_drill_down_lists_that_cells_events_only(client_for, riverside, lakeside):
    inside = make_event(agreement=riverside)
    review_event(
        inside, workflow_origin=WorkflowStep.TREATMENT_PLANNING, workflow_detected=WorkflowStep.TREATMENT_DELIVERY
    )
    other_cell = make_event(agreement=riverside)
    review_event(
        other_cell, workflow_origin=WorkflowStep.IMAGING_FOR_PLANNING, workflow_detected=WorkflowStep.TREATMENT_DELIVERY
    )
    unreviewed = make_event(agreement=riverside)
    foreign = make_event(agreement=lakeside)
    review_event(
        foreign, workflow_origin=WorkflowStep.TREATMENT_PLANNING, workflow_detected=WorkflowStep.TREATMENT_DELIVERY
    )
    client = client_for("physicist.riverside")
    url = reverse("analytics:cell-events")
    response = client.get(url, {**_period(), "origin": "treatment_planning", "detected": "treatment_delivery"})
    assert [e.pk for e in response.context["events"]] == [inside.pk]
    response = client.get(url, {**_period(), "origin": "none", "detected": "none"})
    assert [e.pk for e in response.context["events"]] == [unreviewed.pk]
    response = client.get(url, {"origin": "<script>", "detected": "x"})
    assert response.status_code == 200 and list(response.context["events"]) == []
    assert b"does not exist" in response.content


def test_treatment_volume_entered_gives_reports_per_100_patients(client_for, riverside):
    make_event(agreement=riverside)
    make_event(agreement=riverside)
    client = client_for("physicist.riverside")
    url = reverse("analytics:treatmentvolume-list")
    coverage = client.get(url).context["form"].fields["coverage"].choices[1][0]
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    response = client.post(url, {"coverage": coverage, "month": yesterday.strftime("%Y-%m"), "patients_treated": 50})
    assert response.status_code == 302
    assert TreatmentVolume.objects.get().patients_treated == 50
    client.post(url, {"coverage": coverage, "month": yesterday.strftime("%Y-%m"), "patients_treated": 40})
    assert TreatmentVolume.objects.get().patients_treated == 40
    months = client.get(URL, _period()).context["tables"]["months"]
    row = next(r for r in months.rows if r[0] == yesterday.replace(day=1).strftime("%b %Y"))
    assert row[-2:] == [40, 5.0]  # two events (same location) per 40 patients


def test_treatment_volume_bad_input_is_a_form_error(client_for):
    client = client_for("physicist.riverside")
    url = reverse("analytics:treatmentvolume-list")
    response = client.post(url, {"coverage": "99999", "month": "2999-01", "patients_treated": "-3"})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"coverage", "month", "patients_treated"}


def test_local_history_feeds_every_chart(riverside, users):
    local_history(agreement=riverside, count=300, owner=users["physicist.riverside"])
    user = users["physicist.riverside"]
    today = timezone.localdate()
    data = local_analytics(
        LocalFact.objects.for_user(user, action="review"),
        user=user,
        filters=LocalFilters(today - dt.timedelta(days=400), today),
        facilities={},
    )
    by_key = tables(data)
    assert stats(data)["total"] == 300
    assert all(by_key[key].rows for key in ("months", "crosstab", "detected", "barriers", "actions"))
    assert data.volumes
