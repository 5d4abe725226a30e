"""Aggregate selectors for the dashboards: every figure comes from the rollups, never from a scan of the store.

The PSO analyst reads the cube of the PSOs they analyse; a practice reads its own rollup rows plus the
PSO-wide benchmark, which only ever leaves this module as percentages with small cells suppressed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connections
from django.db.models import Q, QuerySet, Sum
from django.db.models.fields import TextField
from django.db.models.functions import Cast

from foundation.taxonomy.events import EventClassification, TreatmentTechnique, WorkflowStep
from foundation.taxonomy.review import (
    CONTRIBUTING_FACTORS,
    DOSIMETRIC_SEVERITY,
    MEDICAL_SEVERITY,
    SAFETY_BARRIERS,
    AapmCategory,
    Harm,
    ProblemType,
    aapm_category,
)
from foundation.taxonomy.review import choices as tree_choices
from practices.models import PSO, Agreement, Coverage
from practices.scoping import user_access

from .keys import pseudonym
from .models import RollupBenchmark, RollupCube, RollupFacility, StoreRecord
from .rollups import ALL_TIME, ANY, LIST_DIMENSIONS, NONE, SEVERITY_BANDS, SINGLE_DIMENSIONS, TOTAL, UNSCORED

PSO_DB = "pso"
MIN_PRACTICES = 5  # a benchmark cell fed by fewer practices could point at one of them: suppressed
TOP_N_CHART = 15  # long taxonomies chart their top values; the table lists them all

SEVERITY_LABELS = {
    "none": "None (0)",
    "temporary": "Temporary harm (1–4)",
    "permanent": "Permanent harm (5–7)",
    "critical": "Life-threatening or death (8–10)",
    UNSCORED: "Not scored",
}
SEVERITY_CHOICES = [(band, SEVERITY_LABELS[band]) for band, _low, _high in SEVERITY_BANDS] + [
    (UNSCORED, SEVERITY_LABELS[UNSCORED])
]


@dataclass(frozen=True)
class Dimension:
    """A breakdown shown on the dashboards: its key, title and the labels of its values in taxonomy order."""

    key: str
    title: str
    choices: tuple[tuple[str, str], ...]
    none_label: str = "Not recorded"
    multi: bool = False

    def label(self, value: str) -> str:
        if value == NONE:
            return self.none_label
        return dict(self.choices).get(value, value)


def _str_choices(pairs) -> tuple[tuple[str, str], ...]:
    return tuple((str(value), str(label)) for value, label in pairs)


DIMENSION_LIST = (
    Dimension("classification", "Event classification", _str_choices(EventClassification.choices)),
    Dimension("technique", "Treatment technique", _str_choices(TreatmentTechnique.choices), "None recorded", True),
    Dimension("workflow_origin", "Workflow step where it originated", _str_choices(WorkflowStep.choices)),
    Dimension("workflow_detected", "Workflow step where it was detected", _str_choices(WorkflowStep.choices)),
    Dimension("harm", "Harm (AHRQ Common Formats)", _str_choices(Harm.choices), "Not applicable or not recorded"),
    Dimension("medical_severity", "Medical severity (AAPM 0–10)", _str_choices(MEDICAL_SEVERITY), "Not scored"),
    Dimension(
        "dosimetric_severity", "Dosimetric severity (AAPM 1–10)", _str_choices(DOSIMETRIC_SEVERITY), "Not scored"
    ),
    Dimension(
        "cf_category", "Contributing factors by AAPM category",
        _str_choices([*AapmCategory.choices, ("unknown", "Unknown code")]), "None recorded", True,
    ),
    Dimension(
        "cf_item", "Contributing factors", _str_choices(tree_choices(CONTRIBUTING_FACTORS, include_retired=True)),
        "None recorded", True,
    ),
    Dimension(
        "barrier_failed", "Safety barriers that failed",
        _str_choices(tree_choices(SAFETY_BARRIERS, include_retired=True)), "None recorded", True,
    ),
    Dimension(
        "barrier_caught", "Safety barriers that caught it",
        _str_choices(tree_choices(SAFETY_BARRIERS, include_retired=True)), "None recorded", True,
    ),
    Dimension("problem_type", "Problem type (primary)", _str_choices(ProblemType.choices)),
)  # fmt: skip
DIMENSIONS = {d.key: d for d in DIMENSION_LIST}


@dataclass
class Row:
    """One value of a breakdown: its count and share, and (practice dashboard) the PSO-wide share."""

    value: str
    label: str
    n: int
    percent: float | None
    benchmark: float | None = None
    suppressed: bool = False


@dataclass
class Breakdown:
    """A dimension's rows in taxonomy order (values never seen are left out)."""

    dimension: Dimension
    rows: list[Row] = field(default_factory=list)

    @property
    def key(self) -> str:
        return self.dimension.key

    @property
    def title(self) -> str:
        return self.dimension.title


