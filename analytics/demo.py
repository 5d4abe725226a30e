"""A practice's local history in bulk (events, reviews, actions, treatment volumes) for the demo and the benchmark.

Written with bulk_create, not through the services: a year of a busy clinic in a second or two, so `make run` stays
fast; the rows are what the services would have written (closed, reviewed events with coded answers only), and
the dashboard's local facts are written alongside through events.facts.
"""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from events.facts import local_facts_write
from events.models import Event, EventTechnique
from foundation.scrubber import VERSION as SCRUBBER_VERSION
from foundation.taxonomy import review as rc
from foundation.taxonomy.events import (
    REACHED_PATIENT,
    AgeRange,
    EventClassification,
    EventStatus,
    PatientSex,
    ReporterRole,
    TreatmentTechnique,
    WorkflowStep,
)
from practices.choices import Role
from practices.models import Agreement, Coverage
from review.models import ActionItem, Review

from .models import TreatmentVolume

C = EventClassification
CLASSIFICATIONS = [C.NEAR_MISS, C.UNSAFE_CONDITION, C.THERAPEUTIC, C.OTHER_SAFETY, C.OPERATIONAL]
CLASSIFICATION_WEIGHTS = [45, 20, 12, 8, 15]
STEPS = [s for s in WorkflowStep.values if s not in (WorkflowStep.OTHER, WorkflowStep.UNKNOWN)]
ROLES = [ReporterRole.RADIATION_THERAPIST, ReporterRole.DOSIMETRIST, ReporterRole.MEDICAL_PHYSICIST,
         ReporterRole.RADIATION_ONCOLOGIST, ReporterRole.NURSE, ReporterRole.ADMINISTRATOR]  # fmt: skip
ROLE_WEIGHTS = [40, 20, 15, 8, 10, 7]
BARRIERS = [n.code for n in rc.SAFETY_BARRIERS if not n.retired and n.code not in ("none", "other")]
ACTIONS = [n.code for n in rc.CORRECTIVE_ACTIONS if not n.retired]
NARRATIVE = "Local history event {n}: the setup note and the plan disagreed; found at the {step} check."
BATCH = 5000


def _batches(rows: list, size: int = BATCH):
    for i in range(0, len(rows), size):
        yield rows[i : i + size]


def local_history(
    *,
    agreement: Agreement,
    count: int,
    days: int = 365,
    owner=None,
    prefix: str = "LH",
    seed: int = 7,
    reporters: list | None = None,
) -> int:
    """`count` events over the last `days` days at the agreement's locations, most of them reviewed; returns count.

    `owner` (a full-access user) owns and assigns the corrective actions; without one no actions are made.
    `reporters` are named users some reports come from (the rest are anonymous or name no login).
    """
    rng = random.Random(seed)
    facilities = list(
        Coverage.objects.filter(agreement=agreement, is_current=True).values_list("facility_id", flat=True)
    )
    now, today = timezone.now(), timezone.localdate()
    start = Event.objects.filter(agreement=agreement, reference__startswith=prefix).count()
    events = []
    for i in range(count):
        # More reports lately: a reporting culture that grows over the year.
        age = int(days * (1 - rng.random() ** 0.8))
        created = now - dt.timedelta(days=age, minutes=rng.randint(0, 600))
        anonymous = rng.random() < 0.2
        submitter = None if anonymous or not reporters else rng.choice(reporters)
        closed = age > 30 and rng.random() < 0.85
        events.append(Event(
            agreement=agreement, facility_id=facilities[i % len(facilities)],
            reference=f"{prefix}-{start + i + 1:06d}",
            classification=rng.choices(CLASSIFICATIONS, CLASSIFICATION_WEIGHTS)[0],
            narrative=NARRATIVE.format(n=i, step="time-out"), narrative_scrubbed=NARRATIVE.format(n=i, step="time-out"),
            scrubbed_with=SCRUBBER_VERSION, event_date=(created - dt.timedelta(days=rng.randint(0, 3))).date(),
            reporter_role=rng.choices(ROLES, ROLE_WEIGHTS)[0], is_anonymous=anonymous, submitted_by=submitter,
            age_range=rng.choice(AgeRange.values), patient_sex=rng.choice(PatientSex.values),
            status=EventStatus.CLOSED if closed else rng.choice([EventStatus.NEW, EventStatus.IN_REVIEW]),
            created_at=created, last_activity_at=created, notified_at=created,
            review_started_at=created + dt.timedelta(hours=rng.randint(2, 24 * 10)) if closed else None,
            review_closed_at=created + dt.timedelta(days=rng.randint(7, 30)) if closed else None,
        ))  # fmt: skip
    for batch in _batches(events):
        Event.objects.bulk_create(batch)
    techniques, reviews, actions = [], [], []
    for event in events:
        techniques.append(EventTechnique(event=event, technique=rng.choice(TreatmentTechnique.values[:6])))
        if event.status == EventStatus.NEW:
            continue
        reviews.append(_review(rng, event))
        if owner is not None and event.status == EventStatus.CLOSED and rng.random() < 0.3:
            done = rng.random() < 0.7
            actions.append(ActionItem(
                event=event, number=1, action_type=rng.choice(ACTIONS), description="Corrective action.",
                owner=owner, assigned_by=owner, due_date=event.created_at.date() + dt.timedelta(days=30),
                status=rc.ActionStatus.DONE if done else rc.ActionStatus.OPEN, created_at=event.created_at,
            ))  # fmt: skip
    for rows, model in ((techniques, EventTechnique), (reviews, Review), (actions, ActionItem)):
        for batch in _batches(rows):
            model.objects.bulk_create(batch)
    by_event = {review.event_id: review for review in reviews}
    # Bulk rows bypass the services, so the dashboard's facts are written here (events.facts, like the services).
    local_facts_write((event, by_event.get(event.pk)) for event in events)
    _volumes(rng, agreement, facilities, days, today)
    return count


