"""What PSO staff read of the practice side: the outbox's delivery state and participation counts, never a record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Max, Q, QuerySet
from django.db.models.functions import TruncQuarter
from django.utils import timezone

from practices.choices import EXECUTED_STATES, AgreementState
from practices.models import Agreement

from .models import Submission

# --- The outbox --------------------------------------------------------------------------------------

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


def outbox_undelivered(submissions: QuerySet[Submission], *, state: str | None = None) -> QuerySet[Submission]:
    """Of the (scoped) submissions given, the undelivered ones, oldest first; `state` narrows."""
    queryset = submissions.filter(pushed_at__isnull=True)
    if state in STATES:
        queryset = queryset.filter(STATES[state])
    return queryset.select_related("pso").only(*LIST_FIELDS).order_by("created_at", "pk")


def outbox_counts_for(*, user) -> dict[str, int]:
    """Pending, failed and delivered counts over the PSOs the user works for as staff."""
    return outbox_counts(Submission.objects.for_user(user, action="enrol"))


# --- Participation -----------------------------------------------------------------------------------

QUIET_DAYS = 90


def quarter_of(moment: datetime) -> str:
    local = timezone.localtime(moment)
    return f"{local.year}Q{(local.month - 1) // 3 + 1}"


def _last_quarters(now: datetime, count: int) -> list[str]:
    local = timezone.localtime(now)
    year, q = local.year, (local.month - 1) // 3 + 1
    labels = []
    for _ in range(count):
        labels.append(f"{year}Q{q}")
        year, q = (year, q - 1) if q > 1 else (year - 1, 4)
    return labels[::-1]


def _quarter_start(label: str) -> datetime:
    year, q = int(label[:4]), int(label[5])
    return timezone.make_aware(datetime(year, 3 * (q - 1) + 1, 1))


@dataclass
class ParticipationRow:
    """Events reported by one agreement per quarter, and how long it has been quiet."""

    agreement: Agreement
    counts: list[int]
    last_report: datetime | None
    days_since: int | None
    quiet: bool


def participation_for(user, *, quarters: int = 8, now: datetime | None = None) -> dict:
    """Counts only, no content: events reported per agreement per quarter from the outbox, for PSO staff."""
    now = now or timezone.now()
    agreements = list(
        Agreement.objects.for_user(user, action="enrol")
        .filter(state__in=EXECUTED_STATES)
        .select_related("practice", "pso")
        .order_by("practice__name", "pk")
    )
    labels = _last_quarters(now, quarters)
    ids = [a.pk for a in agreements]
    outbox = Submission.objects.for_user(user, action="enrol").filter(agreement_id__in=ids)
    per_quarter: dict[tuple[int, str], int] = {}
    rows = (
        outbox.filter(created_at__gte=_quarter_start(labels[0]))
        .annotate(q=TruncQuarter("created_at"))
        .values_list("agreement_id", "q")
        .annotate(n=Count("event_key", distinct=True))
        .order_by()
    )
    for agreement_id, start, n in rows:
        per_quarter[(agreement_id, quarter_of(start) if isinstance(start, datetime) else _date_quarter(start))] = n
    last = dict(outbox.values_list("agreement_id").annotate(last=Max("created_at")).order_by())
    table = []
    for agreement in agreements:
        when = last.get(agreement.pk)
        days = max((now - when).days, 0) if when else None
        # Quiet counts from the last report, or from activation for a practice that has not reported yet.
        since = max((m for m in (when, agreement.activated_at) if m is not None), default=None)
        quiet = agreement.state == AgreementState.ACTIVE and (since is None or now - since > timedelta(days=QUIET_DAYS))
        table.append(
            ParticipationRow(agreement, [per_quarter.get((agreement.pk, q), 0) for q in labels], when, days, quiet)
        )
    return {
        "quarters": labels,
        "rows": table,
        "quiet_count": sum(1 for r in table if r.quiet),
        "quiet_days": QUIET_DAYS,
    }


def _date_quarter(day) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"