def quarter_span(first: str, last: str) -> list[str]:
    """Every quarter from first to last ("2025Q3" .. "2026Q2"), so trends show empty quarters as zero."""
    year, q = int(first[:4]), int(first[5])
    span = []
    while f"{year}Q{q}" <= last:
        span.append(f"{year}Q{q}")
        year, q = (year, q + 1) if q < 4 else (year + 1, 1)
    return span


def _percent(n: int, total: int) -> float | None:
    return round(100.0 * n / total, 1) if total else None


def _ordered(dimension: Dimension, values) -> list[str]:
    """Values in taxonomy order, then unknown codes, then "none recorded" last."""
    order = {value: i for i, (value, _label) in enumerate(dimension.choices)}
    return sorted(values, key=lambda v: (v == NONE, order.get(v, len(order)), v))


def _breakdowns(counts: dict[str, dict[str, int]], total: int) -> list[Breakdown]:
    result = []
    for dimension in DIMENSION_LIST:
        by_value = counts.get(dimension.key, {})
        rows = [
            Row(value, dimension.label(value), by_value[value], _percent(by_value[value], total))
            for value in _ordered(dimension, by_value)
        ]
        result.append(Breakdown(dimension, rows))
    return result


# --- PSO analyst ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DashboardFilters:
    """The analyst dashboard's filters; empty means any."""

    quarter_from: str = ""
    quarter_to: str = ""
    technique: str = ""
    classification: str = ""
    severity: str = ""

    def as_query(self) -> dict[str, str]:
        return {k: v for k, v in self.__dict__.items() if v}


def analyst_psos(user) -> list[PSO]:
    """The PSOs whose aggregate store the user analyses."""
    ids = user_access(user).pso_analyst
    return list(PSO.objects.filter(pk__in=ids).order_by("name")) if ids else []


def _cube(pso_id: int, filters: DashboardFilters) -> QuerySet[RollupCube]:
    qs = RollupCube.objects.using(PSO_DB).filter(pso_id=pso_id, technique=filters.technique or ANY)
    if filters.quarter_from:
        qs = qs.filter(quarter__gte=filters.quarter_from)
    if filters.quarter_to:
        qs = qs.filter(quarter__lte=filters.quarter_to)
    if filters.classification:
        qs = qs.filter(classification=filters.classification)
    if filters.severity:
        qs = qs.filter(severity=filters.severity)
    return qs


def store_quarters(pso_id: int) -> list[str]:
    """Quarters with at least one record in the PSO's store, oldest first."""
    qs = RollupCube.objects.using(PSO_DB).filter(pso_id=pso_id, technique=ANY, dimension=TOTAL)
    return sorted(set(qs.values_list("quarter", flat=True).distinct()))


def pso_breakdowns(*, pso_id: int, filters: DashboardFilters) -> tuple[int, list[Breakdown]]:
    """The events matching the filters and every breakdown of them, in one query over the cube."""
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    rows = _cube(pso_id, filters).values_list("dimension", "value").annotate(total=Sum("n")).order_by()
    for dimension, value, n in rows:
        if n:
            counts[dimension][value] = n
    total = counts.get(TOTAL, {}).get("all", 0)
    return total, _breakdowns(counts, total)


def pso_trend(*, pso_id: int, filters: DashboardFilters) -> dict:
    """Events per quarter, split by classification (one query)."""
    rows = (
        _cube(pso_id, filters).filter(dimension="classification")
        .values_list("quarter", "value").annotate(total=Sum("n")).order_by()
    )
    by_quarter: dict[str, dict[str, int]] = defaultdict(dict)
    for quarter, value, n in rows:
        by_quarter[quarter][value] = n
    quarters = quarter_span(min(by_quarter), max(by_quarter)) if by_quarter else []
    dimension = DIMENSIONS["classification"]
    values = _ordered(dimension, {v for counts in by_quarter.values() for v in counts})
    return {
        "quarters": quarters,
        "series": [
            {"value": v, "label": dimension.label(v), "data": [by_quarter[q].get(v, 0) for q in quarters]}
            for v in values
        ],
        "totals": [sum(by_quarter[q].values()) for q in quarters],
    }


# --- Drill-down ------------------------------------------------------------------------------------


def store_records_for(user) -> QuerySet[StoreRecord]:
    """The store records a user may read: those of the PSOs they analyse (nothing for anyone else)."""
    ids = user_access(user).pso_analyst
    if not ids:
        return StoreRecord.objects.using(PSO_DB).none()
    return StoreRecord.objects.using(PSO_DB).filter(pso_id__in=ids)


