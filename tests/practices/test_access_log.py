"""The access log: one view per event, session and minute; filters by person, event, kind and dates; CSV export."""

import csv
import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from practices.models import AccessLog
from tests.factories.events import build_event

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def force_login_suffices(settings):
    settings.ROILS_ENFORCE_2FA = False


@pytest.fixture
def event(world):
    return build_event(agreement=world["agreements"]["riverside"], user=world["users"]["reporter.riverside"])


def _views(event):
    return AccessLog.objects.filter(action="view", object_label=event.reference)


def test_event_viewed_again_in_the_same_minute_logs_once(client, users, event):
    client.force_login(users["physicist.riverside"])
    url = reverse("review:event-detail", args=[event.pk])
    for _ in range(7):
        assert client.get(url).status_code == 200
    assert _views(event).count() == 1


def test_event_viewed_after_a_minute_or_in_another_session_logs_again(client, users, event, monkeypatch):
    import practices.audit as audit

    client.force_login(users["physicist.riverside"])
    url = reverse("review:event-detail", args=[event.pk])
    client.get(url)
    later = audit.time.time() + audit.VIEW_LOG_SECONDS + 1
    monkeypatch.setattr(audit.time, "time", lambda: later)
    client.get(url)
    assert _views(event).count() == 2
    client.logout()
    client.force_login(users["physicist.riverside"])
    client.get(url)
    assert _views(event).count() == 3


def _entries(world):
    riverside = world["agreements"]["riverside"]
    physicist, director = world["users"]["physicist.riverside"], world["users"]["director.riverside"]
    old = timezone.now() - dt.timedelta(days=10)
    AccessLog.objects.create(
        user=physicist,
        username=physicist.username,
        agreement=riverside,
        action="view",
        object_label="RIV-2026-0001",
        at=old,
    )
    AccessLog.objects.create(user=director, username=director.username, agreement=riverside, action="login")
    AccessLog.objects.create(
        user=director, username=director.username, agreement=riverside, action="view", object_label="RIV-2026-0002"
    )
    AccessLog.objects.create(username="=cmd|' /C calc'!A0", agreement=riverside, action="login_failed")
    AccessLog.objects.create(username="physicist.lakeside", agreement=world["agreements"]["lakeside"], action="login")


@pytest.mark.parametrize(("query", "expected"), [
    ({}, 4),
    ({"person": "director.riverside"}, 2),
    ({"kind": "view"}, 2),
    ({"event": "0002"}, 1),
    ({"date_to": (timezone.localdate() - dt.timedelta(days=5)).isoformat()}, 1),
    ({"date_from": timezone.localdate().isoformat(), "kind": "view"}, 1),
])  # fmt: skip
def test_access_log_filters(client, world, query, expected):
    _entries(world)
    client.force_login(world["users"]["physicist.riverside"])
    response = client.get(reverse("practices:accesslog-list"), query)
    assert response.status_code == 200
    assert len(response.context["object_list"]) == expected
    assert "physicist.lakeside" not in response.content.decode()  # another practice's people


def test_access_log_person_choices_are_the_practices_own(client, world):
    _entries(world)
    client.force_login(world["users"]["physicist.riverside"])
    response = client.get(reverse("practices:accesslog-list"))
    choices = dict(response.context["filter"].form.fields["person"].choices)
    assert "director.riverside" in choices and "physicist.lakeside" not in choices


def test_access_log_bad_filter_is_a_form_error_not_a_500(client, world):
    client.force_login(world["users"]["physicist.riverside"])
    response = client.get(reverse("practices:accesslog-list"), {"date_from": "not-a-date", "person": "nobody"})
    assert response.status_code == 200


def test_access_log_csv_export_is_filtered_scoped_and_safe(client, world):
    _entries(world)
    client.force_login(world["users"]["physicist.riverside"])
    response = client.get(reverse("practices:accesslog-list"), {"kind": "login_failed", "format": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:4] == ["When", "Login", "Name", "Kind"]
    assert len(rows) == 2 and rows[1][1].startswith("'=")  # no formula reaches a spreadsheet
    assert AccessLog.objects.filter(action="export", object_label="access log (CSV)").exists()


@pytest.mark.parametrize("fmt", [None, "csv"])
def test_access_log_constant_queries(client, world, fmt):
    client.force_login(world["users"]["physicist.riverside"])
    params = {"format": fmt} if fmt else {}

    def count():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse("practices:accesslog-list"), params)
            if fmt:
                b"".join(response.streaming_content)
        return len(ctx.captured_queries)

    _entries(world)
    small = count()
    for _ in range(30):
        _entries(world)
    assert count() == small
