"""The local facts stay in step with the events and reviews: random events, reviews, edits and transitions made
through the services, then every dashboard figure from the facts is compared with a direct computation from the
Event and Review rows (the selectors as they were before the facts existed, kept here as the reference)."""

import datetime as dt
import random
from collections import defaultdict

import pytest
from django.core.management import call_command
from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from analytics.demo import local_history
from analytics.selectors import NOT_RECORDED, STEP_CODES, LocalFilters, cell_events, local_analytics
from events.models import Event, LocalFact
from foundation.taxonomy import review as rc
from foundation.taxonomy.events import REACHED_PATIENT, EventClassification, WorkflowStep
from practices.models import Coverage
from review.models import ActionItem, Review
from review.services import action_item_add, event_transition, missing_for_report, review_finalize
from review.services.reviews import LIST_CODES
from tests.factories.review import make_event, review_event

pytestmark = pytest.mark.django_db(databases=["default", "pso"])
C = EventClassification
BARRIERS = sorted(LIST_CODES["barriers_caught"])
ROLES = sorted(LIST_CODES["detected_roles"])
STEPS = [*WorkflowStep.values, ""]


# --- The reference: straight from Event and Review rows --------------------------------------------------------


def reference(user, filters: LocalFilters) -> dict:
    """Every figure of the dashboard computed from the wide tables, as the selectors did before LocalFact."""
    events = Event.objects.for_user(user, action="review").filter(
        event_date__gte=filters.date_from, event_date__lte=filters.date_to
    )
    if filters.facility_id:
        events = events.filter(facility_id=filters.facility_id)
    events = events.order_by()
    monthly = sorted(
        (f, m.date() if isinstance(m, dt.datetime) else m, c, n)
        for f, m, c, n in events.annotate(month=TruncMonth("event_date"))
        .values_list("facility_id", "month", "classification")
        .annotate(n=Count("*"))
    )
    to_start = ExpressionWrapper(F("review_started_at") - F("created_at"), output_field=DurationField())
    to_close = ExpressionWrapper(F("review_closed_at") - F("created_at"), output_field=DurationField())
    summary = events.aggregate(
        total=Count("pk"), anonymous=Count("pk", filter=Q(is_anonymous=True)),
        reporters=Count("submitted_by", distinct=True, filter=Q(is_anonymous=False)),
        near_misses=Count("pk", filter=Q(classification=C.NEAR_MISS)),
        unsafe_conditions=Count("pk", filter=Q(classification=C.UNSAFE_CONDITION)),
        started=Count("review_started_at"), closed=Count("review_closed_at"),
        avg_to_start=Avg(to_start), avg_to_close=Avg(to_close),
    )  # fmt: skip
    crosstab: dict = defaultdict(int)
    caught = 0
    lists: dict = {"detected": defaultdict(int), "caught": defaultdict(int), "failed": defaultdict(int)}
    for event in events.select_related("review"):
        review = getattr(event, "review", None)
        origin = (review.workflow_origin if review else "") or NOT_RECORDED
        detected = (review.workflow_detected if review else "") or NOT_RECORDED
        crosstab[(origin, detected)] += 1
        if review is not None:
            caught += event.classification in REACHED_PATIENT and review.barriers_caught != []
            for kind, name in (("detected", "detected_roles"), ("caught", "barriers_caught"),
                               ("failed", "barriers_failed")):  # fmt: skip
                for code in getattr(review, name):
                    lists[kind][code] += 1
    today = timezone.localdate()
    is_open = ~Q(status=rc.ActionStatus.DONE)
    actions = sorted(
        ActionItem.objects.filter(event__in=events.values("pk")).order_by().values_list("action_type").annotate(
            total=Count("pk"), open=Count("pk", filter=is_open),
            overdue=Count("pk", filter=is_open & Q(due_date__lt=today)),
        )
    )
    cells = {}
    for origin in STEP_CODES:
        for detected in STEP_CODES:
            qs = events
            for name, value in (("workflow_origin", origin), ("workflow_detected", detected)):
                if value == NOT_RECORDED:
                    qs = qs.filter(Q(review__isnull=True) | Q(**{f"review__{name}": ""}))
                else:
                    qs = qs.filter(**{f"review__{name}": value})
            cells[(origin, detected)] = list(qs.order_by("-event_date", "-id").values_list("pk", flat=True))
    return {"monthly": monthly, "summary": summary, "crosstab": dict(crosstab), "caught": caught,
            "lists": {k: dict(v) for k, v in lists.items()}, "actions": actions, "cells": cells}  # fmt: skip


