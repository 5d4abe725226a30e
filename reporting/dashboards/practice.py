"""A practice's dashboard: its own rollup rows beside the PSO-wide benchmark, shares only, small cells suppressed.

Every read starts from a `PracticeScope`, which only `practice_scopes(user)` makes, from the agreements the
user reviews: the pseudonymous keys of the practice and its locations select the practice's own rows.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Sum

from practices.models import Agreement, Coverage

from ..keys import pseudonym
from ..models import RollupBenchmark, RollupFacility
from ..rollups import ALL_TIME, TOTAL
from .dimensions import DIMENSION_LIST, Breakdown, Row, ordered_values, percent_of, quarter_span

PSO_DB = "pso"
MIN_PRACTICES = 5  # a benchmark cell fed by fewer practices could point at one of them: suppressed


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
            value: percent_of(n, total) if practices >= MIN_PRACTICES and total_practices >= MIN_PRACTICES else None
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
        for value in ordered_values(dimension, values):
            n = mine.get(value, 0)
            pct = theirs.get(value)
            rows.append(Row(value, dimension.label(value), n, percent_of(n, total), pct, suppressed=pct is None))
        result.append(Breakdown(dimension, rows))
    return total, result
