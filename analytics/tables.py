"""The local dashboard's tables and charts, worked out in Python from the selectors' grouped counts (no queries)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from foundation.taxonomy import review as rc
from foundation.taxonomy.events import EventClassification, ReporterRole, WorkflowStep

from .selectors import NOT_RECORDED, STEP_CODES, LocalAnalytics

STEP_LABELS = {**dict(WorkflowStep.choices), NOT_RECORDED: "Not recorded"}
BARRIER_LABELS = dict(rc.choices(rc.SAFETY_BARRIERS, include_retired=True))
ACTION_TIERS = [
    ("high", "Stronger: hardware/software (forcing functions, automation)"),
    ("moderate", "Intermediate: process (checklists, standardisation, redundancy)"),
    ("low", "Weaker: education, training and policy"),
    ("other", "Other"),
]
TOP_N_CHART = 15


@dataclass
class Table:
    """One table view (and CSV): a title, a header and rows whose first cell labels the row."""

    key: str
    title: str
    header: list[str]
    rows: list[list] = field(default_factory=list)


def month_label(month: dt.date) -> str:
    return month.strftime("%b %Y")


def _share(n: int, total: int) -> float | None:
    return round(100.0 * n / total, 1) if total else None


def _days(duration) -> float | None:
    return round(duration.total_seconds() / 86400, 1) if duration is not None else None


def stats(data: LocalAnalytics) -> dict:
    """The headline figures (events, good catches, anonymous share, reporters, timeliness, actions)."""
    s = data.summary
    total = s["total"]
    good = s["near_misses"] + s["unsafe_conditions"] + data.caught_partway
    actions_open = sum(row[2] for row in data.actions)
    return {
        "total": total,
        "good_catches": good,
        "near_misses": s["near_misses"],
        "unsafe_conditions": s["unsafe_conditions"],
        "caught_partway": data.caught_partway,
        "anonymous": s["anonymous"],
        "anonymous_share": _share(s["anonymous"], total),
        "reporters": s["reporters"],
        "started": s["started"],
        "closed": s["closed"],
        "days_to_start": _days(s["avg_to_start"]),
        "days_to_close": _days(s["avg_to_close"]),
        "actions_open": actions_open,
        "actions_overdue": sum(row[3] for row in data.actions),
    }


def monthly_table(data: LocalAnalytics) -> Table:
    """Events per month and classification, with patients treated and reports per 100 where volumes were entered."""
    by_month: dict[dt.date, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    with_volume: dict[dt.date, int] = defaultdict(int)
    for facility_id, month, classification, n in data.monthly:
        by_month[month][classification] += n
        if (facility_id, month) in data.volumes:
            with_volume[month] += n
    patients: dict[dt.date, int] = defaultdict(int)
    for (_facility_id, month), n in data.volumes.items():
        patients[month] += n
    classes = EventClassification.choices
    table = Table("months", "Events per month by classification",
                  ["Month", *[str(label) for _v, label in classes], "Total", "Patients treated",
                   "Reports per 100 patients"])  # fmt: skip
    for month in data.months:
        counts = by_month.get(month, {})
        total = sum(counts.values())
        treated = patients.get(month)
        rate = round(100.0 * with_volume[month] / treated, 1) if treated else None
        table.rows.append([month_label(month), *[counts.get(v, 0) for v, _l in classes], total, treated, rate])
    return table


def facility_table(data: LocalAnalytics) -> Table:
    """Per location: events, near misses and unsafe conditions over the period."""
    counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for facility_id, _month, classification, n in data.monthly:
        counts[facility_id][classification] += n
    table = Table("locations", "Events per location", ["Location", "Events", "Near misses", "Unsafe conditions"])
    for facility_id, name in data.facilities.items():
        if facility_id in counts:
            c = counts[facility_id]
            table.rows.append([name, sum(c.values()), c[EventClassification.NEAR_MISS],
                               c[EventClassification.UNSAFE_CONDITION]])  # fmt: skip
    return table


def crosstab(data: LocalAnalytics) -> dict:
    """The origin × detection cross-table: the steps that occur, in process order, and each cell's count."""
    origins = [s for s in STEP_CODES if any(k[0] == s for k in data.crosstab)]
    detections = [s for s in STEP_CODES if any(k[1] == s for k in data.crosstab)]
    order = {code: i for i, code in enumerate(STEP_CODES)}
    rows = []
    for origin in origins:
        cells = []
        for detected in detections:
            n = data.crosstab.get((origin, detected), 0)
            # How far an error travelled: detected later in the process than it began (real steps only).
            travelled = (NOT_RECORDED not in (origin, detected) and order[detected] > order[origin]
                         and order[detected] < order[WorkflowStep.OTHER])  # fmt: skip
            cells.append({"detected": detected, "n": n, "travelled": travelled and n > 0})
        rows.append({"origin": origin, "label": STEP_LABELS[origin], "cells": cells,
                     "total": sum(c["n"] for c in cells)})  # fmt: skip
    return {"columns": [(d, STEP_LABELS[d]) for d in detections], "rows": rows}


