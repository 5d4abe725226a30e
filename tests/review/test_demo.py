"""The demo reviews: varied states, a good share reported to the PSO, and a second run changes nothing."""

import pytest

from events.demo import seed_events
from events.models import Event
from foundation.taxonomy.events import EventStatus
from reporting.models import Submission
from review.demo import seed_reviews
from review.models import ActionItem, Review

pytestmark = pytest.mark.django_db


def test_seed_reviews_varied_states_reported_share_and_idempotent(world):
    seed_events(world, events=40)
    line = seed_reviews(world, events=40)
    assert line.startswith("Reviewed the demo events")
    statuses = set(Event.objects.values_list("status", flat=True))
    assert {EventStatus.NEW, EventStatus.REPORTED} <= statuses
    assert len(statuses) >= 4
    reported = Event.objects.filter(status__in=[EventStatus.REPORTED, EventStatus.RECEIVED, EventStatus.CLOSED])
    assert Submission.objects.count() >= 10 and reported.count() >= 10
    assert ActionItem.objects.exists()
    review = Review.objects.exclude(contributing_factors=[]).first()
    assert len(review.contributing_factors) >= 2
    before = (Review.objects.count(), Submission.objects.count(), ActionItem.objects.count())
    assert seed_reviews(world, events=40) == ""
    assert (Review.objects.count(), Submission.objects.count(), ActionItem.objects.count()) == before


def test_seed_reviews_without_events_returns_nothing(world):
    assert seed_reviews(world, events=10) == ""
