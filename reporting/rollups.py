"""Dashboard rollups: counts precomputed on ingest, so that no dashboard ever scans the aggregate store.

A store record contributes one count to every (dimension, value) pair it has; list fields give one
pair per value, and a dimension with nothing recorded gives the value "" ("none recorded"), so every
dimension of a record adds up to its total. The counts go to four tables in the pso database:

* RollupCube: the PSO analyst's breakdowns, per quarter, classification, technique ("*" = any) and
  severity band, so that every filter of the analyst dashboard is a sum over an index range;
* RollupFacility: a practice's own figures per location and period ("all" or a year "2026"), which the
  practice dashboard sums over the locations of the agreement;
* RollupPractice: a practice's figures per period, from which contributing practices are counted;
* RollupBenchmark: the PSO-wide figures per period, plus how many practices contribute to each cell
  (kept exact by counting RollupPractice rows that go from zero to non-zero and back).
A location's total also has a row per quarter ("2026Q3"), for the practice's trend chart.

`apply_record_changes` keeps them current inside the store transaction of each delivered batch;
`rollups_rebuild` recomputes them from StoreRecord (bulk load; a repair tool and the seeding path).
Both go through `_add_record`, so ingest and rebuild cannot disagree on what a record contributes.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable

from django.db import connections, transaction

from foundation.taxonomy.review import aapm_category

from .models import RollupBenchmark, RollupCube, RollupFacility, RollupPractice, StoreRecord

PSO_DB = "pso"
ANY = "*"  # the technique key of cube rows that count every event whatever its techniques
NONE = ""  # the value of a dimension with nothing recorded
ALL_TIME = "all"
TOTAL = "total"

# Dimension key -> the StoreRecord field it reads; list fields contribute one row per value.
SINGLE_DIMENSIONS = {
    "classification": "classification",
    "workflow_origin": "workflow_origin",
    "workflow_detected": "workflow_detected",
    "problem_type": "problem_type",
    "harm": "harm",
    "medical_severity": "medical_severity",
    "dosimetric_severity": "dosimetric_severity",
}
LIST_DIMENSIONS = {
    "technique": "techniques",
    "cf_item": "contributing_factors",
    "barrier_failed": "barriers_failed",
    "barrier_caught": "barriers_caught",
}
DERIVED_DIMENSIONS = ("cf_category",)
DIMENSIONS = (TOTAL, *SINGLE_DIMENSIONS, *LIST_DIMENSIONS, *DERIVED_DIMENSIONS)

# The record fields a rollup reads (what `record_snapshot` keeps of an old revision).
ROLLUP_FIELDS = (
    "pso_id", "practice_key", "facility_key", "quarter", "classification", "techniques", "workflow_origin",
    "workflow_detected", "problem_type", "harm", "medical_severity", "dosimetric_severity",
    "contributing_factors", "barriers_failed", "barriers_caught",
)  # fmt: skip

# Coarse bands of the AAPM medical severity score (0-10), the dashboards' severity filter.
SEVERITY_BANDS = (("none", 0, 0), ("temporary", 1, 4), ("permanent", 5, 7), ("critical", 8, 10))
UNSCORED = "unscored"

TABLES = (RollupCube, RollupFacility, RollupPractice, RollupBenchmark)


def severity_band(score: int | None) -> str:
    """The severity band of an AAPM medical severity score; "unscored" when there is none."""
    if score is None or score == "":
        return UNSCORED
    for band, low, high in SEVERITY_BANDS:
        if low <= int(score) <= high:
            return band
    return UNSCORED


def windows_of(quarter: str) -> tuple[str, str]:
    """The periods of a record for practice and location figures: all time and its year."""
    return (ALL_TIME, quarter[:4])


def dimension_values(record: dict) -> list[tuple[str, str]]:
    """Every (dimension, value) pair a record contributes one count to."""
    pairs = [(TOTAL, "all")]
    for dimension, name in SINGLE_DIMENSIONS.items():
        value = record.get(name)
        pairs.append((dimension, NONE if value is None else str(value)))
    for dimension, name in LIST_DIMENSIONS.items():
        values = set(record.get(name) or ()) or {NONE}
        pairs.extend((dimension, value) for value in sorted(values))
    factors = record.get("contributing_factors") or ()
    categories = {str(aapm_category(code) or "unknown") for code in factors} or {NONE}
    pairs.extend(("cf_category", value) for value in sorted(categories))
    return pairs


def record_snapshot(record) -> dict:
    """The rollup-relevant fields of a StoreRecord instance, taken before it is overwritten."""
    return {name: getattr(record, name) for name in ROLLUP_FIELDS}


class _Counts:
    """Counts per rollup table, keyed by the table's primary-key tuple (pso_id first)."""

    __slots__ = ("cube", "facility", "practice")

    def __init__(self):
        # defaultdict(int) rather than Counter: new keys are created in C, which matters in a rebuild.
        self.cube: dict[tuple, int] = defaultdict(int)
        self.facility: dict[tuple, int] = defaultdict(int)
        self.practice: dict[tuple, int] = defaultdict(int)


