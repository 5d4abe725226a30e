"""Reads of the outbox: delivery counts and the undelivered rows PSO staff may see (never the record itself)."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from .models import Submission

PENDING = Q(pushed_at__isnull=True, attempts=0)
FAILED = Q(pushed_at__isnull=True, attempts__gt=0)  # tried at least once and not delivered yet
DELIVERED = Q(pushed_at__isnull=False)
STATES = {"pending": PENDING, "failed": FAILED}
# What a list of rows may show: no `record`, so no narrative is even loaded.
LIST_FIELDS = (
    "pso_id", "pso__name", "event_key", "revision", "created_at", "attempts", "last_error", "next_attempt_at",
)


def _counts() -> dict:
    return {
        "pending": Count("pk", filter=PENDING),
        "failed": Count("pk", filter=FAILED),
        "delivered": Count("pk", filter=DELIVERED),
    }


def outbox_counts(queryset: QuerySet | None = None) -> dict[str, int]:
    """Pending, failed and delivered row counts of a queryset of submissions (all rows by default)."""
    queryset = Submission.objects.all() if queryset is None else queryset
    return queryset.order_by().aggregate(**_counts())


def outbox_counts_by_pso() -> list[dict]:
    """The same counts per PSO (the operator's view in `manage.py pso_outbox`)."""
    return list(Submission.objects.order_by("pso__name").values("pso_id", "pso__name").annotate(**_counts()))


def outbox_undelivered_for(*, user, state: str | None = None) -> QuerySet:
    """Undelivered submissions of the PSOs the user works for as staff, oldest first; `state` narrows."""
    queryset = Submission.objects.for_user(user, action="enrol").filter(pushed_at__isnull=True)
    if state in STATES:
        queryset = queryset.filter(STATES[state])
    return queryset.select_related("pso").only(*LIST_FIELDS).order_by("created_at", "pk")


def outbox_counts_for(*, user) -> dict[str, int]:
    """Pending, failed and delivered counts over the PSOs the user works for as staff."""
    return outbox_counts(Submission.objects.for_user(user, action="enrol"))