def _review(rng: random.Random, event: Event) -> Review:
    origin = rng.choices(range(len(STEPS)), [10, 10, 30, 8, 25, 5, 2, 10])[0]
    detected = min(len(STEPS) - 1, origin + rng.choices([0, 1, 2, 3], [35, 40, 18, 7])[0])
    near = event.classification in (C.NEAR_MISS, C.UNSAFE_CONDITION)
    caught = [rng.choice(BARRIERS)] if near or (event.classification in REACHED_PATIENT and rng.random() < 0.4) else []
    return Review(
        event=event, title="Reviewed event", workflow_origin=STEPS[origin], workflow_detected=STEPS[detected],
        detected_roles=[rng.choices(ROLES, ROLE_WEIGHTS)[0]], barriers_caught=caught,
        barriers_failed=rng.sample(BARRIERS, rng.choice([0, 1, 1, 2])),
        near_miss_risk=rng.choices(range(5), [16, 42, 25, 12, 5])[0] if near else None,
        created_at=event.created_at, updated_at=event.created_at,
    )  # fmt: skip


def _volumes(rng: random.Random, agreement: Agreement, facilities: list[int], days: int, today: dt.date) -> None:
    months, month = [], today.replace(day=1)
    while (today - month).days < days:
        months.append(month)
        month = (month - dt.timedelta(days=1)).replace(day=1)
    TreatmentVolume.objects.bulk_create(
        [TreatmentVolume(agreement=agreement, facility_id=f, month=m, patients_treated=rng.randint(80, 160))
         for f in facilities for m in months],
        ignore_conflicts=True,
    )  # fmt: skip


DEMO_HISTORY = {"riverside": 1200, "lakeside": 500}  # local events per demo practice over the last year
DEMO_PEERS = 8  # practices in the PSO store (the demo's two plus synthetic peers): benchmarks need five or more
DEMO_STORE_RECORDS = 2400


def seed_local_learning(world: dict, *, events: int = 100) -> str:
    """Demo hook: a year of local history per demo practice, and synthetic peer practices in the PSO store.

    Idempotent: a practice that already has its history, or a store that already has peers, is left alone.
    """
    from django.core.management import call_command

    from reporting.models import StoreRecord

    made = 0
    for name, count in DEMO_HISTORY.items():
        agreement = world["agreements"][name]
        if Event.objects.filter(agreement=agreement, reference__startswith="LH-").exists():
            continue
        reviewers = [m.user for m in agreement.memberships.filter(role=Role.FULL_ACCESS).select_related("user")]
        reporters = [m.user for m in agreement.memberships.filter(role=Role.REPORTER).select_related("user")]
        made += local_history(agreement=agreement, count=count, owner=reviewers[0] if reviewers else None,
                              reporters=reporters, seed=len(name))  # fmt: skip
    pso = world["pso"]
    peers = ""
    if StoreRecord.objects.using("pso").filter(pso_id=pso.pk).count() < DEMO_STORE_RECORDS:
        call_command("seed_bench", events=DEMO_STORE_RECORDS, practices=DEMO_PEERS, pso_id=pso.pk, quarters=8,
                     seed=2026, verbosity=0)  # fmt: skip
        peers = f", {DEMO_STORE_RECORDS:,} PSO store records across {DEMO_PEERS} practices"
    return f"Local learning: {made:,} events of local history{peers}."