def _add_record(counts: _Counts, record: dict, sign: int = 1, windows: Iterable[str] | None = None) -> None:
    """Add (or with sign=-1 remove) one record's contributions; `windows` limits the practice periods.

    Practice and location rows exist per period (all time, year); a location's total also per quarter,
    for the trend chart.
    """
    pso_id, quarter = int(record["pso_id"]), record["quarter"]
    practice, facility = record["practice_key"], record["facility_key"]
    classification = record.get("classification") or NONE
    severity = severity_band(record.get("medical_severity"))
    techniques = [ANY, *(sorted(set(record.get("techniques") or ())) or [NONE])]
    periods = windows_of(quarter) if windows is None else tuple(windows)
    cube, fac, prac = counts.cube, counts.facility, counts.practice
    pairs = dimension_values(record)
    for technique in techniques:
        for dimension, value in pairs:
            cube[(pso_id, technique, dimension, quarter, classification, severity, value)] += sign
    for window in periods:
        for dimension, value in pairs:
            fac[(pso_id, practice, facility, window, dimension, value)] += sign
            prac[(pso_id, window, practice, dimension, value)] += sign
    fac[(pso_id, practice, facility, quarter, TOTAL, "all")] += sign


def contributions(record: dict) -> _Counts:
    """What one record adds to the cube, facility and practice rollups."""
    counts = _Counts()
    _add_record(counts, record)
    return counts


# --- Incremental maintenance -------------------------------------------------------------------------


def _q(name: str) -> str:
    return connections[PSO_DB].ops.quote_name(name)


def _key_columns(model) -> list[str]:
    return [model._meta.get_field(name).column for name in model._meta.pk.field_names]


def _upsert(cursor, model, rows: list[tuple], count_columns: tuple[str, ...]) -> list[tuple]:
    """Add each row's counts to its key's row (inserting it if new); returns (key..., counts...) after the add.

    Rows are sorted by key so that concurrent workers lock shared rows in the same order (no deadlocks).
    """
    if not rows:
        return []
    rows = sorted(rows)
    table, keys = _q(model._meta.db_table), _key_columns(model)
    columns = [*keys, *count_columns]
    placeholders = "(" + ", ".join(["%s"] * len(columns)) + ")"
    column_list, key_list = ", ".join(_q(c) for c in columns), ", ".join(_q(c) for c in keys)
    updates = ", ".join(f"{_q(c)} = {table}.{_q(c)} + EXCLUDED.{_q(c)}" for c in count_columns)
    values = ", ".join([placeholders] * len(rows))
    # Identifiers come from model metadata (quoted); every value is a query parameter.
    sql = f"INSERT INTO {table} ({column_list}) VALUES {values} ON CONFLICT ({key_list}) DO UPDATE SET {updates}"  # noqa: S608
    sql += f" RETURNING {column_list}"
    cursor.execute(sql, [value for row in rows for value in row])
    return [tuple(row) for row in cursor.fetchall()]