def crosstab_table(data: LocalAnalytics) -> Table:
    """The cross-table flattened for CSV: one row per origin step."""
    x = crosstab(data)
    table = Table("crosstab", "Where errors originated (rows) and were detected (columns)",
                  ["Originated \\ detected", *[label for _c, label in x["columns"]]])  # fmt: skip
    for row in x["rows"]:
        table.rows.append([row["label"], *[c["n"] for c in row["cells"]]])
    return table


def detected_table(data: LocalAnalytics) -> Table:
    """Roles that detected the events (an event can have several)."""
    counts = data.lists["detected"]
    total = data.summary["total"]
    table = Table("detected", "Who detected them (role)", ["Role", "Events", "Share of events (%)"])
    for value, label in ReporterRole.choices:
        if counts.get(value):
            table.rows.append([str(label), counts[value], _share(counts[value], total)])
    return table


def barrier_table(data: LocalAnalytics) -> Table:
    """Barriers that caught and that failed, most frequent first."""
    caught, failed = data.lists["caught"], data.lists["failed"]
    codes = sorted(set(caught) | set(failed), key=lambda c: (-(caught.get(c, 0) + failed.get(c, 0)), c))
    table = Table("barriers", "Safety barriers that caught and that failed", ["Barrier", "Caught", "Failed"])
    for code in codes:
        table.rows.append([BARRIER_LABELS.get(code, code), caught.get(code, 0), failed.get(code, 0)])
    return table


def action_table(data: LocalAnalytics) -> Table:
    """Corrective actions by strength (hierarchy of effectiveness): all, still open, overdue."""
    by_tier: dict[str, list[int]] = {tier: [0, 0, 0] for tier, _label in ACTION_TIERS}
    for action_type, total, still_open, overdue in data.actions:
        tier = rc.effectiveness(action_type) or "other"
        for i, n in enumerate((total, still_open, overdue)):
            by_tier.setdefault(tier, [0, 0, 0])[i] += n
    all_actions = sum(v[0] for v in by_tier.values())
    table = Table("actions", "Corrective actions by strength",
                  ["Strength", "Actions", "Share (%)", "Still open", "Overdue"])  # fmt: skip
    for tier, label in ACTION_TIERS:
        total, still_open, overdue = by_tier[tier]
        table.rows.append([label, total, _share(total, all_actions), still_open, overdue])
    return table


def tables(data: LocalAnalytics) -> dict[str, Table]:
    """Every table of the page, by key (the CSV links name them)."""
    return {t.key: t for t in (monthly_table(data), facility_table(data), crosstab_table(data), detected_table(data),
                               barrier_table(data), action_table(data))}  # fmt: skip


def _top(rows: list[list], columns: tuple[int, ...]) -> list[list]:
    return (
        sorted(rows, key=lambda r: -sum(r[i] or 0 for i in columns))[:TOP_N_CHART] if len(rows) > TOP_N_CHART else rows
    )


def charts(by_key: dict[str, Table]) -> dict:
    """Chart.js data for static/js/charts.js, from the tables (their table views show the same numbers)."""
    months = by_key["months"]
    classes = EventClassification.choices
    result = {
        "months": {
            "labels": [r[0] for r in months.rows], "stacked": True,
            "datasets": [{"label": str(label), "data": [r[1 + i] for r in months.rows]}
                         for i, (_v, label) in enumerate(classes)],
        },
        "rate": {
            "labels": [r[0] for r in months.rows],
            "datasets": [{"label": "Reports per 100 patients treated", "data": [r[-1] for r in months.rows]}],
        },
    }  # fmt: skip
    detected = by_key["detected"]
    result["detected"] = {"labels": [r[0] for r in detected.rows], "horizontal": True,
                          "datasets": [{"label": "Events", "data": [r[1] for r in detected.rows]}]}  # fmt: skip
    barriers = _top(by_key["barriers"].rows, (1, 2))
    result["barriers"] = {"labels": [r[0] for r in barriers], "horizontal": True,
                          "datasets": [{"label": "Caught", "data": [r[1] for r in barriers]},
                                       {"label": "Failed", "data": [r[2] for r in barriers]}]}  # fmt: skip
    actions = by_key["actions"]
    result["actions"] = {"labels": [r[0].split(":")[0] for r in actions.rows], "horizontal": True,
                         "datasets": [{"label": "Actions", "data": [r[1] for r in actions.rows]},
                                      {"label": "Still open", "data": [r[3] for r in actions.rows]},
                                      {"label": "Overdue", "data": [r[4] for r in actions.rows]}]}  # fmt: skip
    return result
