"""The local analytics pages run the same few queries at 20 local events as at 100,000 (grouped in the database)."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from analytics.demo import local_history

pytestmark = pytest.mark.django_db(databases=["default", "pso"])
DASHBOARD_MAX_QUERIES = 9  # session, user with access, facilities, then six GROUP BY reads (five of them on LocalFact)


def _count(client, url) -> int:
    # A first request after the long seeding refreshes the idle session (a write of its own); count the next one.
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_local_pages_constant_queries_at_100000_events(client, world):
    riverside, user = world["agreements"]["riverside"], world["users"]["physicist.riverside"]
    client.force_login(user)
    start = (timezone.localdate() - dt.timedelta(days=3650)).isoformat()
    urls = [
        reverse("analytics:local-dashboard") + f"?date_from={start}",
        reverse("analytics:local-dashboard") + f"?date_from={start}&format=csv&table=barriers",
        reverse("analytics:cell-events") + f"?date_from={start}&origin=treatment_planning&detected=treatment_delivery",
        reverse("analytics:treatmentvolume-list"),
    ]
    local_history(agreement=riverside, count=20, days=3650, owner=user, prefix="SMALL")
    small = [_count(client, url) for url in urls]
    local_history(agreement=riverside, count=100_000 - 20, days=3650, owner=user, prefix="LARGE")
    large = [_count(client, url) for url in urls]
    assert small == large
    assert large[0] <= DASHBOARD_MAX_QUERIES
