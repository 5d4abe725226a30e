"""The PSO analyst's dashboard and drill-down: every figure from the cube of the PSOs they analyse.

Every read goes through the store's own scope (`for_user(user, action="analyse")`, a filter on each row's
pso_id), so a PSO id that is not the user's finds nothing.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db import connections
from django.db.models import Q, QuerySet, Sum
from django.db.models.fields import TextField
from django.db.models.functions import Cast

from foundation.taxonomy.review import CONTRIBUTING_FACTORS, aapm_category
from practices.models import PSO

from ..models import RollupCube, StoreRecord
from ..rollups import ANY, LIST_DIMENSIONS, NONE, SEVERITY_BANDS, SINGLE_DIMENSIONS, TOTAL
from .dimensions import DIMENSIONS, Breakdown, breakdowns_from, ordered_values, quarter_span

PSO_DB = "pso"


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
    return list(PSO.objects.for_user(user, action="analyse").order_by("name"))


def _cube(user, pso_id: int, filters: DashboardFilters) -> QuerySet[RollupCube]:
    qs = RollupCube.objects.for_user(user, action="analyse").filter(pso_id=pso_id, technique=filters.technique or ANY)
    if filters.quarter_from:
        qs = qs.filter(quarter__gte=filters.quarter_from)
    if filters.quarter_to:
        qs = qs.filter(quarter__lte=filters.quarter_to)
    if filters.classification:
        qs = qs.filter(classification=filters.classification)
    if filters.severity:
        qs = qs.filter(severity=filters.severity)
    return qs


def store_quarters(*, user, pso_id: int) -> list[str]:
    """Quarters with at least one record in the PSO's store, oldest first."""
    qs = RollupCube.objects.for_user(user, action="analyse").filter(pso_id=pso_id, technique=ANY, dimension=TOTAL)
    return sorted(set(qs.values_list("quarter", flat=True).distinct()))


def pso_breakdowns(*, user, pso_id: int, filters: DashboardFilters) -> tuple[int, list[Breakdown]]:
    """The events matching the filters and every breakdown of them, in one query over the cube."""
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    rows = _cube(user, pso_id, filters).values_list("dimension", "value").annotate(total=Sum("n")).order_by()
    for dimension, value, n in rows:
        if n:
            counts[dimension][value] = n
    total = counts.get(TOTAL, {}).get("all", 0)
    return total, breakdowns_from(counts, total)


def pso_trend(*, user, pso_id: int, filters: DashboardFilters) -> dict:
    """Events per quarter, split by classification (one query)."""
    rows = (
        _cube(user, pso_id, filters).filter(dimension="classification")
        .values_list("quarter", "value").annotate(total=Sum("n")).order_by()
    )
    by_quarter: dict[str, dict[str, int]] = defaultdict(dict)
    for quarter, value, n in rows:
        by_quarter[quarter][value] = n
    quarters = quarter_span(min(by_quarter), max(by_quarter)) if by_quarter else []
    dimension = DIMENSIONS["classification"]
    values = ordered_values(dimension, {v for counts in by_quarter.values() for v in counts})
    return {
        "quarters": quarters,
        "series": [
            {"value": v, "label": dimension.label(v), "data": [by_quarter[q].get(v, 0) for q in quarters]}
            for v in values
        ],
        "totals": [sum(by_quarter[q].values()) for q in quarters],
    }


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


def records_matching(
    records: QuerySet[StoreRecord], *, pso_id: int, filters: DashboardFilters, dimension: str = "", value: str = ""
) -> QuerySet[StoreRecord]:
    """Of the (scoped) records given, the PSO's that match the filters and a breakdown cell, latest received first.

    The order is the primary key's, so a page reads only as many rows as it needs to find its matches.
    """
    qs = records.filter(pso_id=pso_id)
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
    cell_dimension, cell_value = _cell(dimension, value)
    if cell_dimension != TOTAL:
        qs = _drill_down(qs, cell_dimension, cell_value)
    return qs.order_by("-id")


def record_count(*, user, pso_id: int, filters: DashboardFilters, dimension: str = "", value: str = "") -> int:
    """How many records `records_matching` finds, from the cube, so paging never counts the store."""
    cell_dimension, cell_value = _cell(dimension, value)
    cube = _cube(user, pso_id, filters).filter(dimension=cell_dimension, value=cell_value)
    return cube.aggregate(t=Sum("n"))["t"] or 0


def _cell(dimension: str, value: str) -> tuple[str, str]:
    return (dimension, value) if dimension in DIMENSIONS else (TOTAL, "all")