def fast(user, filters: LocalFilters) -> dict:
    """The same figures as the dashboard reads them (from the local facts)."""
    data = local_analytics(LocalFact.objects.for_user(user, action="review"), user=user, filters=filters,
                           facilities={})  # fmt: skip
    scoped = Event.objects.for_user(user, action="review")
    cells = {
        (o, d): list(cell_events(scoped, filters, origin=o, detected=d).values_list("pk", flat=True))
        for o in STEP_CODES for d in STEP_CODES
    }  # fmt: skip
    return {"monthly": sorted(data.monthly), "summary": data.summary, "crosstab": data.crosstab,
            "caught": data.caught_partway, "lists": data.lists, "actions": sorted(data.actions),
            "cells": cells}  # fmt: skip


def assert_same(user, filters_list):
    for filters in filters_list:
        expected, got = reference(user, filters), fast(user, filters)
        for key in expected:
            assert got[key] == expected[key], (key, filters)


def facts_snapshot() -> list[tuple]:
    fields = [f.attname for f in LocalFact._meta.concrete_fields]
    return list(LocalFact.objects.order_by("pk").values_list(*fields))


# --- Random histories through the services ----------------------------------------------------------------------


def _random_answers(rng: random.Random) -> dict:
    return {
        "classification": rng.choice(list(C.values)),
        "workflow_origin": rng.choice(STEPS),
        "workflow_detected": rng.choice(STEPS),
        "detected_roles": rng.sample(ROLES, rng.choice([0, 1, 2])),
        "barriers_caught": rng.sample(BARRIERS, rng.choice([0, 0, 1, 2])),
        "barriers_failed": rng.sample(BARRIERS, rng.choice([0, 1, 3])),
    }


def _random_history(rng: random.Random, world, count: int) -> None:
    users = world["users"]
    reviewer = users["physicist.riverside"]
    submitters = [users["physicist.riverside"], users["reporter.riverside"], users["general.riverside"]]
    riverside, lakeside = world["agreements"]["riverside"], world["agreements"]["lakeside"]
    facilities = [c.facility for c in Coverage.objects.filter(agreement=riverside, is_current=True)
                  .select_related("facility")]  # fmt: skip
    today = timezone.localdate()
    reported = []
    for _ in range(count):
        event = make_event(
            agreement=riverside, user=rng.choice(submitters), facility=rng.choice(facilities),
            classification=rng.choice(list(C.values)), stay_anonymous=rng.random() < 0.25,
            event_date=today - dt.timedelta(days=rng.randint(0, 500)),
        )  # fmt: skip
        roll = rng.random()
        if roll < 0.1:
            event_transition(event=event, by=reviewer, to="invalid", reason="Entered twice by mistake.")
            continue
        if roll < 0.25:
            continue  # never reviewed: no review row at all
        review_event(event, by=reviewer, **_random_answers(rng))
        if rng.random() < 0.5:  # an edit: another reviewer changes the answers and maybe the classification
            review_event(event, by=users["director.riverside"], **_random_answers(rng))
        if rng.random() < 0.3:
            action_item_add(event=event, by=reviewer, description="Fix it.", owner=reviewer,
                            action_type=rng.choice(["proc.checklists", "hw.forcing_function"]),
                            due_date=today + dt.timedelta(days=rng.randint(0, 20)))  # fmt: skip
        step = rng.random()
        if step < 0.3:
            event_transition(event=event, by=reviewer, to="closed")
            if rng.random() < 0.3:  # reopened after closing: a new revision, the review can change again
                event_transition(event=event, by=reviewer, to="in_review")
                review_event(event, by=reviewer, **_random_answers(rng))
        elif step < 0.4:
            event_transition(event=event, by=reviewer, to="invalid", reason="Not a safety event.")
            if rng.random() < 0.5:
                event_transition(event=event, by=reviewer, to="in_review")
        elif step < 0.6:  # complete answers, reported to the PSO (review_finalize stamps the closing time)
            review_event(event, by=reviewer, classification=event.classification)
            event.refresh_from_db()
            if not missing_for_report(event):
                event_transition(event=event, by=reviewer, to="ready_to_report")
                review_finalize(event=event, by=reviewer, confirmed=True)
                reported.append(event)
    assert reported, "the random history reports some events to the PSO"
    # Another practice's events never reach Riverside's figures.
    for _ in range(3):
        review_event(make_event(agreement=lakeside), **_random_answers(rng))