def _has_any(field_name: str, codes: list[str]) -> Q:
    """The JSON list holds at least one of the codes: jsonb ?| on PostgreSQL, a text match elsewhere."""
    if not codes:
        return Q(pk__in=[])
    if connections[PSO_DB].vendor == "postgresql":
        return Q(**{f"{field_name}__has_any_keys": codes})
    # '"code"' inside '["a", "code"]': the quotes make it a whole element.
    condition = Q(pk__in=[])
    for code in codes:
        condition |= Q(**{f"{field_name}_text__contains": f'"{code}"'})
    return condition


def _drill_down(qs: QuerySet[StoreRecord], dimension: str, value: str) -> QuerySet[StoreRecord]:
    if dimension in SINGLE_DIMENSIONS:
        name = SINGLE_DIMENSIONS[dimension]
        if name in ("medical_severity", "dosimetric_severity"):
            return qs.filter(**{f"{name}__isnull": True}) if value == NONE else qs.filter(**{name: int(value)})
        return qs.filter(**{name: value})
    if dimension in LIST_DIMENSIONS or dimension == "cf_category":
        name = LIST_DIMENSIONS.get(dimension, "contributing_factors")
        if value == NONE:
            return qs.filter(**{f"{name}_text": "[]"})
        if dimension != "cf_category":
            return qs.filter(_has_any(name, [value]))
        codes = [n.code for n in CONTRIBUTING_FACTORS if (aapm_category(n.code) or "unknown") == value]
        return qs.filter(_has_any(name, codes))
    return qs


def record_page(
    *, user, pso_id: int, filters: DashboardFilters, dimension: str = "", value: str = ""
) -> tuple[QuerySet[StoreRecord], int]:
    """The analyst's records matching the filters (and a breakdown cell), latest received first, and their count.

    The count comes from the cube, so paging never counts the store; the order is the primary key's, so a
    page reads only as many rows as it needs to find its matches.
    """
    qs = store_records_for(user).filter(pso_id=pso_id)
    qs = qs.alias(**{f"{name}_text": Cast(name, output_field=TextField()) for name in LIST_DIMENSIONS.values()})
    if filters.quarter_from:
        qs = qs.filter(quarter__gte=filters.quarter_from)
    if filters.quarter_to:
        qs = qs.filter(quarter__lte=filters.quarter_to)
    if filters.classification:
        qs = qs.filter(classification=filters.classification)
    if filters.technique:
        qs = qs.filter(_has_any("techniques", [filters.technique]))
    if filters.severity:
        bands = {band: (low, high) for band, low, high in SEVERITY_BANDS}
        if filters.severity in bands:
            low, high = bands[filters.severity]
            qs = qs.filter(medical_severity__gte=low, medical_severity__lte=high)
        else:
            qs = qs.filter(medical_severity__isnull=True)
    cell_dimension, cell_value = (dimension, value) if dimension in DIMENSIONS else (TOTAL, "all")
    if cell_dimension != TOTAL:
        qs = _drill_down(qs, cell_dimension, cell_value)
    count = _cube(pso_id, filters).filter(dimension=cell_dimension, value=cell_value).aggregate(t=Sum("n"))["t"] or 0
    return qs.order_by("-id"), count


# --- Practice dashboard and benchmark ----------------------------------------------------------------


@dataclass
class PracticeScope:
    """One agreement a full-access user reads: its PSO's store, its practice key and its locations."""

    agreement: Agreement
    practice_key: str
    facilities: list[tuple[str, str]]  # (facility key, name)

    @property
    def pso_id(self) -> int:
        return self.agreement.pso_id


def practice_scopes(user) -> list[PracticeScope]:
    """The agreements the user has full access to, with the pseudonymous keys of the practice and locations."""
    from django.db.models import Prefetch

    agreements = (
        Agreement.objects.for_user(user, action="review")
        .select_related("practice", "pso")
        .prefetch_related(
            Prefetch("coverages", queryset=Coverage.objects.select_related("facility").order_by("facility__name"))
        )
        .order_by("practice__name", "pso__name", "pk")
    )
    scopes = []
    for agreement in agreements:
        facilities = {c.facility_id: c.facility.name for c in agreement.coverages.all()}
        scopes.append(
            PracticeScope(
                agreement=agreement,
                practice_key=pseudonym("practice", agreement.practice_id),
                facilities=[(pseudonym("facility", pk), name) for pk, name in facilities.items()],
            )
        )
    return scopes


@dataclass(frozen=True)
class PracticeFilters:
    """The practice dashboard's filters: a period ("all" or a year such as "2026") and optionally one location."""

    window: str = ALL_TIME
    facility: str = ""


def period_label(window: str) -> str:
    if window == ALL_TIME:
        return "All time"
    return f"{window[:4]} Q{window[5]}" if len(window) == 6 else window


