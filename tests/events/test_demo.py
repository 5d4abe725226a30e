"""seed_events: about a hundred varied demo events through the real service, and idempotent."""

import pytest
from django.db.models import Count
from django.utils import timezone

from events.demo import SCENARIOS, seed_events
from events.models import Event
from foundation.scrubber import find_identifiers

pytestmark = pytest.mark.django_db


def test_seed_events_creates_varied_events_across_facilities(world):
    line = seed_events(world, events=100)
    assert "100" in line
    assert Event.objects.count() == 100
    per_facility = dict(Event.objects.values_list("facility__name").annotate(n=Count("id")))
    assert set(per_facility) == {"Main Campus", "North Clinic", "Lakeside Radiation Oncology"}
    assert all(n >= 10 for n in per_facility.values())
    assert Event.objects.values("classification").distinct().count() == 5
    assert Event.objects.filter(is_anonymous=True).exists() and Event.objects.filter(is_anonymous=False).exists()
    assert not Event.objects.filter(is_anonymous=True, submitted_by__isnull=False).exists()
    assert Event.objects.filter(event_date__gt=timezone.localdate()).count() == 0
    assert Event.objects.dates("event_date", "month").count() >= 6
    assert Event.objects.filter(created_at__lt=timezone.now() - timezone.timedelta(days=60)).exists()
    assert Event.objects.values("reference").distinct().count() == 100
    assert all(e.techniques.exists() for e in Event.objects.all()[:10])


def test_seed_events_twice_does_nothing_the_second_time(world):
    seed_events(world, events=30)
    assert seed_events(world, events=30) == ""
    assert Event.objects.count() == 30


def test_seed_events_narratives_contain_no_identifiers():
    for scenario in SCENARIOS:
        assert find_identifiers(scenario[-1]) == [], scenario[-1]