@pytest.mark.parametrize("seed", [1, 2])
def test_facts_match_events_and_reviews_after_random_service_writes(world, seed):
    rng = random.Random(seed)
    _random_history(rng, world, count=30)
    user = world["users"]["physicist.riverside"]
    today = timezone.localdate()
    facility = Coverage.objects.filter(agreement=world["agreements"]["riverside"]).first().facility_id
    assert_same(user, [
        LocalFilters(today - dt.timedelta(days=3650), today),
        LocalFilters(today - dt.timedelta(days=200), today - dt.timedelta(days=20)),
        LocalFilters(today - dt.timedelta(days=3650), today, facility_id=facility),
    ])  # fmt: skip
    # Every event has its fact, and what the services wrote is exactly what a rebuild writes.
    assert LocalFact.objects.count() == Event.objects.count()
    before = facts_snapshot()
    call_command("rebuild_local_facts", verbosity=0)
    assert facts_snapshot() == before


def test_rebuild_restores_facts_and_bulk_history_writes_them(world):
    riverside = world["agreements"]["riverside"]
    user = world["users"]["physicist.riverside"]
    local_history(agreement=riverside, count=300, days=700, owner=user, seed=5)
    review_event(make_event(agreement=riverside, classification=C.THERAPEUTIC), barriers_caught=["proc.timeout"])
    today = timezone.localdate()
    filters = [LocalFilters(today - dt.timedelta(days=800), today)]
    assert_same(user, filters)  # the bulk demo history wrote its facts
    snapshot = facts_snapshot()
    LocalFact.objects.filter(pk__in=list(LocalFact.objects.values_list("pk", flat=True)[:100])).delete()
    Review.objects.filter(event__agreement=riverside).update(workflow_origin="")  # behind the services' back
    assert fast(user, filters[0]) != reference(user, filters[0])  # the comparison does see stale facts
    call_command("rebuild_local_facts", agreement=[riverside.pk], verbosity=0)
    assert_same(user, filters)
    assert len(facts_snapshot()) == len(snapshot)


def test_list_counts_unnest_prefixed_codes(world):
    riverside, user = world["agreements"]["riverside"], world["users"]["physicist.riverside"]
    event = make_event(agreement=riverside)
    review_event(event, detected_roles=["nurse", "nurse"], barriers_caught=["proc.timeout"],
                 barriers_failed=["proc.timeout", "hw.interlocks"])  # fmt: skip
    assert LocalFact.objects.get(pk=event.pk).codes == ["d:nurse", "d:nurse", "c:proc.timeout", "f:proc.timeout",
                                                        "f:hw.interlocks"]  # fmt: skip
    today = timezone.localdate()
    data = local_analytics(LocalFact.objects.for_user(user, action="review"), user=user,
                           filters=LocalFilters(today - dt.timedelta(days=30), today), facilities={})  # fmt: skip
    assert data.lists == {"detected": {"nurse": 2}, "caught": {"proc.timeout": 1},
                          "failed": {"proc.timeout": 1, "hw.interlocks": 1}}  # fmt: skip
