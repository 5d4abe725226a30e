"""Safety signals across practices: what the beat job finds in each PSO's store, the analysts' reads, and a draft
theme made from a signal that keeps its links to the records.

A signal is one of:
* the same problem type, device (manufacturer and model) or process step (where the event originated) reported
  by MIN_PRACTICES or more practices within one quarter;
* a practice's quarter with at least RISE_MIN_RECORDS records and RISE_FACTOR times its own mean over the
  BASELINE_QUARTERS quarters before (with at least one of them holding records).
`signals_detect` upserts one row per (PSO, kind, value, quarter), so running it again changes nothing; a finding
that no longer holds is kept, marked inactive (a theme may link to it).
"""

from __future__ import annotations

from collections import defaultdict

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from practices.models import PSO

from .dashboards import DIMENSIONS
from .models import SafetySignal, StoreRecord, Theme
from .themes import theme_create

PSO_DB = "pso"
MIN_PRACTICES = 3
RECENT_QUARTERS = 4  # quarters examined per run (the newest in each PSO's store)
BASELINE_QUARTERS = 4
RISE_FACTOR = 2.0
RISE_MIN_RECORDS = 5
MAX_RECORD_IDS = 200
Kind = SafetySignal.Kind
# Kind -> (the StoreRecord fields that make its value, records that count).
CLUSTERS = {
    Kind.PROBLEM_TYPE: (("problem_type",), ~Q(problem_type="")),
    Kind.EQUIPMENT: (("equipment_manufacturer", "equipment_model"), ~Q(equipment_manufacturer="")),
    Kind.PROCESS_STEP: (("workflow_origin",), ~Q(workflow_origin="")),
}


def _quarter_before(quarter: str, n: int) -> str:
    year, q = int(quarter[:4]), int(quarter[5])
    index = year * 4 + (q - 1) - n
    return f"{index // 4}Q{index % 4 + 1}"


def _value(kind: str, row: tuple) -> str:
    return " / ".join(str(part) for part in row) if kind == Kind.EQUIPMENT else str(row[0])


def _findings(pso_id: int, quarters: list[str]) -> dict[tuple, dict]:
    """Every signal of the PSO in the quarters given: {(kind, value, quarter): {practices, records, ids, baseline}}."""
    store = StoreRecord.objects.using(PSO_DB).filter(pso_id=pso_id)
    found: dict[tuple, dict] = {}
    for kind, (fields, counts) in CLUSTERS.items():
        groups = (
            store.filter(counts, quarter__in=quarters)
            .values_list("quarter", *fields)
            .annotate(practices=Count("practice_key", distinct=True), records=Count("id"))
            .filter(practices__gte=MIN_PRACTICES)
            .order_by()
        )
        for quarter, *rest in groups:
            *value, practices, records = rest
            found[(kind, _value(kind, value), quarter)] = {
                "practices": practices, "records": records, "baseline": None,
                "where": Q(quarter=quarter, **dict(zip(fields, value, strict=True))),
            }  # fmt: skip
    earliest = _quarter_before(min(quarters), BASELINE_QUARTERS)
    per_practice: dict[str, dict[str, int]] = defaultdict(dict)
    rows = store.filter(quarter__gte=earliest).values_list("practice_key", "quarter").annotate(n=Count("id")).order_by()
    for practice, quarter, n in rows:
        per_practice[practice][quarter] = n
    for practice, counts in per_practice.items():
        for quarter in quarters:
            n = counts.get(quarter, 0)
            before = [counts.get(_quarter_before(quarter, k), 0) for k in range(1, BASELINE_QUARTERS + 1)]
            baseline = sum(before) / BASELINE_QUARTERS
            if n >= RISE_MIN_RECORDS and any(before) and n >= RISE_FACTOR * baseline:
                found[(Kind.RATE_RISE, practice, quarter)] = {
                    "practices": 1, "records": n, "baseline": round(baseline, 2),
                    "where": Q(quarter=quarter, practice_key=practice),
                }  # fmt: skip
    for finding in found.values():
        ids = store.filter(finding.pop("where")).order_by("-id").values_list("id", flat=True)[:MAX_RECORD_IDS]
        finding["record_ids"] = list(ids)
    return found


