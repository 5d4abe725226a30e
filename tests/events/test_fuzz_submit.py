"""Property tests: whatever is posted to Submit Event, never a server error and never a partial event."""

import datetime as dt
import json
import uuid

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from events.models import Event, EventTechnique
from practices.models import AuditEntry

pytestmark = pytest.mark.django_db

CREATE = reverse("events:event-create")
FUZZ = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                       HealthCheck.too_slow])
MEGABYTE = 1_048_576


def huge_text():
    """Over a megabyte of one (possibly exotic) character, or of a short repeated phrase."""
    return st.builds(lambda chunk, n: (chunk * (MEGABYTE // max(1, len(chunk)) + n))[: MEGABYTE + n],
                     st.text(min_size=1, max_size=5), st.integers(1, 5_000))


def anything():
    return st.one_of(st.just(""), st.text(max_size=300), st.text(alphabet=st.characters(codec="utf-8"), max_size=50))


def valid_or(valid, extra=None):
    return st.one_of(st.just(valid), anything(), *(extra or []))


@st.composite
def submissions(draw, coverage_ids):
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    data = {
        "coverage": draw(valid_or(str(coverage_ids[0]), [st.sampled_from([str(i) for i in coverage_ids]),
                                                         st.integers().map(str)])),
        "classification": draw(valid_or("near_miss")),
        "narrative": draw(st.one_of(st.just("Couch moved during imaging; caught at review."), anything(),
                                    huge_text())),
        "techniques": draw(st.lists(valid_or("imrt_vmat", [st.just("not_applicable")]), max_size=4)),
        "event_date": draw(valid_or(yesterday, [st.dates().map(dt.date.isoformat)])),
        "event_time": draw(valid_or("", [st.times().map(lambda t: t.strftime("%H:%M"))])),
        "workflow_step_noticed": draw(valid_or("")),
        "age_range": draw(valid_or("unknown")),
        "patient_sex": draw(valid_or("unknown")),
        "reporter_role": draw(valid_or("nurse")),
        "reporter_name": draw(anything()),
        "sub_location": draw(anything()),
        "stay_anonymous": draw(valid_or("on")),
        "confirm_old_date": draw(valid_or("on")),
        "confirm_no_identifiers": draw(anything()),
        "idempotency_key": draw(valid_or(str(uuid.uuid4()), [st.uuids().map(str)])),
    }
    drop = draw(st.sets(st.sampled_from(sorted(data)), max_size=3))
    return {k: v for k, v in data.items() if k not in drop}


def _body_size(data: dict) -> int:
    return sum(len(str(v).encode("utf-8", "surrogatepass")) for v in data.values())


def _assert_whole_or_nothing(before: int, response, data: dict | None = None) -> None:
    # 400 is Django refusing a body over DATA_UPLOAD_MAX_MEMORY_SIZE before any view code runs.
    allowed = (200, 302, 400) if data is None or _body_size(data) > django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE \
        else (200, 302)
    assert response.status_code in allowed, response.status_code
    created = Event.objects.count() - before
    assert created in (0, 1)
    if created:
        event = Event.objects.order_by("-id").first()
        assert response.status_code == 302
        assert event.reference and event.narrative.strip() and event.reporter_role
        assert EventTechnique.objects.filter(event=event).exists()
        assert AuditEntry.objects.filter(object_type="events.event", object_id=str(event.pk)).exists()
        if event.is_anonymous:
            assert event.submitted_by_id is None and event.reporter_name == ""
    assert not EventTechnique.objects.filter(event__isnull=True).exists()


def test_event_create_fuzzed_posts_never_500_never_partial(client_for, coverages):
    client = client_for("reporter.riverside")
    ids = [c.pk for c in coverages.values()]

    @FUZZ
    @given(submissions(ids))
    def run(data):
        before = Event.objects.count()
        _assert_whole_or_nothing(before, client.post(CREATE, data), data)

    run()


def test_event_create_fuzzed_posts_as_shared_login_stay_anonymous(client_for, coverages):
    client = client_for("general.riverside")
    ids = [c.pk for c in coverages.values()]

    @FUZZ
    @given(submissions(ids))
    def run(data):
        before = Event.objects.count()
        _assert_whole_or_nothing(before, client.post(CREATE, data), data)
        assert not Event.objects.filter(is_anonymous=False).exists()

    run()


def test_event_create_huge_and_empty_bodies(client_for, coverages):
    client = client_for("reporter.riverside")
    coverage = str(coverages["Main Campus"].pk)
    base = {"coverage": coverage, "classification": "near_miss", "techniques": ["tbi"], "reporter_role": "nurse",
            "event_date": timezone.localdate().isoformat(), "idempotency_key": str(uuid.uuid4())}
    huge = ("é" * (MEGABYTE + 1), "\U0001f600" * (MEGABYTE // 2 + 1), "x" * 3 * MEGABYTE)
    for narrative in ("", "\x00", "a\x00b", *huge):
        data = {**base, "narrative": narrative}
        _assert_whole_or_nothing(Event.objects.count(), client.post(CREATE, data), data)
    _assert_whole_or_nothing(Event.objects.count(), client.post(CREATE, {}))
    _assert_whole_or_nothing(Event.objects.count(), client.post(CREATE, b"\xff\xfe" * 1000,
                                                               content_type="application/octet-stream"))
    assert Event.objects.count() == 0


@FUZZ
@given(body=st.one_of(st.text(max_size=500), st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=50),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=20), inner, max_size=5),
    max_leaves=20,
).map(lambda v: json.dumps({"fields": v}) if not isinstance(v, dict) else json.dumps({"fields": v}))))
def test_event_draft_fuzzed_bodies_never_500(client_for, body):
    client = client_for("reporter.riverside")
    response = client.post(reverse("events:event-draft"), body, content_type="application/json")
    assert response.status_code in (200, 400, 413)
