"""Aggregate selectors for the dashboards: every figure comes from the rollups, never from a scan of the store.

`dimensions` names what events are broken down by; `pso` is the PSO analyst's cube and drill-down; `practice`
is a practice's own figures beside the PSO-wide benchmark, which leaves only as percentages, small cells
suppressed.
"""

from .dimensions import DIMENSIONS, SEVERITY_CHOICES, SEVERITY_LABELS, TOP_N_CHART, Breakdown, quarter_span
from .practice import (
    MIN_PRACTICES,
    PracticeFilters,
    PracticeScope,
    benchmark_percentages,
    benchmark_periods,
    benchmark_table,
    period_label,
    practice_breakdowns,
    practice_scopes,
    practice_trend,
)
from .pso import (
    DashboardFilters,
    analyst_psos,
    pso_breakdowns,
    pso_trend,
    record_count,
    records_matching,
    store_quarters,
)

__all__ = [
    "DIMENSIONS", "MIN_PRACTICES", "SEVERITY_CHOICES", "SEVERITY_LABELS", "TOP_N_CHART", "Breakdown",
    "DashboardFilters", "PracticeFilters", "PracticeScope", "analyst_psos", "benchmark_percentages",
    "benchmark_periods", "benchmark_table", "period_label", "practice_breakdowns", "practice_scopes",
    "practice_trend", "pso_breakdowns", "pso_trend", "quarter_span", "record_count", "records_matching",
    "store_quarters",
]
