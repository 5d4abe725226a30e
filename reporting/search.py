"""The analyst's search of the PSO store and its exports: ranked full-text search over the scrubbed narrative and
lessons learned (PostgreSQL; a substring match on SQLite), and the CSV/XLSX of the records found."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator

from django.db import connections
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from .models import StoreRecord

PSO_DB = "pso"
FTS_CONFIG = "english"
MAX_QUERY = 200
EXPORT_LIMIT = 50_000  # rows per export; a larger set is narrowed with the filters first
EXPORT_CHUNK = 2000
# A spreadsheet would run a cell starting with these as a formula (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Every field an export holds: the record's keys, codes and scrubbed text (exactly what the store holds).
EXPORT_FIELDS = [
    "event_key", "revision", "practice_key", "facility_key", "quarter", "classification", "techniques",
    "workflow_noticed", "workflow_origin", "workflow_detected", "problem_type", "problem_types_secondary",
    "patients_affected", "harm", "medical_severity", "dosimetric_severity", "dose_deviation_percent",
    "contributing_factors", "barriers_failed", "barriers_caught", "corrective_actions", "ameliorating_actions",
    "equipment_related", "equipment_manufacturer", "equipment_model", "software_version", "age_range", "sex",
    "reporter_role", "possibly_reportable", "narrative", "lessons_learned", "taxonomy_version",
]  # fmt: skip


def is_postgres() -> bool:
    return connections[PSO_DB].vendor == "postgresql"


def _stored_vector():
    from django.contrib.postgres.search import SearchVectorField

    # reporting migration 0005's generated column, on the store table (queries here never join or alias it).
    return RawSQL('"reporting_storerecord"."search_tsv"', [], output_field=SearchVectorField())


def records_search(queryset: QuerySet[StoreRecord], text: str) -> QuerySet[StoreRecord]:
    """The records of `queryset` whose narrative or lessons match `text`, best match first.

    PostgreSQL: web-search syntax ("quoted phrases", -excluded, or) against the stored vector, ranked with the
    narrative weighted above the lessons. Elsewhere: every word as a case-insensitive substring of either text.
    """
    text = (text or "").strip()[:MAX_QUERY]
    if not text:
        return queryset
    if not is_postgres():
        for word in text.split():
            queryset = queryset.filter(Q(narrative__icontains=word) | Q(lessons_learned__icontains=word))
        return queryset
    from django.contrib.postgres.search import SearchQuery, SearchRank

    query = SearchQuery(text, config=FTS_CONFIG, search_type="websearch")
    vector = _stored_vector()
    return (
        queryset.alias(search_vector=vector)
        .filter(search_vector=query)
        .annotate(rank=SearchRank(vector, query))
        .order_by("-rank", "-id")
    )


def _cell(value):
    """A cell: lists joined, control characters that XML (XLSX) cannot hold removed, formulas defused."""
    if isinstance(value, list):
        value = "; ".join(str(v) for v in value)
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if value.startswith(FORMULA_START):
            value = "'" + value
    return value


def export_rows(queryset: QuerySet[StoreRecord]) -> Iterator[list]:
    """The export's rows (at most EXPORT_LIMIT), read in chunks (one query on PostgreSQL: a server-side cursor)."""
    rows = queryset.values_list(*EXPORT_FIELDS)[:EXPORT_LIMIT]
    for row in rows.iterator(chunk_size=EXPORT_CHUNK):
        yield [_cell(value) for value in row]


def export_records(queryset: QuerySet[StoreRecord]) -> Iterator[dict]:
    """The export's records as plain values (lists stay lists), for JSON Lines; at most EXPORT_LIMIT."""
    yield from queryset.values(*EXPORT_FIELDS)[:EXPORT_LIMIT].iterator(chunk_size=EXPORT_CHUNK)


def to_jsonl(records: Iterable[dict]) -> bytes:
    """JSON Lines: one JSON object per record, keys as in docs/pso-data-dictionary.md."""
    return b"".join(json.dumps(record, ensure_ascii=False).encode() + b"\n" for record in records)


def to_csv(rows: Iterable[list]) -> bytes:
    """CSV (UTF-8 with a byte-order mark, so spreadsheets read accents) of a header and the rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(EXPORT_FIELDS)
    writer.writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode()


def to_xlsx(rows: Iterable[list]) -> bytes:
    """An XLSX workbook (write-only, constant memory per row) of a header and the rows."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Records")
    sheet.append(EXPORT_FIELDS)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
