"""Reads of the local analytics: every figure is one GROUP BY over the user's scoped local facts (events.LocalFact,
one narrow row per event kept in step by the write services), whatever the number of events."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from events.facts import LIST_KINDS as FACT_KINDS
from events.models import Event, LocalFact
from foundation.taxonomy import review as rc
from foundation.taxonomy.events import (
    EventClassification,
    ReporterRole,
    WorkflowStep,
)
from review.models import ActionItem

from .models import TreatmentVolume

NOT_RECORDED = "none"  # the cross-table's and drill-down's code for a step nobody recorded
MAX_MONTHS = 120
C = EventClassification


@dataclass(frozen=True)
class LocalFilters:
    """One location or all, and a period of event dates (inclusive)."""

    date_from: dt.date
    date_to: dt.date
    facility_id: int | None = None


def default_period(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The last twelve months, this one included."""
    today = today or timezone.localdate()
    start = month_start(today)
    for _ in range(11):
        start = month_start(start - dt.timedelta(days=1))
    return start, today


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    """First days of every month from first to last (at most MAX_MONTHS), so empty months chart as zero."""
    months, current = [], month_start(first)
    while current <= last and len(months) < MAX_MONTHS:
        months.append(current)
        current = (current + dt.timedelta(days=32)).replace(day=1)
    return months


def local_facts(queryset: QuerySet[LocalFact], filters: LocalFilters) -> QuerySet[LocalFact]:
    """The user's scoped facts (every agreement they review) narrowed to the period and location of their events."""
    qs = queryset.filter(event_date__gte=filters.date_from, event_date__lte=filters.date_to)
    if filters.facility_id:
        qs = qs.filter(facility_id=filters.facility_id)
    return qs.order_by()


def _as_date(value) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def monthly_counts(events: QuerySet[LocalFact]) -> list[tuple[int, dt.date, str, int]]:
    """(facility id, month, classification, events), one query."""
    rows = (
        events.annotate(month=TruncMonth("event_date"))
        .values_list("facility_id", "month", "classification")
        .annotate(n=Count("*"))
    )
    return [(facility_id, _as_date(month), classification, n) for facility_id, month, classification, n in rows]


def summary(events: QuerySet[LocalFact]) -> dict:
    """Totals, safety-culture and timeliness figures in one query."""
    to_start = ExpressionWrapper(F("review_started_at") - F("created_at"), output_field=DurationField())
    to_close = ExpressionWrapper(F("review_closed_at") - F("created_at"), output_field=DurationField())
    return events.aggregate(
        total=Count("pk"),
        anonymous=Count("pk", filter=Q(is_anonymous=True)),
        reporters=Count("submitted_by", distinct=True, filter=Q(is_anonymous=False)),
        near_misses=Count("pk", filter=Q(classification=C.NEAR_MISS)),
        unsafe_conditions=Count("pk", filter=Q(classification=C.UNSAFE_CONDITION)),
        started=Count("review_started_at"),
        closed=Count("review_closed_at"),
        avg_to_start=Avg(to_start),
        avg_to_close=Avg(to_close),
    )


def crosstab_counts(events: QuerySet[LocalFact]) -> tuple[dict[tuple[str, str], int], int]:
    """{(origin step, detected step): events}, NOT_RECORDED where the review has no answer, and the incidents a
    barrier caught part-way through (they reached the patient, yet a barrier is recorded as catching them); one query.
    """
    rows = events.values_list("workflow_origin", "workflow_detected").annotate(
        n=Count("pk"), caught=Count("pk", filter=Q(caught_partway=True))
    )
    table: dict[tuple[str, str], int] = defaultdict(int)
    caught = 0
    for origin, detected, n, caught_here in rows:
        table[(origin or NOT_RECORDED, detected or NOT_RECORDED)] += n
        caught += caught_here
    return dict(table), caught


LIST_FIELDS = {"detected": "detected_roles", "caught": "barriers_caught", "failed": "barriers_failed"}
# LocalFact.codes prefixes each code with its list's kind and a colon (events.facts.LIST_KINDS).
KIND_PREFIXES = {FACT_KINDS[column]: kind for kind, column in LIST_FIELDS.items()}


