"""Participation for PSO staff: events reported per agreement and quarter, quiet agreements flagged."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from reporting import selectors as d
from reporting.models import Submission
from reporting.services import submission_enqueue
from tests.factories.reporting import store_fields
from tests.reporting.outbox_records import second_pso

pytestmark = pytest.mark.django_db(databases=["default", "pso"])


@pytest.fixture(autouse=True)
def force_login_suffices(settings):
    """These tests sign in with force_login; the two-factor step is proven by the browser and security tests."""
    settings.ROILS_ENFORCE_2FA = False


def report(agreement, *, days_ago: int, **fields) -> Submission:
    submission = submission_enqueue(record=store_fields(agreement, **fields), agreement_id=agreement.pk)
    # The outbox row's creation time is when the practice reported; move it into the past.
    Submission.objects.filter(pk=submission.pk).update(created_at=timezone.now() - dt.timedelta(days=days_ago))
    return submission


def test_participation_counts_events_per_quarter_and_flags_quiet_agreements(world, users):
    from practices.models import Agreement

    Agreement.objects.update(activated_at=timezone.now() - dt.timedelta(days=400))
    riverside, lakeside = world["agreements"]["riverside"], world["agreements"]["lakeside"]
    first = report(riverside, days_ago=1)
    report(riverside, days_ago=1)
    # A new revision of the same event counts the event once in its quarter.
    record = store_fields(riverside, event_key=first.event_key, revision=2)
    submission_enqueue(record=record, agreement_id=riverside.pk)
    report(lakeside, days_ago=200)
    now = timezone.now()
    table = d.participation_for(users["staff.pso"], now=now)
    rows = {row.agreement: row for row in table["rows"]}
    this_quarter = table["quarters"].index(d.quarter_of(now))
    assert rows[riverside].counts[this_quarter] == 2
    assert rows[riverside].quiet is False and rows[riverside].days_since == 0
    assert rows[lakeside].quiet is True and rows[lakeside].days_since == 200
    assert sum(rows[lakeside].counts) == (1 if d.quarter_of(now - dt.timedelta(days=200)) in table["quarters"] else 0)
    assert table["quiet_count"] == 1


def test_participation_never_reported_active_agreement_is_quiet(world, users):
    from practices.models import Agreement

    Agreement.objects.filter(pk__in=[a.pk for a in world["agreements"].values()]).update(
        activated_at=timezone.now() - dt.timedelta(days=120))
    table = d.participation_for(users["staff.pso"])
    assert {row.agreement.practice.name for row in table["rows"] if row.quiet} == {
        "Riverside Cancer Center", "Lakeside Radiation Oncology"
    }
    assert all(row.last_report is None and sum(row.counts) == 0 for row in table["rows"])


def test_participation_agreement_activated_minutes_ago_is_not_quiet(world, users):
    from practices.models import Agreement

    riverside, lakeside = world["agreements"]["riverside"], world["agreements"]["lakeside"]
    Agreement.objects.filter(pk=riverside.pk).update(activated_at=timezone.now() - dt.timedelta(minutes=5))
    Agreement.objects.filter(pk=lakeside.pk).update(activated_at=timezone.now() - dt.timedelta(days=400))
    report(lakeside, days_ago=95)
    rows = {row.agreement: row for row in d.participation_for(users["staff.pso"])["rows"]}
    assert rows[riverside].quiet is False and rows[riverside].last_report is None
    assert rows[lakeside].quiet is True


def test_participation_other_pso_agreements_never_listed(world, users):
    other = second_pso()
    rows = d.participation_for(users["staff.pso"])["rows"]
    assert other["agreement"] not in [r.agreement for r in rows]
    assert d.participation_for(other["staff"])["rows"] == []  # its agreement is not executed yet


def test_participation_view_pso_staff_only(client, world, users):
    from practices.models import Agreement

    Agreement.objects.update(activated_at=timezone.now() - dt.timedelta(days=120))
    report(world["agreements"]["riverside"], days_ago=3, narrative="Never shown on this page.")
    client.force_login(users["staff.pso"])
    response = client.get(reverse("reporting:participation"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Riverside Cancer Center" in content and "Quiet over 90 days" in content
    assert "Never shown on this page." not in content
    for username in ("analyst.pso", "physicist.riverside", "reporter.riverside"):
        client.force_login(users[username])
        assert client.get(reverse("reporting:participation")).status_code == 404