def _delete_zero_rows(cursor, model, keys: list[tuple]) -> None:
    """Drop rows whose counts fell to zero, so the tables hold exactly what a rebuild would."""
    if not keys:
        return
    table, columns = _q(model._meta.db_table), _key_columns(model)
    placeholders = "(" + ", ".join(["%s"] * len(columns)) + ")"
    key_list, values = ", ".join(_q(c) for c in columns), ", ".join([placeholders] * len(keys))
    sql = f"DELETE FROM {table} WHERE {_q('n')} = 0 AND ({key_list}) IN (VALUES {values})"  # noqa: S608
    cursor.execute(sql, [value for key in sorted(keys) for value in key])


def _delta(old: dict[tuple, int], new: dict[tuple, int]) -> dict[tuple, int]:
    delta: dict[tuple, int] = defaultdict(int)
    for key, n in new.items():
        delta[key] += n
    for key, n in old.items():
        delta[key] -= n
    return {key: n for key, n in delta.items() if n}


def apply_record_change(*, old: dict | None, new: dict | None) -> None:
    """Move one store record's contributions from its old revision (None if new) to the new one, atomically."""
    apply_record_changes([(old, new)])


def apply_record_changes(changes: Iterable[tuple[dict | None, dict | None]]) -> None:
    """Apply the net change of many (old, new) record revisions in one set of upserts, atomically.

    Safe under concurrent workers on PostgreSQL: each count is an INSERT .. ON CONFLICT DO UPDATE that
    adds a delta under the row lock, and the contributor count of a benchmark cell changes only when
    this transaction saw the practice's own count leave or reach zero (summing a batch first keeps that
    exact: only the net change of each practice's count matters).
    """
    before, after = _Counts(), _Counts()
    for old, new in changes:
        if old:
            _add_record(before, old)
        if new:
            _add_record(after, new)
    with transaction.atomic(using=PSO_DB), connections[PSO_DB].cursor() as cursor:
        zero: dict = defaultdict(list)
        for model, attr in ((RollupCube, "cube"), (RollupFacility, "facility")):
            delta = _delta(getattr(before, attr), getattr(after, attr))
            for *key, n in _upsert(cursor, model, [(*k, d) for k, d in delta.items()], ("n",)):
                if n == 0:
                    zero[model].append(tuple(key))
        practice_delta = _delta(before.practice, after.practice)
        rows = _upsert(cursor, RollupPractice, [(*k, d) for k, d in practice_delta.items()], ("n",))
        bench: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
        for pso_id, window, practice_key, dimension, value, n in rows:
            delta_n = practice_delta[(pso_id, window, practice_key, dimension, value)]
            cell = bench[(pso_id, window, dimension, value)]
            cell[0] += delta_n
            was = n - delta_n
            cell[1] += (n > 0) - (was > 0)
            if n == 0:
                zero[RollupPractice].append((pso_id, window, practice_key, dimension, value))
        bench_rows = [(*key, n, practices) for key, (n, practices) in bench.items() if n or practices]
        for *key, n, _practices in _upsert(cursor, RollupBenchmark, bench_rows, ("n", "practices")):
            if n == 0:
                zero[RollupBenchmark].append(tuple(key))
        for model in TABLES:
            _delete_zero_rows(cursor, model, zero[model])


# --- Bulk rebuild ------------------------------------------------------------------------------------

_RECORD_CHUNK = 5000


def bulk_load(model, rows: Iterable[tuple], columns: list[str], *, batch: int = 2000) -> int:
    """Bulk-load rows of plain Python values: COPY on PostgreSQL, batched bulk_create elsewhere. Returns the count."""
    connection = connections[PSO_DB]
    written = 0
    if connection.vendor == "postgresql":
        fields = {f.column: f for f in model._meta.concrete_fields}
        json_positions = [i for i, c in enumerate(columns) if fields[c].get_internal_type() == "JSONField"]
        table = _q(model._meta.db_table)
        with connection.cursor() as cursor, cursor.cursor.copy(
            f"COPY {table} ({', '.join(_q(c) for c in columns)}) FROM STDIN"
        ) as copy:
            for row in rows:
                if json_positions:
                    row = list(row)
                    for i in json_positions:
                        row[i] = json.dumps(row[i])
                copy.write_row(row)
                written += 1
        return written
    names = [next(f.name for f in model._meta.concrete_fields if f.column == c) for c in columns]
    pending = []
    for row in rows:
        pending.append(model(**dict(zip(names, row, strict=True))))
        if len(pending) >= batch:
            written += len(model.objects.using(PSO_DB).bulk_create(pending))
            pending = []
    written += len(model.objects.using(PSO_DB).bulk_create(pending))
    return written