def list_counts(events: QuerySet[LocalFact]) -> dict[str, dict[str, int]]:
    """{kind: {code: events}} for the review's multi-valued answers (roles that detected, barriers), one query.

    Each fact holds the three lists as one JSON array of prefixed codes: the database unnests it
    (jsonb_array_elements_text, SQLite's json_each) and groups, so no row is read into Python.
    """
    # Only constants and Django's own compiled, parameterised subquery are formatted in: no input reaches the SQL.
    inner_sql, params = events.values("codes").query.sql_with_params()
    if connection.vendor == "postgresql":
        sql = (f"SELECT x, COUNT(*) FROM ({inner_sql}) f CROSS JOIN LATERAL jsonb_array_elements_text(f.codes) AS x "  # noqa: S608
               f"GROUP BY x")  # fmt: skip
    else:
        sql = f"SELECT j.value, COUNT(*) FROM ({inner_sql}) f, json_each(f.codes) j GROUP BY j.value"  # noqa: S608
    counts: dict[str, dict[str, int]] = {kind: {} for kind in LIST_FIELDS}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for prefixed, n in cursor.fetchall():
            prefix, _colon, code = prefixed.partition(":")
            counts[KIND_PREFIXES[prefix]][code] = n
    return counts


def action_counts(events: QuerySet[LocalFact], today: dt.date | None = None) -> list[tuple[str, int, int, int]]:
    """(action type, actions, still open, overdue) for the actions of these events, one query."""
    today = today or timezone.localdate()
    is_open = ~Q(status=rc.ActionStatus.DONE)
    return list(
        ActionItem.objects.filter(event__in=events.values("pk"))
        .order_by()
        .values_list("action_type")
        .annotate(
            total=Count("pk"),
            open=Count("pk", filter=is_open),
            overdue=Count("pk", filter=is_open & Q(due_date__lt=today)),
        )
    )


def volumes(user, filters: LocalFilters) -> dict[tuple[int, dt.date], int]:
    """{(facility id, month): patients treated} the practice entered for the period, one query."""
    qs = TreatmentVolume.objects.for_user(user, action="review").filter(
        month__gte=month_start(filters.date_from), month__lte=filters.date_to
    )
    if filters.facility_id:
        qs = qs.filter(facility_id=filters.facility_id)
    rows = qs.order_by().values_list("facility_id", "month").annotate(n=Sum("patients_treated"))
    return {(facility_id, month): n for facility_id, month, n in rows}


@dataclass
class LocalAnalytics:
    """Everything the local dashboard shows, read in a fixed number of queries."""

    filters: LocalFilters
    months: list[dt.date]
    monthly: list[tuple[int, dt.date, str, int]]
    summary: dict
    crosstab: dict[tuple[str, str], int]
    caught_partway: int
    lists: dict[str, dict[str, int]]
    actions: list[tuple[str, int, int, int]]
    volumes: dict[tuple[int, dt.date], int]
    facilities: dict[int, str] = field(default_factory=dict)


def local_analytics(
    queryset: QuerySet[LocalFact], *, user, filters: LocalFilters, facilities: dict[int, str]
) -> LocalAnalytics:
    """The local dashboard's figures over the user's scoped local facts (`queryset`): six queries at any size."""
    events = local_facts(queryset, filters)
    crosstab, caught_partway = crosstab_counts(events)
    return LocalAnalytics(
        filters=filters,
        months=months_between(filters.date_from, filters.date_to),
        monthly=monthly_counts(events),
        summary=summary(events),
        crosstab=crosstab,
        caught_partway=caught_partway,
        lists=list_counts(events),
        actions=action_counts(events),
        volumes=volumes(user, filters),
        facilities=facilities,
    )


def cell_events(queryset: QuerySet[Event], filters: LocalFilters, *, origin: str, detected: str) -> QuerySet[Event]:
    """The events of one cross-table cell (scoped queryset in, narrowed queryset out): the steps are matched on the
    events' local facts ("" there where the review has no answer, or there is no review)."""
    qs = queryset.filter(event_date__gte=filters.date_from, event_date__lte=filters.date_to)
    if filters.facility_id:
        qs = qs.filter(facility_id=filters.facility_id)
    qs = qs.filter(local_fact__workflow_origin="" if origin == NOT_RECORDED else origin,
                   local_fact__workflow_detected="" if detected == NOT_RECORDED else detected)  # fmt: skip
    return qs.select_related("facility", "review").order_by("-event_date", "-id")


STEP_CODES = [*WorkflowStep.values, NOT_RECORDED]
ROLE_LABELS = dict(ReporterRole.choices)


def volume_coverages(user) -> list:
    """The locations whose volumes the user may enter: coverages of agreements in force they fully access."""
    from practices.models import Coverage

    return list(
        Coverage.objects.for_user(user, action="manage")
        .filter(is_current=True)
        .select_related("facility", "agreement")
        .order_by("facility__name", "agreement__reference")
    )


def manageable_agreements(user) -> list:
    """Agreements in force the user has full access to (where locations can be added)."""
    from practices.models import Agreement

    return list(Agreement.objects.for_user(user, action="manage").select_related("practice", "pso").order_by("pk"))