def benchmark_periods(pso_id: int) -> list[tuple[str, str]]:
    """Periods the benchmark covers: all time, then each year with data, newest first."""
    windows = RollupBenchmark.objects.using(PSO_DB).filter(pso_id=pso_id, dimension=TOTAL).values_list(
        "window", flat=True
    )
    years = sorted({w for w in windows if len(w) == 4}, reverse=True)
    return [(w, period_label(w)) for w in [ALL_TIME, *years]]


def _benchmark_cells(pso_id: int, window: str) -> dict[str, dict[str, tuple[int, int]]]:
    cells: dict[str, dict[str, tuple[int, int]]] = defaultdict(dict)
    rows = RollupBenchmark.objects.using(PSO_DB).filter(pso_id=pso_id, window=window)
    for dimension, value, n, practices in rows.values_list("dimension", "value", "n", "practices"):
        cells[dimension][value] = (n, practices)
    return cells


def _window_of(filters) -> str:
    if filters is None:
        return ALL_TIME
    if isinstance(filters, dict):
        return filters.get("window") or ALL_TIME
    return getattr(filters, "window", "") or ALL_TIME


def benchmark_table(pso_id: int, filters=None) -> dict[str, dict[str, float | None]]:
    """PSO-wide share of events (in %) per dimension and value; None where fewer than five practices contribute.

    Only percentages leave this function: counts could be subtracted from a practice's own to reveal others.
    """
    cells = _benchmark_cells(pso_id, _window_of(filters))
    total, total_practices = cells.get(TOTAL, {}).get("all", (0, 0))
    table: dict[str, dict[str, float | None]] = {}
    for dimension, values in cells.items():
        if dimension == TOTAL:
            continue
        table[dimension] = {
            value: _percent(n, total) if practices >= MIN_PRACTICES and total_practices >= MIN_PRACTICES else None
            for value, (n, practices) in values.items()
        }
    return table


def benchmark_percentages(pso_id: int, dimension: str, filters=None) -> dict[str, float | None]:
    """One dimension of `benchmark_table`: {value: percent of the PSO's events, or None when suppressed}."""
    return benchmark_table(pso_id, filters).get(dimension, {})


def _locations(scope: PracticeScope, filters: PracticeFilters) -> list[str]:
    """The location keys to count: the one chosen, else every location the agreement covers.

    Counting by location, not by practice key, keeps a practice's other agreements with the same PSO
    (a sibling site under its own agreement) out of this agreement's figures.
    """
    keys = [key for key, _name in scope.facilities]
    if filters.facility:
        return [filters.facility] if filters.facility in keys else []
    return keys


def practice_counts(scope: PracticeScope, filters: PracticeFilters) -> dict[str, dict[str, int]]:
    """The agreement's own events per dimension and value for the period, one location or all (one query)."""
    rows = (
        RollupFacility.objects.using(PSO_DB)
        .filter(pso_id=scope.pso_id, practice_key=scope.practice_key, facility_key__in=_locations(scope, filters),
                window=filters.window)  # fmt: skip
        .values_list("dimension", "value")
        .annotate(total=Sum("n"))
        .order_by()
    )
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for dimension, value, n in rows:
        if n:
            counts[dimension][value] = n
    return counts


def practice_trend(scope: PracticeScope, filters: PracticeFilters) -> dict:
    """The agreement's (or one location's) events per quarter, every quarter (one query)."""
    rows = (
        RollupFacility.objects.using(PSO_DB)
        .filter(pso_id=scope.pso_id, practice_key=scope.practice_key, facility_key__in=_locations(scope, filters),
                dimension=TOTAL)  # fmt: skip
        .values_list("window")
        .annotate(total=Sum("n"))
        .order_by()
    )
    by_quarter = {window: n for window, n in rows if len(window) == 6}
    quarters = quarter_span(min(by_quarter), max(by_quarter)) if by_quarter else []
    return {"quarters": quarters, "totals": [by_quarter.get(q, 0) for q in quarters]}


def practice_breakdowns(scope: PracticeScope, filters: PracticeFilters) -> tuple[int, list[Breakdown]]:
    """Own counts and shares beside the PSO-wide shares; benchmark-only values appear only when not suppressed."""
    own = practice_counts(scope, filters)
    total = own.get(TOTAL, {}).get("all", 0)
    bench = benchmark_table(scope.pso_id, filters)
    result = []
    for dimension in DIMENSION_LIST:
        mine, theirs = own.get(dimension.key, {}), bench.get(dimension.key, {})
        values = set(mine) | {v for v, pct in theirs.items() if pct is not None}
        rows = []
        for value in _ordered(dimension, values):
            n = mine.get(value, 0)
            pct = theirs.get(value)
            rows.append(Row(value, dimension.label(value), n, _percent(n, total), pct, suppressed=pct is None))
        result.append(Breakdown(dimension, rows))
    return total, result