def _write_counts(counts: _Counts, bench_windows: Callable[[str], bool]) -> int:
    """Write cube, facility and practice counts, and the benchmark cells of the windows selected."""
    written = bulk_load(RollupCube, ((*k, n) for k, n in counts.cube.items() if n), [*_key_columns(RollupCube), "n"])
    written += bulk_load(
        RollupFacility, ((*k, n) for k, n in counts.facility.items() if n), [*_key_columns(RollupFacility), "n"]
    )
    written += bulk_load(
        RollupPractice, ((*k, n) for k, n in counts.practice.items() if n), [*_key_columns(RollupPractice), "n"]
    )
    bench: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    for (pso_id, window, _practice, dimension, value), n in counts.practice.items():
        if n and bench_windows(window):
            cell = bench[(pso_id, window, dimension, value)]
            cell[0] += n
            cell[1] += 1
    written += bulk_load(
        RollupBenchmark, ((*k, n, p) for k, (n, p) in bench.items()), [*_key_columns(RollupBenchmark), "n", "practices"]
    )
    return written


def _clear(pso_id: int | None) -> None:
    connection = connections[PSO_DB]
    if pso_id is None and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE " + ", ".join(_q(m._meta.db_table) for m in TABLES))
        return
    for model in TABLES:
        queryset = model.objects.using(PSO_DB).all()
        if pso_id is not None:
            queryset = queryset.filter(pso_id=pso_id)
        queryset._raw_delete(PSO_DB)


def rollups_rebuild(pso_id: int | None = None, *, progress: bool = False) -> int:
    """Recompute every rollup (of one PSO, or all) from StoreRecord; returns the number of rows written.

    Runs in one transaction that first locks the rollup tables, so pushes wait and none is counted twice.
    Works a year at a time to bound memory: quarters and years are complete within a year; the all-time
    practice counts are carried across years and written last.
    """
    connection = connections[PSO_DB]
    records = StoreRecord.objects.using(PSO_DB)
    if pso_id is not None:
        records = records.filter(pso_id=pso_id)
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=records.count(), unit="record", desc="rollups")
    written = 0
    with transaction.atomic(using=PSO_DB):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                tables = ", ".join(_q(m._meta.db_table) for m in TABLES)
                cursor.execute(f"LOCK TABLE {tables} IN SHARE ROW EXCLUSIVE MODE")
        _clear(pso_id)
        all_time = _Counts()
        pso_ids = sorted(set(records.values_list("pso_id", flat=True).distinct()))
        for pso in pso_ids:
            quarters = set(records.filter(pso_id=pso).values_list("quarter", flat=True).distinct())
            for year in sorted({q[:4] for q in quarters}):
                counts = _Counts()
                year_records = records.filter(pso_id=pso, quarter__in=[q for q in quarters if q[:4] == year])
                for record in year_records.values(*ROLLUP_FIELDS).iterator(chunk_size=_RECORD_CHUNK):
                    _add_record(counts, record, windows=(year,))
                    _add_record_all_time(all_time, record)
                    if bar is not None:
                        bar.update()
                written += _write_counts(counts, bench_windows=lambda window: window != ALL_TIME)
        written += _write_counts(all_time, bench_windows=lambda window: window == ALL_TIME)
    if bar is not None:
        bar.close()
    return written


def _add_record_all_time(counts: _Counts, record: dict) -> None:
    """Only the all-time practice and location counts of a record (the rest is written per year)."""
    pso_id, practice, facility = int(record["pso_id"]), record["practice_key"], record["facility_key"]
    practice_counts, facility_counts = counts.practice, counts.facility
    for dimension, value in dimension_values(record):
        practice_counts[(pso_id, ALL_TIME, practice, dimension, value)] += 1
        facility_counts[(pso_id, practice, facility, ALL_TIME, dimension, value)] += 1