def signals_detect(*, pso_id: int | None = None) -> int:
    """Find the signals of every PSO (or one) in its newest quarters and upsert them; returns how many hold now."""
    now = timezone.now()
    store = StoreRecord.objects.using(PSO_DB)
    pso_ids = [pso_id] if pso_id is not None else list(store.values_list("pso_id", flat=True).distinct().order_by())
    holding = 0
    for pso in pso_ids:
        quarters = list(
            store.filter(pso_id=pso).values_list("quarter", flat=True).distinct().order_by("-quarter")[:RECENT_QUARTERS]
        )
        if not quarters:
            continue
        found = _findings(pso, quarters)
        with transaction.atomic(using=PSO_DB):
            existing = {
                (s.kind, s.value, s.quarter): s
                for s in SafetySignal.objects.select_for_update().filter(pso_id=pso, quarter__in=quarters)
            }
            for key, finding in found.items():
                kind, value, quarter = key
                signal = existing.pop(key, None)
                if signal is None:
                    SafetySignal.objects.create(pso_id=pso, kind=kind, value=value, quarter=quarter, detected_at=now,
                                                updated_at=now, **finding)  # fmt: skip
                    continue
                changed = {name: v for name, v in finding.items() if getattr(signal, name) != v}
                if changed or not signal.active:
                    SafetySignal.objects.filter(pk=signal.pk).update(**changed, active=True, updated_at=now)
            gone = [s.pk for s in existing.values() if s.active]
            SafetySignal.objects.filter(pk__in=gone).update(active=False, updated_at=now)
        holding += len(found)
    return holding


def signal_label(signal: SafetySignal) -> str:
    """What the signal is about, in words."""
    if signal.kind == Kind.PROBLEM_TYPE:
        return DIMENSIONS["problem_type"].label(signal.value)
    if signal.kind == Kind.PROCESS_STEP:
        return DIMENSIONS["workflow_origin"].label(signal.value)
    if signal.kind == Kind.RATE_RISE:
        return f"Practice {signal.value[:8]}"
    return signal.value


def signal_records(signal: SafetySignal, *, user) -> QuerySet[StoreRecord]:
    """The records behind a signal, as the user's scope allows (newest first)."""
    return StoreRecord.objects.for_user(user, action="analyse").filter(pk__in=signal.record_ids).order_by("-id")


@transaction.atomic
def signal_theme_draft(*, by, signal: SafetySignal) -> Theme:
    """Draft a theme from a signal (or return the one drafted before), linked to the signal and its records."""
    if signal.theme_id:
        existing = Theme.objects.filter(pk=signal.theme_id, pso_id=signal.pso_id).first()
        if existing:
            return existing
    pso = PSO.objects.get(pk=signal.pso_id)
    label = signal_label(signal)
    quarter = f"{signal.quarter[:4]} Q{signal.quarter[5]}"
    if signal.kind == Kind.RATE_RISE:
        body = (f"One practice reported {signal.records} events in {quarter}, against a mean of {signal.baseline} "
                "per quarter before.")  # fmt: skip
    else:
        body = f"{signal.practices} practices reported {signal.records} events about {label} in {quarter}."
    theme = theme_create(by=by, pso=pso, publish=False, data={
        "title": f"{signal.get_kind_display()}: {label} ({quarter})",
        "body": body + "\n\nDraft from a safety signal: describe the pattern and the lesson before publishing.",
        "tags": ["signal", signal.kind],
    })  # fmt: skip
    Theme.objects.filter(pk=theme.pk).update(source_signal_id=signal.pk, source_record_ids=signal.record_ids)
    theme.source_signal_id, theme.source_record_ids = signal.pk, signal.record_ids
    SafetySignal.objects.filter(pk=signal.pk).update(theme_id=theme.pk)
    return theme
